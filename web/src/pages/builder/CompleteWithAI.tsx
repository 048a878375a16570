// "Complete with AI": the Drafter proposes the fields the spec leaves out; each proposal is
// accepted into the form or rejected, one by one or all at once.
import { useState } from "react";
import { Button, Card, ErrorNotice, Field, inputClass } from "../../components/ui";
import { asError, completeSpec, type Completion, type ProposedField } from "../../lib/api";
import { distinctProblems } from "../../lib/spec";

export function CompleteWithAI(props: { spec: string; onAccept: (fields: ProposedField[]) => void }) {
  const [context, setContext] = useState("");
  const [busy, setBusy] = useState(false);
  const [completion, setCompletion] = useState<Completion | null>(null);
  const [open, setOpen] = useState<ProposedField[]>([]);
  const [error, setError] = useState<Error | null>(null);

  async function complete() {
    setBusy(true);
    setError(null);
    try {
      const result = await completeSpec(props.spec, context);
      setCompletion(result);
      setOpen(result.valid ? result.proposal : []);
    } catch (failure) {
      setError(asError(failure));
    } finally {
      setBusy(false);
    }
  }

  function settle(proposed: ProposedField, accepted: boolean) {
    if (accepted) props.onAccept([proposed]);
    setOpen(open.filter((each) => each !== proposed));
  }

  return (
    <Card title="Complete with AI">
      <div className="flex flex-col gap-3">
        <Field id="context" label="What the service is for" hint="optional; the AI reads it to propose buckets, settings and secret names">
          <textarea id="context" className={inputClass} rows={2} maxLength={8000} value={context} onChange={(e) => setContext(e.target.value)} />
        </Field>
        <div>
          <Button onClick={() => void complete()} disabled={busy}>
            {busy ? "Completing…" : "Complete with AI"}
          </Button>
        </div>
        {error ? <ErrorNotice what="The completion failed" error={error} /> : null}
        {completion?.valid && completion.fallback ? (
          <p role="status" className="rounded-md bg-amber-50 p-2 text-sm text-amber-900">
            OpenAI did not answer ({completion.note?.replace(/^completed without AI: /, "") ?? "no reason given"}): these are SBH's defaults, not AI proposals.
          </p>
        ) : null}
        {completion && !completion.valid ? (
          <div className="text-sm text-red-700">
            <p>Fill in these first (the AI never decides them):</p>
            <ul className="list-disc pl-5 text-xs">
              {distinctProblems(completion.problems).map((problem) => (
                <li key={`${problem.line}-${problem.field}-${problem.message}`}>
                  line {problem.line}, {problem.field}: {problem.message}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {completion?.valid && !open.length ? <p className="text-sm text-slate-600">No proposals left.</p> : null}
        {open.length ? (
          <>
            <ul aria-label="Proposed fields" className="flex flex-col gap-2">
              {open.map((proposed) => (
                <li key={proposed.field} className="flex flex-wrap items-center gap-2 rounded-md border border-slate-200 p-2 text-sm">
                  <code className="font-semibold">{proposed.field}</code>
                  <code className="break-all">{JSON.stringify(proposed.value)}</code>
                  <span className={`rounded-full px-2 text-xs ${proposed.source === "ai" ? "bg-indigo-100 text-indigo-800" : "bg-slate-100 text-slate-700"}`} title={proposed.reason}>
                    {proposed.source === "ai" ? "AI" : "default"}
                  </span>
                  <span className="ml-auto flex gap-1">
                    <button type="button" aria-label={`Accept ${proposed.field}`} className="rounded px-2 py-1 text-xs text-green-800 hover:bg-green-50" onClick={() => settle(proposed, true)}>
                      Accept
                    </button>
                    <button type="button" aria-label={`Reject ${proposed.field}`} className="rounded px-2 py-1 text-xs text-red-800 hover:bg-red-50" onClick={() => settle(proposed, false)}>
                      Reject
                    </button>
                  </span>
                </li>
              ))}
            </ul>
            <div className="flex gap-2">
              <Button
                onClick={() => {
                  props.onAccept(open);
                  setOpen([]);
                }}
              >
                Accept all
              </Button>
              <Button kind="secondary" onClick={() => setOpen([])}>
                Reject all
              </Button>
            </div>
          </>
        ) : null}
      </div>
    </Card>
  );
}
