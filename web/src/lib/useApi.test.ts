import { act, renderHook, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "./api";
import { useApi } from "./useApi";

describe("useApi", () => {
  it("gives what the load resolved to", async () => {
    const { result } = renderHook(() => useApi(async () => ["orders-api"], []));
    expect(result.current.loading).toBe(true);

    await waitFor(() => expect(result.current.data).toEqual(["orders-api"]));
    expect(result.current).toMatchObject({ error: null, loading: false });
  });

  it("gives the error a load failed with, and loads again on reload", async () => {
    const load = vi.fn().mockRejectedValueOnce(new ApiError(503, "the database is down")).mockResolvedValueOnce("back");
    const { result } = renderHook(() => useApi(load, []));

    await waitFor(() => expect(result.current.error?.message).toBe("the database is down"));
    expect(result.current.loading).toBe(false);
    act(() => result.current.reload());

    await waitFor(() => expect(result.current.data).toBe("back"));
    expect(result.current.error).toBeNull();
  });

  it("drops the answer to an older load and aborts its request", async () => {
    const signals: AbortSignal[] = [];
    const answers: Array<(value: string) => void> = [];
    const load = (signal: AbortSignal) => {
      signals.push(signal);
      return new Promise<string>((resolve) => answers.push(resolve));
    };
    const { result, rerender } = renderHook(({ name }) => useApi(load, [name]), { initialProps: { name: "old" } });
    rerender({ name: "new" });
    const [older, newer] = answers.slice(-2);

    await act(async () => newer("new"));
    await act(async () => older("old"));

    expect(signals.at(-2)?.aborted).toBe(true);
    expect(result.current.data).toBe("new");
  });
});
