import { Field, inputClass } from "../../components/ui";
import type { StepProps } from "./steps";

export function ConfigStep({ form, set, errorOf }: StepProps) {
  const extra = Object.entries(form.extra);
  return (
    <>
      <Field id="env" label="Settings" error={errorOf("env")} hint="one NAME=value per line (never secrets)">
        <textarea id="env" className={inputClass} rows={4} value={form.env} onChange={(e) => set("env", e.target.value)} />
      </Field>
      <Field id="secrets" label="Secret names" error={errorOf("secrets")} hint="names only; values go into Secrets Manager">
        <input id="secrets" className={inputClass} value={form.secrets} onChange={(e) => set("secrets", e.target.value)} />
      </Field>
      {extra.length ? (
        <div className="text-sm">
          <p className="font-medium">Also in the spec (no form field for these)</p>
          <ul aria-label="Other spec fields" className="text-xs">
            {extra.map(([field, value]) => (
              <li key={field} className="flex items-center gap-2">
                <code>
                  {field}: {JSON.stringify(value)}
                </code>
                <button
                  type="button"
                  aria-label={`Remove ${field}`}
                  className="text-red-700 underline"
                  onClick={() => set("extra", Object.fromEntries(extra.filter(([key]) => key !== field)))}
                >
                  remove
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </>
  );
}
