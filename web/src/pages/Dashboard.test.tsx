import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Dashboard } from "./Dashboard";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const RESPONSES: Record<string, unknown> = {
  "/api/session": { user: "local", mode: "local", label: "Local mode: one local user, no sign-in" },
  "/api/systems": { total: 1, items: [{ name: "orders-api", owner: "acme", repository: "acme/orders-api", origin: "acme/hub", issue: 7, updated_at: null }] },
  "/api/systems/orders-api": {
    name: "orders-api",
    owner: "acme",
    repository: "acme/orders-api",
    origin: "acme/hub",
    issue: 7,
    updated_at: null,
    builds: [{ status: "created", trigger: "command", commit: "abc", started_at: "2026-11-25T05:00:00" }],
    deployments: [{ environment: "prod", image_tag: "1a2b3c4", state: "success", url: null, run: null, by: "octo", updated_at: "2026-11-25T05:10:00" }],
    health: { prod: { up: true, summary: "healthy for 3 h", url: "https://orders.acme.io/api/health" } },
  },
};

describe("Dashboard", () => {
  it("labels local mode, lists systems and shows one system's deploys and health", async () => {
    vi.stubGlobal("fetch", vi.fn(async (url: string) => new Response(JSON.stringify(RESPONSES[url]))));
    render(<Dashboard />);

    expect(await screen.findByText("Local mode: one local user, no sign-in")).toBeTruthy();
    fireEvent.click(await screen.findByText("acme/orders-api"));

    expect(await screen.findByText("healthy for 3 h")).toBeTruthy();
    expect(screen.getByText("1a2b3c4")).toBeTruthy();
  });

  it("says why the list is empty when the API refuses", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string) =>
        url === "/api/systems"
          ? new Response(JSON.stringify({ detail: "the API is off: set SBH_API_TOKEN to turn it on" }), { status: 403 })
          : new Response(JSON.stringify({ user: null, mode: "token", label: "The API needs SBH_API_TOKEN" })),
      ),
    );
    render(<Dashboard />);

    expect(await screen.findByText("the API is off: set SBH_API_TOKEN to turn it on")).toBeTruthy();
  });
});
