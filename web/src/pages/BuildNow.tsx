// "Build now" on the finish step: shown to people signed in with GitHub when SBH has a hub
// repository; the server checks their write permission there, as /sbh build does.
import { useEffect, useState } from "react";
import { Button, InlineMarkdown } from "../components/ui";
import { buildNow, getSession, type Session } from "../lib/api";

export function BuildNow(props: { spec: string; hubRepository: string | null; disabled: boolean }) {
  const [session, setSession] = useState<Session | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; message: string; issueUrl?: string } | null>(null);
  useEffect(() => {
    void getSession().then(setSession).catch(() => setSession(null));
  }, []);
  if (!props.hubRepository || session?.mode !== "github") return null;

  async function build() {
    setBusy(true);
    setOutcome(await buildNow(props.spec));
    setBusy(false);
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
