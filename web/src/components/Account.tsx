// Who the web app acts as, in the header: the local user, the signed-in GitHub user (with
// Sign out), or a link to sign in with GitHub when sign-in is configured.
import { useEffect, useState } from "react";
import { getSession, signOut, type Session } from "../lib/api";
import { Button } from "./ui";

export function Account(props: { afterSignOut?: () => void }) {
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void getSession().then(setSession, () => setSession(null));
  }, []);
  if (session === null) return null;

  const leave = async () => {
    try {
      await signOut();
      (props.afterSignOut ?? (() => window.location.reload()))();
    } catch (failure) {
      setError(String((failure as Error).message));
    }
  };
  return (
    <div aria-label="Account" role="group" className="flex items-center gap-3 text-sm">
      {session.mode === "github" ? (
        <>
          <span>
            Signed in as <strong>@{session.user}</strong>
          </span>
          <Button kind="secondary" onClick={() => void leave()}>
            Sign out
          </Button>
        </>
      ) : session.mode === "anonymous" && session.sign_in_url ? (
        <a href={session.sign_in_url} className="rounded-md bg-slate-900 px-3 py-1.5 font-medium text-white focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500">
          Sign in with GitHub
        </a>
      ) : (
        <span className="rounded bg-amber-100 px-2 py-1 text-amber-900">{session.label}</span>
      )}
      {error ? <span role="alert" className="text-red-700">{error}</span> : null}
    </div>
  );
}
