// The System Builder: a step-by-step form with live validation, completion with AI, a
// preview of the generated files, and the finish (download spec.yaml or the repository, or
// open a spec issue in the hub repository). The server validates the whole spec as the person
// types, but a field shows its error only once it was touched or its step was left with Next
// (all of them at the finish, and at once for a spec loaded from elsewhere).
import { useEffect, useMemo, useState } from "react";
import { Button, Card, CodeView, ErrorNotice, Field, inputClass } from "../components/ui";
import { BuildNow } from "./BuildNow";
import { downloadZip, getConfig, validateSpec, type ProposedField } from "../lib/api";
import { forgetHandedSpec, handedSpec } from "../lib/handoff";
import { useApi } from "../lib/useApi";
import {
  EMPTY_FORM,
  MAX_ISSUE_URL_LENGTH,
  SIZES,
  applyField,
  formFieldOf,
  formFromSpec,
  specIssueUrl,
  specYaml,
  type Problem,
  type SizePreset,
  type SpecForm,
} from "../lib/spec";
import { CompleteWithAI, distinctProblems } from "./CompleteWithAI";
import { GeneratedFiles, usePreview } from "./GeneratedFiles";

const STEPS = ["Basics", "Service", "Data", "Environments", "Config", "Finish"] as const;
const FINISH = STEPS.length - 1;

// The step of a form field (as formFieldOf names it); the spec's other fields are Config's.
const STEP_OF: Record<string, number> = { name: 0, owner: 0, description: 0, service: 1, size: 1, database: 2, buckets: 2, env: 4, secrets: 4 };
// The spec field a form input writes, where the two differ (formFieldOf's names).
const FIELD_OF: Partial<Record<keyof SpecForm, string>> = { port: "service", healthPath: "service", desiredCount: "service" };
const ENVIRONMENT_FIELD = { name: "name", accountId: "aws_account_id", region: "region", domain: "domain", approval: "approval" } as const;

export function stepOf(field: string): number {
  return field.startsWith("environments") ? 3 : (STEP_OF[field] ?? 4);
}


export function Builder(props: { initial?: SpecForm }) {
  // A spec handed over by the AI chat's "Use this spec" (read once, forgotten after mount).
  const [handed] = useState(() => {
    const text = handedSpec();
    return text === null ? null : formFromSpec(text);
  });
  const [form, setForm] = useState<SpecForm>(props.initial ?? (handed && "form" in handed ? handed.form : EMPTY_FORM));
  const [step, setStep] = useState(0);
  const [problems, setProblems] = useState<Problem[]>([]);
  // What the person has reached: fields they changed and steps they left going forward. A
  // spec that arrived filled in (from the chat, or `initial`) shows all its errors at once.
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [left, setLeft] = useState<ReadonlySet<number>>(() => new Set(props.initial || (handed && "form" in handed) ? STEPS.keys() : []));
  const yaml = useMemo(() => specYaml(form), [form]);
  const config = useApi(getConfig, []);
  const preview = usePreview(yaml);
  const hubRepository = config.data?.hub_repository ?? null;
  const issueUrl = hubRepository ? specIssueUrl(hubRepository, yaml, form.name) : null;

  useEffect(() => {
    if (handed) forgetHandedSpec();
  }, [handed]);

  useEffect(() => {
    const timer = setTimeout(() => {
      validateSpec(yaml)
        .then((result) => setProblems(distinctProblems(result.problems)))
        .catch(() => setProblems([]));
    }, 250);
    return () => clearTimeout(timer);
  }, [yaml]);

  const reached = (field: string): boolean => touched.has(field) || left.has(stepOf(field)) || left.has(FINISH);
  const errorOf = (field: string): string | undefined =>
    problems.find((problem) => formFieldOf(problem) === field && reached(field))?.message;
  const unreached = problems.filter((problem) => !reached(formFieldOf(problem))).length;
  const touch = (...fields: string[]) => setTouched((current) => new Set([...current, ...fields]));
  const set = <K extends keyof SpecForm>(key: K, value: SpecForm[K]) => {
    touch(FIELD_OF[key] ?? key);
    setForm({ ...form, [key]: value });
  };
  const go = (to: number) => {
    // Going forward leaves the step; the finish reaches every field.
    if (to > step) setLeft((current) => new Set([...current, step, ...(to === FINISH ? [FINISH] : [])]));
    setStep(to);
  };
  const accept = (fields: ProposedField[]) => {
    touch(...fields.map((proposed) => formFieldOf({ line: 0, column: 0, field: proposed.field, message: "" })));
    setForm((current) => fields.reduce((changed, proposed) => applyField(changed, proposed.field, proposed.value), current));
  };

  function downloadSpec() {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([yaml], { type: "text/yaml" }));
    link.download = "spec.yaml";
    link.click();
    URL.revokeObjectURL(link.href);
  }

  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <Card title={`System Builder: ${STEPS[step]}`}>
        {handed ? (
          <p role="status" className={`mb-3 text-sm ${"form" in handed ? "text-slate-700" : "text-red-700"}`}>
            {"form" in handed ? "Loaded the spec from the AI chat." : `The chat's spec could not be loaded: ${handed.error}`}
          </p>
        ) : null}
        <nav aria-label="Steps" className="mb-4 flex flex-wrap gap-2">
          {STEPS.map((name, index) => (
            <button
              key={name}
              type="button"
              onClick={() => go(index)}
              aria-current={index === step ? "step" : undefined}
              className={`rounded-full px-3 py-1 text-xs ${index === step ? "bg-indigo-600 text-white" : "bg-slate-100"}`}
            >
              {index + 1}. {name}
            </button>
          ))}
        </nav>
        <div className="flex flex-col gap-3">
          {step === 0 ? (
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
          ) : null}
          {step === 1 ? (
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
          ) : null}
          {step === 2 ? (
            <>
              <label className="flex items-center gap-2 text-sm">
                <input type="checkbox" checked={form.database} onChange={(e) => set("database", e.target.checked)} />
                PostgreSQL database
              </label>
              <Field id="buckets" label="Buckets" error={errorOf("buckets")} hint="names, separated by spaces">
                <input id="buckets" className={inputClass} value={form.buckets} onChange={(e) => set("buckets", e.target.value)} />
              </Field>
            </>
          ) : null}
          {step === 3
            ? form.environments.map((environment, index) => {
                const prefix = `environments.${environment.name}`;
                const update = (change: Partial<typeof environment>) => {
                  touch(...Object.keys(change).map((key) => `${prefix}.${ENVIRONMENT_FIELD[key as keyof typeof ENVIRONMENT_FIELD]}`));
                  setForm({ ...form, environments: form.environments.map((each, at) => (at === index ? { ...each, ...change } : each)) });
                };
                return (
                  <fieldset key={index} className="rounded-md border border-slate-200 p-3">
                    <legend className="px-1 text-sm font-semibold">{environment.name}</legend>
                    <Field id={`${environment.name}-account`} label="AWS account id" error={errorOf(`${prefix}.aws_account_id`)}>
                      <input id={`${environment.name}-account`} className={inputClass} value={environment.accountId} onChange={(e) => update({ accountId: e.target.value })} />
                    </Field>
                    <Field id={`${environment.name}-region`} label="Region" error={errorOf(`${prefix}.region`)}>
                      <input id={`${environment.name}-region`} className={inputClass} value={environment.region} onChange={(e) => update({ region: e.target.value })} />
                    </Field>
                    <Field id={`${environment.name}-domain`} label="Domain" error={errorOf(`${prefix}.domain`)}>
                      <input id={`${environment.name}-domain`} className={inputClass} value={environment.domain} onChange={(e) => update({ domain: e.target.value })} />
                    </Field>
                    <label className="mt-2 flex items-center gap-2 text-sm">
                      <input type="checkbox" checked={environment.approval} onChange={(e) => update({ approval: e.target.checked })} />
                      Deploys need approval
                    </label>
                  </fieldset>
                );
              })
            : null}
          {step === 4 ? (
            <>
              <Field id="env" label="Settings" error={errorOf("env")} hint="one NAME=value per line (never secrets)">
                <textarea id="env" className={inputClass} rows={4} value={form.env} onChange={(e) => set("env", e.target.value)} />
              </Field>
              <Field id="secrets" label="Secret names" error={errorOf("secrets")} hint="names only; values go into Secrets Manager">
                <input id="secrets" className={inputClass} value={form.secrets} onChange={(e) => set("secrets", e.target.value)} />
              </Field>
              {Object.keys(form.extra).length ? (
                <div className="text-sm">
                  <p className="font-medium">Also in the spec (no form field for these)</p>
                  <ul aria-label="Other spec fields" className="text-xs">
                    {Object.entries(form.extra).map(([field, value]) => (
                      <li key={field} className="flex items-center gap-2">
                        <code>
                          {field}: {JSON.stringify(value)}
                        </code>
                        <button
                          type="button"
                          aria-label={`Remove ${field}`}
                          className="text-red-700 underline"
                          onClick={() => set("extra", Object.fromEntries(Object.entries(form.extra).filter(([key]) => key !== field)))}
                        >
                          remove
                        </button>
                      </li>
                    ))}
                  </ul>
                </div>
              ) : null}
            </>
          ) : null}
          {step === 5 ? (
            <div className="flex flex-wrap gap-2">
              <Button onClick={downloadSpec}>Download spec.yaml</Button>
              <Button kind="secondary" onClick={() => void downloadZip(yaml, form.name)} disabled={problems.length > 0}>
                Download the repository (zip)
              </Button>
              <Button kind="secondary" onClick={() => void preview.show()} disabled={problems.length > 0}>
                Preview the files
              </Button>
              {hubRepository && issueUrl ? (
                <a
                  href={issueUrl}
                  target="_blank"
                  rel="noreferrer"
                  className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100"
                >
                  Open a spec issue in {hubRepository}
                </a>
              ) : null}
              <BuildNow spec={yaml} hubRepository={hubRepository} disabled={problems.length > 0} />
              {hubRepository && !issueUrl ? (
                <p className="text-sm text-amber-800">
                  This spec is too long for a prefilled issue link (GitHub accepts links up to about {MAX_ISSUE_URL_LENGTH / 1000} KB): download
                  spec.yaml and paste it into a new issue in {hubRepository} in a ```yaml block.
                </p>
              ) : null}
              {config.error ? (
                <ErrorNotice what="SBH's hub repository could not be read, so no spec issue or build is offered" error={config.error} onRetry={config.reload} />
              ) : null}
            </div>
          ) : null}
          <p aria-live="polite" className={`text-sm ${problems.length ? "text-red-700" : "text-green-700"}`}>
            {problems.length ? `${problems.length} problem(s) to fix` : "The spec is valid."}
            {unreached ? ` (${unreached} in fields you have not reached yet)` : ""}
          </p>
          <div className="flex justify-between">
            <Button kind="secondary" onClick={() => go(Math.max(0, step - 1))} disabled={step === 0}>
              Back
            </Button>
            <Button onClick={() => go(Math.min(FINISH, step + 1))} disabled={step === FINISH}>
              Next
            </Button>
          </div>
        </div>
      </Card>
      <div className="flex flex-col gap-4">
        <CompleteWithAI spec={yaml} onAccept={accept} />
        <Card title="spec.yaml">
          <CodeView label="spec.yaml" text={yaml} />
          {problems.length ? (
            <div className="mt-2 text-xs">
              <p id="spec-problems" className="font-medium text-slate-700">
                What the server finds in this spec so far (every step, filled in or not):
              </p>
              <ul aria-labelledby="spec-problems" className="list-disc pl-5">
                {problems.map((problem, index) => (
                  <li key={`${index}-${problem.field}-${problem.message}`} className={reached(formFieldOf(problem)) ? "text-red-700" : "text-slate-600"}>
                    line {problem.line}, {problem.field}: {problem.message}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </Card>
        <GeneratedFiles preview={preview} />
      </div>
    </div>
  );
}
