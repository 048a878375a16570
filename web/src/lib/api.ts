// The SBH API the pages use (same origin; no secret ever reaches the browser). The shapes of
// its answers are generated from the server's OpenAPI description (`make api-types`), so
// they cannot drift from what the server sends.
import { EventSourceParserStream } from "eventsource-parser/stream";
import type { components } from "./api-types";

type Schemas = components["schemas"];
export type Validation = Schemas["Validation"];
export type PreviewFile = Schemas["PreviewFile"];
export type Preview = Schemas["Preview"];
export type ProposedField = Schemas["ProposedValue"];
// "Complete with AI" answers a proposal, or (422) the problems to fix first.
export type Completion = Schemas["Completion"] | Schemas["Problems"];
export type Config = Schemas["WebConfig"];
export type Session = Schemas["SessionView"];
export type SystemSummary = Schemas["SystemSummary"];
export type SystemsPage = Schemas["SystemsPage"];
export type SystemDetail = Schemas["SystemDetail"];
export type InfraRun = Schemas["InfraRunView"];
export type DeployStarted = Schemas["DeployStarted"];
export type BuildStarted = Schemas["BuildStarted"];
export type CostEstimate = Schemas["CostEstimate"];
export type FleetPage = Schemas["FleetPage"];
export type FleetSystem = Schemas["FleetSystem"];
export type UpgradesQueued = Schemas["UpgradesQueued"];

/** A request the server answered with a non-2xx status (or with something that is not JSON). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Anything a promise rejected with, as an Error a page can show. */
export function asError(failure: unknown): Error {
  return failure instanceof Error ? failure : new Error(String(failure));
}

interface ErrorBody {
  detail?: unknown;
  problems?: unknown;
}

async function bodyOf(response: Response): Promise<ErrorBody> {
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => ({}));
  return typeof body === "object" && body !== null ? body : {};
}

// What a person reads: FastAPI's `detail` (a sentence, or a list of validation errors),
// the count of a spec's problems, else the status.
function messageOf(body: ErrorBody, response: Response): string {
  if (typeof body.detail === "string") return body.detail;
  if (Array.isArray(body.detail)) {
    const reasons = body.detail.map((error: { msg?: unknown }) => String(error?.msg ?? "")).filter(Boolean);
    return `the request was not valid${reasons.length ? ` (${reasons.join("; ")})` : ""}`;
  }
  if (Array.isArray(body.problems)) return `${body.problems.length} problem(s) to fix first`;
  return `the server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
}

async function failure(response: Response): Promise<ApiError> {
  return new ApiError(response.status, messageOf(await bodyOf(response), response));
}

async function succeeded(response: Response): Promise<Response> {
  if (!response.ok) throw await failure(response);
  return response;
}

async function json<T>(response: Response): Promise<T> {
  const checked = await succeeded(response);
  try {
    return (await checked.json()) as T;
  } catch {
    throw new ApiError(checked.status, "the server's answer was not JSON");
  }
}

async function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  return json<T>(await fetch(path, { signal }));
}

// Every state-changing request sends the CSRF token GET /api/session gave this browser
// (the server also keeps it in a SameSite=Strict cookie and compares the two).
async function post(path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  const send = async () =>
    fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(await csrfHeaders()) },
      body: JSON.stringify(body),
      signal,
    });
  const response = await send();
  if (response.status !== 403 || !(await csrfRefused(response))) return response;
  forgetCsrfToken(); // expired or never fetched: get a fresh token once and try again
  return send();
}

async function csrfRefused(response: Response): Promise<boolean> {
  return String((await bodyOf(response)).detail ?? "").startsWith("CSRF check failed");
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

export async function validateSpec(spec: string, signal?: AbortSignal): Promise<Validation> {
  return json(await post("/api/specs/validate", { spec }, signal));
}

export async function previewSpec(spec: string, path?: string): Promise<Preview> {
  return json(await post("/api/specs/preview", { spec, path }));
}

/** What the spec's system would cost on AWS each month (money as decimal strings). */
export async function costOfSpec(spec: string, signal?: AbortSignal): Promise<CostEstimate> {
  return json(await post("/api/specs/cost", { spec }, signal));
}

export async function downloadZip(spec: string, name: string): Promise<void> {
  const response = await succeeded(await post("/api/specs/repository.zip", { spec }));
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = `${name || "repository"}.zip`;
  link.click();
  URL.revokeObjectURL(link.href);
}

// "Complete with AI": what the Drafter (or, without OpenAI, SBH's defaults) proposes. A 422
// is an answer too: the problems a person must fix before anything can be proposed.
export async function completeSpec(spec: string, context: string): Promise<Completion> {
  const response = await post("/api/specs/complete", { spec, context });
  if (response.status === 422) {
    const body = await bodyOf(response);
    if (Array.isArray(body.problems)) return body as Schemas["Problems"];
  }
  return json(response);
}

export async function getConfig(signal?: AbortSignal): Promise<Config> {
  return get("/api/config", signal);
}

export type ChatMessage = Schemas["MessageIn"];

/** Streams the AI's reply to `messages` into `onDelta`; `model` null: the server's default.
 * The server sends `data: {"delta": ...}` per piece, then `event: done` (with `fallback`:
 * the echo answered) or `event: error`. */
export async function streamChat(
  messages: ChatMessage[],
  model: string | null,
  onDelta: (text: string) => void,
): Promise<{ fallback: boolean; error?: string }> {
  const response = await post("/api/ai-chat/stream", { messages, model });
  if (!response.ok) return { fallback: false, error: (await failure(response)).message };
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

export async function getSession(signal?: AbortSignal): Promise<Session> {
  const session = await get<Session>("/api/session", signal);
  if (session.csrf_token) csrfToken = Promise.resolve(session.csrf_token);
  return session;
}

export async function signOut(): Promise<void> {
  await succeeded(await post("/api/auth/logout", {}));
}

/** The deploy/rollback buttons: the server runs /sbh deploy's code path and permission check.
 * Resolves to what SBH started. */
export async function deploySystem(
  name: string,
  owner: string,
  action: "deploy" | "rollback",
  environment: string,
  imageTag?: string,
  service?: string,
): Promise<string> {
  // `service`: an sbh/v2 system's service, or "all" (left out: all of them; sbh/v1: the system).
  const response = await post(`/api/systems/${encodeURIComponent(name)}/deploys`, {
    owner,
    action,
    environment,
    image_tag: imageTag ?? null,
    ...(service ? { service } : {}),
  });
  // Only the image tag is typed in; the server's validation errors name fields a person never sees.
  if (response.status === 422 && Array.isArray((await bodyOf(response)).detail)) {
    throw new ApiError(422, "the request was not valid (image tag: letters, digits, . _ -)");
  }
  return (await json<DeployStarted>(response)).message;
}

/** "Build now": SBH opens the spec issue in the hub repository and builds it there. */
export async function buildNow(spec: string): Promise<{ message: string; issueUrl?: string }> {
  const body = await json<BuildStarted>(await post("/api/builds", { spec }));
  return { message: body.message, issueUrl: body.issue_url };
}

export async function listSystems(signal?: AbortSignal): Promise<SystemsPage> {
  return get("/api/systems", signal);
}

export async function getSystem(name: string, owner?: string, signal?: AbortSignal): Promise<SystemDetail> {
  const query = owner ? `?owner=${encodeURIComponent(owner)}` : "";
  return get(`/api/systems/${encodeURIComponent(name)}${query}`, signal);
}

/** The fleet: every system's template version and upgrade; `behind` keeps those not current. */
export async function getFleet(filter: { behind?: boolean; owner?: string }, signal?: AbortSignal): Promise<FleetPage> {
  const query = new URLSearchParams();
  if (filter.behind) query.set("behind", "true");
  if (filter.owner) query.set("owner", filter.owner);
  const text = query.toString();
  return get(`/api/fleet${text ? `?${text}` : ""}`, signal);
}

/** "Upgrade": one upgrade pull request per system (the hub's admins only). */
export async function upgradeFleet(request: { systems?: string[]; allBehind?: boolean; owner?: string }): Promise<UpgradesQueued> {
  return json<UpgradesQueued>(
    await post("/api/fleet/upgrades", { systems: request.systems ?? [], all_behind: request.allBehind ?? false, owner: request.owner || null }),
  );
}
