import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EMPTY_FORM } from "../lib/spec";
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

  it("shows the spec it builds", () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify({ valid: true, problems: [] }))));
    render(<Builder initial={{ ...EMPTY_FORM, name: "orders-api" }} />);

    expect(screen.getByLabelText("spec.yaml").textContent).toContain('name: "orders-api"');
  });
});
