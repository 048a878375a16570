import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Fleet } from "./Fleet";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const SESSION = { user: "olivia", mode: "github", label: "Signed in as @olivia", csrf_token: "t0k" };

function system(name: string, standing: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    owner: "acme",
    repository: `acme/${name}`,
    api_version: "sbh/v1",
    template_version: standing === "current" ? "0.1.0+new" : "0.1.0+old",
    target_version: "0.1.0+new",
    standing,
    upgrade: null,
    last_deploy: null,
    health: {},
    ...extra,
  };
}

const FLEET = {
  counts: { current: 1, behind: 1, upgrading: 1, unknown: 0 },
  systems: [
    system("billing", "behind", { last_deploy: { environment: "prod", state: "success", image_tag: "1a2b3c4", updated_at: "2026-12-05T10:00:00Z" }, health: { prod: true } }),
    system("orders-api", "current"),
    system("shop", "upgrading", {
      upgrade: { target_version: "0.1.0+new", status: "updated", pull_request: 4, pull_request_url: "https://github.com/acme/shop/pull/4", note: null },
    }),
  ],
};

function api(fleet: Record<string, unknown>, upgraded?: (body: unknown) => Response) {
  return vi.fn(async (url: string, init?: RequestInit) => {
    if (url === "/api/session") return new Response(JSON.stringify(SESSION));
    if (url.startsWith("/api/fleet/upgrades") && upgraded) return upgraded(JSON.parse(String(init?.body)));
    if (url.startsWith("/api/fleet")) return new Response(JSON.stringify(fleet));
    return new Response("{}", { status: 404 });
  });
}

describe("Fleet", () => {
  it("shows each system's template version, standing, upgrade pull request, deploy, health and the counts", async () => {
    vi.stubGlobal("fetch", api({ ...FLEET, can_upgrade: false }));
    render(<Fleet />);

    expect(await screen.findByText("1 current · 1 behind · 1 upgrading")).toBeTruthy();
    expect(screen.getByRole("link", { name: "#4 (updated)" }).getAttribute("href")).toBe("https://github.com/acme/shop/pull/4");
    expect(screen.getByText("prod: success")).toBeTruthy();
    expect(screen.getByText("prod up")).toBeTruthy();
    expect(screen.getAllByText("→ 0.1.0+new")).toHaveLength(2);
    // Not an admin of the hub: no Upgrade action at all.
    expect(screen.queryByRole("button", { name: /Upgrade/ })).toBeNull();
  });

  it("asks the server for the systems behind only, and for one owner's", async () => {
    const fetched = api({ ...FLEET, can_upgrade: false });
    vi.stubGlobal("fetch", fetched);
    render(<Fleet />);
    await screen.findByText("1 current · 1 behind · 1 upgrading");

    fireEvent.click(screen.getByLabelText("Behind only"));
    fireEvent.change(screen.getByLabelText("Owner"), { target: { value: "acme" } });

    await waitFor(() => expect(fetched.mock.calls.map(([url]) => url)).toContain("/api/fleet?behind=true&owner=acme"));
  });

  it("lets an admin of the hub upgrade one system and says what was queued", async () => {
    const bodies: unknown[] = [];
    vi.stubGlobal(
      "fetch",
      api({ ...FLEET, can_upgrade: true }, (body) => {
        bodies.push(body);
        return new Response(JSON.stringify({ queued: 1, already: 0, unknown: [], message: "1 upgrade(s) queued, 0 queued or done before" }), { status: 202 });
      }),
    );
    render(<Fleet />);

    fireEvent.click(await screen.findByRole("button", { name: "Upgrade acme/billing" }));

    expect(await screen.findByText("1 upgrade(s) queued, 0 queued or done before")).toBeTruthy();
    expect(bodies).toEqual([{ systems: ["acme/billing"], all_behind: false, owner: null }]);
    // Only systems behind get the button; "Upgrade all behind" covers every one of them.
    expect(screen.queryByRole("button", { name: "Upgrade acme/orders-api" })).toBeNull();
    expect(screen.getByRole("button", { name: "Upgrade all behind" })).toBeTruthy();
  });

  it("shows the server's refusal", async () => {
    vi.stubGlobal(
      "fetch",
      api({ ...FLEET, can_upgrade: true }, () => new Response(JSON.stringify({ detail: "upgrading the fleet needs admin permission on acme/hub" }), { status: 403 })),
    );
    render(<Fleet />);

    fireEvent.click(await screen.findByRole("button", { name: "Upgrade all behind" }));

    expect(await screen.findByText(/needs admin permission on acme\/hub/)).toBeTruthy();
  });
});
