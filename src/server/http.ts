/**
 * The controller's HTTP endpoints: `/metrics`, `/healthz`, `/readyz`, and where configured `/audit`
 * (kube-apiserver's audit webhook) and `/admission/record` (a record-only admission webhook). The
 * routing is a plain function of the request (testable without sockets, as the sandbox's app);
 * `serve` puts it on node:http, or node:https with a certificate. With a UI token, `/api/*` is the
 * dashboard's read-only JSON API (api.ts).
 */
import { timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import {
  AdmissionBodyError,
  admissionRequest,
  allowedReview,
  writeOfAdmission,
} from "../controller/admission.js";
import { AuditBodyError, writesOfAuditBody } from "../controller/audit.js";
import type { WriteRecord } from "../controller/writes.js";
import { AdmissionReviewError } from "../kube/admission.js";
import type { Api } from "./api.js";
import { answerApi } from "./api.js";
import type { Dashboard } from "./dashboard.js";
import { actorOf, answerDashboard } from "./dashboard.js";
import type { Actions } from "./api-actions.js";
import { answerAction, answerSession, isActionPath } from "./api-actions.js";
import { eventText } from "./live.js";

export interface EndpointRequest {
  readonly method: string;
  /** Path and query. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly body?: Buffer;
}

export interface EndpointResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface Endpoints {
  readonly registry: Registry;
  /** The first full sync is done. */
  readonly ready: () => boolean;
  /** `/audit`: the bearer token the audit webhook's kubeconfig carries, and where its writes go. */
  readonly audit?: { readonly token: string; readonly receive: (records: readonly WriteRecord[]) => void };
  /** `/admission/record`: where the admitted writes go, stamped with `now()`. */
  readonly admission?: { readonly receive: (record: WriteRecord) => void; readonly now: () => number };
  /**
   * `/validate`: `guard`'s validating webhook — an AdmissionReview body in, the review to answer
   * out; an AdmissionReviewError for a body that is not one.
   */
  readonly validate?: (body: string) => Record<string, unknown>;
  /** `/hooks/git`: a push notification, checked by `verify`, makes the Git source fetch at once. */
  readonly gitHook?: {
    readonly verify: (body: Buffer, headers: Readonly<Record<string, string | undefined>>) => boolean;
    readonly trigger: () => void;
  };
  /**
   * More readiness checks besides the first sync, as kube-apiserver's `/readyz` has: each answers
   * undefined when fine, else why not (`the Git source has not been fetched since …`).
   */
  readonly checks?: readonly { readonly name: string; readonly failure: () => string | undefined }[];
  /** `/api/*`: the dashboard's JSON API, behind its bearer token (`--ui-token-file`); absent, no such path. */
  readonly api?: Api;
  /** The dashboard's pages, sessions and live stream, beside the API. */
  readonly dashboard?: Dashboard;
  /** `--ui-actions`: the dashboard's write actions (api-actions.ts); absent, read-only. */
  readonly actions?: Actions;
}

function text(status: number, body: string, more: Record<string, string> = {}): EndpointResponse {
  return { status, headers: { "content-type": "text/plain; charset=utf-8", ...more }, body };
}

function json(status: number, body: unknown): EndpointResponse {
  return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

/** The bearer token of an Authorization header, compared in constant time. */
function hasToken(request: EndpointRequest, token: string): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers?.["authorization"] ?? "")?.[1] ?? "";
  const [a, b] = [Buffer.from(given), Buffer.from(token)];
  return a.length === b.length && timingSafeEqual(a, b);
}

function receiveAudit(audit: NonNullable<Endpoints["audit"]>, request: EndpointRequest): EndpointResponse {
  if (!hasToken(request, audit.token)) return text(401, "unauthorized\n");
  try {
    audit.receive(writesOfAuditBody(request.body?.toString("utf8") ?? ""));
    return json(200, {});
  } catch (error: unknown) {
    if (error instanceof AuditBodyError) return text(400, `${error.message}\n`);
    throw error;
  }
}

function receiveAdmission(
  admission: NonNullable<Endpoints["admission"]>,
  request: EndpointRequest,
): EndpointResponse {
  try {
    const review = admissionRequest(request.body?.toString("utf8") ?? "");
    const record = writeOfAdmission(review, admission.now());
    if (record !== undefined) admission.receive(record);
    return json(200, allowedReview(review));
  } catch (error: unknown) {
    if (error instanceof AdmissionBodyError) return text(400, `${error.message}\n`);
    throw error;
  }
}

function receiveReview(
  validate: NonNullable<Endpoints["validate"]>,
  request: EndpointRequest,
): EndpointResponse {
  try {
    return json(200, validate(request.body?.toString("utf8") ?? ""));
  } catch (error: unknown) {
    // Not a review: kube-apiserver counts a non-2xx as a failed call, and the failurePolicy decides.
    if (error instanceof AdmissionReviewError) return text(400, `${error.message}\n`);
    throw error;
  }
}

function receivePush(hook: NonNullable<Endpoints["gitHook"]>, request: EndpointRequest): EndpointResponse {
  if (!hook.verify(request.body ?? Buffer.alloc(0), request.headers ?? {}))
    return text(401, "unauthorized\n");
  hook.trigger();
  return text(202, "fetching\n");
}

/** The POST endpoints, when configured; undefined for any other path. */
function receiver(
  endpoints: Endpoints,
  path: string,
): ((request: EndpointRequest) => EndpointResponse) | undefined {
  const { audit, admission, gitHook, validate } = endpoints;
  if (path === "/validate" && validate !== undefined) return (request) => receiveReview(validate, request);
  if (path === "/audit" && audit !== undefined) return (request) => receiveAudit(audit, request);
  if (path === "/admission/record" && admission !== undefined)
    return (request) => receiveAdmission(admission, request);
  if (path === "/hooks/git" && gitHook !== undefined) return (request) => receivePush(gitHook, request);
  return undefined;
}

/**
 * kube-apiserver's `/readyz`: 200 `ok` when every check passes, else 503 naming what failed;
 * `?verbose` lists each check as `[+]name ok` or `[-]name failed: why`.
 */
function readiness(endpoints: Endpoints, verbose: boolean): EndpointResponse {
  const checks = [
    { name: "sync", failure: () => (endpoints.ready() ? undefined : "the first sync is not done") },
    ...(endpoints.checks ?? []),
  ].map((check) => ({ name: check.name, failure: check.failure() }));
  const failed = checks.filter((check) => check.failure !== undefined);
  const lines = checks.map((check) =>
    check.failure === undefined ? `[+]${check.name} ok` : `[-]${check.name} failed: ${check.failure}`,
  );
  if (failed.length === 0) return text(200, verbose ? `${lines.join("\n")}\nreadyz check passed\n` : "ok\n");
  const why = failed.map((check) => `${check.name}: ${check.failure ?? ""}`).join("; ");
  return text(503, verbose ? `${lines.join("\n")}\nreadyz check failed\n` : `not ready: ${why}\n`);
}

/** The API's answers are JSON, never cached: they may name who changed what. */
function apiJson(status: number, body: unknown, more: Record<string, string> = {}): EndpointResponse {
  return {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...more },
    body: JSON.stringify(body),
  };
}

function isApiPath(path: string): boolean {
  return path === "/api" || path.startsWith("/api/");
}

/** The bearer token, or the dashboard's session cookie (or the auth proxy's user). */
function mayReadApi(endpoints: Endpoints, api: Api, request: EndpointRequest): boolean {
  if (hasToken(request, api.token)) return true;
  return endpoints.dashboard !== undefined && actorOf(endpoints.dashboard, request) !== undefined;
}

async function serveApi(
  endpoints: Endpoints,
  api: Api,
  request: EndpointRequest,
  url: URL,
): Promise<EndpointResponse> {
  const { actions, dashboard } = endpoints;
  // Actions answer 404 when off and 403 without a browser's credentials: never "no token" (401).
  if (request.method === "POST" && isActionPath(url.pathname)) {
    const acted = await answerAction(actions, dashboard, request, url.pathname);
    return apiJson(acted.status, acted.body);
  }
  if (request.method !== "GET" && request.method !== "HEAD")
    return apiJson(405, { error: "method not allowed" }, { allow: "GET, HEAD" });
  if (!mayReadApi(endpoints, api, request))
    return apiJson(401, { error: "unauthorized" }, { "www-authenticate": 'Bearer realm="kubedrift"' });
  if (url.pathname === "/api/session") {
    const session = answerSession(actions, dashboard, request);
    return apiJson(session.status, session.body);
  }
  const answered = await answerApi(api, url);
  if (answered.text !== undefined)
    return {
      status: answered.status,
      headers: { "content-type": answered.text.contentType, "cache-control": "no-store" },
      body: answered.text.body,
    };
  return apiJson(answered.status, answered.body);
}

/** The API, the dashboard's pages and the POST receivers, where configured; undefined for other paths. */
function configuredRoute(
  endpoints: Endpoints,
  request: EndpointRequest,
  url: URL,
): Promise<EndpointResponse> | EndpointResponse | undefined {
  const path = url.pathname;
  if (endpoints.api !== undefined && isApiPath(path)) return serveApi(endpoints, endpoints.api, request, url);
  const dashboard =
    endpoints.dashboard === undefined ? undefined : answerDashboard(endpoints.dashboard, request, path);
  if (dashboard !== undefined) return dashboard;
  const receive = receiver(endpoints, path);
  if (receive === undefined) return undefined;
  return request.method === "POST" ? receive(request) : text(405, "method not allowed\n", { allow: "POST" });
}

/** Routes one request: GET (or HEAD) of the three paths, POST of the configured receivers; else 404 or 405. */
export async function handle(endpoints: Endpoints, request: EndpointRequest): Promise<EndpointResponse> {
  const url = new URL(request.url, "http://localhost");
  const path = url.pathname;
  const routed = configuredRoute(endpoints, request, url);
  if (routed !== undefined) return routed;
  if (!["/metrics", "/healthz", "/readyz"].includes(path)) return text(404, "not found\n");
  if (request.method !== "GET" && request.method !== "HEAD")
    return text(405, "method not allowed\n", { allow: "GET, HEAD" });
  if (path === "/metrics") {
    const body = await endpoints.registry.metrics();
    return { status: 200, headers: { "content-type": endpoints.registry.contentType }, body };
  }
  // Alive as long as it answers; ready once every object was evaluated and recorded once.
  if (path === "/healthz") return text(200, "ok\n");
  return readiness(endpoints, url.searchParams.has("verbose"));
}

/** A comment line every so often keeps proxies and load balancers from closing an idle stream. */
const keepAliveMs = 15_000;

/**
 * `GET /api/stream`: server-sent events of the watch's news, for as long as the client stays.
 * Answered here, not by `handle`: the answer is a stream, not a body. True when it was this.
 */
function streams(endpoints: Endpoints, request: IncomingMessage, response: ServerResponse): boolean {
  const { api, dashboard } = endpoints;
  if (api === undefined || dashboard === undefined || request.method !== "GET") return false;
  if (new URL(request.url ?? "/", "http://localhost").pathname !== "/api/stream") return false;
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.join(", ") : value,
    ]),
  );
  if (!mayReadApi(endpoints, api, { method: "GET", url: "/api/stream", headers })) {
    const refused = apiJson(401, { error: "unauthorized" });
    response.writeHead(refused.status, refused.headers).end(refused.body);
    return true;
  }
  response.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-store",
    "x-accel-buffering": "no",
  });
  response.write(": kubedrift\n\n");
  const unsubscribe = dashboard.live.subscribe((event) => response.write(eventText(event)));
  const keepAlive = setInterval(() => response.write(": keep-alive\n\n"), keepAliveMs);
  response.once("close", () => {
    clearInterval(keepAlive);
    unsubscribe();
  });
  return true;
}

/** `--listen HOST:PORT` (`[::1]:9090` for IPv6); loopback unless told otherwise. */
export function parseListen(text: string): { readonly host: string; readonly port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (match === null || !Number.isInteger(port) || port > 65535)
    throw new Error(`--listen: expected HOST:PORT (127.0.0.1:9090), got "${text}"`);
  const host = match[1] ?? match[2] ?? "";
  return { host: host === "" ? "127.0.0.1" : host, port };
}

export interface RunningEndpoints {
  /** `http://HOST:PORT` (`https://` with a certificate) as bound (the port chosen when 0 was asked). */
  readonly url: string;
  close(): Promise<void>;
}

/** kube-apiserver's audit batches hold up to 400 events at the RequestResponse level: room for them. */
export const maxBodyBytes = 32 * 1024 * 1024;

/** The body, or undefined past `maxBodyBytes` (declared or sent): the rest is left unread. */
function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  if (Number(request.headers["content-length"] ?? 0) > maxBodyBytes) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBodyBytes) return void chunks.push(chunk);
      request.off("data", onData);
      request.pause();
      resolve(undefined);
    };
    request.on("data", onData);
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

const tooLarge = text(413, `request body over ${maxBodyBytes} bytes\n`, { connection: "close" });

async function answer(endpoints: Endpoints, request: IncomingMessage): Promise<EndpointResponse> {
  const method = request.method ?? "GET";
  // Repeated headers are joined as node does for most: the receivers read single-valued ones.
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.join(", ") : value,
    ]),
  );
  const url = request.url ?? "/";
  if (method !== "POST") return handle(endpoints, { method, url, headers });
  const body = await readBody(request);
  // The unread rest cannot be skipped to reach a next request: the connection closes after the answer.
  if (body === undefined) return tooLarge;
  return handle(endpoints, { method, url, headers, body });
}

/**
 * A request must be whole within this: kube-apiserver gives a webhook at most 30 s
 * (`timeoutSeconds`) before its failurePolicy decides, and a client that sends slower than that
 * must not hold a connection and its buffers (node answers 408 and closes).
 */
export const requestTimeoutMs = 30_000;

/** Serves the endpoints on node:http (node:https with `tls`) until `close()`. */
export function serve(
  endpoints: Endpoints,
  where: {
    readonly host: string;
    readonly port: number;
    /** `requestTimeoutMs` unless given (tests). */
    readonly requestTimeoutMs?: number;
  },
  tls?: { readonly cert: Buffer; readonly key: Buffer },
): Promise<RunningEndpoints> {
  const listener: RequestListener = (request, response) => {
    if (streams(endpoints, request, response)) return;
    answer(endpoints, request)
      .catch((error: unknown) => text(500, `${error instanceof Error ? error.message : String(error)}\n`))
      .then((answered) => {
        response.writeHead(answered.status, answered.headers);
        response.end(request.method === "HEAD" ? undefined : answered.body);
      })
      .catch(() => response.destroy());
  };
  const timeout = where.requestTimeoutMs ?? requestTimeoutMs;
  const options = {
    requestTimeout: timeout,
    headersTimeout: Math.min(timeout, 10_000),
    // node checks the timeouts this often (30 s by default, which would double them).
    connectionsCheckingInterval: Math.min(1000, Math.ceil(timeout / 4)),
  };
  const server =
    tls === undefined ? createServer(options, listener) : createTlsServer({ ...tls, ...options }, listener);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(where.port, where.host, () => {
      const address = server.address() as AddressInfo;
      const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
      resolve({
        url: `${tls === undefined ? "http" : "https"}://${host}:${address.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
