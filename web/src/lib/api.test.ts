import { afterEach, describe, expect, it, vi } from "vitest";
import { csrfHeaders, forgetCsrfToken, validateSpec } from "./api";

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
