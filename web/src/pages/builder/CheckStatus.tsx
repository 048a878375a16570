// Where the spec stands: its problems, valid, being checked, or not checked (never "valid"
// for a text the server has not checked).
import { Button } from "../../components/ui";
import type { SpecCheck } from "./useSpecCheck";

export function CheckStatus(props: { check: SpecCheck; unreached: number }) {
  const { problems, checked, failure, retry } = props.check;
  const summary = problems.length
    ? `${problems.length} problem(s) to fix${props.unreached ? ` (${props.unreached} in fields you have not reached yet)` : ""}`
    : checked
      ? "The spec is valid."
      : failure
        ? ""
        : "Checking the spec…";
  return (
    <>
      {failure ? (
        <div className="flex flex-wrap items-center gap-2">
          <p role="status" className="text-sm text-amber-800">
            Could not check the spec ({failure.message}); the problems shown are from the last check.
          </p>
          <Button kind="secondary" onClick={retry}>
            Check again
          </Button>
        </div>
      ) : null}
      <p aria-live="polite" className={`text-sm ${problems.length ? "text-red-700" : checked ? "text-green-700" : "text-slate-600"}`}>
        {summary}
      </p>
    </>
  );
}
