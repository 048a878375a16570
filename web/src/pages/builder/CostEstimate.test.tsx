import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { forgetCsrfToken } from "../../lib/api";
import { ESTIMATE, answer } from "../../test/fixtures";
import { CostEstimate } from "./CostEstimate";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  forgetCsrfToken();
});

function serving(cost: () => Response) {
  const asked: unknown[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init?: RequestInit) => {
      if (url === "/api/session") return answer({ user: "local", mode: "local", label: "", sign_in_url: null, csrf_token: "t0k" });
      asked.push(JSON.parse(String(init?.body)));
      return cost();
    }),
  );
  return asked;
}

describe("Cost estimate", () => {
  it("shows the monthly total, each environment's, and says which are not priced", async () => {
    const asked = serving(() => answer(ESTIMATE));

    render(<CostEstimate yaml={"apiVersion: sbh/v1\n"} />);

    const estimate = await screen.findByRole("region", { name: "Estimated cost" });
    expect(estimate.textContent).toContain("Estimated AWS cost: $47.63 a month for the priced environments");
    expect(estimate.textContent).toContain("dev (us-west-2): $47.63 a month");
    expect(estimate.textContent).toContain("prod (ap-south-2): ap-south-2 is not in SBH's price table");
    expect(estimate.textContent).toContain("NAT gateway$32.85");
    expect(estimate.textContent).toContain("An estimate, not a quote: AWS on-demand list prices, as of 2026-06.");
    expect(asked).toEqual([{ spec: "apiVersion: sbh/v1\n" }]);
  });

  it("says when the estimate could not be made", async () => {
    serving(() => answer({ detail: "too many spec checks from this address; wait a little" }, 429));

    render(<CostEstimate yaml={"apiVersion: sbh/v1\n"} />);

    expect((await screen.findByRole("alert")).textContent).toContain("The cost could not be estimated: too many spec checks");
  });
});
