import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { forgetCsrfToken, type Session } from "../lib/api";
import { Account } from "./Account";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  forgetCsrfToken();
});

function serve(session: Session) {
  const calls: Array<{ url: string; init?: RequestInit }> = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init?: RequestInit) => {
      calls.push({ url, init });
      return new Response(JSON.stringify(url === "/api/session" ? session : { signed_out: true }));
    }),
  );
  return calls;
}

describe("Account", () => {
  it("labels local mode as the one local user", async () => {
    serve({ user: "local", mode: "local", label: "Local mode — one local user", sign_in_url: null, csrf_token: "t" });
    render(<Account />);

    expect(await screen.findByText("Local mode — one local user")).toBeTruthy();
    expect(screen.queryByRole("link", { name: "Sign in with GitHub" })).toBeNull();
  });

  it("offers sign-in with GitHub when it is configured", async () => {
    serve({ user: null, mode: "anonymous", label: "Not signed in", sign_in_url: "/api/auth/login", csrf_token: "t" });
    render(<Account />);

    const link = await screen.findByRole("link", { name: "Sign in with GitHub" });
    expect(link.getAttribute("href")).toBe("/api/auth/login");
  });

  it("says why it cannot tell who you are when the session cannot be read", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify({ detail: "the session store is unavailable" }), { status: 503 })));
    render(<Account />);

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Who you are could not be read: the session store is unavailable");
    expect(screen.getByRole("button", { name: "Try again" })).toBeTruthy();
  });

  it("shows who is signed in, and signs out with the CSRF token", async () => {
    const calls = serve({ user: "octocat", mode: "github", label: "Signed in as @octocat", sign_in_url: "/api/auth/login", csrf_token: "csrf-1" });
    const afterSignOut = vi.fn();
    render(<Account afterSignOut={afterSignOut} />);

    expect(await screen.findByText("@octocat")).toBeTruthy();
    const signOut = screen.getByRole("button", { name: "Sign out" });
    signOut.focus();
    expect(document.activeElement).toBe(signOut); // reachable from the keyboard
    fireEvent.click(signOut);

    await waitFor(() => expect(afterSignOut).toHaveBeenCalled());
    const logout = calls.find((call) => call.url === "/api/auth/logout");
    expect(logout?.init?.method).toBe("POST");
    expect((logout?.init?.headers as Record<string, string>)["X-CSRF-Token"]).toBe("csrf-1");
  });
});
