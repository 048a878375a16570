import { Field, inputClass } from "../../components/ui";
import type { StepProps } from "./steps";

export function BasicsStep({ form, set, errorOf }: StepProps) {
  return (
    <>
      <Field id="name" label="Name" error={errorOf("name")} hint="lowercase letters, digits and hyphens">
        <input id="name" className={inputClass} value={form.name} onChange={(e) => set("name", e.target.value)} />
      </Field>
      <Field id="owner" label="GitHub organization" error={errorOf("owner")}>
        <input id="owner" className={inputClass} value={form.owner} onChange={(e) => set("owner", e.target.value)} />
      </Field>
      <Field id="description" label="Description" error={errorOf("description")}>
        <input id="description" className={inputClass} value={form.description} onChange={(e) => set("description", e.target.value)} />
      </Field>
    </>
  );
}
