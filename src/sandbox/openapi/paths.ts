/**
 * The path specs of the OpenAPI documents: for each served resource, its paths and operations
 * (methods, query parameters, bodies, responses, patch types), independent of the OpenAPI version.
 */
import { definitionName } from "../../kube/schema/builtin.js";
import { type GvkKey, gvkKey } from "../../kube/schema/gvk.js";
import type { GroupVersionKind } from "../../kube/schema/types.js";
import type { ResourceInfo } from "../registry/types.js";

export const metaV1 = "io.k8s.apimachinery.pkg.apis.meta.v1";
const statusDefinition = `${metaV1}.Status`;
const patchDefinition = `${metaV1}.Patch`;
const deleteOptionsDefinition = `${metaV1}.DeleteOptions`;
const scaleGVK: GroupVersionKind = { group: "autoscaling", version: "v1", kind: "Scale" };

type Method = "get" | "put" | "post" | "patch" | "delete";

export interface OperationSpec {
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

export interface PathSpec {
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

export interface Catalogue {
  readonly resources: readonly ResourceInfo[];
  readonly customSchemas: ReadonlyMap<GvkKey, unknown>;
}

export function isCustom(catalogue: Catalogue, gvk: GroupVersionKind): boolean {
  return catalogue.customSchemas.has(gvkKey(gvk)) || definitionName(gvk) === undefined;
}

export function kindNames(catalogue: Catalogue, resource: ResourceInfo): KindNames {
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

export function resourcePaths(catalogue: Catalogue, resource: ResourceInfo): PathSpec[] {
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

export function parameterType(name: string): string {
  if (integerParameters.has(name)) return "integer";
  return booleanParameters.has(name) ? "boolean" : "string";
}

export function tagOf(groupVersion: string): string {
  return (
    groupVersion
      .replace(/^apis?\//, "")
      .replace(/\.k8s\.io/, "")
      .replace(/[./-]/g, "_") || "core"
  );
}
