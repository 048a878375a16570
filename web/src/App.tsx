import { useEffect, useState } from "react";
import { Account } from "./components/Account";
import { Builder } from "./pages/Builder";
import { Chat } from "./pages/Chat";
import { Dashboard } from "./pages/Dashboard";

const PAGES = { builder: "System Builder", chat: "AI chat", systems: "Dashboard" } as const;
type Page = keyof typeof PAGES;

function current(): Page {
  const hash = window.location.hash.replace("#/", "").split("/")[0] ?? "";
  return hash in PAGES ? (hash as Page) : "builder";
}

export function App() {
  const [page, setPage] = useState<Page>(current());
  useEffect(() => {
    const onChange = () => setPage(current());
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return (
    <div className="mx-auto flex max-w-6xl flex-col gap-4 p-4">
      <header className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-xl font-semibold">System Builder Hub</h1>
        <nav aria-label="Pages" className="flex gap-1 text-sm">
          {Object.entries(PAGES).map(([key, label]) => (
            <a key={key} href={`#/${key}`} aria-current={page === key ? "page" : undefined} className={`rounded-md px-3 py-2 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 ${page === key ? "bg-indigo-50 font-semibold text-indigo-700" : "text-slate-700 hover:bg-slate-100"}`}>
              {label}
            </a>
          ))}
        </nav>
        <Account />
      </header>
      <main>{page === "chat" ? <Chat /> : page === "systems" ? <Dashboard /> : <Builder />}</main>
    </div>
  );
}
