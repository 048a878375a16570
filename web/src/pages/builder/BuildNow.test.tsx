import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { forgetCsrfToken } from "../../lib/api";
import { BuildNow } from "./BuildNow";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  forgetCsrfToken();
});

function api(mode: string, build?: (body: unknown, headers: Headers) => Response) {
  return vi.fn(async (url: string, init?: RequestInit) => {
    if (url === "/api/session") return new Response(JSON.stringify({ user: "alice", mode, label: "", csrf_token: "t0k" }));
    if (url === "/api/builds" && build) return build(JSON.parse(String(init?.body)), new Headers(init?.headers));
    return new Response("{}", { status: 404 });
  });
}

describe("Build now", () => {
  it("opens the spec issue through the server and links to it", async () => {
    const sent: Array<[unknown, string | null]> = [];
    vi.stubGlobal(
      "fetch",
      api("github", (body, headers) => {
        sent.push([body, headers.get("X-CSRF-Token")]);
        return new Response(JSON.stringify({ issue: 12, issue_url: "https://github.com/acme/hub/issues/12", message: "SBH opened acme/hub#12" }), { status: 202 });
      }),
    );
    render(<BuildNow spec={"apiVersion: sbh/v1\n"} hubRepository="acme/hub" disabled={false} />);

    fireEvent.click(await screen.findByRole("button", { name: "Build now in acme/hub" }));

    expect((await screen.findByRole("status")).textContent).toContain("SBH opened acme/hub#12");
    expect(screen.getByRole("link", { name: "Follow it on GitHub" }).getAttribute("href")).toBe("https://github.com/acme/hub/issues/12");
    expect(sent).toEqual([[{ spec: "apiVersion: sbh/v1\n" }, "t0k"]]);
  });

  it("shows the server's refusal", async () => {
    vi.stubGlobal("fetch", api("github", () => new Response(JSON.stringify({ detail: "Sorry @alice, `/sbh build` needs write permission on acme/hub (you have read)." }), { status: 403 })));
    render(<BuildNow spec="x" hubRepository="acme/hub" disabled={false} />);

    fireEvent.click(await screen.findByRole("button", { name: "Build now in acme/hub" }));

    expect((await screen.findByRole("alert")).textContent).toContain("needs write permission");
  });

  it("is not offered without a GitHub sign-in or a hub repository", async () => {
    vi.stubGlobal("fetch", api("local"));
    const { rerender } = render(<BuildNow spec="x" hubRepository="acme/hub" disabled={false} />);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(screen.queryByRole("button")).toBeNull();

    vi.stubGlobal("fetch", api("github"));
    rerender(<BuildNow spec="x" hubRepository={null} disabled={false} />);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(screen.queryByRole("button")).toBeNull();
  });
});
