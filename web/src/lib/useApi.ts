// Loads data from the API for a component: what arrived, or why it did not.
import { useCallback, useEffect, useState, type DependencyList } from "react";
import { asError } from "./api";

export interface Loaded<T> {
  data: T | undefined;
  error: Error | null;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` on mount, whenever `deps` change and on `reload()`. An answer to an older run
 * is dropped (its request aborted). While it reloads, the last data stays, so a page does not
 * flash empty; a component showing other data for new `deps` gets a new `key`. */
export function useApi<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): Loaded<T> {
  const [state, setState] = useState<Omit<Loaded<T>, "reload">>({ data: undefined, error: null, loading: true });
  const [version, setVersion] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setState((current) => ({ ...current, loading: true }));
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ data, error: null, loading: false });
      },
      (failure: unknown) => {
        if (!controller.signal.aborted) setState((current) => ({ data: current.data, error: asError(failure), loading: false }));
      },
    );
    return () => controller.abort();
    // `load` is a new function on every render; `deps` say when it loads something else.
  }, [...deps, version]);

  const reload = useCallback(() => setVersion((current) => current + 1), []);
  return { ...state, reload };
}
