import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Config } from "../../lib/api";
import { EMPTY_FORM, type SpecForm } from "../../lib/spec";
import { CONFIG } from "../../test/fixtures";
import { Builder } from "./Builder";

const FORM: SpecForm = {
  ...EMPTY_FORM,
  name: "orders-api",
  owner: "acme",
  environments: [{ name: "dev", accountId: "111111111111", region: "us-east-1", domain: "orders.dev.acme.io", approval: false }],
};

const AI_PROPOSAL = {
  valid: true,
  problems: [],
  proposal: [
    { field: "description", value: "Order intake with invoice uploads", source: "ai", reason: "proposed by gpt-4o-mini" },
    { field: "storage.buckets", value: ["invoices"], source: "ai", reason: "proposed by gpt-4o-mini" },
    { field: "env.LOG_LEVEL", value: "debug", source: "ai", reason: "proposed by gpt-4o-mini" },
    { field: "database.instance_class", value: "db.t4g.small", source: "default", reason: "SBH's default" },
  ],
  completed_spec: "apiVersion: sbh/v1\n",
  model: "gpt-4o-mini",
  fallback: false,
  note: null,
};

// The API by URL: validation always passes; completion answers `completion`.
function api(completion: object, config: Config = CONFIG) {
  const calls: Array<{ url: string; body: unknown }> = [];
  const fetchMock = vi.fn(async (url: string, init?: { body?: string }) => {
    calls.push({ url, body: init?.body ? JSON.parse(init.body) : undefined });
    if (url === "/api/config") return new Response(JSON.stringify(config));
    if (url === "/api/specs/complete") return new Response(JSON.stringify(completion));
    return new Response(JSON.stringify({ valid: true, problems: [] }));
  });
  vi.stubGlobal("fetch", fetchMock);
  return calls;
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

describe("Complete with AI", () => {
  it("lists what the AI proposed; accepting writes it into the form, rejecting leaves the form", async () => {
    const calls = api(AI_PROPOSAL);
    render(<Builder initial={FORM} />);

    fireEvent.click(screen.getByRole("button", { name: "Complete with AI" }));
    const proposals = await screen.findByRole("list", { name: "Proposed fields" });
    expect(within(proposals).getAllByRole("listitem")).toHaveLength(4);
    expect(calls.find((call) => call.url === "/api/specs/complete")?.body).toMatchObject({ spec: expect.stringContaining('name: "orders-api"') });

    fireEvent.click(screen.getByRole("button", { name: "Accept description" }));
    fireEvent.click(screen.getByRole("button", { name: "Reject storage.buckets" }));

    expect(screen.getByLabelText("Description")).toHaveProperty("value", "Order intake with invoice uploads");
    expect(within(proposals).getAllByRole("listitem")).toHaveLength(2);
    fireEvent.click(screen.getByRole("button", { name: "3. Data" }));
    expect(screen.getByLabelText("Buckets")).toHaveProperty("value", "");

    fireEvent.click(screen.getByRole("button", { name: "Accept all" }));

    const spec = screen.getByLabelText("spec.yaml").textContent ?? "";
    expect(spec).toContain('instance_class: "db.t4g.small"');
    expect(spec).toContain('"LOG_LEVEL": "debug"');
    expect(spec).not.toContain("invoices");
    expect(screen.queryByRole("list", { name: "Proposed fields" })).toBeNull();
  });

  it("says so when the deterministic fallback answered instead of OpenAI", async () => {
    api({ ...AI_PROPOSAL, proposal: AI_PROPOSAL.proposal.slice(3), model: null, fallback: true, note: "completed without AI: no OPENAI_API_KEY is configured" });
    render(<Builder initial={FORM} />);

    fireEvent.click(screen.getByRole("button", { name: "Complete with AI" }));

    const notice = await screen.findByText(/OpenAI did not answer/);
    expect(notice.textContent).toContain("no OPENAI_API_KEY is configured");
    expect(notice.textContent).toContain("SBH's defaults");
  });

  it("shows what a person must fill in first when the spec has problems", async () => {
    api({ valid: false, problems: [{ line: 3, column: 8, field: "owner", message: "required" }] });
    render(<Builder initial={FORM} />);

    fireEvent.click(screen.getByRole("button", { name: "Complete with AI" }));

    expect(await screen.findByText("line 3, owner: required")).toBeTruthy();
  });
});

describe("Finish", () => {
  it("links to a prefilled spec issue in the hub repository", async () => {
    api(AI_PROPOSAL, { ...CONFIG, hub_repository: "acme/hub", ai: false });
    render(<Builder initial={FORM} />);
    fireEvent.click(screen.getByRole("button", { name: "6. Finish" }));

    const link = await screen.findByRole("link", { name: "Open a spec issue in acme/hub" });
    const url = new URL(link.getAttribute("href") ?? "");
    expect(url.pathname).toBe("/acme/hub/issues/new");
    expect(url.searchParams.get("body")).toContain('```yaml\napiVersion: sbh/v1\nname: "orders-api"\n');
    expect(url.searchParams.get("labels")).toBe("sbh");
  });

  it("has no issue link without a hub repository", async () => {
    const calls = api(AI_PROPOSAL);
    render(<Builder initial={FORM} />);
    fireEvent.click(screen.getByRole("button", { name: "6. Finish" }));

    await waitFor(() => expect(calls.some((call) => call.url === "/api/config")).toBe(true));
    expect(screen.getByRole("button", { name: "Download spec.yaml" })).toBeTruthy();
    expect(screen.queryByRole("link", { name: /Open a spec issue/ })).toBeNull();
  });
});

describe("A spec from the AI chat", () => {
  it("loads into the form once", () => {
    api(AI_PROPOSAL);
    sessionStorage.setItem("sbh.builder.spec", 'apiVersion: sbh/v1\nname: shop\nowner: acme\nruntime: python-fastapi\n');
    render(<Builder />);

    expect(screen.getByLabelText("Name")).toHaveProperty("value", "shop");
    expect(screen.getByRole("status").textContent).toBe("Loaded the spec from the AI chat.");
    expect(screen.getByLabelText("spec.yaml").textContent).toContain('runtime: "python-fastapi"');
    expect(sessionStorage.getItem("sbh.builder.spec")).toBeNull();
  });
});
