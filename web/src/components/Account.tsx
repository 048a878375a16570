// Who the web app acts as, in the header: the local user, the signed-in GitHub user (with
// Sign out), or a link to sign in with GitHub when sign-in is configured. A session that
// cannot be read is said here, once for every page.
import { useState } from "react";
import { asError, getSession, signOut } from "../lib/api";
import { useApi } from "../lib/useApi";
import { Button, ErrorNotice } from "./ui";

export function Account(props: { afterSignOut?: () => void }) {
  const { data: session, error: loadError, reload } = useApi(getSession, []);
  const [error, setError] = useState<Error | null>(null);
  if (loadError) {
    return (
      <div aria-label="Account" role="group" className="text-sm">
        <ErrorNotice what="Who you are could not be read" error={loadError} onRetry={reload} />
      </div>
    );
  }
  if (!session) return null;

  const leave = async () => {
    try {
      await signOut();
      (props.afterSignOut ?? (() => window.location.reload()))();
    } catch (failure) {
      setError(asError(failure));
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
      {error ? <ErrorNotice what="Signing out failed" error={error} /> : null}
    </div>
  );
}
