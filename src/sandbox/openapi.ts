/**
 * The OpenAPI documents the sandbox serves: /openapi/v3 (index), /openapi/v3/<gv path> and
 * /openapi/v2. kubectl 1.32 reads them to decide server-side field validation support
 * (QueryParamVerifierV3: the PATCH operation of the kind's path, tagged with
 * x-kubernetes-group-version-kind, must list a `fieldValidation` parameter), to build strategic
 * merge patches (x-kubernetes-patch-* on components.schemas) and for `kubectl explain`.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { builtinOpenAPIData, definitionName } from "../kube/schema/builtin.js";
import type { OpenAPISchema } from "../kube/schema/convert.js";
import { refName } from "../kube/schema/convert.js";
import type { GvkKey } from "../kube/schema/gvk.js";
import { gvkKey } from "../kube/schema/gvk.js";
import type { GroupVersionKind } from "../kube/schema/types.js";
import type { JsonObject, JsonValue } from "../kube/value/json.js";
import type { ResourceInfo } from "./registry/types.js";
import { isRecord } from "../kube/value/json.js";

/** Both documents declare the bearer-token authentication every request needs. */
const bearerTokenScheme = {
  type: "apiKey",
  description: "Bearer Token authentication",
  name: "authorization",
  in: "header",
} as const;

export interface OpenAPIServer {
  /** GET /openapi/v3: `{"paths": {"apis/apps/v1": {"serverRelativeURL": "/openapi/v3/apis/apps/v1?hash=…"}}}`. */
  index(): JsonObject;
  /** GET /openapi/v3/<path> ("api/v1", "apis/apps/v1"); undefined when no such group/version is served. */
  document(path: string): JsonObject | undefined;
  /** The content hash of a group/version document (the index's `hash` query parameter, usable as ETag). */
  hash(path: string): string | undefined;
  /** GET /openapi/v2: one Swagger 2.0 document for every served resource. */
  v2(): JsonObject;
}

const metaV1 = "io.k8s.apimachinery.pkg.apis.meta.v1";
const statusDefinition = `${metaV1}.Status`;
const patchDefinition = `${metaV1}.Patch`;
const deleteOptionsDefinition = `${metaV1}.DeleteOptions`;
const scaleGVK: GroupVersionKind = { group: "autoscaling", version: "v1", kind: "Scale" };

type Method = "get" | "put" | "post" | "patch" | "delete";

interface OperationSpec {
  readonly method: Method;
  readonly action: string;
  readonly operationId: string;
  readonly gvk: GroupVersionKind;
  readonly query: readonly string[];
  /** Definition name of the request body (patches use meta/v1 Patch). */
  readonly body?: string;
  readonly patchTypes?: readonly string[];
  readonly response: string;
  /** 201 Created (POST, PUT, PATCH can create) and 202 Accepted (DELETE) answer with the same schema. */
  readonly extraCode?: "201" | "202";
}

interface PathSpec {
  readonly path: string;
  readonly pathParameters: readonly string[];
  readonly operations: readonly OperationSpec[];
}

const writeParameters = ["dryRun", "fieldManager", "fieldValidation"] as const;
const listParameters = [
  "allowWatchBookmarks",
  "continue",
  "fieldSelector",
  "labelSelector",
  "limit",
  "resourceVersion",
  "resourceVersionMatch",
  "sendInitialEvents",
  "timeoutSeconds",
  "watch",
] as const;
const deleteParameters = ["dryRun", "gracePeriodSeconds", "orphanDependents", "propagationPolicy"] as const;
const integerParameters = new Set(["gracePeriodSeconds", "limit", "timeoutSeconds"]);
const booleanParameters = new Set([
  "allowWatchBookmarks",
  "force",
  "orphanDependents",
  "sendInitialEvents",
  "watch",
]);

const builtinPatchTypes = [
  "application/json-patch+json",
  "application/merge-patch+json",
  "application/strategic-merge-patch+json",
  "application/apply-patch+yaml",
] as const;
// Custom resources have no Go struct to carry patch strategies, so kube-apiserver refuses strategic merge patches.
const customPatchTypes = [
  "application/json-patch+json",
  "application/merge-patch+json",
  "application/apply-patch+yaml",
] as const;

/** "api/v1" for the core group, "apis/apps/v1" otherwise: the keys of the /openapi/v3 index. */
export function groupVersionPath(resource: Pick<ResourceInfo, "group" | "version">): string {
  return resource.group === "" ? `api/${resource.version}` : `apis/${resource.group}/${resource.version}`;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** apps → "Apps", "" → "Core", rbac.authorization.k8s.io → "RbacAuthorization", as operationIds spell groups. */
function groupWord(group: string): string {
  if (group === "") return "Core";
  return group
    .replace(/\.k8s\.io$/, "")
    .split(/[.-]/)
    .map(capitalize)
    .join("");
}

/** The definition name apiextensions-apiserver gives a custom kind: stable.example.com/v1 CronTab → com.example.stable.v1.CronTab. */
export function customDefinitionName(gvk: GroupVersionKind): string {
  return `${gvk.group.split(".").reverse().join(".")}.${gvk.version}.${gvk.kind}`;
}

interface KindNames {
  readonly kind: string;
  readonly list: string;
}

interface Catalogue {
  readonly resources: readonly ResourceInfo[];
  readonly customSchemas: ReadonlyMap<GvkKey, unknown>;
}

function isCustom(catalogue: Catalogue, gvk: GroupVersionKind): boolean {
  return catalogue.customSchemas.has(gvkKey(gvk)) || definitionName(gvk) === undefined;
}

function kindNames(catalogue: Catalogue, resource: ResourceInfo): KindNames {
  const gvk = { group: resource.group, version: resource.version, kind: resource.kind };
  const listGVK = { ...gvk, kind: resource.listKind };
  if (isCustom(catalogue, gvk))
    return { kind: customDefinitionName(gvk), list: customDefinitionName(listGVK) };
  return {
    kind: definitionName(gvk) ?? customDefinitionName(gvk),
    list: definitionName(listGVK) ?? customDefinitionName(listGVK),
  };
}

function operationId(
  verb: string,
  resource: ResourceInfo,
  scope: { namespaced: boolean; suffix: string },
): string {
  const namespaced = scope.namespaced ? "Namespaced" : "";
  return `${verb}${groupWord(resource.group)}${capitalize(resource.version)}${namespaced}${resource.kind}${scope.suffix}`;
}

function collectionOperations(
  resource: ResourceInfo,
  names: KindNames,
  gvk: GroupVersionKind,
): OperationSpec[] {
  const scope = { namespaced: resource.namespaced, suffix: "" };
  const operations: OperationSpec[] = [];
  if (resource.verbs.includes("list")) {
    const id = operationId("list", resource, scope);
    operations.push({
      method: "get",
      action: "list",
      operationId: id,
      gvk,
      query: listParameters,
      response: names.list,
    });
  }
  if (resource.verbs.includes("create")) {
    const id = operationId("create", resource, scope);
    operations.push({
      method: "post",
      action: "post",
      operationId: id,
      gvk,
      query: writeParameters,
      body: names.kind,
      response: names.kind,
      extraCode: "201",
    });
  }
  if (resource.verbs.includes("deletecollection")) {
    const id = operationId("deleteCollection", resource, scope);
    const query = [...deleteParameters, ...listParameters.filter((name) => name !== "watch")];
    operations.push({
      method: "delete",
      action: "deletecollection",
      operationId: id,
      gvk,
      query,
      body: deleteOptionsDefinition,
      response: statusDefinition,
    });
  }
  return operations;
}

interface ItemTarget {
  readonly resource: ResourceInfo;
  readonly gvk: GroupVersionKind;
  readonly definition: string;
  /** "" for the object itself, "Status" / "Scale" for subresources. */
  readonly suffix: string;
  readonly patchTypes: readonly string[];
}

function itemOperations(target: ItemTarget, verbs: readonly string[]): OperationSpec[] {
  const { resource, gvk, definition, patchTypes } = target;
  const scope = { namespaced: resource.namespaced, suffix: target.suffix };
  const operations: OperationSpec[] = [];
  if (verbs.includes("get")) {
    operations.push({
      method: "get",
      action: "get",
      operationId: operationId("read", resource, scope),
      gvk,
      query: [],
      response: definition,
    });
  }
  if (verbs.includes("update")) {
    const id = operationId("replace", resource, scope);
    operations.push({
      method: "put",
      action: "put",
      operationId: id,
      gvk,
      query: writeParameters,
      body: definition,
      response: definition,
      extraCode: "201",
    });
  }
  if (verbs.includes("patch")) {
    const id = operationId("patch", resource, scope);
    const query = [...writeParameters, "force"];
    operations.push({
      method: "patch",
      action: "patch",
      operationId: id,
      gvk,
      query,
      body: patchDefinition,
      patchTypes,
      response: definition,
      extraCode: "201",
    });
  }
  if (target.suffix === "" && verbs.includes("delete")) {
    const id = operationId("delete", resource, scope);
    operations.push({
      method: "delete",
      action: "delete",
      operationId: id,
      gvk,
      query: deleteParameters,
      body: deleteOptionsDefinition,
      response: statusDefinition,
      extraCode: "202",
    });
  }
  return operations;
}

function subresourcePaths(
  target: ItemTarget,
  itemPath: string,
  pathParameters: readonly string[],
): PathSpec[] {
  const paths: PathSpec[] = [];
  const subresourceVerbs = ["get", "update", "patch"];
  if (target.resource.subresources.includes("status")) {
    const status = { ...target, suffix: "Status" };
    paths.push({
      path: `${itemPath}/status`,
      pathParameters,
      operations: itemOperations(status, subresourceVerbs),
    });
  }
  if (target.resource.subresources.includes("scale")) {
    const scale = { ...target, gvk: scaleGVK, definition: definitionName(scaleGVK) ?? "", suffix: "Scale" };
    paths.push({
      path: `${itemPath}/scale`,
      pathParameters,
      operations: itemOperations(scale, subresourceVerbs),
    });
  }
  return paths;
}

function resourcePaths(catalogue: Catalogue, resource: ResourceInfo): PathSpec[] {
  const gvk = { group: resource.group, version: resource.version, kind: resource.kind };
  const names = kindNames(catalogue, resource);
  const base = `/${groupVersionPath(resource)}`;
  const scopePrefix = resource.namespaced ? "/namespaces/{namespace}" : "";
  const scopeParameters = resource.namespaced ? ["namespace"] : [];
  const collection = `${base}${scopePrefix}/${resource.resource}`;
  const itemParameters = ["name", ...scopeParameters];
  const patchTypes = isCustom(catalogue, gvk) ? customPatchTypes : builtinPatchTypes;
  const target: ItemTarget = { resource, gvk, definition: names.kind, suffix: "", patchTypes };
  const paths: PathSpec[] = [
    {
      path: collection,
      pathParameters: scopeParameters,
      operations: collectionOperations(resource, names, gvk),
    },
    {
      path: `${collection}/{name}`,
      pathParameters: itemParameters,
      operations: itemOperations(target, resource.verbs),
    },
    ...subresourcePaths(target, `${collection}/{name}`, itemParameters),
  ];
  if (resource.namespaced && resource.verbs.includes("list")) {
    const id = `list${groupWord(resource.group)}${capitalize(resource.version)}${resource.kind}ForAllNamespaces`;
    const operation: OperationSpec = {
      method: "get",
      action: "list",
      operationId: id,
      gvk,
      query: listParameters,
      response: names.list,
    };
    paths.push({ path: `${base}/${resource.resource}`, pathParameters: [], operations: [operation] });
  }
  return paths.filter((path) => path.operations.length > 0);
}

// ---------------------------------------------------------------------------------------------
// Definitions

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

function gvkExtension(gvk: GroupVersionKind): JsonValue {
  return [{ group: gvk.group, kind: gvk.kind, version: gvk.version }];
}

const objectMetaRef = { $ref: `#/definitions/${metaV1}.ObjectMeta` };
const listMetaRef = { $ref: `#/definitions/${metaV1}.ListMeta` };

/** A custom kind's schema as apiextensions-apiserver publishes it: apiVersion, kind and ObjectMeta added. */
function customKindDefinition(gvk: GroupVersionKind, openAPIV3Schema: unknown): OpenAPISchema {
  const schema = isRecord(openAPIV3Schema)
    ? (openAPIV3Schema as JsonObject)
    : { type: "object", "x-kubernetes-preserve-unknown-fields": true };
  const properties = isRecord(schema["properties"]) ? schema["properties"] : {};
  return {
    ...schema,
    type: "object",
    properties: {
      ...properties,
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: objectMetaRef,
    },
    "x-kubernetes-group-version-kind": gvkExtension(gvk),
  };
}

function customListDefinition(listGVK: GroupVersionKind, itemDefinition: string): OpenAPISchema {
  return {
    type: "object",
    required: ["items"],
    properties: {
      apiVersion: { type: "string" },
      items: { type: "array", items: { $ref: `#/definitions/${itemDefinition}` } },
      kind: { type: "string" },
      metadata: listMetaRef,
    },
    "x-kubernetes-group-version-kind": gvkExtension(listGVK),
  };
}

interface CustomDefinition {
  readonly schema: OpenAPISchema;
  readonly descriptions: DescriptionNode;
}

// apiextensions-apiserver copies apiVersion and kind from meta/v1 TypeMeta and describes
// metadata as PartialObjectMetadata(List) does (builder.go in apiextensions-apiserver).
const conventions = "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md";
const typeMetaDescriptions = {
  apiVersion: `APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: ${conventions}#resources`,
  kind: `Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: ${conventions}#types-kinds`,
} as const;

function customKindDescriptions(): DescriptionNode {
  return {
    properties: {
      ...typeMetaDescriptions,
      metadata: `Standard object's metadata. More info: ${conventions}#metadata`,
    },
  };
}

function customListDescriptions(resource: ResourceInfo): DescriptionNode {
  return {
    description: `${resource.listKind} is a list of ${resource.kind}`,
    properties: {
      ...typeMetaDescriptions,
      items: `List of ${resource.resource}. More info: ${conventions}`,
      metadata: `Standard list metadata. More info: ${conventions}#types-kinds`,
    },
  };
}

function customDefinitions(
  catalogue: Catalogue,
  resources: readonly ResourceInfo[],
): Map<string, CustomDefinition> {
  const definitions = new Map<string, CustomDefinition>();
  for (const resource of resources) {
    const gvk = { group: resource.group, version: resource.version, kind: resource.kind };
    if (!isCustom(catalogue, gvk)) continue;
    const names = kindNames(catalogue, resource);
    definitions.set(names.kind, {
      schema: customKindDefinition(gvk, catalogue.customSchemas.get(gvkKey(gvk))),
      descriptions: customKindDescriptions(),
    });
    definitions.set(names.list, {
      schema: customListDefinition({ ...gvk, kind: resource.listKind }, names.kind),
      descriptions: customListDescriptions(resource),
    });
  }
  return definitions;
}

/** The definitions the paths use, with every definition they reference, sorted by name. */
function definitionsFor(
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

/**
 * The descriptions of one built-in schema as scripts/derive-schema.ts extracts them: shaped like
 * the schema, a bare string when nothing below the schema itself is described.
 */
export type DescriptionNode =
  | string
  | {
      readonly description?: string;
      readonly properties?: Readonly<Record<string, DescriptionNode>>;
      readonly items?: DescriptionNode;
      readonly additionalProperties?: DescriptionNode;
    };

const descriptionsFile = new URL("../../data/kubernetes-openapi-descriptions-v1.32.json.gz", import.meta.url);

let loadedDescriptions: Readonly<Record<string, DescriptionNode>> | undefined;

/**
 * Read on the first OpenAPI document served, never by the drift engine: the descriptions are
 * nearly three times the size of the rest of the schema data and only `kubectl explain` shows them.
 */
export function builtinDescriptions(): Readonly<Record<string, DescriptionNode>> {
  if (loadedDescriptions === undefined) {
    const parsed: unknown = JSON.parse(gunzipSync(readFileSync(descriptionsFile)).toString("utf8"));
    const definitions = isRecord(parsed) ? parsed["definitions"] : undefined;
    if (!isRecord(definitions)) {
      throw new Error(
        `${descriptionsFile.pathname}: not a derived descriptions file (run npm run derive-schema)`,
      );
    }
    loadedDescriptions = definitions as Readonly<Record<string, DescriptionNode>>;
  }
  return loadedDescriptions;
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

const styles = {
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

function renderDefinitions(
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

// ---------------------------------------------------------------------------------------------
// Rendering

function parameterType(name: string): string {
  if (integerParameters.has(name)) return "integer";
  return booleanParameters.has(name) ? "boolean" : "string";
}

function v3Parameter(name: string, location: "query" | "path"): JsonObject {
  const schema = { type: parameterType(name), uniqueItems: true };
  return location === "path" ? { name, in: "path", required: true, schema } : { name, in: "query", schema };
}

function v3Content(mediaTypes: readonly string[], definition: string): JsonObject {
  const content: Record<string, JsonValue> = {};
  for (const mediaType of mediaTypes)
    content[mediaType] = { schema: { $ref: `#/components/schemas/${definition}` } };
  return content;
}

const responseMediaTypes = ["application/json", "application/yaml"] as const;

function v3Responses(operation: OperationSpec): JsonObject {
  const ok = { description: "OK", content: v3Content(responseMediaTypes, operation.response) };
  const responses: Record<string, JsonValue> = { "200": ok, "401": { description: "Unauthorized" } };
  if (operation.extraCode === "201") responses["201"] = { description: "Created", content: ok.content };
  if (operation.extraCode === "202") responses["202"] = { description: "Accepted", content: ok.content };
  return responses;
}

function v3Operation(operation: OperationSpec, tag: string): JsonObject {
  const result: Record<string, JsonValue> = {
    tags: [tag],
    operationId: operation.operationId,
    parameters: operation.query.map((name) => v3Parameter(name, "query")),
    responses: v3Responses(operation),
    "x-kubernetes-action": operation.action,
    "x-kubernetes-group-version-kind": {
      group: operation.gvk.group,
      version: operation.gvk.version,
      kind: operation.gvk.kind,
    },
  };
  if (operation.body !== undefined) {
    const mediaTypes = operation.patchTypes ?? ["*/*"];
    result["requestBody"] = {
      content: v3Content(mediaTypes, operation.body),
      required: operation.method !== "delete",
    };
  }
  return result;
}

function tagOf(groupVersion: string): string {
  return (
    groupVersion
      .replace(/^apis?\//, "")
      .replace(/\.k8s\.io/, "")
      .replace(/[./-]/g, "_") || "core"
  );
}

function v3Paths(paths: readonly PathSpec[], tag: string): JsonObject {
  const result: Record<string, JsonValue> = {};
  for (const path of paths) {
    const item: Record<string, JsonValue> = {
      parameters: [
        ...path.pathParameters.map((name) => v3Parameter(name, "path")),
        v3Parameter("pretty", "query"),
      ],
    };
    for (const operation of path.operations) item[operation.method] = v3Operation(operation, tag);
    result[path.path] = item;
  }
  return result;
}

const info = { title: "Kubernetes", version: "v1.32.0" } as const;

interface DocumentParts {
  readonly paths: readonly PathSpec[];
  readonly definitions: ReadonlyMap<string, OpenAPISchema>;
  readonly custom: ReadonlyMap<string, CustomDefinition>;
  readonly tag: string;
}

function v3Document({ paths, definitions, custom, tag }: DocumentParts): JsonObject {
  return {
    openapi: "3.0.0",
    info,
    paths: v3Paths(paths, tag),
    components: {
      schemas: renderDefinitions(definitions, custom, styles.v3),
      securitySchemes: {
        BearerToken: bearerTokenScheme,
      },
    },
    security: [{ BearerToken: [] }],
  };
}

function v2Parameter(name: string, location: "query" | "path"): JsonObject {
  const parameter = { name, type: parameterType(name), uniqueItems: true };
  return location === "path" ? { ...parameter, in: "path", required: true } : { ...parameter, in: "query" };
}

function v2Operation(operation: OperationSpec, tag: string): JsonObject {
  const parameters: JsonValue[] = operation.query.map((name) => v2Parameter(name, "query"));
  if (operation.body !== undefined) {
    parameters.unshift({
      name: "body",
      in: "body",
      required: operation.method !== "delete",
      schema: { $ref: `#/definitions/${operation.body}` },
    });
  }
  const ok = { schema: { $ref: `#/definitions/${operation.response}` } };
  const responses: Record<string, JsonValue> = {
    "200": { description: "OK", ...ok },
    "401": { description: "Unauthorized" },
  };
  if (operation.extraCode === "201") responses["201"] = { description: "Created", ...ok };
  if (operation.extraCode === "202") responses["202"] = { description: "Accepted", ...ok };
  return {
    tags: [tag],
    operationId: operation.operationId,
    consumes: operation.patchTypes ?? ["*/*"],
    produces: [...responseMediaTypes],
    schemes: ["https"],
    parameters,
    responses,
    "x-kubernetes-action": operation.action,
    "x-kubernetes-group-version-kind": {
      group: operation.gvk.group,
      version: operation.gvk.version,
      kind: operation.gvk.kind,
    },
  };
}

function v2Paths(groups: ReadonlyMap<string, readonly PathSpec[]>): JsonObject {
  const result: Record<string, JsonValue> = {};
  for (const [groupVersion, paths] of groups) {
    for (const path of paths) {
      const item: Record<string, JsonValue> = {
        parameters: [
          ...path.pathParameters.map((name) => v2Parameter(name, "path")),
          v2Parameter("pretty", "query"),
        ],
      };
      for (const operation of path.operations)
        item[operation.method] = v2Operation(operation, tagOf(groupVersion));
      result[path.path] = item;
    }
  }
  return result;
}

function contentHash(document: JsonObject): string {
  return createHash("sha512").update(JSON.stringify(document)).digest("hex").toUpperCase();
}

interface RenderedGroupVersion {
  readonly document: JsonObject;
  readonly hash: string;
}

/**
 * The OpenAPI documents for a set of served resources. Documents are built on first request
 * and kept: create a new server when the resource set (or a CRD schema) changes, so the
 * content hashes change and kubectl's cache (keyed by them) refreshes.
 */
export function createOpenAPIServer(
  resources: readonly ResourceInfo[],
  customSchemas: ReadonlyMap<GvkKey, unknown> = new Map(),
): OpenAPIServer {
  const catalogue: Catalogue = { resources, customSchemas };
  const groups = new Map<string, PathSpec[]>();
  for (const resource of [...resources].sort((a, b) =>
    a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0,
  )) {
    const key = groupVersionPath(resource);
    groups.set(key, [...(groups.get(key) ?? []), ...resourcePaths(catalogue, resource)]);
  }
  const custom = customDefinitions(catalogue, resources);
  const rendered = new Map<string, RenderedGroupVersion>();
  let v2: JsonObject | undefined;

  const render = (path: string): RenderedGroupVersion | undefined => {
    const paths = groups.get(path);
    if (paths === undefined) return undefined;
    let result = rendered.get(path);
    if (result === undefined) {
      const definitions = definitionsFor(paths, custom);
      const document = v3Document({ paths, definitions, custom, tag: tagOf(path) });
      result = { document, hash: contentHash(document) };
      rendered.set(path, result);
    }
    return result;
  };

  return {
    index() {
      const paths: Record<string, JsonValue> = {};
      for (const path of [...groups.keys()].sort()) {
        paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${render(path)?.hash ?? ""}` };
      }
      return { paths };
    },
    document: (path) => render(path)?.document,
    hash: (path) => render(path)?.hash,
    v2() {
      const allPaths = [...groups.values()].flat();
      v2 ??= {
        swagger: "2.0",
        info,
        paths: v2Paths(groups),
        definitions: renderDefinitions(definitionsFor(allPaths, custom), custom, styles.v2),
        securityDefinitions: {
          BearerToken: bearerTokenScheme,
        },
        security: [{ BearerToken: [] }],
      };
      return v2;
    },
  };
}
