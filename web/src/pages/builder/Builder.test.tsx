import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EMPTY_FORM, type Problem, type SpecForm } from "../../lib/spec";
import { CONFIG, ESTIMATE, answer } from "../../test/fixtures";
import { Builder } from "./Builder";
import { CHECK_DELAY_MS } from "./useSpecCheck";

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

// A spec that is valid once dev's account id has its 12 digits.
const FORM: SpecForm = {
  ...EMPTY_FORM,
  name: "orders-api",
  owner: "acme",
  environments: [{ name: "dev", accountId: "", region: "us-east-1", domain: "orders.dev.acme.io", approval: false }],
};

function problemsOf(spec: string): Problem[] {
  const account = /aws_account_id: "(\d*)"/.exec(spec)?.[1] ?? "";
  return /^\d{12}$/.test(account) ? [] : [{ line: 12, column: 21, field: "environments.dev.aws_account_id", message: `'${account}' is not a 12-digit AWS account id` }];
}

// The API, with /api/specs/validate (and anything else posted) answering `validate(spec, call)` (call counts from 1).
function serve(validate: (spec: string, call: number, signal: AbortSignal) => Response | Promise<Response>) {
  const checks: Array<{ spec: string; signal: AbortSignal }> = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit) => {
      if (url === "/api/config") return answer(CONFIG);
      if (url === "/api/session") return answer({ user: "local", mode: "local", label: "", csrf_token: "t0k" });
      if (url === "/api/specs/cost") return answer(ESTIMATE);
      const spec = JSON.parse(String(init.body)).spec as string;
      checks.push({ spec, signal: init.signal as AbortSignal });
      return validate(spec, checks.length, init.signal as AbortSignal);
    }),
  );
  return checks;
}

const checked = (spec: string) => answer({ valid: problemsOf(spec).length === 0, problems: problemsOf(spec) });
const TOO_MANY = () => answer({ detail: "too many requests from this address; wait a little" }, 429);
const wait = (ms: number) => act(() => vi.advanceTimersByTimeAsync(ms));
const account = () => document.getElementById("dev-account") as HTMLInputElement;

describe("Live validation", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("typing an account id at an ordinary pace never shows the unchecked spec as valid", async () => {
    // A limiter like the server's: a burst of three, then 429.
    const checks = serve((spec, call) => (call <= 3 ? checked(spec) : TOO_MANY()));
    render(<Builder initial={FORM} />);
    await wait(CHECK_DELAY_MS);
    fireEvent.click(screen.getByRole("button", { name: "4. Environments" }));

    for (const digits of ["0", "01", "011", "0111", "01111", "011111", "0111111", "01111111", "011111111", "0111111111", "01111111111"]) {
      fireEvent.change(account(), { target: { value: digits } });
      await wait(300);
      expect(screen.queryByText("The spec is valid.")).toBeNull();
    }
    await wait(CHECK_DELAY_MS);

    expect(screen.queryByText("The spec is valid.")).toBeNull();
    expect(screen.getByText("1 problem(s) to fix")).toBeTruthy();
    expect(screen.getByRole("alert").textContent).toBe("'01111111111' is not a 12-digit AWS account id");
    expect(checks.map((check) => problemsOf(check.spec)[0]?.message)).toEqual([
      "'' is not a 12-digit AWS account id",
      "'01111111111' is not a 12-digit AWS account id",
    ]);
  });

  it("says a check the server refused could not run, keeps the last problems and offers no download", async () => {
    let refusing = true;
    serve((spec, call) => (call === 1 || !refusing ? checked(spec) : TOO_MANY()));
    render(<Builder initial={FORM} />);
    await wait(CHECK_DELAY_MS);
    fireEvent.click(screen.getByRole("button", { name: "4. Environments" }));

    fireEvent.change(account(), { target: { value: "111111111111" } });
    await wait(CHECK_DELAY_MS);

    expect(screen.getByRole("status").textContent).toBe(
      "Could not check the spec (too many requests from this address; wait a little); the problems shown are from the last check.",
    );
    expect(screen.getByText("1 problem(s) to fix")).toBeTruthy();
    expect(screen.queryByText("The spec is valid.")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "6. Finish" }));
    expect(screen.getByRole("button", { name: "Download the repository (zip)" })).toHaveProperty("disabled", true);
    expect(screen.getByRole("button", { name: "Preview the files" })).toHaveProperty("disabled", true);

    refusing = false;
    fireEvent.click(screen.getByRole("button", { name: "Check again" }));
    await wait(CHECK_DELAY_MS);

    expect(screen.getByText("The spec is valid.")).toBeTruthy();
    expect(screen.queryByRole("status")).toBeNull();
    expect(screen.getByRole("button", { name: "Download the repository (zip)" })).toHaveProperty("disabled", false);
  });

  it("checks the newest text only: an older check is aborted and its late answer ignored", async () => {
    const late: Array<(response: Response) => void> = [];
    const checks = serve((spec, call) => (call === 1 ? checked(spec) : new Promise<Response>((resolve) => late.push(resolve))));
    render(<Builder initial={FORM} />);
    await wait(CHECK_DELAY_MS);
    fireEvent.click(screen.getByRole("button", { name: "4. Environments" }));

    fireEvent.change(account(), { target: { value: "111111111111" } });
    await wait(CHECK_DELAY_MS);
    fireEvent.change(account(), { target: { value: "11111111111" } });
    expect(checks[1].signal.aborted).toBe(true);
    await wait(CHECK_DELAY_MS);
    await act(async () => late[0](checked(checks[1].spec)));

    expect(screen.queryByText("The spec is valid.")).toBeNull();
    expect(screen.getByRole("alert").textContent).toBe("'' is not a 12-digit AWS account id"); // the last check's
    await act(async () => late[1](checked(checks[2].spec)));
    expect(screen.getByRole("alert").textContent).toBe("'11111111111' is not a 12-digit AWS account id");
    expect(checks).toHaveLength(3);
  });
});
