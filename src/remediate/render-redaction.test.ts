/**
 * Rule 7 in plan and apply output: what a `redact:` rule covers is withheld as Secret values are,
 * in bodies, JSON patch `test` values and the server's messages, in text and JSON alike.
 */
import { describe, expect, it } from "vitest";
import type { RedactionConfig } from "../engine/redact.js";
import { renderApplyResult, renderPlan } from "./render.js";
import type { ApplyResult, Plan } from "./types.js";
import type { KubeObject } from "../kube/value/json.js";
import type { ObjectRef } from "../kube/object.js";

const key = "0123456789abcdef0123456789abcdef";
const redaction: RedactionConfig = {
  redact: [{ path: "/data/password", kinds: ["ConfigMap"] }],
  redactionKey: key,
};
const ref: ObjectRef = {
  group: "",
  version: "v1",
  kind: "ConfigMap",
  namespace: "shop",
  name: "credentials",
};
const secretRef: ObjectRef = { ...ref, kind: "Secret", name: "db" };
const configMap: KubeObject = {
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "credentials", namespace: "shop" },
  data: { user: "app", password: "493817" },
};
const secret: KubeObject = {
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "db", namespace: "shop" },
  data: { token: Buffer.from("tok-4711").toString("base64") },
};
/*
 * The keyed hashes, written out so that a hash that ignores the key (or returns a constant) fails:
 * the first 16 hex digits of HMAC-SHA-256 over the value's bytes with `key`, computed with
 *   printf %s VALUE | openssl dgst -sha256 -hmac 0123456789abcdef0123456789abcdef
 * A Secret's data is hashed as its base64-decoded bytes (`printf %s dG9rLTQ3MTE= | base64 -d | …`),
 * so "tok-4711" hashes the same read from data as from stringData.
 */
const hashOf = {
  "493817": "2c5cafc49850e30d",
  "000111": "62b7a966de5e549e",
  "tok-4711": "bb64929f59ed90ab",
} as const;
const marker = `(redacted ${hashOf["493817"]})`;

const plan: Plan = {
  cluster: "sandbox",
  validated: true,
  changes: [
    {
      action: "apply",
      ref,
      resourceVersion: "7",
      body: configMap,
      fields: [".data.password"],
      removals: [
        { op: "test", path: "/data/password", value: "000111" },
        { op: "remove", path: "/data/extra" },
      ],
      desired: { ref, object: configMap, source: { file: "cm.yaml", line: 1 } },
      verdict: {
        ok: false,
        code: 422,
        message: 'ConfigMap "credentials" is invalid: data.password: Invalid value: "493817"',
      },
    },
    {
      action: "create",
      ref: secretRef,
      body: secret,
      desired: { ref: secretRef, object: secret, source: { file: "secret.yaml", line: 1 } },
    },
  ],
  withheld: [],
};

const values = ["493817", "000111", "tok-4711", Buffer.from("tok-4711").toString("base64")];

describe("plan and apply output with redaction rules", () => {
  it("withholds what a rule covers in the text plan: body, patch test values and the server's message", () => {
    const text = renderPlan(plan, "text", { redaction });
    for (const value of values) expect(text).not.toContain(value);
    expect(text).toContain(`    password: ${marker}\n`);
    expect(text).toContain(`    user: app\n`);
    expect(text).toContain(`    test   data.password = "(redacted ${hashOf["000111"]})"\n`);
    expect(text).toContain("    remove data.extra\n");
    expect(text).toContain('data.password: Invalid value: "(value hidden)"');
    // A Secret's value hashes as its decoded bytes, as diff's does.
    expect(text).toContain(`token: (redacted ${hashOf["tok-4711"]})`);
  });

  it("and in the JSON plan", () => {
    const json = renderPlan(plan, "json", { redaction });
    for (const value of values) expect(json).not.toContain(value);
    const document = JSON.parse(json) as {
      changes: readonly { body: { data: Record<string, string> }; patch?: readonly unknown[] }[];
    };
    expect(document.changes[0]?.body.data).toEqual({ user: "app", password: marker });
    expect(document.changes[0]?.patch?.[0]).toEqual({
      op: "test",
      path: "/data/password",
      value: `(redacted ${hashOf["000111"]})`,
    });
  });

  it("without the engine config still hides Secret values, with no hash", () => {
    const text = renderPlan(plan, "text");
    expect(text).toContain("token: (value hidden)");
    expect(text).not.toContain("tok-4711");
  });

  it("scrubs the values the plan sent from the server's messages in the apply result", () => {
    const result: ApplyResult = {
      dryRun: true,
      outcomes: [
        {
          ref,
          action: "apply",
          status: "failed",
          message: 'data.password: Invalid value: "493817": must not be a PIN',
        },
      ],
      summary: { applied: 0, unchanged: 0, skipped: 0, failed: 1 } as ApplyResult["summary"],
    };
    for (const format of ["text", "json"] as const) {
      const output = renderApplyResult(result, format, { redaction, plan });
      expect(output).not.toContain("493817");
      expect(output).toContain("(value hidden)");
    }
  });
});
