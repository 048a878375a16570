// The AI chat: streaming replies, model selection (the models the server offers, from
// /api/config), a notice when the echo answers, and "Use this spec" when a reply holds one
// (it opens in the System Builder).
import { useState } from "react";
import { Button, Card, ChatBubble, ErrorNotice, inputClass } from "../components/ui";
import { asError, getConfig, streamChat, type ChatMessage } from "../lib/api";
import { openInBuilder } from "../lib/handoff";
import { findSpec } from "../lib/spec";
import { useApi } from "../lib/useApi";

export function Chat() {
  const config = useApi(getConfig, []);
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [draft, setDraft] = useState("");
  const [chosen, setChosen] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  // Null until the config arrives (or when it cannot): the server then answers with its default.
  const model = chosen ?? config.data?.default_model ?? null;

  async function send() {
    if (!draft.trim() || busy) return;
    const history: ChatMessage[] = [...messages, { role: "user", content: draft }];
    setMessages([...history, { role: "assistant", content: "" }]);
    setDraft("");
    setBusy(true);
    let reply = "";
    try {
      const result = await streamChat(history, model, (delta) => {
        reply += delta;
        setMessages([...history, { role: "assistant", content: reply }]);
      });
      if (result.error) setNotice(`The AI did not answer: ${result.error}`);
      else setNotice(result.fallback ? "No OpenAI key is configured: the reply is an echo of your message." : null);
    } catch (failure) {
      setNotice(`The AI did not answer: ${asError(failure).message}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title="AI chat">
      <div className="mb-3 flex flex-wrap items-center gap-2">
        <label htmlFor="model" className="text-sm font-medium">
          Model
        </label>
        <select id="model" className={inputClass} value={model ?? ""} disabled={!config.data} onChange={(e) => setChosen(e.target.value)}>
          {(config.data?.models ?? []).map((option) => (
            <option key={option.id} value={option.id}>
              {option.label}
            </option>
          ))}
        </select>
        {config.error ? (
          <ErrorNotice what="The models could not be loaded (replies come from the server's default model)" error={config.error} onRetry={config.reload} />
        ) : null}
      </div>
      <div aria-live="polite" className="mb-3 flex min-h-48 flex-col gap-2 rounded-md bg-slate-100 p-3">
        {messages.map((message, index) => {
          const streaming = busy && index === messages.length - 1;
          const spec = message.role === "assistant" && !streaming ? findSpec(message.content) : null;
          return (
            <div key={index} className="flex flex-col gap-1">
              <ChatBubble role={message.role} text={message.content} />
              {spec ? (
                <div>
                  <Button kind="secondary" onClick={() => openInBuilder(spec)}>
                    Use this spec
                  </Button>
                </div>
              ) : null}
            </div>
          );
        })}
      </div>
      {notice ? (
        <p role="status" className="mb-2 text-xs text-amber-800">
          {notice}
        </p>
      ) : null}
      <form
        className="flex gap-2"
        onSubmit={(event) => {
          event.preventDefault();
          void send();
        }}
      >
        <label htmlFor="message" className="sr-only">
          Message
        </label>
        <input id="message" className={`${inputClass} flex-1`} value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="Describe the service you need" />
        <Button type="submit" disabled={busy}>
          Send
        </Button>
      </form>
    </Card>
  );
}
