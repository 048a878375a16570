// The SBH API the pages use (same origin; no secret ever reaches the browser).
import type { Problem } from "./spec";
import { EventParser } from "./sse";

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
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

export interface ChatMessage {
  role: "user" | "assistant";
  content: string;
}

export async function streamChat(
  messages: ChatMessage[],
  model: string,
  onDelta: (text: string) => void,
): Promise<{ fallback: boolean; error?: string }> {
  const response = await post("/api/ai-chat/stream", { messages, model });
  if (!response.ok || !response.body) {
    const detail = (await response.json().catch(() => ({}))) as { detail?: unknown };
    return { fallback: false, error: String(detail.detail ?? response.statusText) };
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new EventParser();
  let fallback = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    for (const event of parser.push(value)) {
      if (event.event === "message") onDelta(String(event.data.delta ?? ""));
      else if (event.event === "done") fallback = Boolean(event.data.fallback);
      else if (event.event === "error") return { fallback, error: String(event.data.error) };
    }
  }
  return { fallback };
}

export interface Session {
  user: string | null;
  mode: "local" | "token";
  label: string;
}

export async function getSession(): Promise<Session> {
  return (await fetch("/api/session")).json();
}

export interface SystemSummary {
  name: string;
  owner: string;
  repository: string;
  origin: string | null;
  issue: number | null;
  updated_at: string | null;
}

export interface SystemDetail extends SystemSummary {
  builds: Array<{ status: string; trigger: string; commit: string | null; started_at: string }>;
  deployments: Array<{ environment: string; image_tag: string | null; state: string; url: string | null; run: string | null; by: string | null; updated_at: string }>;
  health: Record<string, { up: boolean; summary: string; url: string }>;
}

export async function listSystems(): Promise<{ total: number; items: SystemSummary[] } | { error: string }> {
  const response = await fetch("/api/systems");
  if (!response.ok) return { error: String(((await response.json()) as { detail?: string }).detail ?? response.status) };
  return response.json();
}

export async function getSystem(name: string): Promise<SystemDetail> {
  return (await fetch(`/api/systems/${encodeURIComponent(name)}`)).json();
}
