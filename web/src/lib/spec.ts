// The System Builder's form state and the spec YAML it stands for (pure).
import { Document, Scalar, isCollection, parse, type ToStringOptions } from "yaml";

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

// sbh/v2: the kinds of service a system may have besides its main web service.
export type ServiceKind = "web" | "backend" | "worker" | "job" | "static-site";
export const SERVICE_KINDS: Record<ServiceKind, string> = {
  web: "Web: public, on the load balancer at a path",
  backend: "Backend: reached only by the other services",
  worker: "Worker: consumes its own queue",
  job: "Job: runs on a schedule",
  "static-site": "Static site: a built front end on the domain",
};

// One more service, with its kind's main fields (only the kind's own are written).
export interface ServiceForm {
  name: string;
  kind: ServiceKind;
  path: string; // web
  port: number; // web, backend
  schedule: string; // job
  maxReceiveCount: number; // worker: receives before the dead-letter queue
  source: string; // static-site
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
  // sbh/v2: the main web service's name (the port, health path and size above are its), and
  // the system's other services. With none, the spec is sbh/v1 (one web service).
  mainService: string;
  services: ServiceForm[];
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
  mainService: "api",
  services: [],
  extra: {},
};

const FIRST_PORT = 8000;

// A new service of `kind` whose name and port clash with none of the form's.
export function newService(form: SpecForm, kind: ServiceKind): ServiceForm {
  const names = new Set([form.mainService, ...form.services.map((service) => service.name)]);
  const stem = kind === "static-site" ? "site" : kind;
  let name = stem;
  for (let number = 2; names.has(name); number++) name = `${stem}${number}`;
  const ports = new Set([form.port, ...form.services.map((service) => service.port)]);
  let port = FIRST_PORT + 1;
  while (ports.has(port)) port++;
  return { name, kind, path: `/${name}/*`, port, schedule: "rate(1 day)", maxReceiveCount: 5, source: `services/${name}` };
}

// The spec is sbh/v2 once the system has more than its one web service.
export const isV2 = (form: SpecForm): boolean => form.services.length > 0;

function serviceData(service: ServiceForm): Record<string, unknown> {
  const kind = scalar(service.kind, "PLAIN");
  switch (service.kind) {
    case "web":
      return { kind, path: service.path, port: service.port };
    case "backend":
      return { kind, port: service.port };
    case "worker":
      return { kind, queue: { max_receive_count: service.maxReceiveCount } };
    case "job":
      return { kind, schedule: service.schedule };
    case "static-site":
      return { kind, source: service.source };
  }
}

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

// Strings are written double-quoted: plain, a name `yes`, an account id `011111111111` or
// `1e3` would be read back as a boolean or a number (by the server's YAML 1.1 reader too).
// Keys stay plain. No value is folded over lines: the server reports problems by line.
const WRITE_OPTIONS: ToStringOptions = {
  defaultStringType: "QUOTE_DOUBLE",
  defaultKeyType: "PLAIN",
  lineWidth: 0,
  doubleQuotedMinMultiLineLength: Infinity,
  flowCollectionPadding: false,
};
// Written in flow style, each on one line: `database: {engine: postgres, version: "16"}`.
const FLOW_KEYS = ["database", "storage", "secrets"];

function scalar(value: string, type: Scalar.Type): Scalar<string> {
  const node = new Scalar(value);
  node.type = type;
  return node;
}

// A mapping whose keys a person typed (environment and setting names), quoted as its values are.
const quotedKeys = <T>(entries: Array<[string, T]>): Map<Scalar<string>, T> =>
  new Map(entries.map(([key, value]) => [scalar(key, "QUOTE_DOUBLE"), value]));

function specData(form: SpecForm): Record<string, unknown> {
  const size = SIZES[form.size];
  const buckets = words(form.buckets);
  const settings = parseSettings(form.env);
  const secrets = words(form.secrets);
  const environments = form.environments.map((environment): [string, Record<string, unknown>] => [
    environment.name,
    {
      aws_account_id: environment.accountId,
      // Left out when empty, so completion can propose one.
      ...(environment.region ? { region: environment.region } : {}),
      ...(environment.domain ? { domain: environment.domain } : {}),
      approval: environment.approval,
    },
  ]);
  const main = { port: form.port, health_path: form.healthPath, cpu: size.cpu, memory: size.memory, desired_count: form.desiredCount };
  if (isV2(form)) {
    // sbh/v2: the main web service carries the settings and secrets; the others their kind's fields.
    const services: Array<[string, Record<string, unknown>]> = [
      [
        form.mainService,
        {
          kind: scalar("web", "PLAIN"),
          ...main,
          ...(settings.length ? { env: quotedKeys(settings) } : {}),
          ...(secrets.length ? { secrets } : {}),
        },
      ],
      ...form.services.map((service): [string, Record<string, unknown>] => [service.name, serviceData(service)]),
    ];
    return {
      apiVersion: scalar("sbh/v2", "PLAIN"),
      name: form.name,
      owner: form.owner,
      ...(form.description ? { description: form.description } : {}),
      services: quotedKeys(services),
      database: form.database ? { engine: scalar("postgres", "PLAIN"), version: "16" } : null,
      ...(buckets.length ? { storage: { buckets } } : {}),
      environments: environments.length ? quotedKeys(environments) : null,
    };
  }
  return {
    apiVersion: scalar("sbh/v1", "PLAIN"),
    name: form.name,
    owner: form.owner,
    ...(form.description ? { description: form.description } : {}),
    service: main,
    database: form.database ? { engine: scalar("postgres", "PLAIN"), version: "16" } : null,
    ...(buckets.length ? { storage: { buckets } } : {}),
    environments: environments.length ? quotedKeys(environments) : null,
    ...(settings.length ? { env: quotedKeys(settings) } : {}),
    ...(secrets.length ? { secrets } : {}),
  };
}

export function specYaml(form: SpecForm): string {
  const document = new Document(specData(form));
  for (const key of FLOW_KEYS) {
    const node = document.get(key);
    if (isCollection(node)) node.flow = true;
  }
  // Each service on a line of its own: `mailer: {kind: worker, queue: {max_receive_count: 5}}`.
  const services = document.get("services");
  if (isCollection(services)) {
    for (const item of services.items) {
      const value = (item as { value?: unknown }).value;
      if (isCollection(value)) value.flow = true;
    }
  }
  // Fields the form has no input for, set in at their paths (created as needed); an sbh/v2
  // spec has the v1 `service` fields on its main web service.
  for (const [field, value] of Object.entries(form.extra)) {
    if (!form.database && field.startsWith("database.")) continue;
    const path = field.split(".");
    document.setIn(isV2(form) && path[0] === "service" ? ["services", form.mainService, ...path.slice(1)] : path, value);
  }
  return document.toString(WRITE_OPTIONS);
}

export interface Problem {
  line: number;
  column: number;
  field: string;
  message: string;
}

// The server may report one problem more than once; a person needs to read it once.
export function distinctProblems(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = JSON.stringify([problem.line, problem.field, problem.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// Which form field a spec problem belongs to, so the error shows next to it.
export function formFieldOf(problem: Problem): string {
  const field = problem.field;
  if (field.startsWith("environments.")) return field.split(".").slice(0, 3).join(".");
  if (field.startsWith("service.cpu") || field.startsWith("service.memory")) return "size";
  if (field.startsWith("storage")) return "buckets";
  if (field.startsWith("services.")) return "services";
  return field.split(".")[0].split("[")[0];
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
  if (!isMapping(data) || (data.apiVersion !== "sbh/v1" && data.apiVersion !== "sbh/v2")) {
    return { error: "this is not an SBH spec (it needs apiVersion: sbh/v1 or sbh/v2)" };
  }
  const start: SpecForm = { ...EMPTY_FORM, environments: [], extra: {}, services: [] };
  const apply = (form: SpecForm, data: Record<string, unknown>) => leaves(data).reduce((changed, [field, value]) => applyField(changed, field, value), form);
  if (data.apiVersion === "sbh/v1") return { form: apply(start, data) };
  // sbh/v2: the first web service is the form's main service (its fields are v1's `service`,
  // `env` and `secrets`); every other service keeps its name, kind and its kind's main fields.
  const { services, ...shared } = data;
  const written = Object.entries(isMapping(services) ? services : {}).filter((entry): entry is [string, Record<string, unknown>] => isMapping(entry[1]));
  const main = written.find(([, service]) => service.kind === "web");
  let form = apply({ ...start, mainService: main?.[0] ?? EMPTY_FORM.mainService }, { ...shared, apiVersion: "sbh/v1" });
  if (main) {
    const { kind: _kind, env, secrets, ...fields } = main[1];
    form = apply(form, { service: fields, ...(env === undefined ? {} : { env }), ...(secrets === undefined ? {} : { secrets }) });
  }
  for (const [name, service] of written) {
    if (service === main?.[1] || !(String(service.kind) in SERVICE_KINDS)) continue;
    const made = newService(form, service.kind as ServiceKind);
    const queue = isMapping(service.queue) ? service.queue : {};
    const text = (value: unknown, otherwise: string) => (typeof value === "string" ? value : otherwise);
    const number = (value: unknown, otherwise: number) => (Number.isInteger(value) ? (value as number) : otherwise);
    form = {
      ...form,
      services: [
        ...form.services,
        {
          ...made,
          name,
          path: text(service.path, `/${name}/*`),
          port: number(service.port, made.port),
          schedule: text(service.schedule, made.schedule),
          maxReceiveCount: number(queue.max_receive_count, made.maxReceiveCount),
          source: text(service.source, `services/${name}`),
        },
      ],
    };
  }
  return { form };
}

// The first fenced ```yaml block holding `apiVersion: sbh/v1` (or sbh/v2), as bot/flows/issue_spec.py finds it.
export function findSpec(text: string): string | null {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  for (let index = 0; index < lines.length; index++) {
    const opening = /^ {0,3}(`{3,}|~{3,})\s*([^\n`]*)$/.exec(lines[index]);
    if (!opening) continue;
    const [, fence, info] = opening;
    let closing = lines.findIndex((line, at) => at > index && line.trim().startsWith(fence) && !line.trim().replaceAll(fence[0], ""));
    if (closing < 0) closing = lines.length;
    const content = lines.slice(index + 1, closing).join("\n");
    if (["yaml", "yml", ""].includes(info.trim().toLowerCase()) && /^apiVersion:\s*["']?sbh\/v[12]["']?\s*(#.*)?$/m.test(content)) {
      return content + "\n";
    }
    index = closing;
  }
  return null;
}

// GitHub answers 414 for URLs much beyond 8 KB; longer specs are downloaded instead.
export const MAX_ISSUE_URL_LENGTH = 8000;

// Where spec issues are opened, as GET /api/config says.
export interface IssueTarget {
  github_web_url: string;
  hub_repository: string;
  spec_label: string;
}

// A prefilled "new issue" link to the hub repository: the spec in a ```yaml block (what
// bot/flows/issue_spec.py reads) and the label SBH reads. Null when the URL would be too long.
export function specIssueUrl(target: IssueTarget, spec: string, name: string): string | null {
  let fence = "```";
  while (spec.includes(fence)) fence += "`";
  const body = `Spec from the SBH System Builder.\n\n${fence}yaml\n${spec.trimEnd()}\n${fence}\n`;
  const query = [
    `title=${encodeURIComponent(`Spec: ${name || "new system"}`)}`,
    `labels=${encodeURIComponent(target.spec_label)}`,
    `body=${encodeURIComponent(body)}`,
  ].join("&");
  const url = `${target.github_web_url}/${target.hub_repository}/issues/new?${query}`;
  return url.length > MAX_ISSUE_URL_LENGTH ? null : url;
}
