import type { ResourceInfo } from "../registry/types.js";
import type { ResourceRegistry } from "../registry/registry.js";
import { ApiError, StatusReasons } from "../api/status.js";

export type ResourceVerb =
  "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";

/** A request against a resource, as kube-apiserver's RequestInfoFactory splits the path. */
export interface ResourceRequest {
  readonly verb: ResourceVerb;
  readonly info: ResourceInfo;
  /** "" for cluster-scoped resources and for requests across all namespaces. */
  readonly namespace: string;
  readonly name?: string;
  readonly subresource?: string;
}

interface PathParts {
  readonly group: string;
  readonly version: string;
  readonly rest: readonly string[];
}

/** `/api/v1/…` and `/apis/GROUP/VERSION/…`; undefined when the path is not a resource path. */
export function splitApiPath(segments: readonly string[]): PathParts | undefined {
  if (segments[0] === "api" && segments.length >= 3) {
    return { group: "", version: segments[1] ?? "", rest: segments.slice(2) };
  }
  if (segments[0] === "apis" && segments.length >= 4) {
    return { group: segments[1] ?? "", version: segments[2] ?? "", rest: segments.slice(3) };
  }
  return undefined;
}

interface Located {
  readonly namespace: string;
  readonly resource: string;
  readonly name?: string;
  readonly subresource?: string;
}

// `/namespaces/foo/configmaps` is configmaps in foo, but `/namespaces/foo/status` is a subresource of
// the namespace foo: the third segment decides, as in kube-apiserver's RequestInfoFactory.
function locate(parts: PathParts, registry: ResourceRegistry): Located {
  const rest = parts.rest;
  const namespacedResource =
    rest[0] === "namespaces" && rest.length >= 3 && registry.find(parts.group, parts.version, rest[2] ?? "");
  if (namespacedResource) {
    return withOptional({ namespace: rest[1] ?? "", resource: rest[2] ?? "" }, rest[3], rest[4]);
  }
  return withOptional({ namespace: "", resource: rest[0] ?? "" }, rest[1], rest[2]);
}

function withOptional(base: Located, name: string | undefined, subresource: string | undefined): Located {
  return {
    ...base,
    ...(name === undefined ? {} : { name }),
    ...(subresource === undefined ? {} : { subresource }),
  };
}

const verbsByMethod: Readonly<
  Record<string, { readonly named?: ResourceVerb; readonly collection?: ResourceVerb }>
> = {
  GET: { named: "get", collection: "list" },
  POST: { collection: "create" },
  PUT: { named: "update" },
  PATCH: { named: "patch" },
  DELETE: { named: "delete", collection: "deletecollection" },
};

function verbOf(method: string, named: boolean, watch: boolean): ResourceVerb | undefined {
  if (method === "GET" && watch) return "watch";
  const verbs = verbsByMethod[method];
  return named ? verbs?.named : verbs?.collection;
}

// POST to a named object's subresource creates something of it (a TokenRequest), as in RequestInfoFactory.
function requestVerb(method: string, located: Located, query: URLSearchParams): ResourceVerb | undefined {
  if (method === "POST" && located.subresource !== undefined) return "create";
  return verbOf(method, located.name !== undefined, isWatchParam(query));
}

export function isWatchParam(query: URLSearchParams): boolean {
  const watch = query.get("watch");
  return watch === "true" || watch === "1";
}

/** Resolves a resource path to what it addresses, with kube-apiserver's 404/405 answers otherwise. */
export function parseResourceRequest(
  method: string,
  parts: PathParts,
  query: URLSearchParams,
  registry: ResourceRegistry,
): ResourceRequest {
  const located = locate(parts, registry);
  const info = registry.find(parts.group, parts.version, located.resource);
  if (info === undefined)
    throw new ApiError(404, StatusReasons.notFound, "the server could not find the requested resource");
  if (located.subresource !== undefined && !info.subresources.includes(located.subresource)) {
    throw new ApiError(404, StatusReasons.notFound, "the server could not find the requested resource");
  }
  const verb = requestVerb(method, located, query);
  if (verb === undefined || !verbAllowed(info, verb, located.subresource)) {
    throw new ApiError(
      405,
      StatusReasons.methodNotAllowed,
      `the server does not allow this method on the requested resource`,
    );
  }
  return {
    verb,
    info,
    namespace: info.namespaced ? located.namespace : "",
    ...(located.name === undefined ? {} : { name: located.name }),
    ...(located.subresource === undefined ? {} : { subresource: located.subresource }),
  };
}

function verbAllowed(info: ResourceInfo, verb: ResourceVerb, subresource: string | undefined): boolean {
  // A ServiceAccount's token is requested (TokenRequest), not read or written.
  if (subresource === "token") return verb === "create";
  if (subresource !== undefined) return verb === "get" || verb === "update" || verb === "patch";
  return info.verbs.includes(verb);
}
