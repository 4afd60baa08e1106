import { describe, expect, it } from "vitest";
import type { JsonObject, KubeObject } from "../../../kube/value/json.js";
import { ruleCompilationErrors, validationRuleErrors } from "./cel-rules.js";

function widget(spec: JsonObject): KubeObject {
  return { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec };
}

function schemaWithSpec(spec: JsonObject): JsonObject {
  return { type: "object", properties: { spec } };
}

describe("validationRuleErrors", () => {
  const schema = schemaWithSpec({
    type: "object",
    "x-kubernetes-validations": [
      { rule: "self.replicas <= self.maxReplicas", message: "replicas must not exceed maxReplicas" },
    ],
    properties: {
      replicas: { type: "integer", "x-kubernetes-validations": [{ rule: "self >= 0" }] },
      maxReplicas: { type: "integer" },
      name: {
        type: "string",
        "x-kubernetes-validations": [
          { rule: "self.startsWith('w-')", messageExpression: "'name ' + self + ' must start with w-'" },
        ],
      },
    },
  });

  it("passes values that meet every rule", () => {
    expect(
      validationRuleErrors(schema, widget({ replicas: 2, maxReplicas: 3, name: "w-a" }), undefined),
    ).toEqual([]);
  });

  it("reports a failure at the node with the OpenAPI type, using message, messageExpression or the rule", () => {
    expect(
      validationRuleErrors(schema, widget({ replicas: -1, maxReplicas: -2, name: "a" }), undefined),
    ).toEqual([
      {
        reason: "FieldValueInvalid",
        message: 'Invalid value: "object": replicas must not exceed maxReplicas',
        field: "spec",
      },
      {
        reason: "FieldValueInvalid",
        message: 'Invalid value: "integer": failed rule: self >= 0',
        field: "spec.replicas",
      },
      {
        reason: "FieldValueInvalid",
        message: 'Invalid value: "string": name a must start with w-',
        field: "spec.name",
      },
    ]);
  });

  it("does not evaluate rules on absent or null values", () => {
    expect(validationRuleErrors(schema, { metadata: { name: "w" } }, undefined)).toEqual([]);
    expect(
      validationRuleErrors(schema, widget({ replicas: 1, maxReplicas: 2, name: null }), undefined),
    ).toEqual([]);
  });

  it("falls back to message when messageExpression gives an empty string or fails", () => {
    const fallback = schemaWithSpec({
      type: "string",
      "x-kubernetes-validations": [
        { rule: "self == 'ok'", message: "must be ok", messageExpression: "''" },
        { rule: "self == 'ok'", messageExpression: "'got ' + self.missing" },
      ],
    });
    expect(validationRuleErrors(fallback, { metadata: { name: "w" }, spec: "ok" }, undefined)).toEqual([]);
    expect(validationRuleErrors(fallback, { metadata: { name: "w" }, spec: "no" }, undefined)).toEqual([
      { reason: "FieldValueInvalid", message: 'Invalid value: "string": must be ok', field: "spec" },
      {
        reason: "FieldValueInvalid",
        message: "Invalid value: \"string\": failed rule: self == 'ok'",
        field: "spec",
      },
    ]);
  });

  it("puts the cause at the node's path plus fieldPath, with the rule's reason", () => {
    const reasons = schemaWithSpec({
      type: "object",
      "x-kubernetes-validations": [
        {
          rule: "has(self.size)",
          message: "size is required",
          fieldPath: ".size",
          reason: "FieldValueRequired",
        },
        { rule: "self.mode != 'root'", message: "root is not allowed", reason: "FieldValueForbidden" },
        { rule: "self.items.size() < 2", reason: "FieldValueDuplicate" },
      ],
      properties: { mode: { type: "string" }, size: { type: "string" }, items: { type: "array" } },
    });
    expect(validationRuleErrors(reasons, widget({ mode: "root", items: [1, 1] }), undefined)).toEqual([
      { reason: "FieldValueRequired", message: "Required value: size is required", field: "spec.size" },
      { reason: "FieldValueForbidden", message: "Forbidden: root is not allowed", field: "spec" },
      { reason: "FieldValueDuplicate", message: 'Duplicate value: "object"', field: "spec" },
    ]);
  });

  it("runs rules on each list item and map value, with their paths", () => {
    const nested = schemaWithSpec({
      type: "object",
      properties: {
        ports: {
          type: "array",
          items: {
            type: "integer",
            "x-kubernetes-validations": [{ rule: "self > 1024", message: "unprivileged" }],
          },
        },
        limits: {
          type: "object",
          additionalProperties: { type: "string", "x-kubernetes-validations": [{ rule: "self != ''" }] },
        },
      },
    });
    expect(
      validationRuleErrors(nested, widget({ ports: [8080, 80], limits: { cpu: "" } }), undefined),
    ).toEqual([
      {
        reason: "FieldValueInvalid",
        message: 'Invalid value: "integer": unprivileged',
        field: "spec.ports[1]",
      },
      {
        reason: "FieldValueInvalid",
        message: "Invalid value: \"string\": failed rule: self != ''",
        field: "spec.limits[cpu]",
      },
    ]);
  });

  it("reports a rule that errors at runtime without stopping the others", () => {
    const failing = schemaWithSpec({
      type: "object",
      "x-kubernetes-validations": [{ rule: "self.a / self.b > 1" }, { rule: "self.a > 5", message: "a > 5" }],
      properties: { a: { type: "integer" }, b: { type: "integer" } },
    });
    expect(validationRuleErrors(failing, widget({ a: 1, b: 0 }), undefined)).toEqual([
      {
        reason: "FieldValueInvalid",
        message: 'Invalid value: "object": division by zero evaluating rule: self.a / self.b > 1',
        field: "spec",
      },
      { reason: "FieldValueInvalid", message: 'Invalid value: "object": a > 5', field: "spec" },
    ]);
  });

  it("binds the root to apiVersion, kind, metadata.name and the body", () => {
    const root = {
      type: "object",
      "x-kubernetes-validations": [
        { rule: "self.metadata.name.size() < 3 && self.kind == 'Widget' && !has(self.metadata.uid)" },
      ],
    };
    const object = { ...widget({}), metadata: { name: "w", uid: "u" } };
    expect(validationRuleErrors(root, object, undefined)).toEqual([]);
    expect(validationRuleErrors(root, { ...object, metadata: { name: "long" } }, undefined)).toHaveLength(1);
  });
});

describe("transition rules", () => {
  const immutable = schemaWithSpec({
    type: "object",
    properties: {
      class: {
        type: "string",
        "x-kubernetes-validations": [{ rule: "self == oldSelf", message: "is immutable" }],
      },
      replicas: {
        type: "integer",
        "x-kubernetes-validations": [
          {
            rule: "!oldSelf.hasValue() || self >= oldSelf.value()",
            message: "may not shrink",
            optionalOldSelf: true,
          },
          { rule: "oldSelf.hasValue() || self < 10", message: "starts below 10", optionalOldSelf: true },
        ],
      },
    },
  });

  it("skips rules on oldSelf on create, unless oldSelf is optional", () => {
    expect(validationRuleErrors(immutable, widget({ class: "gold", replicas: 3 }), undefined)).toEqual([]);
    expect(validationRuleErrors(immutable, widget({ replicas: 12 }), undefined)).toEqual([
      {
        reason: "FieldValueInvalid",
        message: 'Invalid value: "integer": starts below 10',
        field: "spec.replicas",
      },
    ]);
  });

  it("evaluates them on update against the old value", () => {
    const old = widget({ class: "gold", replicas: 3 });
    expect(validationRuleErrors(immutable, widget({ class: "gold", replicas: 12 }), old)).toEqual([]);
    expect(validationRuleErrors(immutable, widget({ class: "silver", replicas: 2 }), old)).toEqual([
      { reason: "FieldValueInvalid", message: 'Invalid value: "string": is immutable', field: "spec.class" },
      {
        reason: "FieldValueInvalid",
        message: 'Invalid value: "integer": may not shrink',
        field: "spec.replicas",
      },
    ]);
    // A field the old object lacked has nothing to correlate with.
    expect(validationRuleErrors(immutable, widget({ class: "silver" }), widget({}))).toEqual([]);
  });

  it("correlates list items by x-kubernetes-list-map-keys, and not in other lists", () => {
    const item = {
      type: "object",
      properties: { name: { type: "string" }, port: { type: "integer" } },
      "x-kubernetes-validations": [{ rule: "self.port == oldSelf.port", message: "port is immutable" }],
    };
    const lists = schemaWithSpec({
      type: "object",
      properties: {
        mapped: {
          type: "array",
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["name"],
          items: item,
        },
        atomic: { type: "array", items: item },
      },
    });
    const old = widget({
      mapped: [
        { name: "a", port: 1 },
        { name: "b", port: 2 },
      ],
      atomic: [{ name: "a", port: 1 }],
    });
    const updated = widget({
      mapped: [
        { name: "c", port: 9 },
        { name: "b", port: 3 },
        { name: "a", port: 1 },
      ],
      atomic: [{ name: "a", port: 5 }],
    });
    expect(validationRuleErrors(lists, updated, old)).toEqual([
      {
        reason: "FieldValueInvalid",
        message: 'Invalid value: "object": port is immutable',
        field: "spec.mapped[1]",
      },
    ]);
  });

  it("ratchets: a rule without oldSelf does not fail a value the update left unchanged", () => {
    const positive = schemaWithSpec({
      type: "object",
      properties: {
        a: { type: "integer", "x-kubernetes-validations": [{ rule: "self > 0" }] },
        b: { type: "string" },
      },
    });
    const old = widget({ a: -1, b: "x" });
    expect(validationRuleErrors(positive, widget({ a: -1, b: "y" }), old)).toEqual([]);
    expect(validationRuleErrors(positive, widget({ a: -2, b: "x" }), old)).toEqual([
      {
        reason: "FieldValueInvalid",
        message: 'Invalid value: "integer": failed rule: self > 0',
        field: "spec.a",
      },
    ]);
  });
});

describe("ruleCompilationErrors", () => {
  const path = "spec.versions[0].schema.openAPIV3Schema";

  it("accepts rules that compile to a bool", () => {
    const schema = schemaWithSpec({
      type: "object",
      "x-kubernetes-validations": [{ rule: "self.a == oldSelf.a", messageExpression: "'a is ' + self.a" }],
    });
    expect(ruleCompilationErrors(schema, path)).toEqual([]);
  });

  it("refuses rules and messageExpressions that do not compile, at their schema path", () => {
    const schema = schemaWithSpec({
      type: "object",
      properties: {
        items: {
          type: "array",
          items: {
            type: "string",
            "x-kubernetes-validations": [{ rule: "self ==" }, { rule: "'text'" }, { rule: "" }],
          },
        },
      },
      "x-kubernetes-validations": [{ rule: "self.isSorted()" }, { rule: "true", messageExpression: "1" }],
    });
    const base = `${path}.properties[spec]`;
    const rule = (text: string, extra = ""): string =>
      `apiextensions.ValidationRule{Rule:${JSON.stringify(text)}, Message:"", MessageExpression:${JSON.stringify(extra)}, Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}`;
    expect(ruleCompilationErrors(schema, path)).toEqual([
      {
        reason: "FieldValueInvalid",
        message: `Invalid value: ${rule("self.isSorted()")}: compilation failed: ERROR: <input>:1:1: found no matching overload for 'dyn.isSorted()'`,
        field: `${base}.x-kubernetes-validations[0].rule`,
      },
      {
        reason: "FieldValueInvalid",
        message: `Invalid value: ${rule("true", "1")}: messageExpression must evaluate to a string`,
        field: `${base}.x-kubernetes-validations[1].messageExpression`,
      },
      {
        reason: "FieldValueInvalid",
        message: `Invalid value: ${rule("self ==")}: compilation failed: ERROR: <input>:1:8: Unexpected token: EOF`,
        field: `${base}.properties[items].items.x-kubernetes-validations[0].rule`,
      },
      {
        reason: "FieldValueInvalid",
        message: `Invalid value: ${rule("'text'")}: cel expression must evaluate to a bool`,
        field: `${base}.properties[items].items.x-kubernetes-validations[1].rule`,
      },
      {
        reason: "FieldValueRequired",
        message: "Required value: rule is not specified",
        field: `${base}.properties[items].items.x-kubernetes-validations[2].rule`,
      },
    ]);
  });

  it("reports a stored rule that does not compile when a resource is validated", () => {
    const schema = schemaWithSpec({ type: "object", "x-kubernetes-validations": [{ rule: "self ==" }] });
    expect(validationRuleErrors(schema, widget({}), undefined)).toEqual([
      {
        reason: "FieldValueInvalid",
        message:
          'Invalid value: "object": rule compile error: compilation failed: ERROR: <input>:1:8: Unexpected token: EOF',
        field: "spec",
      },
    ]);
  });
});
