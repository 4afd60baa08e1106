import type { JsonObject } from "../../kube/value/json.js";
import { isJsonObject, textOf } from "../../kube/value/json.js";
import { splitApiVersion } from "../../kube/object.js";
import { selectorMatches } from "../kinds/validation/selector.js";
import type { ServerContext } from "../server/context.js";
import { field, type Bound } from "./policies.js";

/**
 * The `params` a binding gives its policy (paramKind + paramRef): none when the policy has no
 * paramKind (one evaluation with `params` null), else every object paramRef names or selects,
 * each evaluated on its own. Errors are the policy's failurePolicy's to decide.
 */
export type ParamsResolution =
  | { readonly kind: "params"; readonly params: readonly (JsonObject | null)[] }
  | { readonly kind: "error"; readonly message: string };

function labelsOf(object: JsonObject): Readonly<Record<string, string>> {
  const labels = field(field(object, "metadata"), "labels");
  return Object.fromEntries(
    Object.entries(labels).flatMap(([key, value]) => (typeof value === "string" ? [[key, value]] : [])),
  );
}

/** A namespaced paramKind is looked up in paramRef.namespace, else in the request's own namespace. */
function lookupNamespace(
  paramRef: JsonObject,
  namespaced: boolean,
  requestNamespace: string,
): string | { readonly error: string } {
  if (!namespaced) return "";
  const given = textOf(paramRef["namespace"]);
  if (given !== "") return given;
  if (requestNamespace === "")
    return {
      error: "cannot use namespaced paramRef in policy binding that matches cluster-scoped resources",
    };
  return requestNamespace;
}

function found(
  context: ServerContext,
  resource: { readonly group: string; readonly resource: string },
  namespace: string,
  paramRef: JsonObject,
): readonly JsonObject[] {
  const name = textOf(paramRef["name"]);
  if (name !== "") {
    const object = context.store.get({ ...resource, namespace, name });
    return object === undefined ? [] : [object];
  }
  const selector = isJsonObject(paramRef["selector"]) ? paramRef["selector"] : {};
  return context.store
    .list(resource, namespace === "" ? undefined : namespace)
    .items.filter((object) => selectorMatches(selector, labelsOf(object)));
}

export function paramsOf(context: ServerContext, bound: Bound, requestNamespace: string): ParamsResolution {
  const paramKind = field(field(bound.policy, "spec"), "paramKind");
  if (Object.keys(paramKind).length === 0) return { kind: "params", params: [null] };
  const apiVersion = textOf(paramKind["apiVersion"]);
  const kind = textOf(paramKind["kind"]);
  const paramRef = field(bound.binding, "spec")["paramRef"];
  if (!isJsonObject(paramRef))
    return { kind: "error", message: `paramKind kind \`${kind}\` is defined but paramRef is not` };
  const { group, version } = splitApiVersion(apiVersion);
  const info = context.registry.findKind(group, version, kind);
  if (info === undefined)
    return {
      kind: "error",
      message: `failed to find resource referenced by paramKind: '${apiVersion}, Kind=${kind}'`,
    };
  const namespace = lookupNamespace(paramRef, info.namespaced, requestNamespace);
  if (typeof namespace !== "string") return { kind: "error", message: namespace.error };
  const params = found(context, { group: info.group, resource: info.resource }, namespace, paramRef);
  if (params.length > 0) return { kind: "params", params };
  // Allow: a binding with nothing to check passes; Deny: the failurePolicy decides.
  return paramRef["parameterNotFoundAction"] === "Deny"
    ? { kind: "error", message: "no params found for policy binding with `Deny` parameterNotFoundAction" }
    : { kind: "params", params: [] };
}
