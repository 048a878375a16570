import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Chat } from "./Chat";

const SPEC = "apiVersion: sbh/v1\nname: orders-api\nowner: acme\n";

function streamed(reply: string): Response {
  const events = `data: ${JSON.stringify({ delta: reply })}\n\nevent: done\ndata: ${JSON.stringify({ model: "gpt-4o-mini", fallback: false })}\n\n`;
  return new Response(events, { headers: { "content-type": "text/event-stream" } });
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  sessionStorage.clear();
  window.location.hash = "";
});

describe("Chat", () => {
  it("offers a reply's spec to the System Builder: stored for it, then opened", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => streamed(`Here is your spec:\n\n\`\`\`yaml\n${SPEC}\`\`\`\n`)));
    render(<Chat />);

    fireEvent.change(screen.getByLabelText("Message"), { target: { value: "An orders API" } });
    fireEvent.click(screen.getByRole("button", { name: "Send" }));
    fireEvent.click(await screen.findByRole("button", { name: "Use this spec" }));

    expect(sessionStorage.getItem("sbh.builder.spec")).toBe(SPEC);
    expect(window.location.hash).toBe("#/builder");
  });

  it("offers nothing for a reply without a spec", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => streamed("Which region?")));
    render(<Chat />);

    fireEvent.change(screen.getByLabelText("Message"), { target: { value: "An orders API" } });
    fireEvent.click(screen.getByRole("button", { name: "Send" }));

    expect(await screen.findByText("Which region?")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Use this spec" })).toBeNull();
  });
});
