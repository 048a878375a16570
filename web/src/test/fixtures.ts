// API answers the tests share.
import type { Config } from "../lib/api";

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
