import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { forgetCsrfToken, type CostEstimate as Estimate } from "../../lib/api";
import { answer } from "../../test/fixtures";
import { CostEstimate } from "./CostEstimate";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  forgetCsrfToken();
});

const line = (item: string, monthly: string) => ({ item, quantity: "1", unit: "month", unit_price: monthly, monthly, assumption: null });

const ESTIMATE: Estimate = {
  system: "orders-api",
  currency: "USD",
  hours_per_month: 730,
  prices_as_of: "2026-06",
  prices_source: "AWS on-demand list prices",
  environments: [
    { environment: "dev", region: "us-west-2", production: false, tasks: 2, max_tasks: 4, lines: [line("Fargate vCPU", "14.78"), line("NAT gateway", "32.85")], extra_at_max_tasks: "18.02", unavailable: null, monthly: "47.63", monthly_at_max_tasks: "65.65" },
    { environment: "prod", region: "ap-south-2", production: true, tasks: 2, max_tasks: 4, lines: [], extra_at_max_tasks: "0", unavailable: "ap-south-2 is not in SBH's price table", monthly: null, monthly_at_max_tasks: null },
  ],
  not_priced: [],
  monthly: "47.63",
  complete: false,
};

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
