import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, StatusReasons } from "../api/status.js";
import type { AuditAnnotations, WebhookAdmission } from "../admission-webhooks/index.js";
import type { Auditor, RequestAudit } from "../audit/index.js";
import type { FaultOptions } from "../faults.js";
import type { ApiApp, ApiRequest } from "./app.js";
import { entityTooLarge, errorResponse, maxBodyBytes } from "./app.js";
import { isWatchParam, splitApiPath, type ResourceVerb } from "./request-info.js";
import type { ApiResponse } from "./response.js";

/**
 * Reads a body up to `limit` bytes; undefined (and nothing more read) once it is beyond, or when
 * its Content-Length already says so. Only what fits the limit is ever held in memory.
 */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(request.headers["content-length"] ?? "0");
  if (declared > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer): void => {
      length += chunk.length;
      if (length <= limit) {
        chunks.push(chunk);
        return;
      }
      request.off("data", onData);
      request.pause();
      resolve(undefined);
    };
    request.on("data", onData);
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function headersOf(request: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

function sendJson(response: ServerResponse, answer: Extract<ApiResponse, { kind: "json" }>): void {
  const body = JSON.stringify(answer.body);
  response.statusCode = answer.status;
  response.setHeader("content-type", "application/json");
  response.setHeader("cache-control", "no-cache, private");
  for (const [name, value] of Object.entries(answer.headers ?? {})) response.setHeader(name, value);
  response.end(body);
}

function sendStream(
  request: IncomingMessage,
  response: ServerResponse,
  answer: Extract<ApiResponse, { kind: "stream" }>,
): void {
  response.statusCode = answer.status;
  response.setHeader("content-type", answer.contentType);
  response.setHeader("cache-control", "no-cache, private");
  response.setHeader("transfer-encoding", "chunked");
  response.flushHeaders();
  let ended = false;
  const stop = answer.start({
    write: (chunk) => {
      if (!ended) response.write(chunk);
    },
    end: () => {
      if (ended) return;
      ended = true;
      response.end();
    },
  });
  const close = (): void => {
    ended = true;
    stop();
  };
  request.on("close", close);
  response.on("close", close);
}

export function send(request: IncomingMessage, response: ServerResponse, answer: ApiResponse): void {
  switch (answer.kind) {
    case "json":
      sendJson(response, answer);
      return;
    case "bytes":
      response.statusCode = answer.status;
      response.setHeader("content-type", answer.contentType);
      response.end(answer.body);
      return;
    case "stream":
      sendStream(request, response, answer);
  }
}

/** Whether a resource path names one object (`…/configmaps/web`) rather than a collection (`…/namespaces/x/configmaps`). */
function namesObject(pathname: string): boolean {
  const segments = pathname.split("/").filter((segment) => segment !== "");
  const rest = segments[0] === "api" ? segments.slice(2) : segments.slice(3);
  const namespaced =
    rest[0] === "namespaces" && rest.length >= 3 && !["status", "finalize"].includes(rest[2] ?? "");
  return (namespaced ? rest.slice(2) : rest).length >= 2;
}

function verbFor(method: string, url: URL): ResourceVerb | undefined {
  const named = namesObject(url.pathname);
  if (method === "GET") return isWatchParam(url.searchParams) ? "watch" : named ? "get" : "list";
  const verbs: Readonly<Record<string, ResourceVerb>> = { POST: "create", PUT: "update", PATCH: "patch" };
  if (method === "DELETE") return named ? "delete" : "deletecollection";
  return verbs[method];
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** An injected failure for this request, or undefined to handle it normally. */
function injectedFailure(
  faults: FaultOptions,
  verb: ResourceVerb | undefined,
  random: () => number,
): ApiResponse | undefined {
  const rate = verb === undefined ? 0 : (faults.errorRate?.[verb] ?? 0);
  if (rate <= 0 || random() >= rate) return undefined;
  const status = faults.errorStatus ?? 500;
  if (status === 429) {
    const error = new ApiError(
      429,
      StatusReasons.tooManyRequests,
      "Too many requests, please try again later.",
      { retryAfterSeconds: 1 },
    );
    return { kind: "json", status: 429, body: error.toStatus(), headers: { "retry-after": "1" } };
  }
  const reason = status === 503 ? StatusReasons.serviceUnavailable : StatusReasons.internalError;
  return errorResponse(
    new ApiError(status, reason, `Internal error occurred: injected fault (${verb ?? "request"})`),
  );
}

export interface HttpHandlerOptions {
  readonly app: ApiApp;
  readonly faults: () => FaultOptions;
  readonly random: () => number;
  /** kube-apiserver's audit filter: an `Audit-Id` on every answer, events as the policy says. */
  readonly audit?: Auditor;
  /** kube-apiserver's ValidatingAdmissionWebhook: writes are checked by the configured webhooks first. */
  readonly admission?: WebhookAdmission;
}

/** The node:http request listener: reads the body, applies injected faults, hands the request to the app. */
export function createRequestListener(
  options: HttpHandlerOptions,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    handleRequest(options, request, response).catch((error: unknown) => {
      if (!response.headersSent) send(request, response, errorResponse(error));
      else response.destroy();
    });
  };
}

/**
 * Injected latency and failures apply to resource requests only: discovery (`/api/v1`,
 * `/apis/GROUP/VERSION` included), OpenAPI and health checks always answer.
 */
async function faultFor(
  options: HttpHandlerOptions,
  method: string,
  url: URL,
): Promise<ApiResponse | undefined> {
  if (!isResourcePath(url.pathname)) return undefined;
  const faults = options.faults();
  if ((faults.latencyMs ?? 0) > 0) await delay(faults.latencyMs ?? 0);
  return injectedFailure(faults, verbFor(method, url), options.random);
}

/** Resource paths only (`/api/v1/…`, `/apis/GROUP/VERSION/…`): discovery and OpenAPI are never hit. */
function isResourcePath(pathname: string): boolean {
  return splitApiPath(pathname.split("/").filter((segment) => segment !== "")) !== undefined;
}

/** Whether to drop this request's answer after handling it (the `loseResponses` fault). */
function losesResponse(options: HttpHandlerOptions, method: string, url: URL): boolean {
  if (!isResourcePath(url.pathname)) return false;
  const verb = verbFor(method, url);
  const rate = verb === undefined ? 0 : (options.faults().loseResponses?.[verb] ?? 0);
  return rate > 0 && options.random() < rate;
}

/**
 * Answers without reading (the rest of) the body, then closes the connection: the unread bytes
 * cannot be skipped to reach a next request, and reading them is what must not happen.
 */
function refuse(request: IncomingMessage, response: ServerResponse, answer: ApiResponse): void {
  response.setHeader("connection", "close");
  send(request, response, answer);
}

function withWarnings(answer: ApiResponse, warnings: readonly string[]): ApiResponse {
  if (warnings.length === 0 || answer.kind !== "json") return answer;
  const existing = answer.headers?.["warning"] ?? [];
  const added = warnings.map((warning) => `299 - ${JSON.stringify(warning)}`);
  return {
    ...answer,
    headers: {
      ...answer.headers,
      warning: [...(typeof existing === "string" ? [existing] : existing), ...added],
    },
  };
}

interface Admitted {
  readonly answer: ApiResponse;
  readonly auditAnnotations?: AuditAnnotations;
}

/** The validating webhooks decide first (they are asynchronous; the app's handlers are not). */
async function admitted(options: HttpHandlerOptions, request: ApiRequest): Promise<Admitted> {
  if (options.admission === undefined) return { answer: options.app.handle(request) };
  const outcome = await options.admission.admit(request);
  const annotations =
    outcome.auditAnnotations === undefined ? {} : { auditAnnotations: outcome.auditAnnotations };
  if (outcome.kind === "refuse") return { answer: outcome.answer, ...annotations };
  return { answer: withWarnings(options.app.handle(request), outcome.warnings), ...annotations };
}

/** ResponseComplete once answered; for a stream (watch), ResponseStarted now and ResponseComplete when it ends. */
function auditResponse(
  audit: RequestAudit | undefined,
  admittedAs: Admitted,
  response: ServerResponse,
): void {
  if (audit === undefined) return;
  const answer = admittedAs.answer;
  audit.responded(answer, admittedAs.auditAnnotations);
  if (answer.kind === "stream") response.once("close", () => audit.streamEnded());
}

async function handleRequest(
  options: HttpHandlerOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const method = request.method ?? "GET";
  const path = request.url ?? "/";
  const headers = headersOf(request);
  // As kube-apiserver's authentication filter does, credentials are checked before the handler
  // reads anything: an anonymous client cannot make the sandbox read (and hold) a large body.
  const unauthorized = options.app.authenticate({ method, url: path, headers });
  if (unauthorized !== undefined) return refuse(request, response, unauthorized);
  const body = await readBody(request, maxBodyBytes);
  if (body === undefined) return refuse(request, response, errorResponse(entityTooLarge()));
  const url = new URL(path, "https://sandbox");
  const audit = options.audit?.begin({
    method,
    url: path,
    headers,
    body,
    remoteAddress: request.socket.remoteAddress,
  });
  if (audit !== undefined) response.setHeader("audit-id", audit.id);
  const failure = await faultFor(options, method, url);
  const decided =
    failure === undefined
      ? await admitted(options, { method, url: path, headers, body })
      : { answer: failure };
  auditResponse(audit, decided, response);
  if (failure === undefined && losesResponse(options, method, url)) {
    // The write is stored and journaled; only its answer is lost, so the client sees a reset.
    request.socket.destroy();
    return;
  }
  send(request, response, decided.answer);
}
