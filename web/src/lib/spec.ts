// The System Builder's form state and the spec YAML it stands for (pure).

export type SizePreset = "small" | "medium" | "large";

// Each preset is a valid Fargate CPU/memory pair.
export const SIZES: Record<SizePreset, { cpu: number; memory: number; label: string }> = {
  small: { cpu: 256, memory: 512, label: "Small: 0.25 vCPU, 512 MiB" },
  medium: { cpu: 512, memory: 1024, label: "Medium: 0.5 vCPU, 1 GiB" },
  large: { cpu: 1024, memory: 2048, label: "Large: 1 vCPU, 2 GiB" },
};

export interface EnvironmentForm {
  name: string;
  accountId: string;
  region: string;
  domain: string;
  approval: boolean;
}

export interface SpecForm {
  name: string;
  owner: string;
  description: string;
  port: number;
  healthPath: string;
  size: SizePreset;
  desiredCount: number;
  database: boolean;
  buckets: string;
  environments: EnvironmentForm[];
  env: string;
  secrets: string;
}

export const EMPTY_FORM: SpecForm = {
  name: "",
  owner: "",
  description: "",
  port: 8000,
  healthPath: "/api/health",
  size: "small",
  desiredCount: 2,
  database: true,
  buckets: "",
  environments: [
    { name: "dev", accountId: "", region: "us-east-1", domain: "", approval: false },
    { name: "prod", accountId: "", region: "us-east-1", domain: "", approval: true },
  ],
  env: "",
  secrets: "",
};

// JSON strings are YAML double-quoted scalars: whatever a person types stays a string.
const quoted = (value: string): string => JSON.stringify(value);

const words = (text: string): string[] =>
  text
    .split(/[\s,]+/)
    .map((word) => word.trim())
    .filter(Boolean);

export function parseSettings(text: string): Array<[string, string]> {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const at = line.indexOf("=");
      return at < 0 ? [line, ""] : [line.slice(0, at).trim(), line.slice(at + 1).trim()];
    });
}

export function specYaml(form: SpecForm): string {
  const size = SIZES[form.size];
  const lines = [
    "apiVersion: sbh/v1",
    `name: ${quoted(form.name)}`,
    `owner: ${quoted(form.owner)}`,
  ];
  if (form.description) lines.push(`description: ${quoted(form.description)}`);
  lines.push(
    "service:",
    `  port: ${form.port}`,
    `  health_path: ${quoted(form.healthPath)}`,
    `  cpu: ${size.cpu}`,
    `  memory: ${size.memory}`,
    `  desired_count: ${form.desiredCount}`,
  );
  lines.push(form.database ? 'database: {engine: postgres, version: "16"}' : "database: null");
  const buckets = words(form.buckets);
  if (buckets.length) lines.push(`storage: {buckets: [${buckets.map(quoted).join(", ")}]}`);
  lines.push("environments:");
  for (const environment of form.environments) {
    lines.push(
      `  ${quoted(environment.name)}:`,
      `    aws_account_id: ${quoted(environment.accountId)}`,
      `    region: ${quoted(environment.region)}`,
      `    domain: ${quoted(environment.domain)}`,
      `    approval: ${environment.approval}`,
    );
  }
  const settings = parseSettings(form.env);
  if (settings.length) {
    lines.push("env:", ...settings.map(([key, value]) => `  ${quoted(key)}: ${quoted(value)}`));
  }
  const secrets = words(form.secrets);
  if (secrets.length) lines.push(`secrets: [${secrets.map(quoted).join(", ")}]`);
  return lines.join("\n") + "\n";
}

export interface Problem {
  line: number;
  column: number;
  field: string;
  message: string;
}

// Which form field a spec problem belongs to, so the error shows next to it.
export function formFieldOf(problem: Problem): string {
  const field = problem.field;
  if (field.startsWith("environments.")) return field.split(".").slice(0, 3).join(".");
  if (field.startsWith("service.cpu") || field.startsWith("service.memory")) return "size";
  if (field.startsWith("storage")) return "buckets";
  return field.split(".")[0].split("[")[0];
}
