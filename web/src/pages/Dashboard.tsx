// The dashboard: systems SBH built (#/systems), and one system's page (#/systems/<owner>/<name>).
import { useCallback, useEffect, useState } from "react";
import { Card } from "../components/ui";
import { getSession, getSystem, listSystems, type Session, type SystemDetail, type SystemSummary } from "../lib/api";
import { SystemPage, when } from "./System";

function selectedFromHash(): { owner: string; name: string } | null {
  const [, owner, name] = window.location.hash.replace("#/", "").split("/");
  return owner && name ? { owner: decodeURIComponent(owner), name: decodeURIComponent(name) } : null;
}

export function Dashboard() {
  const [session, setSession] = useState<Session | null>(null);
  const [systems, setSystems] = useState<SystemSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [wanted, setWanted] = useState(selectedFromHash());
  const [selected, setSelected] = useState<SystemDetail | null>(null);

  useEffect(() => {
    void getSession().then(setSession);
    void listSystems().then((result) => ("error" in result ? setError(result.error) : setSystems(result.items)));
    const onChange = () => setWanted(selectedFromHash());
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);

  const load = useCallback(() => {
    if (!wanted) {
      setSelected(null);
      return;
    }
    void getSystem(wanted.name, wanted.owner).then((detail) => ("repository" in detail ? setSelected(detail) : setError(`no system ${wanted.owner}/${wanted.name}`)));
  }, [wanted]);
  useEffect(load, [load]);

  if (wanted && selected) {
    return (
      <div className="flex flex-col gap-4">
        <a href="#/systems" className="text-sm text-indigo-700 underline">
          ← All systems
        </a>
        <SystemPage system={selected} session={session} onChanged={load} />
      </div>
    );
  }

  return (
    <div className="flex flex-col gap-4">
      <Card title="Systems">
        {error ? <p className="text-sm text-red-700">{error}</p> : null}
        {!error && systems.length === 0 ? <p className="text-sm">No system has been built yet.</p> : null}
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            {systems.length > 0 ? (
              <thead>
                <tr className="text-xs text-slate-600">
                  <th className="py-1 pr-2">repository</th>
                  <th className="py-1 pr-2">last build</th>
                  <th className="py-1 pr-2">environments</th>
                  <th className="py-1">from</th>
                </tr>
              </thead>
            ) : null}
            <tbody>
              {systems.map((system) => (
                <tr key={system.repository} className="border-t border-slate-100 align-top">
                  <td className="py-2 pr-2">
                    <a className="text-indigo-700 underline" href={`#/systems/${encodeURIComponent(system.owner)}/${encodeURIComponent(system.name)}`}>
                      {system.repository}
                    </a>
                  </td>
                  <td className="py-2 pr-2 text-slate-700">{system.last_build ? `${system.last_build.status} (${system.last_build.trigger})` : "none"}
                    {system.last_build?.started_at ? <div className="text-xs text-slate-500">{when(system.last_build.started_at)}</div> : null}</td>
                  <td className="py-2 pr-2">
                    <ul className="flex flex-col gap-0.5 text-xs">
                      {(system.environments ?? []).map((environment) => (
                        <li key={environment.name}>
                          <span className="font-medium">{environment.name}</span>: {environment.deploy ?? "never deployed"}
                          {environment.health ? <span className={environment.up ? " text-green-800" : " text-red-700"}> · {environment.health}</span> : null}
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td className="py-2 text-slate-600">{system.origin ? `${system.origin}#${system.issue ?? ""}` : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
    </div>
  );
}
