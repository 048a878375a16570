// Live validation of the spec as the person types, through /api/specs/validate.
import { useCallback, useEffect, useState } from "react";
import { asError, validateSpec } from "../../lib/api";
import { distinctProblems, type Problem } from "../../lib/spec";

// After the last change: a person typing at an ordinary pace sends one check per pause, not
// one per key (which the server's rate limit answers with 429s).
export const CHECK_DELAY_MS = 400;

export interface SpecCheck {
  /** What the last check that ran found, for this spec or an earlier text of it. */
  problems: Problem[];
  /** The problems are this spec's: it was checked. */
  checked: boolean;
  /** Why this spec's check could not run (a 429, the network, ...). */
  failure: Error | null;
  retry: () => void;
}

export function useSpecCheck(spec: string): SpecCheck {
  const [last, setLast] = useState<{ spec: string; problems: Problem[] } | null>(null);
  const [failed, setFailed] = useState<{ spec: string; error: Error } | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    // A newer text aborts the check of an older one: one check in flight, and never an older
    // text's answer shown for a newer one.
    const controller = new AbortController();
    const timer = setTimeout(() => {
      validateSpec(spec, controller.signal).then(
        (result) => {
          if (controller.signal.aborted) return;
          setLast({ spec, problems: distinctProblems(result.problems) });
          setFailed(null);
        },
        (failure: unknown) => {
          if (!controller.signal.aborted) setFailed({ spec, error: asError(failure) });
        },
      );
    }, CHECK_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [spec, attempt]);

  const retry = useCallback(() => {
    setFailed(null);
    setAttempt((current) => current + 1);
  }, []);
  return {
    problems: last?.problems ?? [],
    checked: last?.spec === spec,
    failure: failed?.spec === spec ? failed.error : null,
    retry,
  };
}
