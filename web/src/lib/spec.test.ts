import { describe, expect, it } from "vitest";
import { EMPTY_FORM, SIZES, formFieldOf, parseSettings, specYaml } from "./spec";

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
