// The System Builder's steps, and which step each spec field is filled in at.
import type { EnvironmentForm, SpecForm } from "../../lib/spec";

export const STEPS = ["Basics", "Services", "Data", "Environments", "Config", "Finish"] as const;
export const FINISH = STEPS.length - 1;

// The step of a form field (as formFieldOf names it); the spec's other fields are Config's.
const STEP_OF: Record<string, number> = { name: 0, owner: 0, description: 0, service: 1, services: 1, size: 1, database: 2, buckets: 2, env: 4, secrets: 4 };

export function stepOf(field: string): number {
  return field.startsWith("environments") ? 3 : (STEP_OF[field] ?? 4);
}

// The field a form input writes (formFieldOf's names), where the two differ.
export const FIELD_OF: Partial<Record<keyof SpecForm, string>> = { port: "service", healthPath: "service", desiredCount: "service", mainService: "services" };
export const ENVIRONMENT_FIELD: Record<keyof EnvironmentForm, string> = {
  name: "name",
  accountId: "aws_account_id",
  region: "region",
  domain: "domain",
  approval: "approval",
};

/** What a step's inputs get: the form, a way to change one of its values, and the error to
 * show next to a field (only once the person reached it). */
export interface StepProps {
  form: SpecForm;
  set: <K extends keyof SpecForm>(key: K, value: SpecForm[K]) => void;
  errorOf: (field: string) => string | undefined;
}
