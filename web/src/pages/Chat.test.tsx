import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CONFIG, answer } from "../test/fixtures";
import { Chat } from "./Chat";

const SPEC = "apiVersion: sbh/v1\nname: orders-api\nowner: acme\n";

function streamed(reply: string): Response {
  const events = `data: ${JSON.stringify({ delta: reply })}\n\nevent: done\ndata: ${JSON.stringify({ model: "gpt-4o-mini", fallback: false })}\n\n`;
  return new Response(events, { headers: { "content-type": "text/event-stream" } });
}

// The API: /api/config answers `config`, the chat streams `reply`; returns the chat requests' bodies.
function serve(reply: string, config: () => Response = () => answer(CONFIG)) {
  const asked: Array<{ model: string | null }> = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init?: RequestInit) => {
      if (url === "/api/config") return config();
      if (url === "/api/session") return answer({ user: "local", mode: "local", label: "", csrf_token: "t0k" });
      asked.push(JSON.parse(String(init?.body)));
      return streamed(reply);
    }),
  );
  return asked;
}

function send(message: string) {
  fireEvent.change(screen.getByLabelText("Message"), { target: { value: message } });
  fireEvent.click(screen.getByRole("button", { name: "Send" }));
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  sessionStorage.clear();
  window.location.hash = "";
});

describe("Chat", () => {
  it("offers a reply's spec to the System Builder: stored for it, then opened", async () => {
    serve(`Here is your spec:\n\n\`\`\`yaml\n${SPEC}\`\`\`\n`);
    render(<Chat />);

    send("An orders API");
    fireEvent.click(await screen.findByRole("button", { name: "Use this spec" }));

    expect(sessionStorage.getItem("sbh.builder.spec")).toBe(SPEC);
    expect(window.location.hash).toBe("#/builder");
  });

  it("offers nothing for a reply without a spec", async () => {
    serve("Which region?");
    render(<Chat />);

    send("An orders API");

    expect(await screen.findByText("Which region?")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Use this spec" })).toBeNull();
  });

  it("offers the models the server's config lists, its default first chosen, and asks the chosen one", async () => {
    const asked = serve("Hello");
    render(<Chat />);
    const select = screen.getByLabelText("Model") as HTMLSelectElement;

    expect(await within(select).findByRole("option", { name: "GPT-4 Turbo" })).toBeTruthy();
    expect(within(select).getAllByRole("option").map((option) => option.textContent)).toEqual(["GPT-4o Mini", "GPT-4o", "GPT-4 Turbo"]);
    expect(select.value).toBe("gpt-4o-mini");
    fireEvent.change(select, { target: { value: "gpt-4-turbo" } });
    send("Hi");

    expect(await screen.findByText("Hello")).toBeTruthy();
    expect(asked.map((body) => body.model)).toEqual(["gpt-4-turbo"]);
  });

  it("says why the models could not be loaded, and still chats with the server's default", async () => {
    const asked = serve("Hello", () => answer({ detail: "the config is unavailable" }, 503));
    render(<Chat />);

    expect((await screen.findByRole("alert")).textContent).toContain("the config is unavailable");
    send("Hi");

    expect(await screen.findByText("Hello")).toBeTruthy();
    expect(asked.map((body) => body.model)).toEqual([null]);
  });

  it("wraps a long URL inside its bubble instead of running past its edge", async () => {
    serve("Sure.");
    render(<Chat />);

    send(`See https://example.com/${"a".repeat(300)}`);

    const bubble = await screen.findByText(/^See https:\/\/example\.com/);
    expect(bubble.className).toContain("wrap-anywhere");
    expect(bubble.className).toContain("min-w-0");
  });
});
