// The System Builder: a step-by-step form with live validation, completion with AI, a
// preview of the generated files, and the finish (download spec.yaml or the repository, or
// open a spec issue in the hub repository). The server validates the whole spec as the person
// types, but a field shows its error only once it was touched or its step was left with Next
// (all of them at the finish, and at once for a spec loaded from elsewhere).
import { useEffect, useMemo, useState } from "react";
import { Button, Card } from "../../components/ui";
import { getConfig, type ProposedField } from "../../lib/api";
import { forgetHandedSpec, handedSpec } from "../../lib/handoff";
import { EMPTY_FORM, applyField, formFieldOf, formFromSpec, specYaml, type EnvironmentForm, type SpecForm } from "../../lib/spec";
import { useApi } from "../../lib/useApi";
import { BasicsStep } from "./BasicsStep";
import { CheckStatus } from "./CheckStatus";
import { CompleteWithAI } from "./CompleteWithAI";
import { ConfigStep } from "./ConfigStep";
import { DataStep } from "./DataStep";
import { EnvironmentsStep } from "./EnvironmentsStep";
import { FinishStep } from "./FinishStep";
import { GeneratedFiles, usePreview } from "./GeneratedFiles";
import { ServiceStep } from "./ServiceStep";
import { SpecCard } from "./SpecCard";
import { ENVIRONMENT_FIELD, FIELD_OF, FINISH, STEPS, stepOf, type StepProps } from "./steps";
import { useSpecCheck } from "./useSpecCheck";

export function Builder(props: { initial?: SpecForm }) {
  // A spec handed over by the AI chat's "Use this spec" (read once, forgotten after mount).
  const [handed] = useState(() => {
    const text = handedSpec();
    return text === null ? null : formFromSpec(text);
  });
  const [form, setForm] = useState<SpecForm>(props.initial ?? (handed && "form" in handed ? handed.form : EMPTY_FORM));
  const [step, setStep] = useState(0);
  // What the person has reached: fields they changed and steps they left going forward. A
  // spec that arrived filled in (from the chat, or `initial`) shows all its errors at once.
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [left, setLeft] = useState<ReadonlySet<number>>(() => new Set(props.initial || (handed && "form" in handed) ? STEPS.keys() : []));
  const yaml = useMemo(() => specYaml(form), [form]);
  const check = useSpecCheck(yaml);
  const config = useApi(getConfig, []);
  const preview = usePreview(yaml);

  useEffect(() => {
    if (handed) forgetHandedSpec();
  }, [handed]);

  const reached = (field: string): boolean => touched.has(field) || left.has(stepOf(field)) || left.has(FINISH);
  const errorOf = (field: string): string | undefined =>
    check.problems.find((problem) => formFieldOf(problem) === field && reached(field))?.message;
  const unreached = check.problems.filter((problem) => !reached(formFieldOf(problem))).length;
  const touch = (...fields: string[]) => setTouched((current) => new Set([...current, ...fields]));
  const set: StepProps["set"] = (key, value) => {
    touch(FIELD_OF[key] ?? key);
    setForm({ ...form, [key]: value });
  };
  const setEnvironment = (index: number, change: Partial<EnvironmentForm>) => {
    const prefix = `environments.${form.environments[index].name}`;
    touch(...(Object.keys(change) as Array<keyof EnvironmentForm>).map((key) => `${prefix}.${ENVIRONMENT_FIELD[key]}`));
    setForm({ ...form, environments: form.environments.map((each, at) => (at === index ? { ...each, ...change } : each)) });
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

  const stepProps: StepProps = { form, set, errorOf };
  // One view per step, in STEPS' order.
  const views = [
    () => <BasicsStep {...stepProps} />,
    () => <ServiceStep {...stepProps} />,
    () => <DataStep {...stepProps} />,
    () => <EnvironmentsStep {...stepProps} setEnvironment={setEnvironment} />,
    () => <ConfigStep {...stepProps} />,
    () => (
      <FinishStep yaml={yaml} name={form.name} ready={check.checked && !check.problems.length} config={config} onPreview={() => void preview.show()} />
    ),
  ];

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
          {views[step]()}
          <CheckStatus check={check} unreached={unreached} />
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
        <SpecCard yaml={yaml} problems={check.problems} reached={reached} />
        <GeneratedFiles preview={preview} />
      </div>
    </div>
  );
}
