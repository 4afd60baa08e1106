import type { ListType, MapType, ScalarKind, ScalarType, SchemaType, StructType } from "./types.js";
import { ScalarKinds } from "./types.js";
import { isRecord } from "../value/json.js";

/** An OpenAPI schema object as JSON (a v2 definition or a CRD's structural v3 schema). */
export type OpenAPISchema = Readonly<Record<string, unknown>>;

/**
 * Where a schema comes from changes one rule: a built-in `type: object` without
 * properties is a free-form object (structured-merge-diff deduces its fields), while in a
 * CRD's structural schema it is an object whose every field is pruned.
 */
export type SchemaOrigin = "builtin" | "crd";

const untyped: SchemaType = { kind: "untyped" };

/** `#/definitions/io.k8s…` and `#/components/schemas/io.k8s…` both name the definition after the last slash. */
export function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf("/") + 1);
}

function withDefault<T extends object>(type: T, schema: OpenAPISchema): T {
  return "default" in schema ? { ...type, default: schema["default"] } : type;
}

function scalarKindOf(schema: OpenAPISchema): ScalarKind | undefined {
  if (schema["x-kubernetes-int-or-string"] === true || schema["format"] === "int-or-string")
    return ScalarKinds.intOrString;
  switch (schema["type"]) {
    case "string":
      return stringKindOf(schema["format"]);
    case "integer":
      return ScalarKinds.integer;
    case "number":
      return ScalarKinds.number;
    case "boolean":
      return ScalarKinds.boolean;
    default:
      return undefined;
  }
}

function stringKindOf(format: unknown): ScalarKind {
  if (format === "byte") return ScalarKinds.bytes;
  if (format === "date-time") return ScalarKinds.time;
  return ScalarKinds.string;
}

function scalarType(scalar: ScalarKind, schema: OpenAPISchema): ScalarType {
  const base: ScalarType = Array.isArray(schema["enum"])
    ? { kind: "scalar", scalar, enum: schema["enum"] as readonly unknown[] }
    : { kind: "scalar", scalar };
  return withDefault(base, schema);
}

function listType(schema: OpenAPISchema, origin: SchemaOrigin): ListType {
  const declared = schema["x-kubernetes-list-type"];
  const kind: ListType["listType"] = declared === "set" || declared === "map" ? declared : "atomic";
  const keys = schema["x-kubernetes-list-map-keys"];
  const strategy = schema["x-kubernetes-patch-strategy"];
  const mergeKey = schema["x-kubernetes-patch-merge-key"];
  let result: ListType = {
    kind: "list",
    items: isRecord(schema["items"]) ? convertSchema(schema["items"], origin) : untyped,
    listType: kind,
  };
  if (kind === "map" && Array.isArray(keys))
    result = { ...result, mapKeys: keys.filter((key) => typeof key === "string") };
  if (typeof strategy === "string") result = { ...result, patchStrategy: strategy };
  if (typeof mergeKey === "string") result = { ...result, patchMergeKey: mergeKey };
  return withDefault(result, schema);
}

/** kube-apiserver lets embedded resources carry apiVersion, kind and metadata whatever the schema lists. */
const embeddedResourceFields: Readonly<Record<string, SchemaType>> = {
  apiVersion: { kind: "scalar", scalar: ScalarKinds.string },
  kind: { kind: "scalar", scalar: ScalarKinds.string },
  metadata: { kind: "ref", name: "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" },
};

function structType(properties: OpenAPISchema, schema: OpenAPISchema, origin: SchemaOrigin): StructType {
  const fields: Record<string, SchemaType> = {};
  const embedded = schema["x-kubernetes-embedded-resource"] === true;
  if (embedded) Object.assign(fields, embeddedResourceFields);
  for (const [name, property] of Object.entries(properties)) {
    if (isRecord(property)) fields[name] = convertSchema(property, origin);
  }
  let result: StructType = { kind: "struct", fields };
  if (schema["x-kubernetes-map-type"] === "atomic") result = { ...result, atomic: true };
  if (schema["x-kubernetes-preserve-unknown-fields"] === true)
    result = { ...result, preserveUnknownFields: true };
  if (embedded) result = { ...result, embeddedResource: true };
  if (Array.isArray(schema["required"]))
    result = { ...result, required: schema["required"] as readonly string[] };
  return withDefault(result, schema);
}

function mapType(values: SchemaType, schema: OpenAPISchema): MapType {
  const result: MapType = { kind: "map", values };
  return withDefault(
    schema["x-kubernetes-map-type"] === "atomic" ? { ...result, atomic: true } : result,
    schema,
  );
}

function objectType(schema: OpenAPISchema, origin: SchemaOrigin): SchemaType {
  const properties = schema["properties"];
  const hasProperties = isRecord(properties) && Object.keys(properties).length > 0;
  if (hasProperties || schema["x-kubernetes-embedded-resource"] === true) {
    return structType(isRecord(properties) ? properties : {}, schema, origin);
  }
  const additional = schema["additionalProperties"];
  if (isRecord(additional)) return mapType(convertSchema(additional, origin), schema);
  if (additional === true) return mapType(untyped, schema);
  if (origin === "builtin" || schema["x-kubernetes-preserve-unknown-fields"] === true) return untyped;
  return structType({}, schema, origin);
}

/**
 * Converts one OpenAPI schema to the facts structured-merge-diff needs. `$ref`s stay
 * references (definitions are recursive); lists without `x-kubernetes-list-type` are
 * atomic, as in structured-merge-diff.
 */
export function convertSchema(schema: OpenAPISchema, origin: SchemaOrigin): SchemaType {
  const ref = schema["$ref"];
  if (typeof ref === "string") return { kind: "ref", name: refName(ref) };
  const scalar = scalarKindOf(schema);
  if (scalar !== undefined) return scalarType(scalar, schema);
  if (schema["type"] === "array") return listType(schema, origin);
  if (schema["type"] === "object" || "properties" in schema || "additionalProperties" in schema) {
    return objectType(schema, origin);
  }
  return untyped;
}
