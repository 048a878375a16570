import { Account } from "./components/Account";
import { hrefOf, useRoute } from "./lib/route";
import { Builder } from "./pages/builder/Builder";
import { Chat } from "./pages/Chat";
import { Dashboard } from "./pages/Dashboard";
import { Fleet } from "./pages/fleet/Fleet";

// The header's links; a system's own page (#/systems/<owner>/<name>) belongs to the Dashboard.
const PAGES = [
  { page: "builder", label: "System Builder" },
  { page: "chat", label: "AI chat" },
  { page: "systems", label: "Dashboard" },
  { page: "fleet", label: "Fleet" },
] as const;

export function App() {
  const route = useRoute();
  const current = route.page === "system" ? "systems" : route.page;
  return (
    <div className="mx-auto flex max-w-6xl flex-col gap-4 p-4">
      <header className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-xl font-semibold">System Builder Hub</h1>
        <nav aria-label="Pages" className="flex gap-1 text-sm">
          {PAGES.map(({ page, label }) => (
            <a key={page} href={hrefOf({ page })} aria-current={current === page ? "page" : undefined} className={`rounded-md px-3 py-2 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 ${current === page ? "bg-indigo-50 font-semibold text-indigo-700" : "text-slate-700 hover:bg-slate-100"}`}>
              {label}
            </a>
          ))}
        </nav>
        <Account />
      </header>
      <main>{current === "chat" ? <Chat /> : current === "systems" ? <Dashboard /> : current === "fleet" ? <Fleet /> : <Builder />}</main>
    </div>
  );
}
