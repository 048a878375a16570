// The dashboard: systems SBH built (#/systems), and one system's page (#/systems/<owner>/<name>).
import { Card, ErrorNotice } from "../components/ui";
import { getSession, getSystem, listSystems } from "../lib/api";
import { hrefOf, useRoute } from "../lib/route";
import { useApi } from "../lib/useApi";
import { SystemPage, when } from "./System";

export function Dashboard() {
  const route = useRoute();
  if (route.page !== "system") return <SystemList />;
  return (
    <div className="flex flex-col gap-4">
      <a href={hrefOf({ page: "systems" })} className="text-sm text-indigo-700 underline">
        ← All systems
      </a>
      <SystemView key={`${route.owner}/${route.name}`} owner={route.owner} name={route.name} />
    </div>
  );
}

function SystemView(props: { owner: string; name: string }) {
  const system = useApi((signal) => getSystem(props.name, props.owner, signal), [props.owner, props.name]);
  // Without a session the buttons stay disabled; the header's Account says why.
  const session = useApi(getSession, []);
  if (system.data) return <SystemPage system={system.data} session={session.data ?? null} onChanged={system.reload} />;
  if (system.error) return <ErrorNotice what={`${props.owner}/${props.name} could not be loaded`} error={system.error} onRetry={system.reload} />;
  return <p className="text-sm text-slate-600">Loading {props.owner}/{props.name}…</p>;
}

function SystemList() {
  const { data, error, loading, reload } = useApi(listSystems, []);
  const systems = data?.items ?? [];
  return (
    <div className="flex flex-col gap-4">
      <Card title="Systems">
        {error ? <ErrorNotice what="The systems could not be loaded" error={error} onRetry={reload} /> : null}
        {loading && !data ? <p className="text-sm text-slate-600">Loading the systems…</p> : null}
        {data && systems.length === 0 ? <p className="text-sm">No system has been built yet.</p> : null}
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
                    <a className="text-indigo-700 underline" href={hrefOf({ page: "system", owner: system.owner, name: system.name })}>
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
