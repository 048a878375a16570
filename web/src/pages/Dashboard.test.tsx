import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Dashboard } from "./Dashboard";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  window.location.hash = "";
});

const LOCAL = { user: "local", mode: "local", label: "Local mode: one local user, no sign-in", csrf_token: "t0k" };
const SIGNED_IN = { user: "octo", mode: "github", label: "Signed in as @octo", csrf_token: "t0k" };

const SYSTEMS = {
  total: 1,
  items: [
    {
      name: "orders-api",
      owner: "acme",
      repository: "acme/orders-api",
      origin: "acme/hub",
      issue: 7,
      updated_at: null,
      last_build: { status: "created", trigger: "command", started_at: "2026-11-25T05:00:00+00:00" },
      environments: [
        { name: "dev", deploy: null, up: null, health: null },
        { name: "prod", deploy: "success: 1a2b3c4", up: true, health: "healthy for 3 h" },
      ],
    },
  ],
};

const DETAIL = {
  name: "orders-api",
  owner: "acme",
  repository: "acme/orders-api",
  origin: { repository: "acme/hub", issue: 7, commit: null },
  spec: "apiVersion: sbh/v1\nname: orders-api\n",
  api_version: "sbh/v1",
  services: [] as unknown[],
  template_version: "0.1.0",
  environments: [
    { name: "dev", production: false, region: "eu-west-1" },
    { name: "prod", production: true, region: "eu-west-1" },
  ],
  builds: [{ status: "created", trigger: "command", commit: "abcdef0123", started_at: "2026-11-25T05:00:00+00:00" }],
  deployments: [{ environment: "prod", image_tag: "1a2b3c4", state: "success", url: null, run: null, by: "octo", updated_at: "2026-11-25T05:10:00" }],
  health: { prod: { up: true, summary: "healthy for 3 h", url: "https://orders.acme.io/api/health" } },
  infrastructure: {
    prod: {
      plan: {
        state: "succeeded",
        summary: "plan succeeded on PR #12 (+3 ~1 \u22120)",
        url: "https://github.com/acme/orders-api/pull/12#issuecomment-1",
        pull_request: 12,
        changes: { add: 3, change: 1, destroy: 0 },
      },
      apply: { state: "failed", summary: "apply of 1a2b3c4 failed at 2026-12-05 12:00 UTC", url: "https://github.com/acme/orders-api/actions/runs/31" },
      drift: { state: "clean", summary: "no drift (checked 2026-12-05 06:00 UTC)", url: null },
    },
  },
};

function api(session: unknown, deployed?: (body: unknown) => Response) {
  return vi.fn(async (url: string, init?: RequestInit) => {
    if (url === "/api/session") return new Response(JSON.stringify(session));
    if (url === "/api/systems") return new Response(JSON.stringify(SYSTEMS));
    if (url.startsWith("/api/systems/orders-api/deploys") && deployed) return deployed(JSON.parse(String(init?.body)));
    if (url.startsWith("/api/systems/orders-api")) return new Response(JSON.stringify(DETAIL));
    return new Response("{}", { status: 404 });
  });
}

describe("Dashboard", () => {
  it("lists systems with their last build and each environment's deploy and health", async () => {
    vi.stubGlobal("fetch", api(LOCAL));
    render(<Dashboard />);

    expect(await screen.findByText("created (command)")).toBeTruthy();
    expect(screen.getByText("2026-11-25 05:00 UTC")).toBeTruthy();
    expect(screen.getByText(/success: 1a2b3c4/)).toBeTruthy();
    expect(screen.getByText(/healthy for 3 h/)).toBeTruthy();
    expect(screen.getByText(/never deployed/)).toBeTruthy();
    expect(screen.getByText("acme/orders-api").getAttribute("href")).toBe("#/systems/acme/orders-api");
  });

  it("shows a system's page with its deploys, builds and spec; the buttons need GitHub sign-in", async () => {
    window.location.hash = "#/systems/acme/orders-api";
    vi.stubGlobal("fetch", api(LOCAL));
    render(<Dashboard />);

    expect(await screen.findByText("Deploy history")).toBeTruthy();
    expect(screen.getByText(/success: 1a2b3c4 by @octo/)).toBeTruthy();
    expect(screen.getByText(/abcdef0 · 2026-11-25 05:00 UTC/)).toBeTruthy();
    expect(screen.getByLabelText("The system's spec").textContent).toContain("apiVersion: sbh/v1");
    expect(screen.getByText(/Deploy and rollback need sign-in with GitHub/)).toBeTruthy();
    const deploy = screen.getByRole("button", { name: "Deploy dev" }) as HTMLButtonElement;
    expect(deploy.disabled).toBe(true);
  });

  it("shows each environment's last plan, apply and drift check, linked to where they are", async () => {
    window.location.hash = "#/systems/acme/orders-api";
    vi.stubGlobal("fetch", api(LOCAL));
    render(<Dashboard />);

    const plan = await screen.findByRole("link", { name: "plan succeeded on PR #12 (+3 ~1 \u22120)" });
    expect(plan.getAttribute("href")).toBe("https://github.com/acme/orders-api/pull/12#issuecomment-1");
    const apply = screen.getByRole("link", { name: "apply of 1a2b3c4 failed at 2026-12-05 12:00 UTC" });
    expect(apply.getAttribute("href")).toBe("https://github.com/acme/orders-api/actions/runs/31");
    expect(apply.parentElement?.className).toContain("text-red-700");
    expect(screen.getByText("no drift (checked 2026-12-05 06:00 UTC)", { exact: false })).toBeTruthy();
    expect(screen.getByText(/no plan, apply or drift check reported yet/)).toBeTruthy(); // dev
  });

  it("rolls back an environment after a confirmation and shows what SBH started", async () => {
    window.location.hash = "#/systems/acme/orders-api";
    const bodies: unknown[] = [];
    vi.stubGlobal(
      "fetch",
      api(SIGNED_IN, (body) => {
        bodies.push(body);
        return new Response(JSON.stringify({ message: "Started the rollback of image `0f0f0f0` to **prod**" }), { status: 202 });
      }),
    );
    render(<Dashboard />);

    fireEvent.click(await screen.findByRole("button", { name: "Roll back prod" }));
    fireEvent.click(screen.getByRole("button", { name: "Confirm rollback to prod" }));

    expect(await screen.findByText(/Started the rollback of image/)).toBeTruthy();
    expect(bodies).toEqual([{ owner: "acme", action: "rollback", environment: "prod", image_tag: null }]);
  });

  it("shows a v2 system's services and deploys the one chosen", async () => {
    window.location.hash = "#/systems/acme/orders-api";
    const web = { name: "api", kind: "web", path: "/api/*", port: 8000, health_path: "/api/health", reached_by: null, queue: null, schedule: null, source: null };
    const job = { ...web, name: "nightly", kind: "job", path: null, port: null, health_path: null, schedule: "rate(1 day)" };
    const services = [
      { ...web, summary: "/api/* on port 8000, health /api/health", urls: { dev: "https://orders.dev.acme.io/api/" } },
      { ...job, summary: "runs on rate(1 day) (UTC)", urls: {} },
    ];
    Object.assign(DETAIL, { api_version: "sbh/v2", services });
    const bodies: unknown[] = [];
    vi.stubGlobal(
      "fetch",
      api(SIGNED_IN, (body) => {
        bodies.push(body);
        return new Response(JSON.stringify({ message: "Started the deploy of the newest image of **nightly** to **dev**" }), { status: 202 });
      }),
    );
    try {
      render(<Dashboard />);

      expect(await screen.findByText("runs on rate(1 day) (UTC)")).toBeTruthy();
      expect(screen.getByRole("link", { name: "https://orders.dev.acme.io/api/" })).toBeTruthy();
      fireEvent.click(screen.getByRole("button", { name: "Deploy dev" }));
      fireEvent.change(screen.getByLabelText("Service"), { target: { value: "nightly" } });
      fireEvent.click(screen.getByRole("button", { name: "Confirm deploy to dev" }));

      expect(await screen.findByText(/Started the deploy of the newest image of/)).toBeTruthy();
      expect(bodies).toEqual([{ owner: "acme", action: "deploy", environment: "dev", image_tag: null, service: "nightly" }]);
    } finally {
      Object.assign(DETAIL, { api_version: "sbh/v1", services: [] });
    }
  });

  it("shows the server's refusal when the user lacks the permission", async () => {
    window.location.hash = "#/systems/acme/orders-api";
    vi.stubGlobal(
      "fetch",
      api(SIGNED_IN, () => new Response(JSON.stringify({ detail: "Sorry @octo, `/sbh deploy` needs admin permission on acme/orders-api (you have write)." }), { status: 403 })),
    );
    render(<Dashboard />);

    fireEvent.click(await screen.findByRole("button", { name: "Deploy prod" }));
    fireEvent.change(screen.getByPlaceholderText("e.g. 1a2b3c4"), { target: { value: "9f9f9f9" } });
    fireEvent.click(screen.getByRole("button", { name: "Confirm deploy to prod" }));

    expect((await screen.findByRole("alert")).textContent).toContain("needs admin permission");
  });

  it("says why the list is empty when the API refuses", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string) =>
        url === "/api/systems"
          ? new Response(JSON.stringify({ detail: "sign in with GitHub to see your systems" }), { status: 401 })
          : new Response(JSON.stringify({ user: null, mode: "token", label: "Sign in with GitHub" })),
      ),
    );
    render(<Dashboard />);

    expect(await screen.findByText("sign in with GitHub to see your systems")).toBeTruthy();
    expect(screen.getByRole("alert").textContent).toContain("The systems could not be loaded");
  });

  it("says so when the server's error is not JSON, and loads again on Try again", async () => {
    let down = true;
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string) =>
        url === "/api/systems" && down ? new Response("<html>Bad Gateway</html>", { status: 502, statusText: "Bad Gateway" }) : api(LOCAL)(url),
      ),
    );
    render(<Dashboard />);

    expect((await screen.findByRole("alert")).textContent).toContain("the server answered 502 Bad Gateway");
    down = false;
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));

    expect(await screen.findByText("created (command)")).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("says why a system's page cannot be shown", async () => {
    window.location.hash = "#/systems/acme/gone-api";
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string) =>
        url.startsWith("/api/systems/gone-api") ? new Response(JSON.stringify({ detail: "no system named 'gone-api'" }), { status: 404 }) : api(LOCAL)(url),
      ),
    );
    render(<Dashboard />);

    expect((await screen.findByRole("alert")).textContent).toContain("no system named 'gone-api'");
    expect(screen.getByRole("link", { name: "← All systems" }).getAttribute("href")).toBe("#/systems");
  });

  it("follows the hash from the list to a system's page", async () => {
    vi.stubGlobal("fetch", api(LOCAL));
    render(<Dashboard />);

    await screen.findByText("created (command)");
    act(() => {
      window.location.hash = "#/systems/acme/orders-api";
      window.dispatchEvent(new HashChangeEvent("hashchange"));
    });

    expect(await screen.findByText("Deploy history")).toBeTruthy();
  });
});
