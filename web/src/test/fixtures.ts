// API answers the tests share.
import type { Config, CostEstimate } from "../lib/api";

export const CONFIG: Config = {
  github_web_url: "https://github.com",
  hub_repository: null,
  spec_label: "sbh",
  ai: true,
  models: [
    { id: "gpt-4o-mini", label: "GPT-4o Mini" },
    { id: "gpt-4o", label: "GPT-4o" },
    { id: "gpt-4-turbo", label: "GPT-4 Turbo" },
  ],
  default_model: "gpt-4o-mini",
};

export const answer = (body: unknown, status = 200): Response => new Response(JSON.stringify(body), { status });

// A system priced in one environment and not in the other.
const line = (item: string, monthly: string) => ({ item, quantity: "1", unit: "month", unit_price: monthly, monthly, assumption: null });

export const ESTIMATE: CostEstimate = {
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

