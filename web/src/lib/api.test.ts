import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, csrfHeaders, forgetCsrfToken, getSystem, listSystems, streamChat, validateSpec } from "./api";

afterEach(() => {
  vi.unstubAllGlobals();
  forgetCsrfToken();
});

describe("CSRF token", () => {
  it("is fetched from /api/session once and sent with every state-changing request", async () => {
    const urls: string[] = [];
    const headers: Array<Record<string, string>> = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string, init?: RequestInit) => {
        urls.push(url);
        if (url === "/api/session") return new Response(JSON.stringify({ user: null, mode: "anonymous", label: "", csrf_token: "csrf-1" }));
        headers.push(init?.headers as Record<string, string>);
        return new Response(JSON.stringify({ valid: true, problems: [] }));
      }),
    );

    await validateSpec("name: a");
    await validateSpec("name: b");

    expect(urls).toEqual(["/api/session", "/api/specs/validate", "/api/specs/validate"]);
    expect(headers.map((sent) => sent["X-CSRF-Token"])).toEqual(["csrf-1", "csrf-1"]);
  });

  it("is fetched again once when the server refuses an expired one", async () => {
    let token = 0;
    const sent: string[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string, init?: RequestInit) => {
        if (url === "/api/session") return new Response(JSON.stringify({ user: null, mode: "anonymous", label: "", csrf_token: `csrf-${++token}` }));
        const given = (init?.headers as Record<string, string>)["X-CSRF-Token"];
        sent.push(given);
        if (given !== "csrf-2") return new Response(JSON.stringify({ detail: "CSRF check failed: no valid sbh_csrf cookie" }), { status: 403 });
        return new Response(JSON.stringify({ valid: true, problems: [] }));
      }),
    );

    expect(await validateSpec("name: a")).toEqual({ valid: true, problems: [] });
    expect(sent).toEqual(["csrf-1", "csrf-2"]);
  });

  it("is left out, not an error, when the session cannot be read", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response("not json")));

    expect(await csrfHeaders()).toEqual({});
  });
});

describe("a failed request", () => {
  it("throws an ApiError whose message is the server's detail", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify({ detail: "no system named 'orders-api'" }), { status: 404 })));

    const failure = await getSystem("orders-api", "acme").catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 404, message: "no system named 'orders-api'" });
  });

  it("says the status when the error's body is not JSON (a proxy's HTML page)", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response("<html>Bad Gateway</html>", { status: 502, statusText: "Bad Gateway" })));

    await expect(listSystems()).rejects.toThrow("the server answered 502 Bad Gateway");
  });

  it("says a 2xx answer that is not JSON is not", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response("<html>SBH</html>")));

    await expect(listSystems()).rejects.toThrow("the server's answer was not JSON");
  });

  it("reads FastAPI's validation errors and the rate limit's detail", async () => {
    const answers = [
      new Response(JSON.stringify({ detail: [{ loc: ["body", "spec"], msg: "String should have at most 200000 characters" }] }), { status: 422 }),
      new Response(JSON.stringify({ detail: "too many requests from this address; wait a little" }), { status: 429 }),
    ];
    vi.stubGlobal("fetch", vi.fn(async (url: string) => (url === "/api/session" ? new Response("{}") : (answers.shift() as Response))));

    await expect(validateSpec("x")).rejects.toThrow("the request was not valid (String should have at most 200000 characters)");
    await expect(validateSpec("x")).rejects.toMatchObject({ status: 429, message: "too many requests from this address; wait a little" });
  });
});

// The chat's answer, its body arriving in exactly these chunks (text, or bytes to cut a
// character in two).
async function streamed(chunks: Array<string | Uint8Array>): Promise<{ deltas: string[]; result: Awaited<ReturnType<typeof streamChat>> }> {
  const encoder = new TextEncoder();
  const body = () =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
        controller.close();
      },
    });
  vi.stubGlobal("fetch", vi.fn(async (url: string) => new Response(url === "/api/session" ? "{}" : body())));
  const deltas: string[] = [];
  const result = await streamChat([{ role: "user", content: "hi" }], "gpt-4o-mini", (delta) => deltas.push(delta));
  return { deltas, result };
}

describe("streamChat", () => {
  it("passes each delta on as it arrives, wherever the chunks split", async () => {
    const bytes = new TextEncoder().encode('data: {"delta": "Hel"}\n\ndata: {"delta": "lo, é"}\n\nevent: done\ndata: {"model": "gpt-4o-mini", "fallback": false}\n\n');
    // Inside a field name, inside the JSON, between the two newlines, inside "é".
    const cuts = [0, 3, 20, bytes.indexOf(10) + 1, bytes.indexOf(0xc3) + 1, bytes.length];

    const { deltas, result } = await streamed(cuts.slice(1).map((end, index) => bytes.slice(cuts[index], end)));

    expect(deltas).toEqual(["Hel", "lo, é"]);
    expect(result).toEqual({ fallback: false });
  });

  it("reads CRLF line endings and a data field over several lines", async () => {
    const { deltas, result } = await streamed([
      'data: {"delta":\r\ndata: "multi"}\r\n\r',
      '\ndata: {"delta": "line"}\r\n\r\n',
      'event: done\r\ndata: {"fallback": true}\r\n\r\n',
    ]);

    expect(deltas).toEqual(["multi", "line"]);
    expect(result).toEqual({ fallback: true });
  });

  it("gives the error event's reason", async () => {
    const { deltas, result } = await streamed(['data: {"delta": "Hi"}\n\n', 'event: error\ndata: {"error": "the model timed out"}\n\n']);

    expect(deltas).toEqual(["Hi"]);
    expect(result).toEqual({ fallback: false, error: "the model timed out" });
  });

  it("says so when the stream ends before the done event", async () => {
    const { result } = await streamed(['data: {"delta": "Hi"}\n\n']);

    expect(result.error).toBe("the reply ended before it was complete");
  });

  it("gives the refusal of a request the server did not stream", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string) =>
        url === "/api/session" ? new Response("{}") : new Response(JSON.stringify({ detail: "too many chat requests from this address; wait a little" }), { status: 429 }),
      ),
    );

    expect(await streamChat([{ role: "user", content: "hi" }], "gpt-4o-mini", () => undefined)).toEqual({
      fallback: false,
      error: "too many chat requests from this address; wait a little",
    });
  });
});
