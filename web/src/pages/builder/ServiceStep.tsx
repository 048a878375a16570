import { Field, inputClass } from "../../components/ui";
import { SIZES, type SizePreset } from "../../lib/spec";
import type { StepProps } from "./steps";

export function ServiceStep({ form, set, errorOf }: StepProps) {
  return (
    <>
      <Field id="port" label="Port" error={errorOf("service")}>
        <input id="port" type="number" className={inputClass} value={form.port} onChange={(e) => set("port", Number(e.target.value))} />
      </Field>
      <Field id="healthPath" label="Health path">
        <input id="healthPath" className={inputClass} value={form.healthPath} onChange={(e) => set("healthPath", e.target.value)} />
      </Field>
      <Field id="size" label="Size" error={errorOf("size")}>
        <select id="size" className={inputClass} value={form.size} onChange={(e) => set("size", e.target.value as SizePreset)}>
          {Object.entries(SIZES).map(([key, size]) => (
            <option key={key} value={key}>
              {size.label}
            </option>
          ))}
        </select>
      </Field>
      <Field id="desiredCount" label="Tasks per environment">
        <input id="desiredCount" type="number" className={inputClass} value={form.desiredCount} onChange={(e) => set("desiredCount", Number(e.target.value))} />
      </Field>
    </>
  );
}
