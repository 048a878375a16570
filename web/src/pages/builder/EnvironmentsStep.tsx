import { Field, inputClass } from "../../components/ui";
import type { EnvironmentForm } from "../../lib/spec";
import type { StepProps } from "./steps";

export function EnvironmentsStep(props: StepProps & { setEnvironment: (index: number, change: Partial<EnvironmentForm>) => void }) {
  return props.form.environments.map((environment, index) => {
    const prefix = `environments.${environment.name}`;
    const id = (input: string) => `${environment.name}-${input}`;
    return (
      <fieldset key={index} className="rounded-md border border-slate-200 p-3">
        <legend className="px-1 text-sm font-semibold">{environment.name}</legend>
        <Field id={id("account")} label="AWS account id" error={props.errorOf(`${prefix}.aws_account_id`)}>
          <input id={id("account")} className={inputClass} value={environment.accountId} onChange={(e) => props.setEnvironment(index, { accountId: e.target.value })} />
        </Field>
        <Field id={id("region")} label="Region" error={props.errorOf(`${prefix}.region`)}>
          <input id={id("region")} className={inputClass} value={environment.region} onChange={(e) => props.setEnvironment(index, { region: e.target.value })} />
        </Field>
        <Field id={id("domain")} label="Domain" error={props.errorOf(`${prefix}.domain`)}>
          <input id={id("domain")} className={inputClass} value={environment.domain} onChange={(e) => props.setEnvironment(index, { domain: e.target.value })} />
        </Field>
        <label className="mt-2 flex items-center gap-2 text-sm">
          <input type="checkbox" checked={environment.approval} onChange={(e) => props.setEnvironment(index, { approval: e.target.checked })} />
          Deploys need approval
        </label>
      </fieldset>
    );
  });
}
