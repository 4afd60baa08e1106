import { formatQuantity, parseQuantity } from "../quantity.js";
import type { ListType, MapType, Schema, SchemaType, StructType } from "./types.js";
import { ScalarKinds } from "./types.js";
import type { JsonObject, JsonValue } from "../value/json.js";
import { isJsonObject } from "../value/json.js";

/**
 * Field paths as kube-apiserver's strict decoding spells them (sigs.k8s.io/json):
 * keys joined by ".", list elements as "[i]" — `spec.template.spec.containers[0].foo`.
 */
function childPath(parent: string, key: string): string {
  return parent === "" ? key : `${parent}.${key}`;
}

function itemPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

interface Walk {
  readonly schema: Schema;
  readonly found: string[];
}

function collectUnknown(walk: Walk, type: SchemaType, value: JsonValue, path: string): void {
  const resolved = walk.schema.resolve(type);
  if (resolved.kind === "struct" && isJsonObject(value)) collectUnknownInStruct(walk, resolved, value, path);
  else if (resolved.kind === "map" && isJsonObject(value)) {
    for (const [key, item] of Object.entries(value))
      collectUnknown(walk, resolved.values, item, childPath(path, key));
  } else if (resolved.kind === "list" && Array.isArray(value)) {
    const items = value as readonly JsonValue[];
    items.forEach((item, index) => collectUnknown(walk, resolved.items, item, itemPath(path, index)));
  }
}

function collectUnknownInStruct(walk: Walk, type: StructType, value: JsonObject, path: string): void {
  for (const [key, item] of Object.entries(value)) {
    const field = type.fields[key];
    if (field !== undefined) collectUnknown(walk, field, item, childPath(path, key));
    else if (type.preserveUnknownFields !== true) walk.found.push(childPath(path, key));
  }
}

/**
 * The fields of `value` that `type` does not declare, in document order, as strict field
 * validation reports them: `unknown field "spec.foo"` (built-in kinds and custom resources
 * alike; server-side apply instead says `.spec.foo: field not declared in schema`).
 * Untyped values and structs with `x-kubernetes-preserve-unknown-fields` accept anything.
 */
export function unknownFields(schema: Schema, type: SchemaType, value: JsonValue): string[] {
  const walk: Walk = { schema, found: [] };
  collectUnknown(walk, type, value, "");
  return walk.found;
}

type Transform = (type: Exclude<SchemaType, { kind: "ref" }>, value: JsonValue) => JsonValue | undefined;

/** Rebuilds `value` along `type`, letting `leaf` replace scalars and `struct` filter struct fields. */
interface Rewrite {
  readonly schema: Schema;
  readonly scalar: Transform;
  readonly keepUnknown: (type: StructType) => boolean;
}

function rewrite(rules: Rewrite, type: SchemaType, value: JsonValue): JsonValue {
  const resolved = rules.schema.resolve(type);
  switch (resolved.kind) {
    case "struct":
      return isJsonObject(value) ? rewriteStruct(rules, resolved, value) : value;
    case "map":
      return isJsonObject(value) ? rewriteMap(rules, resolved, value) : value;
    case "list":
      return Array.isArray(value) ? rewriteList(rules, resolved, value as readonly JsonValue[]) : value;
    case "scalar":
      return rules.scalar(resolved, value) ?? value;
    case "untyped":
      return value;
  }
}

function rewriteStruct(rules: Rewrite, type: StructType, value: JsonObject): JsonObject {
  const result: Record<string, JsonValue> = {};
  for (const [key, item] of Object.entries(value)) {
    const field = type.fields[key];
    if (field !== undefined) result[key] = rewrite(rules, field, item);
    else if (rules.keepUnknown(type)) result[key] = item;
  }
  return result;
}

function rewriteMap(rules: Rewrite, type: MapType, value: JsonObject): JsonObject {
  const result: Record<string, JsonValue> = {};
  for (const [key, item] of Object.entries(value)) result[key] = rewrite(rules, type.values, item);
  return result;
}

function rewriteList(rules: Rewrite, type: ListType, value: readonly JsonValue[]): readonly JsonValue[] {
  return value.map((item) => rewrite(rules, type.items, item));
}

const keepScalar: Transform = () => undefined;

/**
 * Structural pruning of a custom resource (apiextensions-apiserver): drops every field the
 * schema does not declare, except under `x-kubernetes-preserve-unknown-fields` or untyped values.
 */
export function pruneUnknownFields<T extends JsonValue>(schema: Schema, type: SchemaType, value: T): T {
  return rewrite(
    { schema, scalar: keepScalar, keepUnknown: (struct) => struct.preserveUnknownFields === true },
    type,
    value,
  ) as T;
}

/** The canonical spelling of a quantity-typed JSON value, or undefined when it is not a valid quantity. */
function canonicalQuantityValue(value: JsonValue): string | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  // Quantity.UnmarshalJSON accepts JSON numbers and trims surrounding space.
  const quantity = parseQuantity(String(value).trim());
  return quantity === undefined ? undefined : formatQuantity(quantity);
}

const canonicalScalar: Transform = (type, value) =>
  type.kind === "scalar" && type.scalar === ScalarKinds.quantity ? canonicalQuantityValue(value) : undefined;

/**
 * The object as kube-apiserver stores it as far as quantities go: every quantity-typed value
 * in its canonical form ("0.5" → "500m", 1024 → "1024"). Invalid quantities are left for validation.
 */
export function canonicalizeQuantities<T extends JsonValue>(schema: Schema, type: SchemaType, value: T): T {
  return rewrite({ schema, scalar: canonicalScalar, keepUnknown: () => true }, type, value) as T;
}
