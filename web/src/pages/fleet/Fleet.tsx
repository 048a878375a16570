// The fleet (#/fleet): every system's template version, whether it is behind, its upgrade pull
// request, last deploy and health; counts of current/behind/upgrading; filters (behind only, by
// owner); and, for the hub's admins, "Upgrade" per system and for every system behind.
import { useEffect, useState } from "react";
import { Button, Card, ErrorNotice, inputClass } from "../../components/ui";
import { asError, getFleet, upgradeFleet, type FleetSystem } from "../../lib/api";
import { hrefOf } from "../../lib/route";
import { useApi } from "../../lib/useApi";

// While upgrades are queued or running, the view refreshes itself this often.
export const REFRESH_MS = 5000;

const STANDING_LOOK: Record<FleetSystem["standing"], string> = {
  current: "bg-emerald-50 text-emerald-800",
  behind: "bg-amber-50 text-amber-800",
  upgrading: "bg-indigo-50 text-indigo-800",
  unknown: "bg-slate-100 text-slate-700",
};

export function Fleet() {
  const [behindOnly, setBehindOnly] = useState(false);
  const [owner, setOwner] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const fleet = useApi((signal) => getFleet({ behind: behindOnly, owner: owner.trim() }, signal), [behindOnly, owner]);
  const page = fleet.data;
  const inFlight = page?.systems.some((system) => ["queued", "running"].includes(system.upgrade?.status ?? "")) ?? false;

  useEffect(() => {
    if (!inFlight) return;
    const timer = window.setTimeout(fleet.reload, REFRESH_MS);
    return () => window.clearTimeout(timer);
  }, [inFlight, page, fleet.reload]);

  async function upgrade(request: { systems?: string[]; allBehind?: boolean }) {
    setBusy(true);
    setFailure(null);
    try {
      const queued = await upgradeFleet({ ...request, owner: owner.trim() });
      setNotice(queued.message + (queued.unknown.length ? `; not found: ${queued.unknown.join(", ")}` : ""));
      fleet.reload();
    } catch (error) {
      setFailure(asError(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="flex flex-col gap-4">
      <Card title="Fleet">
        <div className="flex flex-wrap items-end gap-4 text-sm">
          <label className="flex items-center gap-2">
            <input type="checkbox" checked={behindOnly} onChange={(event) => setBehindOnly(event.target.checked)} />
            Behind only
          </label>
          <label className="flex flex-col gap-1">
            Owner
            <input className={inputClass} value={owner} placeholder="every owner" onChange={(event) => setOwner(event.target.value)} />
          </label>
          {page ? (
            <p aria-label="Counts" className="text-slate-700">
              {page.counts.current} current · {page.counts.behind} behind · {page.counts.upgrading} upgrading
              {page.counts.unknown ? ` · ${page.counts.unknown} unknown` : ""}
            </p>
          ) : null}
          {page?.can_upgrade && page.counts.behind > 0 ? (
            <Button disabled={busy} onClick={() => void upgrade({ allBehind: true })}>
              Upgrade all behind
            </Button>
          ) : null}
        </div>
        {notice ? <p role="status" className="mt-3 text-sm text-emerald-800">{notice}</p> : null}
        {failure ? <div className="mt-3"><ErrorNotice what="The upgrade could not be queued" error={failure} /></div> : null}
      </Card>
      {fleet.error ? <ErrorNotice what="The fleet could not be loaded" error={fleet.error} onRetry={fleet.reload} /> : null}
      {fleet.loading && !page ? <p className="text-sm text-slate-600">Loading the fleet…</p> : null}
      {page && page.systems.length === 0 ? <p className="text-sm">No system to show.</p> : null}
      {page && page.systems.length > 0 ? (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead>
              <tr className="text-xs text-slate-600">
                <th className="py-1 pr-2">repository</th>
                <th className="py-1 pr-2">template</th>
                <th className="py-1 pr-2">standing</th>
                <th className="py-1 pr-2">upgrade</th>
                <th className="py-1 pr-2">last deploy</th>
                <th className="py-1 pr-2">health</th>
                {page.can_upgrade ? <th className="py-1" /> : null}
              </tr>
            </thead>
            <tbody>
              {page.systems.map((system) => (
                <tr key={system.repository} className="border-t border-slate-100 align-top">
                  <td className="py-2 pr-2">
                    <a className="text-indigo-700 underline" href={hrefOf({ page: "system", owner: system.owner, name: system.name })}>
                      {system.repository}
                    </a>
                  </td>
                  <td className="py-2 pr-2 font-mono text-xs">
                    {system.template_version}
                    {system.target_version && system.target_version !== system.template_version ? <div className="text-slate-500">→ {system.target_version}</div> : null}
                  </td>
                  <td className="py-2 pr-2">
                    <span className={`rounded px-2 py-0.5 text-xs ${STANDING_LOOK[system.standing]}`}>{system.standing}</span>
                  </td>
                  <td className="py-2 pr-2"><UpgradeCell system={system} /></td>
                  <td className="py-2 pr-2 text-slate-700">{system.last_deploy ? `${system.last_deploy.environment}: ${system.last_deploy.state}` : "not deployed"}</td>
                  <td className="py-2 pr-2 text-slate-700">
                    {Object.entries(system.health).map(([environment, up]) => `${environment} ${up ? "up" : "down"}`).join(", ") || "not probed"}
                  </td>
                  {page.can_upgrade ? (
                    <td className="py-2">
                      {system.standing === "behind" ? (
                        <Button kind="secondary" disabled={busy} label={`Upgrade ${system.repository}`} onClick={() => void upgrade({ systems: [system.repository] })}>
                          Upgrade
                        </Button>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}

function UpgradeCell(props: { system: FleetSystem }) {
  const upgrade = props.system.upgrade;
  if (!upgrade) return <span className="text-slate-500">none</span>;
  if (upgrade.pull_request_url) {
    return (
      <a className="text-indigo-700 underline" href={upgrade.pull_request_url} target="_blank" rel="noreferrer">
        #{upgrade.pull_request} ({upgrade.status})
      </a>
    );
  }
  return (
    <span className="text-slate-700">
      {upgrade.status}
      {upgrade.note ? <div className="text-xs text-slate-500">{upgrade.note}</div> : null}
    </span>
  );
}
