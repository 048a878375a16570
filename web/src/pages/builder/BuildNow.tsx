// "Build now" on the finish step: shown to people signed in with GitHub when SBH has a hub
// repository; the server checks their write permission there, as /sbh build does.
import { useState } from "react";
import { Button, InlineMarkdown } from "../../components/ui";
import { asError, buildNow, getSession } from "../../lib/api";
import { useApi } from "../../lib/useApi";

export function BuildNow(props: { spec: string; hubRepository: string | null; disabled: boolean }) {
  // A session that cannot be read offers no button; the header's Account says why.
  const { data: session } = useApi(getSession, []);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; message: string; issueUrl?: string } | null>(null);
  if (!props.hubRepository || session?.mode !== "github") return null;

  async function build() {
    setBusy(true);
    try {
      setOutcome({ ok: true, ...(await buildNow(props.spec)) });
    } catch (failure) {
      setOutcome({ ok: false, message: asError(failure).message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="flex w-full flex-col gap-1">
      <div>
        <Button onClick={() => void build()} disabled={props.disabled || busy}>
          Build now in {props.hubRepository}
        </Button>
      </div>
      {outcome ? (
        <p role={outcome.ok ? "status" : "alert"} className={`text-sm ${outcome.ok ? "text-green-800" : "text-red-700"}`}>
          <InlineMarkdown text={outcome.message} />{" "}
          {outcome.issueUrl ? (
            <a className="text-indigo-700 underline" href={outcome.issueUrl} target="_blank" rel="noreferrer">
              Follow it on GitHub
            </a>
          ) : null}
        </p>
      ) : null}
    </div>
  );
}
