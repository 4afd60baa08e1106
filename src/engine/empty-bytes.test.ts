import { describe, expect, it } from "vitest";
import { builtinSchema } from "../kube/schema/builtin.js";
import type { KubeObject } from "../kube/value/json.js";
import { compare } from "./compare.js";
import { defaultEngineConfig } from "./config.js";

const ref = (kind: string, name: string) => ({ group: "", version: "v1", kind, namespace: "shop", name });

function verdict(kind: string, desired: KubeObject, live: KubeObject) {
  const report = compare({
    desired: [{ ref: ref(kind, "x"), object: desired, source: { file: "x.yaml", line: 1 } }],
    live: [{ ref: ref(kind, "x"), object: live }],
    scope: { kinds: [], namespaces: [] },
    schema: builtinSchema,
    config: defaultEngineConfig,
    cluster: "test",
    generatedAt: "2026-12-02T00:00:00Z",
  });
  const resource = report.resources[0];
  return { status: resource?.status, drifts: resource?.drifts.map((drift) => [drift.path, drift.type]) };
}

const object = (kind: string, field: string, values: Record<string, string | null>): KubeObject => ({
  apiVersion: "v1",
  kind,
  metadata: { name: "x", namespace: "shop" },
  [field]: values,
});

describe("empty bytes (rule 5)", () => {
  it('a Secret data value of "" is in sync with the null kube-apiserver reads back', () => {
    expect(
      verdict("Secret", object("Secret", "data", { token: "" }), object("Secret", "data", { token: null })),
    ).toEqual({
      status: "InSync",
      drifts: [],
    });
  });

  it("so is an empty stringData value, and an empty ConfigMap binaryData value", () => {
    expect(
      verdict(
        "Secret",
        object("Secret", "stringData", { token: "" }),
        object("Secret", "data", { token: null }),
      ).status,
    ).toBe("InSync");
    expect(
      verdict(
        "ConfigMap",
        object("ConfigMap", "binaryData", { blob: "" }),
        object("ConfigMap", "binaryData", { blob: null }),
      ).status,
    ).toBe("InSync");
  });

  it("a missing key is still drift, and so is an empty string where text is expected", () => {
    expect(verdict("Secret", object("Secret", "data", { token: "" }), object("Secret", "data", {}))).toEqual({
      status: "Drifted",
      drifts: [["/data/token", "Removed"]],
    });
    expect(
      verdict(
        "ConfigMap",
        object("ConfigMap", "data", { mode: "" }),
        object("ConfigMap", "data", { mode: null }),
      ).status,
    ).toBe("Drifted");
  });
});
