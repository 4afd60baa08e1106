/** JSON values as they travel through the API server. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/** A Kubernetes object as JSON: apiVersion, kind, metadata, and whatever the kind carries. */
export type KubeObject = JsonObject;

/** An object whose values are not yet known to be JSON: a body from the wire, parsed HCL, an OpenAPI document. */
export type UnknownRecord = Readonly<Record<string, unknown>>;

/** The one object guard: not null, not an array. */
export function isRecord(value: unknown): value is UnknownRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return isRecord(value);
}

/** A JSON list, or undefined for anything else. */
export function asList(value: JsonValue | undefined): readonly JsonValue[] | undefined {
  return Array.isArray(value) ? (value as readonly JsonValue[]) : undefined;
}

/** A string, or "" for anything else (a name, a key or a reason read from untrusted JSON). */
export function stringOf(value: unknown): string {
  return typeof value === "string" ? value : "";
}

export function stringField(object: JsonObject, field: string): string | undefined {
  const value = object[field];
  return typeof value === "string" ? value : undefined;
}

/** A JSON scalar as text ("" for objects, arrays and absent values), for names, keys and messages. */
export function textOf(value: JsonValue | undefined): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return "";
}
