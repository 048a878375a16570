// The app's pages, one per URL hash: #/builder (the default), #/chat, #/systems,
// #/systems/<owner>/<name> and #/fleet.
import { useSyncExternalStore } from "react";

export type Route =
  | { page: "builder" }
  | { page: "chat" }
  | { page: "systems" }
  | { page: "fleet" }
  | { page: "system"; owner: string; name: string };

export function routeOf(hash: string): Route {
  const [page, owner, name] = hash.replace(/^#\/?/, "").split("/");
  if (page === "chat" || page === "fleet") return { page };
  if (page === "systems") {
    return owner && name ? { page: "system", owner: decodeURIComponent(owner), name: decodeURIComponent(name) } : { page };
  }
  return { page: "builder" };
}

export function hrefOf(route: Route): string {
  if (route.page === "system") return `#/systems/${encodeURIComponent(route.owner)}/${encodeURIComponent(route.name)}`;
  return `#/${route.page}`;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

/** The page the URL hash names, kept current as the hash changes. */
export function useRoute(): Route {
  return routeOf(useSyncExternalStore(subscribe, () => window.location.hash));
}
