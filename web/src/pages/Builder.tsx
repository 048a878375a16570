// The System Builder: a step-by-step form with live validation, a preview of the generated
// files, and the finish (download spec.yaml or the repository).
import { useEffect, useMemo, useState } from "react";
import { Button, Card, CodeView, Field, inputClass } from "../components/ui";
import { downloadZip, previewSpec, validateSpec, type PreviewFile } from "../lib/api";
import { EMPTY_FORM, SIZES, formFieldOf, specYaml, type Problem, type SizePreset, type SpecForm } from "../lib/spec";

const STEPS = ["Basics", "Service", "Data", "Environments", "Config", "Finish"] as const;

export function Builder(props: { initial?: SpecForm }) {
  const [form, setForm] = useState<SpecForm>(props.initial ?? EMPTY_FORM);
  const [step, setStep] = useState(0);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [files, setFiles] = useState<PreviewFile[]>([]);
  const [shown, setShown] = useState<{ path: string; content: string } | null>(null);
  const yaml = useMemo(() => specYaml(form), [form]);

  useEffect(() => {
    const timer = setTimeout(() => {
      validateSpec(yaml)
        .then((result) => setProblems(result.problems))
        .catch(() => setProblems([]));
    }, 250);
    return () => clearTimeout(timer);
  }, [yaml]);

  const errorOf = (field: string): string | undefined =>
    problems.find((problem) => formFieldOf(problem) === field)?.message;
  const set = <K extends keyof SpecForm>(key: K, value: SpecForm[K]) => setForm({ ...form, [key]: value });

  async function preview(path?: string) {
    const result = await previewSpec(yaml, path);
    if (result.files) setFiles(result.files);
    setShown(result.file ?? null);
  }

  function downloadSpec() {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([yaml], { type: "text/yaml" }));
    link.download = "spec.yaml";
    link.click();
  }

  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <Card title={`System Builder: ${STEPS[step]}`}>
        <nav aria-label="Steps" className="mb-4 flex flex-wrap gap-2">
          {STEPS.map((name, index) => (
            <button
              key={name}
              type="button"
              onClick={() => setStep(index)}
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
                const update = (change: Partial<typeof environment>) =>
                  set("environments", form.environments.map((each, at) => (at === index ? { ...each, ...change } : each)));
                const prefix = `environments.${environment.name}`;
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
            </>
          ) : null}
          {step === 5 ? (
            <div className="flex flex-wrap gap-2">
              <Button onClick={downloadSpec}>Download spec.yaml</Button>
              <Button kind="secondary" onClick={() => void downloadZip(yaml, form.name)} disabled={problems.length > 0}>
                Download the repository (zip)
              </Button>
              <Button kind="secondary" onClick={() => void preview()} disabled={problems.length > 0}>
                Preview the files
              </Button>
            </div>
          ) : null}
          <p aria-live="polite" className={`text-sm ${problems.length ? "text-red-700" : "text-green-700"}`}>
            {problems.length ? `${problems.length} problem(s) to fix` : "The spec is valid."}
          </p>
          <div className="flex justify-between">
            <Button kind="secondary" onClick={() => setStep(Math.max(0, step - 1))} disabled={step === 0}>
              Back
            </Button>
            <Button onClick={() => setStep(Math.min(STEPS.length - 1, step + 1))} disabled={step === STEPS.length - 1}>
              Next
            </Button>
          </div>
        </div>
      </Card>
      <div className="flex flex-col gap-4">
        <Card title="spec.yaml">
          <CodeView label="spec.yaml" text={yaml} />
          {problems.length ? (
            <ul className="mt-2 list-disc pl-5 text-xs text-red-700">
              {problems.map((problem) => (
                <li key={`${problem.line}-${problem.field}`}>
                  line {problem.line}, {problem.field}: {problem.message}
                </li>
              ))}
            </ul>
          ) : null}
        </Card>
        {files.length ? (
          <Card title={`Generated files (${files.length})`}>
            <ul className="max-h-64 overflow-auto text-xs">
              {files.map((file) => (
                <li key={file.path}>
                  <button type="button" className="text-indigo-700 underline" onClick={() => void preview(file.path)}>
                    {file.path}
                  </button>{" "}
                  <span className="text-slate-500">{file.size} B{file.executable ? ", executable" : ""}</span>
                </li>
              ))}
            </ul>
            {shown ? <CodeView label={shown.path} text={shown.content} /> : null}
          </Card>
        ) : null}
      </div>
    </div>
  );
}
