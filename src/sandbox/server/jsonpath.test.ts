import { describe, expect, it } from "vitest";
import { evaluateJsonPath } from "./jsonpath.js";

const object = {
  spec: { replicas: 3, hosts: ["a.example", "b.example"] },
  status: {
    conditions: [
      { type: "Ready", status: "True" },
      { type: "Synced", status: "False" },
    ],
  },
};

describe("evaluateJsonPath", () => {
  it("follows fields, indices, wildcards and equality filters", () => {
    expect(evaluateJsonPath(".spec.replicas", object)).toEqual([3]);
    expect(evaluateJsonPath(".spec.hosts[1]", object)).toEqual(["b.example"]);
    expect(evaluateJsonPath(".spec.hosts[*]", object)).toEqual(["a.example", "b.example"]);
    expect(evaluateJsonPath('.status.conditions[?(@.type=="Ready")].status', object)).toEqual(["True"]);
    expect(evaluateJsonPath("{.spec.replicas}", object)).toEqual([3]);
  });

  it("finds nothing on a missing path", () => {
    expect(evaluateJsonPath(".spec.missing.deeper", object)).toEqual([]);
    expect(evaluateJsonPath(".spec.hosts[5]", object)).toEqual([]);
  });
});
