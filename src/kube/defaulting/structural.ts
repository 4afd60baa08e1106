import type { JsonObject, JsonValue, KubeObject } from "../value/json.js";
import { isJsonObject } from "../value/json.js";
import { objectField } from "./edit.js";

/** A node of a CRD version's structural schema (openAPIV3Schema). */
export type JsonSchema = JsonObject;

function propertySchemas(schema: JsonSchema): JsonObject {
  return objectField(schema, "properties") ?? {};
}

function additionalSchema(schema: JsonSchema): JsonSchema | undefined {
  return objectField(schema, "additionalProperties");
}

export function schemaFor(schema: JsonSchema, property: string): JsonSchema | undefined {
  const declared = propertySchemas(schema)[property];
  return isJsonObject(declared) ? declared : additionalSchema(schema);
}

/** A null in a non-nullable field counts as absent, so the default replaces it. */
function needsDefault(value: JsonValue | undefined, schema: JsonSchema): boolean {
  return value === undefined || (value === null && schema["nullable"] !== true);
}

function defaultProperties(value: JsonObject, schema: JsonSchema): JsonObject {
  const withOwnDefaults: Record<string, JsonValue> = { ...value };
  for (const [property, propertySchema] of Object.entries(propertySchemas(schema))) {
    if (!isJsonObject(propertySchema) || propertySchema["default"] === undefined) continue;
    if (needsDefault(withOwnDefaults[property], propertySchema))
      withOwnDefaults[property] = propertySchema["default"];
  }
  // Defaults are applied top-down, so a defaulted object gets its own nested defaults too.
  return Object.fromEntries(
    Object.entries(withOwnDefaults).map(([property, child]) => {
      const childSchema = schemaFor(schema, property);
      return [property, childSchema === undefined ? child : applyStructuralDefaults(child, childSchema)];
    }),
  );
}

/** The defaulting algorithm of apiextensions-apiserver (pkg/apiserver/schema/defaulting). */
export function applyStructuralDefaults(value: JsonValue, schema: JsonSchema): JsonValue {
  if (isJsonObject(value)) return defaultProperties(value, schema);
  const items = objectField(schema, "items");
  if (Array.isArray(value) && items !== undefined) {
    return (value as readonly JsonValue[]).map((item) => applyStructuralDefaults(item, items));
  }
  return value;
}

export function defaultCustomResource(object: KubeObject, schema: JsonSchema | undefined): KubeObject {
  if (schema === undefined) return object;
  const defaulted = applyStructuralDefaults(object, schema);
  return isJsonObject(defaulted) ? { ...defaulted, metadata: object["metadata"] ?? {} } : object;
}
