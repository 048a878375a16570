import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { EMPTY_FORM, MAX_ISSUE_URL_LENGTH, SIZES, applyField, findSpec, formFieldOf, formFromSpec, parseSettings, specIssueUrl, specYaml } from "./spec";

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
    expect(formFromSpec("name: x\n")).toEqual({ error: "this is not an SBH spec (it needs apiVersion: sbh/v1)" });
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
  it("prefills a new issue with the spec in a yaml block and the sbh label", () => {
    const spec = specYaml({ ...EMPTY_FORM, name: "orders-api" });
    const url = new URL(specIssueUrl("acme/hub", spec, "orders-api") ?? "");

    expect(url.origin + url.pathname).toBe("https://github.com/acme/hub/issues/new");
    expect(url.searchParams.get("title")).toBe("Spec: orders-api");
    expect(url.searchParams.get("labels")).toBe("sbh");
    expect(findSpec(url.searchParams.get("body") ?? "")).toBe(spec);
  });

  it("gives no link when the URL would be too long for GitHub", () => {
    const long = specYaml({ ...EMPTY_FORM, description: "x".repeat(MAX_ISSUE_URL_LENGTH) });

    expect(specIssueUrl("acme/hub", long, "x")).toBeNull();
  });
});
