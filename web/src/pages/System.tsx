// One system: its services (sbh/v2), its environments with deploy state, health, their
// infrastructure's last plan, apply and drift check, and the deploy/rollback buttons (of one
// service or all, for sbh/v2), the deploy history, the builds and the recorded spec.
import { useState } from "react";
import { Button, Card, CodeView, InlineMarkdown, inputClass } from "../components/ui";
import { asError, deploySystem, type InfraRun, type Session, type SystemDetail } from "../lib/api";

type Action = "deploy" | "rollback";

interface Pending {
  environment: string;
  action: Action;
}

// "2026-11-30T20:49:57.551805+00:00" -> "2026-11-30 20:49 UTC" (the API speaks UTC).
export function when(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function latestDeploy(system: SystemDetail, environment: string) {
  return system.deployments.find((deployment) => deployment.environment === environment);
}

// What needs someone's attention reads in red.
const TROUBLE = new Set(["failed", "drifted"]);

function Infrastructure(props: { system: SystemDetail; environment: string }) {
  const reported = props.system.infrastructure[props.environment];
  const runs = reported ? [reported.plan, reported.apply, reported.drift].filter((run): run is InfraRun => run !== null) : [];
  return (
    <p className="mt-1 text-xs text-slate-700">
      {"Infrastructure: "}
      {runs.length === 0
        ? "no plan, apply or drift check reported yet"
        : runs.map((run, index) => (
            <span key={index} className={TROUBLE.has(run.state) ? "text-red-700" : undefined}>
              {index > 0 ? " · " : ""}
              {run.url ? (
                <a className="underline" href={run.url}>
                  {run.summary}
                </a>
              ) : (
                run.summary
              )}
            </span>
          ))}
    </p>
  );
}

export function SystemPage(props: { system: SystemDetail; session: Session | null; onChanged: () => void }) {
  const { system, session } = props;
  const [pending, setPending] = useState<Pending | null>(null);
  const [imageTag, setImageTag] = useState("");
  const [service, setService] = useState("all");
  const [outcome, setOutcome] = useState<{ ok: boolean; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const signedIn = session?.mode === "github";

  async function confirm() {
    if (!pending) return;
    setBusy(true);
    try {
      setOutcome({ ok: true, message: await deploySystem(
          system.name,
          system.owner,
          pending.action,
          pending.environment,
          imageTag.trim() || undefined,
          system.services.length ? service : undefined,
        ),
      });
      props.onChanged();
    } catch (failure) {
      setOutcome({ ok: false, message: asError(failure).message });
    } finally {
      setBusy(false);
      setPending(null);
      setImageTag("");
      setService("all");
    }
  }

  return (
    <div className="flex flex-col gap-4">
      <Card title={system.repository}>
        <p className="text-sm text-slate-700">
          {system.origin.repository ? `From ${system.origin.repository}#${system.origin.issue ?? ""} · ` : ""}
          template {system.template_version}
        </p>
        {!signedIn ? (
          <p className="mt-2 text-xs text-slate-600">
            Deploy and rollback need sign-in with GitHub: SBH checks your permission on {system.repository} (write, admin for production), as it
            does for <code>/sbh deploy</code>.
          </p>
        ) : null}
        {outcome ? (
          <p role={outcome.ok ? "status" : "alert"} className={`mt-2 text-sm ${outcome.ok ? "text-green-800" : "text-red-700"}`}>
            <InlineMarkdown text={outcome.message} />
          </p>
        ) : null}
      </Card>

      {system.services.length ? (
        <Card title="Services">
          <div className="overflow-x-auto">
            <table className="w-full text-left text-xs">
              <thead>
                <tr>
                  <th className="pr-2">service</th>
                  <th className="pr-2">kind</th>
                  <th className="pr-2">what</th>
                  <th>reached at</th>
                </tr>
              </thead>
              <tbody>
                {system.services.map((each) => (
                  <tr key={each.name} className="border-t border-slate-100">
                    <td className="pr-2 font-medium">{each.name}</td>
                    <td className="pr-2">{each.kind}</td>
                    <td className="pr-2">{each.summary}</td>
                    <td>
                      {Object.entries(each.urls).map(([environment, url]) => (
                        <span key={environment} className="mr-2">
                          {environment}: <a className="text-indigo-700 underline" href={url}>{url}</a>
                        </span>
                      ))}
                      {Object.keys(each.urls).length === 0 ? (each.reached_by ?? "inside the system") : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      ) : null}

      <Card title="Environments">
        <ul className="flex flex-col gap-3">
          {system.environments.map((environment) => {
            const latest = latestDeploy(system, environment.name);
            const health = system.health[environment.name];
            const asking = pending?.environment === environment.name;
            return (
              <li key={environment.name} className="rounded-md border border-slate-200 p-3">
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <div>
                    <span className="font-medium">{environment.name}</span>
                    {environment.production ? <span className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-900">production</span> : null}
                    <span className="ml-2 text-xs text-slate-600">{environment.region}</span>
                  </div>
                  <div className="flex gap-2">
                    {(["deploy", "rollback"] as const).map((action) => (
                      <Button
                        key={action}
                        kind={action === "deploy" ? "primary" : "secondary"}
                        disabled={!signedIn || busy}
                        label={`${action === "deploy" ? "Deploy" : "Roll back"} ${environment.name}`}
                        onClick={() => {
                          setOutcome(null);
                          setPending({ environment: environment.name, action });
                        }}
                      >
                        {action === "deploy" ? "Deploy" : "Roll back"}
                      </Button>
                    ))}
                  </div>
                </div>
                <p className="mt-1 text-sm text-slate-700">
                  {latest ? `${latest.state}: ${latest.image_tag ?? "newest image"}${latest.by ? ` by @${latest.by}` : ""}` : "never deployed"}
                  {" · "}
                  {health ? (
                    <span className={health.up ? "text-green-800" : "text-red-700"}>{health.summary}</span>
                  ) : (
                    "health not probed yet"
                  )}
                </p>
                <Infrastructure system={system} environment={environment.name} />
                {asking && pending ? (
                  <div role="group" aria-label={`Confirm ${pending.action} to ${environment.name}`} className="mt-2 flex flex-wrap items-end gap-2">
                    {system.services.length ? (
                      <label className="flex flex-col gap-1 text-xs">
                        Service
                        <select className={inputClass} value={service} onChange={(event) => setService(event.target.value)}>
                          <option value="all">all services</option>
                          {system.services.map((each) => (
                            <option key={each.name} value={each.name}>
                              {each.name} ({each.kind})
                            </option>
                          ))}
                        </select>
                      </label>
                    ) : null}
                    <label className="flex flex-col gap-1 text-xs">
                      Image tag ({pending.action === "rollback" ? "empty: the previous successful deploy" : "empty: the newest image"})
                      <input className={inputClass} value={imageTag} onChange={(event) => setImageTag(event.target.value)} placeholder="e.g. 1a2b3c4" />
                    </label>
                    <Button onClick={() => void confirm()} disabled={busy}>
                      Confirm {pending.action} to {environment.name}
                    </Button>
                    <Button kind="secondary" onClick={() => setPending(null)}>
                      Cancel
                    </Button>
                  </div>
                ) : null}
              </li>
            );
          })}
        </ul>
      </Card>

      <Card title="Deploy history">
        {system.deployments.length === 0 ? (
          <p className="text-sm">No deploy yet.</p>
        ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-xs">
            <thead>
              <tr>
                <th className="pr-2">environment</th>
                <th className="pr-2">image</th>
                <th className="pr-2">state</th>
                <th className="pr-2">by</th>
                <th>when</th>
              </tr>
            </thead>
            <tbody>
              {system.deployments.map((deployment, index) => (
                <tr key={index} className="border-t border-slate-100">
                  <td className="pr-2">{deployment.environment}</td>
                  <td className="pr-2">{deployment.image_tag ?? "newest"}</td>
                  <td className="pr-2">{deployment.run ? <a className="text-indigo-700 underline" href={deployment.run}>{deployment.state}</a> : deployment.state}</td>
                  <td className="pr-2">{deployment.by ?? ""}</td>
                  <td>{when(deployment.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        )}
      </Card>

      <Card title="Builds">
        {system.builds.length === 0 ? <p className="text-sm">No build on record.</p> : null}
        <ul className="text-xs">
          {system.builds.map((build, index) => (
            <li key={index} className="border-t border-slate-100 py-1">
              {build.status} ({build.trigger}){build.commit ? ` · ${build.commit.slice(0, 7)}` : ""} · {when(build.started_at)}
              {build.error ? <span className="text-red-700"> · {build.error}</span> : null}
            </li>
          ))}
        </ul>
      </Card>

      <Card title="Spec">
        <CodeView label="The system's spec" text={system.spec} />
      </Card>
    </div>
  );
}
