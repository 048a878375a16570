// The SBH API the pages use (same origin; no secret ever reaches the browser).
import { EventSourceParserStream } from "eventsource-parser/stream";
import type { Problem } from "./spec";

// Every state-changing request sends the CSRF token GET /api/session gave this browser
// (the server also keeps it in a SameSite=Strict cookie and compares the two).
async function post(path: string, body: unknown): Promise<Response> {
  const send = async () =>
    fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(await csrfHeaders()) },
      body: JSON.stringify(body),
    });
  const response = await send();
  if (response.status !== 403 || !(await csrfRefused(response))) return response;
  forgetCsrfToken(); // expired or never fetched: get a fresh token once and try again
  return send();
}

async function csrfRefused(response: Response): Promise<boolean> {
  const detail = (await response.clone().json().catch(() => ({}))) as { detail?: unknown };
  return String(detail.detail ?? "").startsWith("CSRF check failed");
}

let csrfToken: Promise<string | null> | null = null;

/** The header a state-changing request needs: `X-CSRF-Token` from GET /api/session (fetched
 * once, then cached). Empty when the session cannot be read; the server then says why. */
export async function csrfHeaders(): Promise<Record<string, string>> {
  csrfToken ??= getSession().then(
    (session) => session.csrf_token ?? null,
    () => null,
  );
  const token = await csrfToken;
  if (token === null) csrfToken = null;
  return token ? { "X-CSRF-Token": token } : {};
}

export function forgetCsrfToken(): void {
  csrfToken = null;
}

export async function validateSpec(spec: string): Promise<{ valid: boolean; problems: Problem[] }> {
  return (await post("/api/specs/validate", { spec })).json();
}

export interface PreviewFile {
  path: string;
  size: number;
  executable: boolean;
}

export async function previewSpec(
  spec: string,
  path?: string,
): Promise<{ valid: boolean; files?: PreviewFile[]; file?: { path: string; content: string } | null; problems?: Problem[] }> {
  return (await post("/api/specs/preview", { spec, path })).json();
}

export async function downloadZip(spec: string, name: string): Promise<void> {
  const response = await post("/api/specs/repository.zip", { spec });
  if (!response.ok) throw new Error(`the repository could not be rendered (${response.status})`);
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = `${name || "repository"}.zip`;
  link.click();
  URL.revokeObjectURL(link.href);
}

export interface ProposedField {
  field: string;
  value: unknown;
  source: "ai" | "default";
  reason?: string;
}

export interface Completion {
  valid: boolean;
  problems: Problem[];
  proposal?: ProposedField[];
  completed_spec?: string;
  model?: string | null;
  fallback?: boolean;
  note?: string | null;
}

// "Complete with AI": what the Drafter (or, without OpenAI, SBH's defaults) proposes.
export async function completeSpec(spec: string, context: string): Promise<Completion> {
  const response = await post("/api/specs/complete", { spec, context });
  if (response.status === 429) throw new Error("too many requests; wait a little and try again");
  if (!response.ok && response.status !== 422) throw new Error(`the completion failed (${response.status})`);
  return response.json();
}

export async function getConfig(): Promise<{ hub_repository: string | null; ai: boolean }> {
  return (await fetch("/api/config")).json();
}

export interface ChatMessage {
  role: "user" | "assistant";
  content: string;
}

/** Streams the AI's reply to `messages` into `onDelta`. The server sends
 * `data: {"delta": ...}` per piece, then `event: done` (with `fallback`: the echo answered)
 * or `event: error`. */
export async function streamChat(
  messages: ChatMessage[],
  model: string,
  onDelta: (text: string) => void,
): Promise<{ fallback: boolean; error?: string }> {
  const response = await post("/api/ai-chat/stream", { messages, model });
  if (!response.ok) {
    const detail = (await response.json().catch(() => ({}))) as { detail?: unknown };
    return { fallback: false, error: String(detail.detail ?? response.statusText) };
  }
  const incomplete = { fallback: false, error: "the reply ended before it was complete" };
  if (!response.body) return incomplete;
  const events = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
  try {
    for (;;) {
      const { value: event, done } = await events.read();
      if (done) return incomplete;
      const data = JSON.parse(event.data) as Record<string, unknown>;
      if (event.event === "done") return { fallback: Boolean(data.fallback) };
      if (event.event === "error") return { fallback: false, error: String(data.error) };
      onDelta(String(data.delta ?? ""));
    }
  } finally {
    void events.cancel();
  }
}

export interface Session {
  user: string | null;
  mode: "local" | "github" | "token" | "anonymous";
  label: string;
  // Where "Sign in with GitHub" goes; null when sign-in is not configured.
  sign_in_url?: string | null;
  csrf_token?: string;
}

export async function getSession(): Promise<Session> {
  const session = (await (await fetch("/api/session")).json()) as Session;
  if (session.csrf_token) csrfToken = Promise.resolve(session.csrf_token);
  return session;
}

export async function signOut(): Promise<void> {
  const response = await post("/api/auth/logout", {});
  if (!response.ok) throw new Error(`signing out failed (${response.status})`);
}

export interface SystemSummary {
  name: string;
  owner: string;
  repository: string;
  origin: string | null;
  issue: number | null;
  updated_at: string | null;
  last_build?: { status: string; trigger: string; started_at: string | null } | null;
  environments?: Array<{ name: string; deploy: string | null; up: boolean | null; health: string | null }>;
}

export interface SystemDetail {
  name: string;
  owner: string;
  repository: string;
  origin: { repository: string | null; issue: number | null; commit: string | null };
  spec: string;
  template_version: string;
  environments: Array<{ name: string; production: boolean; region: string }>;
  builds: Array<{ status: string; trigger: string; commit: string | null; error?: string | null; started_at: string }>;
  deployments: Array<{ environment: string; image_tag: string | null; state: string; url: string | null; run: string | null; by: string | null; updated_at: string }>;
  health: Record<string, { up: boolean; summary: string; url: string }>;
}

// The deploy/rollback buttons: the server runs /sbh deploy's code path and permission check.
export async function deploySystem(
  name: string,
  owner: string,
  action: "deploy" | "rollback",
  environment: string,
  imageTag?: string,
): Promise<{ ok: boolean; message: string }> {
  const response = await post(`/api/systems/${encodeURIComponent(name)}/deploys`, { owner, action, environment, image_tag: imageTag ?? null });
  const body = (await response.json().catch(() => ({}))) as { message?: string; detail?: unknown };
  if (response.ok) return { ok: true, message: String(body.message ?? "Started.") };
  const detail = Array.isArray(body.detail) ? "the request was not valid (image tag: letters, digits, . _ -)" : String(body.detail ?? response.statusText);
  return { ok: false, message: detail };
}

// "Build now": SBH opens the spec issue in the hub repository and builds it there.
export async function buildNow(spec: string): Promise<{ ok: boolean; message: string; issueUrl?: string }> {
  const response = await post("/api/builds", { spec });
  const body = (await response.json().catch(() => ({}))) as { message?: string; issue_url?: string; detail?: unknown; problems?: Problem[] };
  if (response.ok) return { ok: true, message: String(body.message ?? "Started."), issueUrl: body.issue_url };
  if (body.problems) return { ok: false, message: `${body.problems.length} problem(s) to fix first` };
  return { ok: false, message: String(body.detail ?? response.statusText) };
}

export async function listSystems(): Promise<{ total: number; items: SystemSummary[] } | { error: string }> {
  const response = await fetch("/api/systems");
  if (!response.ok) return { error: String(((await response.json()) as { detail?: string }).detail ?? response.status) };
  return response.json();
}

export async function getSystem(name: string, owner?: string): Promise<SystemDetail> {
  const query = owner ? `?owner=${encodeURIComponent(owner)}` : "";
  return (await fetch(`/api/systems/${encodeURIComponent(name)}${query}`)).json();
}
