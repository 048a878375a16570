// The System Builder's form state and the spec YAML it stands for (pure).
import { parse, parseDocument } from "yaml";

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
  // Spec fields the form has no input for (dotted path → value), written as they are.
  extra: Record<string, unknown>;
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
  extra: {},
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
    );
    // Left out when empty, so completion can propose one.
    if (environment.region) lines.push(`    region: ${quoted(environment.region)}`);
    if (environment.domain) lines.push(`    domain: ${quoted(environment.domain)}`);
    lines.push(`    approval: ${environment.approval}`);
  }
  const settings = parseSettings(form.env);
  if (settings.length) {
    lines.push("env:", ...settings.map(([key, value]) => `  ${quoted(key)}: ${quoted(value)}`));
  }
  const secrets = words(form.secrets);
  if (secrets.length) lines.push(`secrets: [${secrets.map(quoted).join(", ")}]`);
  return withExtra(lines.join("\n") + "\n", form);
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

// The form's YAML with its extra fields set in (their paths created as needed).
function withExtra(text: string, form: SpecForm): string {
  const fields = Object.entries(form.extra).filter(([field]) => form.database || !field.startsWith("database."));
  if (!fields.length) return text;
  const document = parseDocument(text);
  for (const [field, value] of fields) document.setIn(field.split("."), value);
  return document.toString({ lineWidth: 0, flowCollectionPadding: false });
}

const PRODUCTION_NAMES = new Set(["prod", "production"]);
// What the form writes itself, so a spec saying the same needs no extra field.
const WRITTEN_BY_FORM: Record<string, unknown> = { apiVersion: "sbh/v1", "database.engine": "postgres", "database.version": "16" };

const asText = (value: unknown): string => (value === null || value === undefined ? "" : String(value));
const asWords = (value: unknown): string => (Array.isArray(value) ? value.map(asText).join(" ") : asText(value));

function withExtraField(form: SpecForm, field: string, value: unknown): SpecForm {
  return { ...form, extra: { ...form.extra, [field]: value } };
}

function withoutExtraField(form: SpecForm, field: string): SpecForm {
  const extra = { ...form.extra };
  delete extra[field];
  return { ...form, extra };
}

function withEnvironment(form: SpecForm, name: string, change: Partial<EnvironmentForm>): SpecForm {
  const found = form.environments.some((environment) => environment.name === name);
  const environments = found
    ? form.environments.map((environment) => (environment.name === name ? { ...environment, ...change } : environment))
    : [...form.environments, { name, accountId: "", region: "", domain: "", approval: PRODUCTION_NAMES.has(name), ...change }];
  return { ...form, environments };
}

function withSetting(text: string, name: string, value: string): string {
  const lines = text.split("\n").filter((line) => line.trim());
  const at = lines.findIndex((line) => parseSettings(line)[0]?.[0] === name);
  if (at < 0) return [...lines, `${name}=${value}`].join("\n");
  return lines.map((line, index) => (index === at ? `${name}=${value}` : line)).join("\n");
}

// A size preset for cpu and memory when one matches; otherwise the value is an extra field.
function withSize(form: SpecForm, field: "service.cpu" | "service.memory", value: unknown): SpecForm {
  const cpu = field === "service.cpu" ? value : (form.extra["service.cpu"] ?? SIZES[form.size].cpu);
  const preset = (Object.keys(SIZES) as SizePreset[]).find((key) =>
    field === "service.cpu" ? SIZES[key].cpu === value : SIZES[key].cpu === cpu && SIZES[key].memory === value,
  );
  return preset ? { ...withoutExtraField(form, field), size: preset } : withExtraField(form, field, value);
}

// Sets one spec field (a dotted path, as /api/specs/complete proposes it) in the form: into
// its input when the form has one, else as an extra field written into the spec as it is.
export function applyField(form: SpecForm, field: string, value: unknown): SpecForm {
  if (field in WRITTEN_BY_FORM && WRITTEN_BY_FORM[field] === value) return withoutExtraField(form, field);
  const [head, key, detail] = field.split(".");
  switch (field) {
    case "name":
    case "owner":
    case "description":
      return { ...form, [field]: asText(value) };
    case "service.port":
    case "service.desired_count":
      if (!Number.isInteger(value)) break;
      return { ...withoutExtraField(form, field), [field === "service.port" ? "port" : "desiredCount"]: value };
    case "service.health_path":
      return { ...form, healthPath: asText(value) };
    case "service.cpu":
    case "service.memory":
      return withSize(form, field, value);
    case "database":
      if (value === null) return { ...form, database: false };
      break;
    case "storage.buckets":
      return { ...form, buckets: asWords(value) };
    case "secrets":
      return { ...form, secrets: asWords(value) };
  }
  if (head === "database" && key) return withExtraField({ ...form, database: true }, field, value);
  if (head === "env" && key && !detail) return { ...form, env: withSetting(form.env, key, asText(value)) };
  if (head === "environments" && key && detail) {
    if (detail === "aws_account_id") return withEnvironment(form, key, { accountId: asText(value) });
    if (detail === "region") return withEnvironment(form, key, { region: asText(value) });
    if (detail === "domain") return withEnvironment(form, key, { domain: asText(value) });
    if (detail === "approval" && typeof value === "boolean") return withEnvironment(form, key, { approval: value });
  }
  return withExtraField(form, field, value);
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// Dotted path → value; mappings are walked, anything else (lists too) is a leaf.
function leaves(data: Record<string, unknown>, prefix = ""): Array<[string, unknown]> {
  return Object.entries(data).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return isMapping(value) ? leaves(value, path) : [[path, value] as [string, unknown]];
  });
}

// A whole spec (e.g. from the AI chat) as the form, or why it cannot be one.
export function formFromSpec(text: string): { form: SpecForm } | { error: string } {
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    return { error: `the spec is not valid YAML: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!isMapping(data) || data.apiVersion !== "sbh/v1") return { error: "this is not an SBH spec (it needs apiVersion: sbh/v1)" };
  const start: SpecForm = { ...EMPTY_FORM, environments: [], extra: {} };
  return { form: leaves(data).reduce((form, [field, value]) => applyField(form, field, value), start) };
}

// The first fenced ```yaml block holding `apiVersion: sbh/v1`, as bot/flows/issue_spec.py finds it.
export function findSpec(text: string): string | null {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  for (let index = 0; index < lines.length; index++) {
    const opening = /^ {0,3}(`{3,}|~{3,})\s*([^\n`]*)$/.exec(lines[index]);
    if (!opening) continue;
    const [, fence, info] = opening;
    let closing = lines.findIndex((line, at) => at > index && line.trim().startsWith(fence) && !line.trim().replaceAll(fence[0], ""));
    if (closing < 0) closing = lines.length;
    const content = lines.slice(index + 1, closing).join("\n");
    if (["yaml", "yml", ""].includes(info.trim().toLowerCase()) && /^apiVersion:\s*["']?sbh\/v1["']?\s*(#.*)?$/m.test(content)) {
      return content + "\n";
    }
    index = closing;
  }
  return null;
}

// GitHub answers 414 for URLs much beyond 8 KB; longer specs are downloaded instead.
export const MAX_ISSUE_URL_LENGTH = 8000;

// A prefilled "new issue" link to the hub repository: the spec in a ```yaml block (what
// bot/flows/issue_spec.py reads) and the sbh label. Null when the URL would be too long.
export function specIssueUrl(hubRepository: string, spec: string, name: string): string | null {
  let fence = "```";
  while (spec.includes(fence)) fence += "`";
  const body = `Spec from the SBH System Builder.\n\n${fence}yaml\n${spec.trimEnd()}\n${fence}\n`;
  const query = [
    `title=${encodeURIComponent(`Spec: ${name || "new system"}`)}`,
    "labels=sbh",
    `body=${encodeURIComponent(body)}`,
  ].join("&");
  const url = `https://github.com/${hubRepository}/issues/new?${query}`;
  return url.length > MAX_ISSUE_URL_LENGTH ? null : url;
}
