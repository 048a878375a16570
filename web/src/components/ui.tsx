// SBH's small component library: buttons, fields, cards, code view, chat bubbles, errors.
import type { ReactNode } from "react";

export function Button(props: {
  children: ReactNode;
  onClick?: () => void;
  kind?: "primary" | "secondary";
  type?: "button" | "submit";
  disabled?: boolean;
  label?: string; // the accessible name, when the visible text alone is ambiguous
}) {
  const look =
    props.kind === "secondary"
      ? "bg-white text-slate-800 border border-slate-300 hover:bg-slate-100"
      : "bg-indigo-600 text-white hover:bg-indigo-700";
  return (
    <button
      type={props.type ?? "button"}
      onClick={props.onClick}
      disabled={props.disabled}
      aria-label={props.label}
      className={`rounded-md px-4 py-2 text-sm font-medium focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 disabled:opacity-50 ${look}`}
    >
      {props.children}
    </button>
  );
}

export function Field(props: {
  id: string;
  label: string;
  error?: string;
  hint?: string;
  children: ReactNode;
}) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={props.id} className="text-sm font-medium">
        {props.label}
      </label>
      {props.children}
      {props.hint && !props.error ? <p className="text-xs text-slate-500">{props.hint}</p> : null}
      {props.error ? (
        <p role="alert" id={`${props.id}-error`} className="text-xs text-red-700">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

export const inputClass =
  "rounded-md border border-slate-300 px-3 py-2 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500";

export function Card(props: { title: string; children: ReactNode }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <h2 className="mb-3 text-base font-semibold">{props.title}</h2>
      {props.children}
    </section>
  );
}

export function CodeView(props: { text: string; label: string }) {
  return (
    <pre
      aria-label={props.label}
      className="max-h-96 overflow-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100"
    >
      <code>{props.text}</code>
    </pre>
  );
}

export function ChatBubble(props: { role: "user" | "assistant"; text: string }) {
  const mine = props.role === "user";
  return (
    <div className={`flex ${mine ? "justify-end" : "justify-start"}`}>
      {/* A long URL or word wraps anywhere rather than running past the bubble's edge. */}
      <div
        className={`min-w-0 max-w-[85%] whitespace-pre-wrap wrap-anywhere rounded-lg px-3 py-2 text-sm ${mine ? "bg-indigo-600 text-white" : "bg-white border border-slate-200"}`}
      >
        {props.text}
      </div>
    </div>
  );
}

// Messages SBH also posts as GitHub comments carry **bold** and `code`: shown as such here,
// as React elements (never as HTML).
export function InlineMarkdown(props: { text: string }) {
  const parts = props.text.split(/(\*\*[^*]+\*\*|`[^`]+`)/g).filter(Boolean);
  return (
    <>
      {parts.map((part, index) =>
        part.startsWith("**") && part.endsWith("**") && part.length > 4 ? (
          <strong key={index}>{part.slice(2, -2)}</strong>
        ) : part.startsWith("`") && part.endsWith("`") && part.length > 2 ? (
          <code key={index} className="rounded bg-slate-100 px-1">
            {part.slice(1, -1)}
          </code>
        ) : (
          <span key={index}>{part}</span>
        ),
      )}
    </>
  );
}

// A request that failed, said in words (an ApiError's message is the server's `detail`), with
// a way to try again when there is one.
export function ErrorNotice(props: { error: Error; what: string; onRetry?: () => void }) {
  return (
    <div role="alert" className="flex flex-wrap items-center gap-2 text-sm text-red-700">
      <p>
        {props.what}: <span>{props.error.message}</span>
      </p>
      {props.onRetry ? (
        <Button kind="secondary" onClick={props.onRetry}>
          Try again
        </Button>
      ) : null}
    </div>
  );
}
