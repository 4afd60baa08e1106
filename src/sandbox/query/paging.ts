import type { JsonObject, JsonValue, KubeObject } from "../../kube/value/json.js";
import { isJsonObject } from "../../kube/value/json.js";
import { ApiError, StatusReasons, badRequest } from "../api/status.js";
import type { MemoryObjectStore } from "../store/memory-store.js";
import type { ListResult, ResourceKey } from "../store/types.js";
import { metadataOf } from "../../kube/object.js";

/**
 * `limit`, `continue`, `resourceVersion` and `resourceVersionMatch` of list requests, with the
 * semantics and messages of kube-apiserver 1.32 (apiserver/pkg/storage/etcd3/store.go GetList,
 * storage/continue.go, storage/cacher).
 */

export const ResourceVersionMatches = { exact: "Exact", notOlderThan: "NotOlderThan", unset: "" } as const;
export type ResourceVersionMatch = (typeof ResourceVersionMatches)[keyof typeof ResourceVersionMatches];

export interface ListOptions {
  /** 0: no limit. */
  readonly limit: number;
  readonly continueToken: string;
  /** As sent: "" (most recent), "0" (any) or a number. */
  readonly resourceVersion: string;
  readonly resourceVersionMatch: ResourceVersionMatch;
}

export interface QueryParameters {
  get(name: string): string | null;
}

const CONTINUE_EXPIRED =
  "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

/** 410 for an expired continue token; its Status carries a token that continues from the current state. */
export class ContinueExpiredError extends ApiError {
  constructor(readonly continueToken: string) {
    super(410, StatusReasons.expired, CONTINUE_EXPIRED);
  }

  override toStatus(): JsonObject {
    return { ...super.toStatus(), metadata: { continue: this.continueToken } };
  }
}

function invalidListOptions(causes: readonly { field: string; message: string; reason: string }[]): ApiError {
  const list = causes.map((cause) => `${cause.field}: ${cause.message}`);
  const summary = list.length === 1 ? list[0] : `[${list.join(", ")}]`;
  return new ApiError(422, StatusReasons.invalid, `ListOptions.meta.k8s.io "" is invalid: ${summary}`, {
    group: "meta.k8s.io",
    kind: "ListOptions",
    causes: causes.map((cause) => ({ reason: cause.reason, message: cause.message, field: cause.field })),
  });
}

function parseLimit(value: string | null): number {
  if (value === null || value === "") return 0;
  if (!/^[+-]?[0-9]+$/.test(value)) {
    throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
  }
  const limit = Number(value);
  return limit > 0 ? limit : 0;
}

/** metainternalversion validation.ValidateListOptions (422 ListOptions … is invalid). */
function validateMatch(match: string, resourceVersion: string, continueToken: string): ResourceVersionMatch {
  if (match === "") return ResourceVersionMatches.unset;
  const causes: { field: string; message: string; reason: string }[] = [];
  const forbid = (message: string): void => {
    causes.push({
      field: "resourceVersionMatch",
      message: `Forbidden: ${message}`,
      reason: "FieldValueForbidden",
    });
  };
  if (resourceVersion === "") forbid("resourceVersionMatch is forbidden unless resourceVersion is provided");
  if (continueToken !== "") forbid("resourceVersionMatch is forbidden when continue is provided");
  if (match !== ResourceVersionMatches.exact && match !== ResourceVersionMatches.notOlderThan) {
    causes.push({
      field: "resourceVersionMatch",
      message: `Unsupported value: ${JSON.stringify(match)}: supported values: "Exact", "NotOlderThan", ""`,
      reason: "FieldValueNotSupported",
    });
  }
  if (match === ResourceVersionMatches.exact && resourceVersion === "0") {
    forbid('resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
  }
  if (causes.length > 0) throw invalidListOptions(causes);
  return match as ResourceVersionMatch;
}

/** Reads and validates the list parameters of a request's query string. */
export function parseListOptions(query: QueryParameters): ListOptions {
  const resourceVersion = query.get("resourceVersion") ?? "";
  const continueToken = query.get("continue") ?? "";
  const match = validateMatch(query.get("resourceVersionMatch") ?? "", resourceVersion, continueToken);
  return {
    limit: parseLimit(query.get("limit")),
    continueToken,
    resourceVersion,
    resourceVersionMatch: match,
  };
}

interface ContinueToken {
  /** -1: continue from the current state (what an expired token's replacement says). */
  readonly resourceVersion: number;
  /** The first key to return, relative to the list's prefix. */
  readonly start: string;
}

/** base64url without padding (Go's RawURLEncoding) of `{"v":"meta.k8s.io/v1","rv":N,"start":KEY}`. */
export function encodeContinue(resourceVersion: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv: resourceVersion, start }), "utf8").toString(
    "base64url",
  );
}

function invalidToken(detail: string): ApiError {
  return badRequest(`invalid continue token: continue key is not valid: ${detail}`);
}

function decodeBase64(token: string): string {
  const bad = token.search(/[^A-Za-z0-9_-]/);
  if (bad >= 0) throw invalidToken(`illegal base64 data at input byte ${bad}`);
  if (token.length % 4 === 1) throw invalidToken(`illegal base64 data at input byte ${token.length - 1}`);
  return Buffer.from(token, "base64url").toString("utf8");
}

function parseTokenJson(text: string): JsonObject {
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(text) as JsonValue;
  } catch (error: unknown) {
    throw invalidToken(error instanceof Error ? error.message : String(error));
  }
  if (!isJsonObject(parsed))
    throw invalidToken("json: cannot unmarshal into Go value of type storage.continueToken");
  return parsed;
}

/** Go's path.Clean equality check: no "..", ".", doubled or trailing slashes that would escape the prefix. */
function isCleanKey(start: string): boolean {
  const key = start.startsWith("/") ? start.slice(1) : start;
  return key.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
}

/** storage.DecodeContinue, with its error messages (wrapped as etcd3's GetList wraps them). */
export function decodeContinue(token: string): ContinueToken {
  const parsed = parseTokenJson(decodeBase64(token));
  const version = parsed["v"];
  if (version !== "meta.k8s.io/v1") {
    throw badRequest(
      `invalid continue token: continue key is not valid: server does not recognize this encoded version ${typeof version === "string" ? version : ""}`,
    );
  }
  const resourceVersion = parsed["rv"];
  const start = parsed["start"];
  if (typeof resourceVersion !== "number" || !Number.isInteger(resourceVersion) || resourceVersion === 0) {
    throw badRequest(
      "invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
    );
  }
  if (typeof start !== "string" || start === "") {
    throw badRequest(
      "invalid continue token: continue key is not valid: encoded start key empty (version meta.k8s.io/v1)",
    );
  }
  if (!isCleanKey(start)) throw invalidToken(start);
  return { resourceVersion, start: start.startsWith("/") ? start.slice(1) : start };
}

/** Where a list comes from: the store, seen through one resource and namespace. */
export interface ListSource {
  readonly currentResourceVersion: number;
  /** The current objects, in key order. */
  current(): ListResult;
  /** The objects as they were at a past resourceVersion; throws 410 Expired when that is no longer known. */
  at(resourceVersion: number): ListResult;
}

export interface PageRequest {
  readonly options: ListOptions;
  /** The list's namespace; undefined for a list across namespaces or of a cluster-scoped resource. */
  readonly namespace: string | undefined;
  /** Label and field selectors; undefined when the request has none (then remainingItemCount is reported). */
  readonly matches?: (object: KubeObject) => boolean;
}

export interface Page {
  readonly items: readonly KubeObject[];
  readonly resourceVersion: number;
  readonly continueToken?: string;
  readonly remainingItemCount?: number;
}

/** The key of an object under the list's prefix: "name" within a namespace, "namespace/name" across. */
function keyOf(object: KubeObject, namespace: string | undefined): string {
  const metadata = metadataOf(object);
  const name = typeof metadata["name"] === "string" ? metadata["name"] : "";
  const objectNamespace = typeof metadata["namespace"] === "string" ? metadata["namespace"] : "";
  return namespace !== undefined || objectNamespace === "" ? name : `${objectNamespace}/${name}`;
}

function tooLarge(wanted: number, current: number): ApiError {
  // storage.NewTooLargeResourceVersionError: the watch cache gives up waiting for a future revision.
  return new ApiError(
    504,
    StatusReasons.timeout,
    `Too large resource version: ${wanted}, current: ${current}`,
    {
      causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
      retryAfterSeconds: 1,
    },
  );
}

function parseResourceVersion(value: string): number {
  if (!/^[0-9]+$/.test(value)) {
    throw badRequest(
      `resourceVersion: Invalid value: ${JSON.stringify(value)}: strconv.ParseUint: parsing ${JSON.stringify(value)}: invalid syntax`,
    );
  }
  return Number(value);
}

interface Snapshot {
  readonly list: ListResult;
  readonly start: string;
}

function fromContinue(source: ListSource, request: PageRequest): Snapshot {
  const token = decodeContinue(request.options.continueToken);
  const { resourceVersion } = request.options;
  if (resourceVersion !== "" && resourceVersion !== "0") {
    throw badRequest("specifying resource version is not allowed when using continue");
  }
  if (token.resourceVersion === -1) return { list: source.current(), start: token.start };
  if (token.resourceVersion > source.currentResourceVersion)
    throw tooLarge(token.resourceVersion, source.currentResourceVersion);
  try {
    return { list: source.at(token.resourceVersion), start: token.start };
  } catch (error: unknown) {
    if (error instanceof ApiError && error.code === 410)
      throw new ContinueExpiredError(encodeContinue(-1, token.start));
    throw error;
  }
}

/** Which state a list without continue reads, by resourceVersion and resourceVersionMatch. */
function fromResourceVersion(source: ListSource, options: ListOptions): ListResult {
  if (options.resourceVersion === "" || options.resourceVersion === "0") return source.current();
  const wanted = parseResourceVersion(options.resourceVersion);
  const current = source.currentResourceVersion;
  if (wanted > current) throw tooLarge(wanted, current);
  // A paginated list with a legacy resourceVersion (no match) reads exactly that revision from etcd.
  const exact =
    options.resourceVersionMatch === ResourceVersionMatches.exact ||
    (options.resourceVersionMatch === "" && options.limit > 0);
  return exact && wanted < current ? source.at(wanted) : source.current();
}

function firstAtOrAfter(items: readonly KubeObject[], start: string, namespace: string | undefined): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (keyOf(items[middle], namespace) < start) low = middle + 1;
    else high = middle;
  }
  return low;
}

function snapshotFor(source: ListSource, request: PageRequest): Snapshot {
  if (request.options.continueToken !== "") return fromContinue(source, request);
  return { list: fromResourceVersion(source, request.options), start: "" };
}

/** The watch cache serves resourceVersion=0 and ignores the limit. */
function effectiveLimit(options: ListOptions): number {
  return options.resourceVersion === "0" && options.continueToken === "" ? 0 : options.limit;
}

/**
 * One page of a list. Selectors filter before the limit counts; a continue token is returned
 * while keys remain after the page (even if none of them match, as etcd cannot know), and
 * remainingItemCount only when there is no selector.
 */
export function listPage(source: ListSource, request: PageRequest): Page {
  const { namespace, matches } = request;
  const snapshot = snapshotFor(source, request);
  const { items, resourceVersion } = snapshot.list;
  const limit = effectiveLimit(request.options);
  const page: KubeObject[] = [];
  let index = snapshot.start === "" ? 0 : firstAtOrAfter(items, snapshot.start, namespace);
  for (; index < items.length && (limit === 0 || page.length < limit); index += 1) {
    const item = items[index];
    if (matches === undefined || matches(item)) page.push(item);
  }
  if (index >= items.length) return { items: page, resourceVersion };
  const last = page[page.length - 1];
  const continueToken = encodeContinue(resourceVersion, `${keyOf(last, namespace)}\u0000`);
  if (matches !== undefined) return { items: page, resourceVersion, continueToken };
  return { items: page, resourceVersion, continueToken, remainingItemCount: items.length - index };
}
/** A ListSource over the sandbox's store for one resource and namespace (undefined: all). */
export function storeListSource(
  store: Pick<MemoryObjectStore, "resourceVersion" | "list" | "listAt">,
  resource: ResourceKey,
  namespace: string | undefined,
): ListSource {
  return {
    get currentResourceVersion() {
      return store.resourceVersion;
    },
    current: () => store.list(resource, namespace),
    at: (resourceVersion) => store.listAt(resource, namespace, resourceVersion),
  };
}
