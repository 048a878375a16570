import { Field, inputClass } from "../../components/ui";
import type { StepProps } from "./steps";

export function DataStep({ form, set, errorOf }: StepProps) {
  return (
    <>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={form.database} onChange={(e) => set("database", e.target.checked)} />
        PostgreSQL database
      </label>
      <Field id="buckets" label="Buckets" error={errorOf("buckets")} hint="names, separated by spaces">
        <input id="buckets" className={inputClass} value={form.buckets} onChange={(e) => set("buckets", e.target.value)} />
      </Field>
    </>
  );
}
