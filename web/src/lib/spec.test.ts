import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { EMPTY_FORM, MAX_ISSUE_URL_LENGTH, SIZES, applyField, findSpec, formFieldOf, formFromSpec, parseSettings, specIssueUrl, specYaml, type SpecForm } from "./spec";

describe("specYaml", () => {
  it("writes every value a person types as a quoted string", () => {
    const yaml = specYaml({ ...EMPTY_FORM, name: "orders-api", owner: "acme", description: 'say "hi": #1' });

    expect(yaml).toContain('name: "orders-api"');
    expect(yaml).toContain('description: "say \\"hi\\": #1"');
    expect(yaml.startsWith("apiVersion: sbh/v1\n")).toBe(true);
  });

  it("maps size presets to valid Fargate pairs", () => {
    const yaml = specYaml({ ...EMPTY_FORM, size: "medium" });

    expect(yaml).toContain(`cpu: ${SIZES.medium.cpu}`);
    expect(yaml).toContain(`memory: ${SIZES.medium.memory}`);
  });

  it("writes buckets, settings and secret names, and null for no database", () => {
    const yaml = specYaml({
      ...EMPTY_FORM,
      database: false,
      buckets: "uploads, exports",
      env: "LOG_LEVEL=info\n# comment\nFEATURE=a=b",
      secrets: "STRIPE_KEY SENTRY_DSN",
    });

    expect(yaml).toContain("database: null");
    expect(yaml).toContain('storage: {buckets: ["uploads", "exports"]}');
    expect(yaml).toContain('  "FEATURE": "a=b"');
    expect(yaml).toContain('secrets: ["STRIPE_KEY", "SENTRY_DSN"]');
  });
});

// Values YAML would read as something else than the string a person typed, were they plain.
const HOSTILE: SpecForm = {
  ...EMPTY_FORM,
  name: "yes",
  owner: "on",
  description: "1e3",
  healthPath: "null",
  buckets: "true 0x1f",
  environments: [
    { name: "dev", accountId: "011111111111", region: "no", domain: "~", approval: false },
    { name: "prod", accountId: "222222222222", region: "", domain: "", approval: true },
  ],
  env: "FEATURE=off\nRETRIES=3\nEMPTY=",
  secrets: "Y N",
};

describe("specYaml with values YAML would misread", () => {
  it("keeps every one a string", () => {
    const data = parse(specYaml(HOSTILE));

    expect(data).toMatchObject({ name: "yes", owner: "on", description: "1e3", service: { health_path: "null" }, storage: { buckets: ["true", "0x1f"] } });
    expect(data.environments.dev).toEqual({ aws_account_id: "011111111111", region: "no", domain: "~", approval: false });
    expect(data.env).toEqual({ FEATURE: "off", RETRIES: "3", EMPTY: "" });
    expect(data.secrets).toEqual(["Y", "N"]);
  });

  it("quotes them, also for a YAML 1.1 reader like the server's", () => {
    const yaml = specYaml(HOSTILE);

    expect(yaml).toContain('name: "yes"\nowner: "on"\ndescription: "1e3"\n');
    expect(yaml).toContain('    aws_account_id: "011111111111"\n');
    expect(yaml).toContain('  "FEATURE": "off"\n');
    expect(parse(yaml, { version: "1.1" }).environments.dev.aws_account_id).toBe("011111111111");
  });

  it("reads back as the same form", () => {
    expect(formFromSpec(specYaml(HOSTILE))).toEqual({ form: HOSTILE });
    const other = { ...HOSTILE, database: false, size: "large" as const, port: 9000, desiredCount: 1, extra: { runtime: "python-fastapi", "service.memory": 4096 } };
    expect(formFromSpec(specYaml(other))).toEqual({ form: other });
  });

  it("writes one key a line, even for a text over several lines", () => {
    const yaml = specYaml({ ...EMPTY_FORM, description: `${"a long first line ".repeat(8)}\nand a second` });

    expect(yaml.split("\n")[3]).toMatch(/^description: ".*\\nand a second"$/);
    expect(parse(yaml).description).toContain("\nand a second");
  });

  it("writes `environments: null` for a form without environments, as `environments:` was", () => {
    expect(parse(specYaml({ ...EMPTY_FORM, environments: [] })).environments).toBeNull();
  });
});

describe("parseSettings", () => {
  it("splits at the first equals sign and skips comments", () => {
    expect(parseSettings("A=1\n#x\n\nB = two=2")).toEqual([
      ["A", "1"],
      ["B", "two=2"],
    ]);
  });
});

describe("formFieldOf", () => {
  it("puts each problem next to the field a person edits", () => {
    const at = (field: string) => formFieldOf({ line: 1, column: 1, field, message: "" });

    expect(at("environments.prod.aws_account_id")).toBe("environments.prod.aws_account_id");
    expect(at("service.memory")).toBe("size");
    expect(at("storage.buckets[1]")).toBe("buckets");
    expect(at("secrets[0]")).toBe("secrets");
  });
});

const FULL_SPEC = `apiVersion: sbh/v1
name: orders-api
owner: acme
runtime: python-fastapi
service: {port: 9000, cpu: 2048, memory: 4096}
database: {engine: postgres, version: "16", instance_class: db.t4g.small}
storage: {buckets: [uploads]}
environments:
  dev: {aws_account_id: "111111111111", region: us-west-2, domain: orders.dev.acme.io}
  prod: {aws_account_id: "222222222222", domain: orders.acme.io}
env: {LOG_LEVEL: info}
secrets: [STRIPE_KEY]
`;

describe("applyField", () => {
  it("puts a proposed field into its input, and a field without one into the spec as it is", () => {
    let form = applyField(EMPTY_FORM, "description", "Order intake");
    form = applyField(form, "storage.buckets", ["invoices", "exports"]);
    form = applyField(form, "env.LOG_LEVEL", "debug");
    form = applyField(form, "secrets", ["STRIPE_KEY"]);
    form = applyField(form, "environments.dev.region", "eu-west-1");
    form = applyField(form, "service.memory", 1024);
    form = applyField(form, "database.instance_class", "db.t4g.small");

    expect(form.description).toBe("Order intake");
    expect(form.buckets).toBe("invoices exports");
    expect(form.env).toBe("LOG_LEVEL=debug");
    expect(form.secrets).toBe("STRIPE_KEY");
    expect(form.environments[0].region).toBe("eu-west-1");
    expect(form.extra).toEqual({ "service.memory": 1024, "database.instance_class": "db.t4g.small" });
    expect(parse(specYaml(form)).database).toEqual({ engine: "postgres", version: "16", instance_class: "db.t4g.small" });
  });

  it("chooses the size preset a cpu and memory pair matches", () => {
    expect(applyField(applyField(EMPTY_FORM, "service.cpu", 512), "service.memory", 1024)).toMatchObject({ size: "medium", extra: {} });
  });

  it("turns the database off when null is proposed", () => {
    expect(specYaml(applyField(EMPTY_FORM, "database", null))).toContain("database: null");
  });
});

describe("formFromSpec", () => {
  it("loads a whole spec into the form and writes the same spec back", () => {
    const loaded = formFromSpec(FULL_SPEC);
    if (!("form" in loaded)) throw new Error(loaded.error);

    expect(loaded.form).toMatchObject({ name: "orders-api", owner: "acme", port: 9000, buckets: "uploads", env: "LOG_LEVEL=info", secrets: "STRIPE_KEY" });
    expect(loaded.form.environments.map((environment) => [environment.name, environment.region, environment.approval])).toEqual([
      ["dev", "us-west-2", false],
      ["prod", "", true],
    ]);
    const written = parse(specYaml(loaded.form));
    const original = parse(FULL_SPEC);
    expect(written.service).toMatchObject(original.service);
    expect(written.database).toEqual(original.database);
    expect(written.runtime).toBe("python-fastapi");
    expect(written.environments.prod.region).toBeUndefined();
  });

  it("says why a text is not a spec", () => {
    expect(formFromSpec("name: [")).toHaveProperty("error", expect.stringContaining("not valid YAML"));
    expect(formFromSpec("name: x\n")).toEqual({ error: "this is not an SBH spec (it needs apiVersion: sbh/v1 or sbh/v2)" });
  });
});

describe("findSpec", () => {
  it("finds the first yaml block with apiVersion sbh/v1, as the bot does in issues", () => {
    const reply = "Here:\n```yaml\nfoo: 1\n```\nand the spec:\n```yaml\napiVersion: sbh/v1\nname: orders-api\n```\nDone.";

    expect(findSpec(reply)).toBe("apiVersion: sbh/v1\nname: orders-api\n");
    expect(findSpec("no spec here")).toBeNull();
  });
});

describe("specIssueUrl", () => {
  const hub = { github_web_url: "https://github.com", hub_repository: "acme/hub", spec_label: "sbh" };

  it("prefills a new issue with the spec in a yaml block and the sbh label", () => {
    const spec = specYaml({ ...EMPTY_FORM, name: "orders-api" });
    const url = new URL(specIssueUrl(hub, spec, "orders-api") ?? "");

    expect(url.origin + url.pathname).toBe("https://github.com/acme/hub/issues/new");
    expect(url.searchParams.get("title")).toBe("Spec: orders-api");
    expect(url.searchParams.get("labels")).toBe("sbh");
    expect(findSpec(url.searchParams.get("body") ?? "")).toBe(spec);
  });

  it("gives no link when the URL would be too long for GitHub", () => {
    const long = specYaml({ ...EMPTY_FORM, description: "x".repeat(MAX_ISSUE_URL_LENGTH) });

    expect(specIssueUrl(hub, long, "x")).toBeNull();
  });

  it("opens the issue on the GitHub the server names, with its label", () => {
    const enterprise = { github_web_url: "https://github.example.com", hub_repository: "acme/hub", spec_label: "sbh" };
    const url = new URL(specIssueUrl(enterprise, specYaml(EMPTY_FORM), "x") ?? "");

    expect(url.origin + url.pathname).toBe("https://github.example.com/acme/hub/issues/new");
  });
});

describe("sbh/v2 specs", () => {
  const V2 = `apiVersion: sbh/v2
name: shop
owner: acme
services:
  web: {kind: web, path: "/*", port: 8000, health_path: /health, cpu: 512, memory: 1024, env: {LOG_LEVEL: info}, secrets: [STRIPE_KEY]}
  catalog: {kind: backend, port: 8001}
  mailer: {kind: worker, queue: {max_receive_count: 3}}
  nightly: {kind: job, schedule: "cron(0 3 * * ? *)"}
  storefront: {kind: static-site, source: storefront}
environments:
  dev: {aws_account_id: "111111111111", region: us-west-2, domain: shop.dev.acme.io, approval: false}
`;

  it("loads into the form and writes back the same services", () => {
    const loaded = formFromSpec(V2);
    if (!("form" in loaded)) throw new Error(loaded.error);
    const { form } = loaded;

    expect(form.mainService).toBe("web");
    expect([form.port, form.healthPath, form.size, form.env, form.secrets]).toEqual([8000, "/health", "medium", "LOG_LEVEL=info", "STRIPE_KEY"]);
    expect(form.services.map((service) => [service.name, service.kind])).toEqual([
      ["catalog", "backend"],
      ["mailer", "worker"],
      ["nightly", "job"],
      ["storefront", "static-site"],
    ]);
    const written = parse(specYaml(form));
    expect(written.apiVersion).toBe("sbh/v2");
    expect(written.services).toEqual({
      ...parse(V2).services,
      web: { ...parse(V2).services.web, desired_count: 2 },
    });
  });

  it("finds an sbh/v2 spec in a chat answer", () => {
    expect(findSpec("Here:\n\n```yaml\n" + V2 + "```\n")).toBe(V2);
  });
});
