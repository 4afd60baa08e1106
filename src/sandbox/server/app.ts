import { parse as parseYaml } from "yaml";
import type { JsonValue } from "../../kube/value/json.js";
import { ApiError, StatusReasons, badRequest } from "../api/status.js";
import {
  ProtobufDecodeError,
  UnsupportedProtobufKindError,
  decodeProtobufObject,
} from "../protobuf/decode.js";
import type { SandboxAuth } from "../auth/index.js";
import { requestAttributes } from "../auth/attributes.js";
import { forbidden } from "../auth/forbidden.js";
import { impersonate, impersonationHeaders } from "../auth/impersonation.js";
import type { UserInfo } from "../auth/user.js";
import type { RequestScope, ServerContext } from "./context.js";
import { authEndpoint } from "./auth-endpoints.js";
import { deleteCollection, deleteObject, parseDeleteOptions } from "./deletes.js";
import { apiGroup, apiGroupList, apiResourceList, legacyApiVersions, serverVersion } from "./discovery.js";
import { compileListFilter } from "./filters.js";
import type { PatchType } from "./machinery.js";
import { PatchTypes } from "./machinery.js";
import type { OpenAPIDocuments } from "./openapi-port.js";
import { getObject, getTable, listObjects, withTypeMeta } from "./reads.js";
import type { ResourceRequest } from "./request-info.js";
import { parseResourceRequest, splitApiPath } from "./request-info.js";
import type { ApiResponse } from "./response.js";
import { json } from "./response.js";
import { getScale, patchScale, updateScale } from "./subresources.js";
import { wantsTable } from "./table.js";
import type { WatchSettings } from "./watch.js";
import { watchObjects } from "./watch.js";
import { parseWriteOptions } from "./write-options.js";
import type { WriteCall, WriteResult } from "./writes.js";
import { createObject, patchObject, updateObject } from "./writes.js";

/** An HTTP request as the app sees it: no sockets, so handlers can be tested with plain calls. */
export interface ApiRequest {
  readonly method: string;
  /** Path and query, e.g. `/api/v1/namespaces/default/pods?limit=10`. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body?: Buffer;
}

export interface AppOptions {
  readonly context: ServerContext;
  readonly auth: SandboxAuth;
  readonly openapi: OpenAPIDocuments;
  readonly watch: WatchSettings;
}

const protobufMediaType = "application/vnd.kubernetes.protobuf";

/** kube-apiserver's limit on request bodies (3 MiB). */
export const maxBodyBytes = 3 * 1024 * 1024;

/** kube-apiserver's answer to a body beyond the limit (limitedReadBody). */
export function entityTooLarge(): ApiError {
  return new ApiError(
    413,
    StatusReasons.requestEntityTooLarge,
    `Request entity too large: limit is ${maxBodyBytes}`,
  );
}

// /version and the health endpoints are readable without credentials (system:public-info-viewer).
const publicPaths = new Set(["/version", "/healthz", "/livez", "/readyz"]);

export interface ApiApp {
  handle(request: ApiRequest): ApiResponse;
  /** The 401 for a request without valid credentials, decided from its headers before any body is read. */
  authenticate(request: Omit<ApiRequest, "body">): ApiResponse | undefined;
}

export function createApp(options: AppOptions): ApiApp {
  return {
    handle: (request) => {
      try {
        return route(options, request);
      } catch (error: unknown) {
        return errorResponse(error);
      }
    },
    authenticate: (request) => {
      const refusal = authenticationFailure(options, request);
      return refusal === undefined ? undefined : errorResponse(refusal);
    },
  };
}

/** What a client sees of the sandbox's own bug; the details go to stderr only. */
export const internalErrorMessage = "Internal error occurred: the sandbox failed to handle the request";

/**
 * The Status for an error. Known errors are ApiErrors (400 for an undecodable body, 422 for an
 * invalid object, …); anything else is the sandbox's own bug: a 500 with a generic message, and
 * the error (never the request or its body) logged to stderr.
 */
export function errorResponse(error: unknown): ApiResponse {
  if (error instanceof ApiError) return json(error.code, error.toStatus());
  const detail = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  process.stderr.write(`sandbox: internal error: ${detail}\n`);
  return json(500, new ApiError(500, StatusReasons.internalError, internalErrorMessage).toStatus());
}

function pathOf(url: URL): string {
  return url.pathname.replace(/\/+$/, "") || "/";
}

function authenticationFailure(options: AppOptions, request: Omit<ApiRequest, "body">): ApiError | undefined {
  if (publicPaths.has(pathOf(new URL(request.url, "http://sandbox")))) return undefined;
  if (options.auth.authenticate(request.headers["authorization"]) !== undefined) return undefined;
  return new ApiError(401, StatusReasons.unauthorized, "Unauthorized");
}

function authenticated(options: AppOptions, request: ApiRequest): UserInfo {
  const user = options.auth.authenticate(request.headers["authorization"]);
  if (user === undefined) throw new ApiError(401, StatusReasons.unauthorized, "Unauthorized");
  return user;
}

/** Who the request acts as: the authenticated user, or whom it impersonates (`kubectl --as`). */
export interface Requester {
  readonly user: UserInfo;
  /** The authenticated user when the request impersonates `user`. */
  readonly impersonator?: UserInfo;
}

/** As kube-apiserver's filter chain: authentication, impersonation, then authorization, before any handler. */
function authorized(options: AppOptions, request: ApiRequest, url: URL): Requester {
  const authenticatedUser = authenticated(options, request);
  const impersonated = impersonate(
    authenticatedUser,
    impersonationHeaders(request.headers),
    options.auth.authorize,
  );
  const user = impersonated ?? authenticatedUser;
  const attributes = requestAttributes(user, request.method, url);
  const decision = options.auth.authorize(attributes);
  if (!decision.allowed) throw forbidden(attributes, decision.reason);
  return impersonated === undefined ? { user } : { user, impersonator: authenticatedUser };
}

function route(options: AppOptions, request: ApiRequest): ApiResponse {
  const url = new URL(request.url, "http://sandbox");
  const path = pathOf(url);
  if (publicPaths.has(path)) return publicEndpoint(path);
  const requester = authorized(options, request, url);
  const segments = path.split("/").filter((segment) => segment !== "");
  return (
    discoveryEndpoint(options, segments, request) ??
    resourceEndpoint(options, request, { segments, query: url.searchParams, requester })
  );
}

function publicEndpoint(path: string): ApiResponse {
  if (path === "/version") return json(200, serverVersion);
  return { kind: "json", status: 200, body: "ok" };
}

function discoveryEndpoint(
  options: AppOptions,
  segments: readonly string[],
  request: ApiRequest,
): ApiResponse | undefined {
  if (segments[0] === "openapi")
    return openapiEndpoint(options.openapi, segments.slice(1), request.headers["accept"]);
  if (request.method !== "GET") return undefined;
  const document = discoveryDocument(options.context, segments);
  return document === undefined ? undefined : found(document.body);
}

/** `/api`, `/apis`, `/api/v1`, `/apis/GROUP`, `/apis/GROUP/VERSION`; undefined for any other path. */
function discoveryDocument(
  context: ServerContext,
  segments: readonly string[],
): { readonly body: JsonValue | undefined } | undefined {
  const [first, second = "", third = ""] = segments;
  switch (`${first ?? ""}/${segments.length}`) {
    case "api/1":
      return { body: legacyApiVersions(context.serverAddress()) };
    case "apis/1":
      return { body: apiGroupList(context.registry) };
    case "api/2":
      return { body: apiResourceList(context.registry, "", second) };
    case "apis/2":
      return { body: apiGroup(context.registry, second) };
    case "apis/3":
      return { body: apiResourceList(context.registry, second, third) };
    default:
      return undefined;
  }
}

function found(body: JsonValue | undefined): ApiResponse {
  if (body === undefined)
    throw new ApiError(404, StatusReasons.notFound, "the server could not find the requested resource");
  return json(200, body);
}

function acceptsJson(accept: string | undefined): boolean {
  return accept === undefined || accept === "" || /application\/json|\*\/\*/.test(accept);
}

// kube-openapi answers with the subtype spelled without "@", which Go's mime parser accepts.
const openapiV2ProtobufResponse = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

/**
 * kubectl asks for /openapi/v2 only in protobuf, and only to validate kinds that /openapi/v3 does not
 * describe. The sandbox answers with a document that has no definitions (`swagger: "2.0"` and an
 * info block), which makes kubectl skip client-side validation of such kinds, as it does for a real
 * cluster's unknown kinds; every kind the sandbox serves is validated through /openapi/v3.
 */
function protobufV2Document(): Buffer {
  const field = (number: number, bytes: Buffer): Buffer =>
    Buffer.concat([Buffer.from([(number << 3) | 2, bytes.length]), bytes]);
  const info = Buffer.concat([field(1, Buffer.from("Kubernetes")), field(2, Buffer.from("v1.32.0"))]);
  return Buffer.concat([field(1, Buffer.from("2.0")), field(2, info)]);
}

function openapiEndpoint(
  openapi: OpenAPIDocuments,
  rest: readonly string[],
  accept: string | undefined,
): ApiResponse {
  const isV2 = rest[0] === "v2" && rest.length === 1;
  if (!acceptsJson(accept)) {
    if (isV2 && /proto-openapi\.spec\.v2/.test(accept ?? "")) {
      return {
        kind: "bytes",
        status: 200,
        contentType: openapiV2ProtobufResponse,
        body: protobufV2Document(),
      };
    }
    throw new ApiError(
      406,
      StatusReasons.notAcceptable,
      `only the following media types are accepted: application/json`,
    );
  }
  if (isV2) return json(200, openapi.v2());
  if (rest[0] !== "v3")
    throw new ApiError(404, StatusReasons.notFound, "the server could not find the requested resource");
  return rest.length === 1 ? json(200, openapi.index()) : found(openapi.document(rest.slice(1).join("/")));
}

function decodeBody(request: ApiRequest): unknown {
  const body = request.body;
  if (body === undefined || body.length === 0) return undefined;
  if (body.length > maxBodyBytes) throw entityTooLarge();
  const contentType = (request.headers["content-type"] ?? "application/json").split(";")[0]?.trim() ?? "";
  return parseBody(contentType, body);
}

function parseProtobuf(body: Buffer): unknown {
  try {
    return decodeProtobufObject(body).object;
  } catch (error: unknown) {
    if (error instanceof UnsupportedProtobufKindError)
      throw new ApiError(415, StatusReasons.unsupportedMediaType, error.message);
    if (error instanceof ProtobufDecodeError) throw badRequest(error.message);
    // Anything else is the decoder's own bug: errorResponse answers 500.
    throw error;
  }
}

// Typed client-go clients (kubectl create configmap|secret|deployment …) send protobuf bodies.
function parseBody(contentType: string, body: Buffer): unknown {
  if (contentType === protobufMediaType) return parseProtobuf(body);
  const yaml = contentType.endsWith("yaml");
  try {
    return yaml
      ? (parseYaml(body.toString("utf8")) as unknown)
      : (JSON.parse(body.toString("utf8")) as unknown);
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    throw badRequest(`error decoding ${yaml ? "YAML" : "JSON"}: ${reason}`);
  }
}

function patchTypeOf(request: ApiRequest): PatchType {
  const contentType = (request.headers["content-type"] ?? "").split(";")[0]?.trim() ?? "";
  const patchType = Object.values(PatchTypes).find((candidate) => candidate === contentType);
  if (patchType === undefined) {
    throw new ApiError(
      415,
      StatusReasons.unsupportedMediaType,
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
    );
  }
  return patchType;
}

interface Target {
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
  readonly requester: Requester;
}

function resourceEndpoint(options: AppOptions, request: ApiRequest, target: Target): ApiResponse {
  const parts = splitApiPath(target.segments);
  if (parts === undefined)
    throw new ApiError(404, StatusReasons.notFound, "the server could not find the requested resource");
  const resourceRequest = parseResourceRequest(request.method, parts, target.query, options.context.registry);
  const scope: RequestScope = {
    warnings: [],
    userAgent: request.headers["user-agent"],
    user: target.requester.user,
    ...(target.requester.impersonator === undefined ? {} : { impersonator: target.requester.impersonator }),
  };
  const call = { options, request, query: target.query, scope };
  const response =
    authEndpoint({ ...call, body: () => decodeBody(request) }, resourceRequest) ??
    dispatch(call, resourceRequest);
  return withWarnings(response, scope);
}

function withWarnings(response: ApiResponse, scope: RequestScope): ApiResponse {
  if (scope.warnings.length === 0 || response.kind !== "json") return response;
  const warnings = scope.warnings.map((warning) => `299 - ${JSON.stringify(warning)}`);
  return { ...response, headers: { ...response.headers, warning: warnings } };
}

interface Dispatch {
  readonly options: AppOptions;
  readonly request: ApiRequest;
  readonly query: URLSearchParams;
  readonly scope: RequestScope;
}

function writeCall(call: Dispatch, request: ResourceRequest): WriteCall {
  return {
    context: call.options.context,
    request,
    options: parseWriteOptions(call.query, call.request.headers["user-agent"]),
    scope: call.scope,
  };
}

function written(result: WriteResult, request: ResourceRequest): ApiResponse {
  const object = request.subresource === "scale" ? result.object : withTypeMeta(result.object, request.info);
  return json(result.code, object);
}

function dispatch(call: Dispatch, request: ResourceRequest): ApiResponse {
  const context = call.options.context;
  const table = wantsTable(call.request.headers["accept"]);
  switch (request.verb) {
    case "get":
      return read(call, request, table);
    case "list":
      return json(200, listObjects({ context, request, query: call.query, table }));
    case "watch":
      return watchObjects({ context, request, query: call.query, table, settings: call.options.watch });
    case "create":
      return written(createObject(writeCall(call, request), decodeBody(call.request)), request);
    case "update":
      return written(update(call, request), request);
    case "patch":
      return written(patch(call, request), request);
    case "delete":
      return deleted(call, request);
    case "deletecollection": {
      const filter = compileListFilter(request.info, call.query);
      return json(
        200,
        deleteCollection(
          context,
          request,
          filter.matches,
          parseDeleteOptions(decodeBody(call.request), call.query),
        ),
      );
    }
  }
}

function read(call: Dispatch, request: ResourceRequest, table: boolean): ApiResponse {
  const context = call.options.context;
  if (request.subresource === "scale") return json(200, getScale(writeCall(call, request)));
  if (table) return json(200, getTable(context, request, call.query));
  return json(200, getObject(context, request));
}

function update(call: Dispatch, request: ResourceRequest): WriteResult {
  const body = decodeBody(call.request);
  if (request.subresource === "scale") return updateScale(writeCall(call, request), body);
  return updateObject(writeCall(call, request), body);
}

function patch(call: Dispatch, request: ResourceRequest): WriteResult {
  const patchType = patchTypeOf(call.request);
  const body = decodeBody(call.request);
  if (request.subresource === "scale") return patchScale(writeCall(call, request), patchType, body);
  return patchObject(writeCall(call, request), patchType, body);
}

function deleted(call: Dispatch, request: ResourceRequest): ApiResponse {
  const result = deleteObject(
    call.options.context,
    request,
    parseDeleteOptions(decodeBody(call.request), call.query),
  );
  const body = result.body["kind"] === "Status" ? result.body : withTypeMeta(result.body, request.info);
  return json(result.code, body);
}
