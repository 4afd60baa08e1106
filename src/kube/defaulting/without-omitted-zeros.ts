import type { ListType, MapType, ScalarKind, Schema, SchemaType, StructType } from "../schema/types.js";
import { ScalarKinds } from "../schema/types.js";
import type { JsonObject, JsonValue } from "../value/json.js";
import { isJsonObject } from "../value/json.js";
import { omittedZeroFields } from "./omitted-zero.js";

/** The Go zero value of a non-pointer scalar, as its JSON decodes. */
const zeroOf: Partial<Record<ScalarKind, JsonValue>> = {
  [ScalarKinds.boolean]: false,
  [ScalarKinds.integer]: 0,
  [ScalarKinds.string]: "",
};

interface Walk {
  readonly schema: Schema;
}

function isOmittedZero(walk: Walk, type: SchemaType, value: JsonValue): boolean {
  const resolved = walk.schema.resolve(type);
  if (resolved.kind !== "scalar") return false;
  const zero = zeroOf[resolved.scalar];
  return zero !== undefined && value === zero;
}

function rewrite(walk: Walk, type: SchemaType, value: JsonValue): JsonValue {
  // Only a named definition can have Go struct fields: inline schemas (CRDs) keep their zeros.
  const omitted = type.kind === "ref" ? omittedZeroFields.get(type.name) : undefined;
  const resolved = walk.schema.resolve(type);
  if (resolved.kind === "struct" && isJsonObject(value)) return rewriteStruct(walk, resolved, value, omitted);
  if (resolved.kind === "map" && isJsonObject(value)) return rewriteMap(walk, resolved, value);
  if (resolved.kind === "list" && Array.isArray(value))
    return rewriteList(walk, resolved, value as readonly JsonValue[]);
  return value;
}

function rewriteStruct(
  walk: Walk,
  type: StructType,
  value: JsonObject,
  omitted: ReadonlySet<string> | undefined,
): JsonObject {
  const result: Record<string, JsonValue> = {};
  for (const [key, item] of Object.entries(value)) {
    const field = type.fields[key];
    if (field === undefined) result[key] = item;
    else if (omitted?.has(key) !== true || !isOmittedZero(walk, field, item))
      result[key] = rewrite(walk, field, item);
  }
  return result;
}

function rewriteMap(walk: Walk, type: MapType, value: JsonObject): JsonObject {
  const result: Record<string, JsonValue> = {};
  for (const [key, item] of Object.entries(value)) result[key] = rewrite(walk, type.values, item);
  return result;
}

function rewriteList(walk: Walk, type: ListType, value: readonly JsonValue[]): readonly JsonValue[] {
  return value.map((item) => rewrite(walk, type.items, item));
}

/**
 * The object as kube-apiserver encodes it after decoding a write into its Go struct: every field
 * of `omittedZeroFields` (a non-pointer `omitempty` scalar) that holds its zero value — `false`,
 * `0`, `""` — is gone, at any depth (list items, pod templates, volume sources). `readOnly: false`
 * and `minReadySeconds: 0` read back absent; `replicas: 0` and `privileged: false` (pointers) stay.
 * A value of the wrong JSON type is left for validation. Pure; the value is not modified.
 */
export function withoutOmittedZeros<T extends JsonValue>(schema: Schema, type: SchemaType, value: T): T {
  return rewrite({ schema }, type, value) as T;
}
