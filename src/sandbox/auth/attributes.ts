import type { UserInfo } from "./user.js";

/** What the authorizer decides on (k8s.io/apiserver/pkg/authorization/authorizer.Attributes). */
export type RequestAttributes = ResourceAttributes | NonResourceAttributes;

export interface ResourceAttributes {
  readonly kind: "resource";
  readonly user: UserInfo;
  readonly verb: string;
  readonly apiGroup: string;
  readonly apiVersion: string;
  /** "" for cluster-scoped resources and requests across all namespaces. */
  readonly namespace: string;
  readonly resource: string;
  readonly subresource: string;
  readonly name: string;
}

export interface NonResourceAttributes {
  readonly kind: "nonResource";
  readonly user: UserInfo;
  readonly verb: string;
  readonly path: string;
}

const verbsByMethod: Readonly<Record<string, string>> = {
  POST: "create",
  GET: "get",
  HEAD: "get",
  PUT: "update",
  PATCH: "patch",
  DELETE: "delete",
};

// `/namespaces/foo/status` is the status of the namespace foo, not a resource called status in foo.
const namespaceSubresources = new Set(["status", "finalize"]);

interface Prefix {
  readonly apiGroup: string;
  readonly apiVersion: string;
  readonly rest: readonly string[];
}

/** `/api/v1/…` and `/apis/GROUP/VERSION/…` with something after the version; anything else is a path. */
function apiPrefix(segments: readonly string[]): Prefix | undefined {
  if (segments[0] === "api" && segments.length >= 3)
    return { apiGroup: "", apiVersion: segments[1] ?? "", rest: segments.slice(2) };
  if (segments[0] === "apis" && segments.length >= 4)
    return { apiGroup: segments[1] ?? "", apiVersion: segments[2] ?? "", rest: segments.slice(3) };
  return undefined;
}

function located(rest: readonly string[]): { readonly namespace: string; readonly parts: readonly string[] } {
  if (rest[0] !== "namespaces" || rest.length < 2) return { namespace: "", parts: rest };
  const namespace = rest[1] ?? "";
  if (rest.length > 2 && !namespaceSubresources.has(rest[2] ?? ""))
    return { namespace, parts: rest.slice(2) };
  return { namespace, parts: rest };
}

function isWatch(query: URLSearchParams): boolean {
  return ["true", "1"].includes(query.get("watch") ?? "");
}

/** A list or watch of one name (`fieldSelector=metadata.name=web`) is checked against that name. */
function selectedName(query: URLSearchParams): string {
  const selector = query.get("fieldSelector") ?? "";
  const match = /^metadata\.name==?([^,]+)$/.exec(selector);
  return match?.[1] ?? "";
}

interface Collection {
  readonly verb: string;
  readonly name: string;
}

function collectionVerb(verb: string, query: URLSearchParams): Collection {
  if (verb === "get") return { verb: isWatch(query) ? "watch" : "list", name: selectedName(query) };
  if (verb === "delete") return { verb: "deletecollection", name: "" };
  return { verb, name: "" };
}

/** kube-apiserver's RequestInfoFactory: the attributes read from the method and path alone. */
export function requestAttributes(user: UserInfo, method: string, url: URL): RequestAttributes {
  const path = url.pathname;
  const segments = path.split("/").filter((segment) => segment !== "");
  const prefix = apiPrefix(segments);
  const verb = verbsByMethod[method] ?? method.toLowerCase();
  if (prefix === undefined) return { kind: "nonResource", user, verb: method.toLowerCase(), path };
  const legacyWatch = prefix.rest[0] === "watch";
  const { namespace, parts } = located(legacyWatch ? prefix.rest.slice(1) : prefix.rest);
  const [resource = "", name = "", subresource = ""] = parts;
  const named = name === "" ? collectionVerb(verb, url.searchParams) : { verb, name };
  return {
    kind: "resource",
    user,
    verb: legacyWatch ? "watch" : named.verb,
    apiGroup: prefix.apiGroup,
    apiVersion: prefix.apiVersion,
    namespace,
    resource,
    subresource,
    name: named.name,
  };
}
