// The Services step: the main web service (port, health path, size, tasks) and the system's
// other services — add, remove, choose a kind and its main fields. With another service the
// spec becomes sbh/v2; the server validates it like any spec.
import { Button, Field, inputClass } from "../../components/ui";
import { SERVICE_KINDS, SIZES, newService, type ServiceForm, type ServiceKind, type SizePreset } from "../../lib/spec";
import type { StepProps } from "./steps";

function KindFields({ service, id, change }: { service: ServiceForm; id: string; change: (change: Partial<ServiceForm>) => void }) {
  const number = (key: "port" | "maxReceiveCount", label: string) => (
    <Field id={`${id}-${key}`} label={label}>
      <input id={`${id}-${key}`} type="number" className={inputClass} value={service[key]} onChange={(e) => change({ [key]: Number(e.target.value) })} />
    </Field>
  );
  const text = (key: "path" | "schedule" | "source", label: string) => (
    <Field id={`${id}-${key}`} label={label}>
      <input id={`${id}-${key}`} className={inputClass} value={service[key]} onChange={(e) => change({ [key]: e.target.value })} />
    </Field>
  );
  switch (service.kind) {
    case "web":
      return (
        <>
          {text("path", `Path of ${service.name}`)}
          {number("port", `Port of ${service.name}`)}
        </>
      );
    case "backend":
      return number("port", `Port of ${service.name}`);
    case "worker":
      return number("maxReceiveCount", `Receives before ${service.name}'s dead-letter queue`);
    case "job":
      return text("schedule", `Schedule of ${service.name}`);
    case "static-site":
      return text("source", `Source directory of ${service.name}`);
  }
}

export function ServiceStep({ form, set, errorOf }: StepProps) {
  const v2 = form.services.length > 0;
  const change = (index: number, changed: Partial<ServiceForm>) =>
    set(
      "services",
      form.services.map((service, at) => (at === index ? { ...service, ...changed } : service)),
    );
  return (
    <>
      {v2 ? (
        <Field id="mainService" label="Name of the main web service">
          <input id="mainService" className={inputClass} value={form.mainService} onChange={(e) => set("mainService", e.target.value)} />
        </Field>
      ) : null}
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
      <section aria-label="Other services" className="flex flex-col gap-3">
        <h3 className="text-sm font-medium">Other services</h3>
        <p className="text-xs text-slate-600">
          {v2
            ? "A system of several services: the spec is sbh/v2."
            : "None: the spec is sbh/v1, one web service. Add a backend, worker, job or static site to make it sbh/v2."}
        </p>
        {errorOf("services") ? (
          <p role="alert" className="text-sm text-red-700">
            {errorOf("services")}
          </p>
        ) : null}
        {form.services.map((service, index) => {
          const id = `service-${index}`;
          return (
            <fieldset key={index} aria-label={`Service ${service.name}`} className="flex flex-col gap-2 rounded border border-slate-200 p-3">
              <Field id={`${id}-name`} label="Service name">
                <input id={`${id}-name`} className={inputClass} value={service.name} onChange={(e) => change(index, { name: e.target.value })} />
              </Field>
              <Field id={`${id}-kind`} label={`Kind of ${service.name}`}>
                <select id={`${id}-kind`} className={inputClass} value={service.kind} onChange={(e) => change(index, { kind: e.target.value as ServiceKind })}>
                  {Object.entries(SERVICE_KINDS).map(([kind, label]) => (
                    <option key={kind} value={kind}>
                      {label}
                    </option>
                  ))}
                </select>
              </Field>
              <KindFields service={service} id={id} change={(changed) => change(index, changed)} />
              <Button kind="secondary" onClick={() => set("services", form.services.filter((_, at) => at !== index))}>
                Remove {service.name}
              </Button>
            </fieldset>
          );
        })}
        <Button kind="secondary" onClick={() => set("services", [...form.services, newService(form, "worker")])}>
          Add a service
        </Button>
      </section>
    </>
  );
}
