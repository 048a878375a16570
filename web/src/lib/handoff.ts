// Hands a spec from one page to another (the AI chat's "Use this spec" → the System Builder)
// through sessionStorage, so it survives the hash navigation and stays in this tab.
const KEY = "sbh.builder.spec";

export function openInBuilder(spec: string): void {
  sessionStorage.setItem(KEY, spec);
  window.location.hash = "#/builder";
}

export function handedSpec(): string | null {
  return sessionStorage.getItem(KEY);
}

export function forgetHandedSpec(): void {
  sessionStorage.removeItem(KEY);
}
