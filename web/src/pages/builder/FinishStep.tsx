// The finish: download spec.yaml or the repository, preview the files, open a spec issue in
// the hub repository or build it there now. Only a spec the server checked and found valid
// is rendered or built.
import { useState } from "react";
import { Button, ErrorNotice } from "../../components/ui";
import { asError, downloadZip, type Config } from "../../lib/api";
import { MAX_ISSUE_URL_LENGTH, specIssueUrl } from "../../lib/spec";
import type { Loaded } from "../../lib/useApi";
import { BuildNow } from "./BuildNow";
import { CostEstimate } from "./CostEstimate";

function downloadSpec(yaml: string) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([yaml], { type: "text/yaml" }));
  link.download = "spec.yaml";
  link.click();
  URL.revokeObjectURL(link.href);
}

export function FinishStep(props: { yaml: string; name: string; ready: boolean; config: Loaded<Config>; onPreview: () => void }) {
  const [failure, setFailure] = useState<Error | null>(null);
  const config = props.config.data;
  const hubRepository = config?.hub_repository ?? null;
  const issueUrl = config && hubRepository ? specIssueUrl({ ...config, hub_repository: hubRepository }, props.yaml, props.name) : null;
  const download = () => {
    setFailure(null);
    downloadZip(props.yaml, props.name).catch((error: unknown) => setFailure(asError(error)));
  };
  return (
    <div className="flex flex-wrap gap-2">
      <Button onClick={() => downloadSpec(props.yaml)}>Download spec.yaml</Button>
      <Button kind="secondary" onClick={download} disabled={!props.ready}>
        Download the repository (zip)
      </Button>
      <Button kind="secondary" onClick={props.onPreview} disabled={!props.ready}>
        Preview the files
      </Button>
      {hubRepository && issueUrl ? (
        <a
          href={issueUrl}
          target="_blank"
          rel="noreferrer"
          className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100"
        >
          Open a spec issue in {hubRepository}
        </a>
      ) : null}
      <BuildNow spec={props.yaml} hubRepository={hubRepository} disabled={!props.ready} />
      {hubRepository && !issueUrl ? (
        <p className="text-sm text-amber-800">
          This spec is too long for a prefilled issue link (GitHub accepts links up to about {MAX_ISSUE_URL_LENGTH / 1000} KB): download spec.yaml and
          paste it into a new issue in {hubRepository} in a ```yaml block.
        </p>
      ) : null}
      {props.ready ? <CostEstimate yaml={props.yaml} /> : null}
      {failure ? <ErrorNotice what="The repository could not be rendered" error={failure} /> : null}
      {props.config.error ? (
        <ErrorNotice what="SBH's hub repository could not be read, so no spec issue or build is offered" error={props.config.error} onRetry={props.config.reload} />
      ) : null}
    </div>
  );
}
