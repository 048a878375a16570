// The dashboard: systems SBH built, and for one system its builds, deploys and health.
import { useEffect, useState } from "react";
import { Card } from "../components/ui";
import { getSession, getSystem, listSystems, type Session, type SystemDetail, type SystemSummary } from "../lib/api";

export function Dashboard() {
  const [session, setSession] = useState<Session | null>(null);
  const [systems, setSystems] = useState<SystemSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<SystemDetail | null>(null);

  useEffect(() => {
    void getSession().then(setSession);
    void listSystems().then((result) => ("error" in result ? setError(result.error) : setSystems(result.items)));
  }, []);

  return (
    <div className="flex flex-col gap-4">
      {session ? (
        <p role="status" className="text-xs text-slate-600">
          {session.label}
        </p>
      ) : null}
      <Card title="Systems">
        {error ? <p className="text-sm text-red-700">{error}</p> : null}
        {!error && systems.length === 0 ? <p className="text-sm">No system has been built yet.</p> : null}
        <table className="w-full text-left text-sm">
          <tbody>
            {systems.map((system) => (
              <tr key={system.repository} className="border-t border-slate-100">
                <td className="py-2">
                  <button type="button" className="text-indigo-700 underline" onClick={() => void getSystem(system.name).then(setSelected)}>
                    {system.repository}
                  </button>
                </td>
                <td className="py-2 text-slate-600">{system.origin ? `${system.origin}#${system.issue ?? ""}` : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      {selected ? (
        <Card title={selected.repository}>
          <h3 className="text-sm font-semibold">Deploys</h3>
          <table className="mb-3 w-full text-left text-xs">
            <thead>
              <tr>
                <th>environment</th>
                <th>image</th>
                <th>state</th>
                <th>health</th>
                <th>when</th>
              </tr>
            </thead>
            <tbody>
              {selected.deployments.map((deployment, index) => (
                <tr key={index} className="border-t border-slate-100">
                  <td>{deployment.environment}</td>
                  <td>{deployment.image_tag ?? "newest"}</td>
                  <td>{deployment.state}</td>
                  <td>{selected.health[deployment.environment]?.summary ?? "not probed"}</td>
                  <td>{deployment.updated_at}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3 className="text-sm font-semibold">Builds</h3>
          <ul className="text-xs">
            {selected.builds.map((build, index) => (
              <li key={index}>
                {build.status} ({build.trigger}) {build.started_at}
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
    </div>
  );
}
