import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EMPTY_FORM } from "../../lib/spec";
import { Builder } from "./Builder";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("Builder", () => {
  it("shows the server's validation error next to the field, and clears it once fixed", async () => {
    const fetchMock = vi.fn(async (_url: string, init: { body: string }) => {
      const spec = JSON.parse(init.body).spec as string;
      const problems = spec.includes('name: "Bad Name"')
        ? [{ line: 2, column: 7, field: "name", message: "not a valid system name" }]
        : [];
      return new Response(JSON.stringify({ valid: problems.length === 0, problems }));
    });
    vi.stubGlobal("fetch", fetchMock);
    render(<Builder initial={{ ...EMPTY_FORM, name: "Bad Name" }} />);

    expect(await screen.findByRole("alert")).toHaveProperty("textContent", "not a valid system name");
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "orders-api" } });

    await waitFor(() => expect(screen.queryByRole("alert")).toBeNull());
    expect(screen.getByText("The spec is valid.")).toBeTruthy();
  });

  it("on a blank form, shows a field's error once it is touched or its step is left with Next", async () => {
    const owner = { line: 3, column: 8, field: "owner", message: "'' is not a GitHub organization" };
    const domain = { line: 15, column: 13, field: "environments.dev.domain", message: "'' is not a DNS name" };
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify({ valid: false, problems: [owner, domain] }))));
    render(<Builder />);

    expect(await screen.findByText("2 problem(s) to fix (2 in fields you have not reached yet)")).toBeTruthy();
    expect(screen.getByRole("list", { name: /every step, filled in or not/ }).textContent).toContain("is not a GitHub organization");
    expect(screen.queryByRole("alert")).toBeNull();

    fireEvent.change(screen.getByLabelText("GitHub organization"), { target: { value: "-" } });
    expect((await screen.findByRole("alert")).textContent).toBe("'' is not a GitHub organization");

    fireEvent.click(screen.getByRole("button", { name: "Next" }));
    fireEvent.click(screen.getByRole("button", { name: "4. Environments" }));
    expect(screen.queryByRole("alert")).toBeNull(); // arriving at a step is not leaving it
    fireEvent.click(screen.getByRole("button", { name: "Next" }));
    fireEvent.click(screen.getByRole("button", { name: "Back" }));
    expect(screen.getByRole("alert").textContent).toBe("'' is not a DNS name");
  });

  it("lists a problem the server reports twice once", async () => {
    const twice = { line: 20, column: 13, field: "environments.prod.domain", message: "a.acme.io is already the domain of environment dev" };
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify({ valid: false, problems: [twice, twice] }))));
    render(<Builder initial={{ ...EMPTY_FORM, name: "orders-api" }} />);

    expect(await screen.findByText("1 problem(s) to fix")).toBeTruthy();
    expect(screen.getAllByText(/is already the domain of environment dev/)).toHaveLength(1);
  });

  it("shows the spec it builds", () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify({ valid: true, problems: [] }))));
    render(<Builder initial={{ ...EMPTY_FORM, name: "orders-api" }} />);

    expect(screen.getByLabelText("spec.yaml").textContent).toContain('name: "orders-api"');
  });
});
