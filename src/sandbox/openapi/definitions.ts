/**
 * The definitions a document needs (those its paths use, with what they reference) and their
 * rendering in either OpenAPI version, with descriptions laid back on.
 */
import { builtinOpenAPIData } from "../../kube/schema/builtin.js";
import { type OpenAPISchema, refName } from "../../kube/schema/convert.js";
import { type JsonObject, type JsonValue, isRecord } from "../../kube/value/json.js";
import type { PathSpec } from "./paths.js";
import type { CustomDefinition } from "./crd-definitions.js";
import { type DescriptionNode, builtinDescriptions } from "./load.js";

function rewriteRefs(value: JsonValue, prefix: string): JsonValue {
  if (Array.isArray(value)) return (value as readonly JsonValue[]).map((item) => rewriteRefs(item, prefix));
  if (typeof value !== "object" || value === null) return value;
  const result: Record<string, JsonValue> = {};
  for (const [key, item] of Object.entries(value)) {
    result[key] =
      key === "$ref" && typeof item === "string" ? prefix + refName(item) : rewriteRefs(item, prefix);
  }
  return result;
}

function collectRefs(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectRefs(item, into);
  } else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key === "$ref" && typeof item === "string") into.add(refName(item));
      else collectRefs(item, into);
    }
  }
}

/** The definitions the paths use, with every definition they reference, sorted by name. */
export function definitionsFor(
  paths: readonly PathSpec[],
  custom: ReadonlyMap<string, CustomDefinition>,
): Map<string, OpenAPISchema> {
  const builtin = builtinOpenAPIData().definitions;
  const pending = new Set<string>();
  for (const operation of paths.flatMap((path) => path.operations)) {
    pending.add(operation.response);
    if (operation.body !== undefined) pending.add(operation.body);
  }
  const found = new Map<string, OpenAPISchema>();
  for (const name of pending) {
    const definition = custom.get(name)?.schema ?? builtin[name];
    if (definition === undefined || found.has(name)) continue;
    found.set(name, definition);
    collectRefs(definition, pending);
  }
  return new Map([...found.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
/** How one OpenAPI version spells references. */
interface DefinitionStyle {
  readonly refPrefix: string;
  /**
   * OpenAPI 3.0 ignores the siblings of a `$ref`, so kube-openapi publishes a described reference
   * as `{description, allOf: [{$ref}]}`; kubectl explain then prints the field's description above
   * its type's. Swagger 2.0 documents keep the description beside the `$ref`.
   */
  readonly wrapDescribedRefs: boolean;
}

export const styles = {
  v2: { refPrefix: "#/definitions/", wrapDescribedRefs: false },
  v3: { refPrefix: "#/components/schemas/", wrapDescribedRefs: true },
} as const satisfies Readonly<Record<string, DefinitionStyle>>;

function withDescription(schema: OpenAPISchema, description: string, style: DefinitionStyle): OpenAPISchema {
  const ref = schema["$ref"];
  if (!style.wrapDescribedRefs || typeof ref !== "string") return { ...schema, description };
  const { $ref: _ref, ...siblings } = schema;
  return { ...siblings, description, allOf: [{ $ref: ref }] };
}

function describeProperties(
  properties: OpenAPISchema,
  nodes: Readonly<Record<string, DescriptionNode>>,
  style: DefinitionStyle,
): OpenAPISchema {
  const result: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(properties)) {
    const node = nodes[name];
    result[name] = node !== undefined && isRecord(property) ? described(property, node, style) : property;
  }
  return result;
}

function describeNested(
  schema: OpenAPISchema,
  key: "items" | "additionalProperties",
  node: DescriptionNode | undefined,
  style: DefinitionStyle,
): OpenAPISchema {
  const nested = schema[key];
  if (node === undefined || !isRecord(nested)) return schema;
  return { ...schema, [key]: described(nested, node, style) };
}

function described(schema: OpenAPISchema, node: DescriptionNode, style: DefinitionStyle): OpenAPISchema {
  if (typeof node === "string") return withDescription(schema, node, style);
  let result = schema;
  const properties = schema["properties"];
  if (node.properties !== undefined && isRecord(properties)) {
    result = { ...result, properties: describeProperties(properties, node.properties, style) };
  }
  result = describeNested(result, "items", node.items, style);
  result = describeNested(result, "additionalProperties", node.additionalProperties, style);
  return node.description === undefined ? result : withDescription(result, node.description, style);
}

/** Lays descriptions back on a schema; a description whose field the schema lacks is dropped. */
export function describeSchema(
  schema: OpenAPISchema,
  node: DescriptionNode,
  version: keyof typeof styles,
): OpenAPISchema {
  return described(schema, node, styles[version]);
}

export function renderDefinitions(
  definitions: ReadonlyMap<string, OpenAPISchema>,
  custom: ReadonlyMap<string, CustomDefinition>,
  style: DefinitionStyle,
): JsonObject {
  const descriptions = builtinDescriptions();
  const result: Record<string, JsonValue> = {};
  for (const [name, definition] of definitions) {
    const node = custom.get(name)?.descriptions ?? descriptions[name];
    const schema = node === undefined ? definition : described(definition, node, style);
    result[name] = rewriteRefs(schema as JsonObject, style.refPrefix);
  }
  return result;
}
