import { HttpMethod, IsomorphicFetchHttpLibrary, RequestContext } from "@kubernetes/client-node";
import type { KubeConfig, ResponseContext } from "@kubernetes/client-node";
import { ClusterError } from "./types.js";
import { text } from "./json.js";

/** What the server said when it did not answer 2xx: the HTTP code and its `Status` object, if any. */
export interface ApiStatus {
  readonly code: number;
  readonly reason: string;
  readonly message: string;
  readonly retryAfterSeconds?: number;
}

export type ApiAnswer =
  { readonly kind: "ok"; readonly body: unknown } | { readonly kind: "status"; readonly status: ApiStatus };

/** The methods of writes (GETs go through `get`, which retries). */
export type WriteMethod = "PATCH" | "DELETE" | "POST" | "PUT";

export interface RawRequest {
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly contentType?: string;
}

/** An HTTP answer as it came: status code, the body parsed as JSON when it is JSON, and its text. */
export interface RawAnswer {
  readonly code: number;
  readonly body: unknown;
  readonly text: string;
}

export interface RetryPolicy {
  /** Tries per request, the first included. */
  readonly attempts: number;
  /** Backoff before the second try; doubled for each further one. */
  readonly initialDelayMs: number;
  /** Injectable so that tests do not wait. */
  readonly sleep: (ms: number) => Promise<void>;
}

export interface TransportOptions {
  readonly requestTimeoutMs: number;
  readonly retry: RetryPolicy;
}

export const defaultTransportOptions: TransportOptions = {
  requestTimeoutMs: 30_000,
  retry: {
    attempts: 4,
    initialDelayMs: 250,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  },
};

/** client-go retries these (with Retry-After); the rest are answers, not hiccups. */
const retryableCodes: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);
const retryableNetworkCodes: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);
const maxRetryAfterMs = 10_000;

const networkReasons: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset by peer",
  EPIPE: "connection closed by peer",
  UND_ERR_SOCKET: "connection closed by peer",
  UND_ERR_CLOSED: "connection closed by peer",
  ENOTFOUND: "no such host",
  EAI_AGAIN: "host name lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "connection timed out",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
};

const tlsReasons: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: "certificate signed by unknown authority (self-signed)",
  SELF_SIGNED_CERT_IN_CHAIN: "certificate signed by unknown authority",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "certificate signed by unknown authority",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "certificate signed by unknown authority",
  CERT_HAS_EXPIRED: "certificate has expired",
  CERT_NOT_YET_VALID: "certificate is not yet valid",
  ERR_TLS_CERT_ALTNAME_INVALID: "certificate is not valid for this host name",
};

interface ErrorDetails {
  readonly code: string;
  readonly message: string;
}

/** undici reports `TypeError: fetch failed` and hides the socket's error in `cause`. */
function rootCause(error: unknown): ErrorDetails {
  let current: unknown = error;
  for (let depth = 0; depth < 5; depth += 1) {
    if (!(current instanceof Error)) break;
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === "string") return { code, message: current.message };
    if (current.name === "TimeoutError" || current.name === "AbortError") {
      return { code: current.name, message: current.message };
    }
    if (current.cause === undefined) break;
    current = current.cause;
  }
  return { code: "", message: error instanceof Error ? error.message : String(error) };
}

function isRetryableNetworkError(error: unknown): boolean {
  return retryableNetworkCodes.has(rootCause(error).code);
}

/** One line for a request that got no HTTP answer: unreachable, TLS, timeout. */
export function describeNetworkError(error: unknown, server: string, timeoutMs: number): string {
  const { code, message } = rootCause(error);
  if (code === "TimeoutError" || code === "AbortError") {
    return `timed out after ${timeoutMs / 1000}s waiting for ${server}`;
  }
  const tls = tlsReasons[code];
  if (tls !== undefined) return `TLS handshake with ${server} failed: ${tls} (${code})`;
  if (code.startsWith("ERR_SSL") || code.startsWith("ERR_TLS")) {
    return `TLS handshake with ${server} failed: ${message} (${code})`;
  }
  const reason = networkReasons[code];
  return `cannot reach ${server}: ${reason ?? (code === "" ? message : `${message} (${code})`)}`;
}

function statusOf(code: number, body: string, headers: Readonly<Record<string, string>>): ApiStatus {
  let reason = "";
  let message = "";
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === "object" && parsed !== null) {
      reason = text((parsed as Record<string, unknown>)["reason"]);
      message = text((parsed as Record<string, unknown>)["message"]);
    }
  } catch {
    // Proxies and load balancers answer with HTML or plain text.
    message = body.trim().split("\n")[0]?.slice(0, 200) ?? "";
  }
  const retryAfter = Number(headers["retry-after"]);
  return {
    code,
    reason,
    message,
    ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterSeconds: retryAfter } : {}),
  };
}

function parseJson(body: string, url: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch (error: unknown) {
    throw new ClusterError(`${url} answered with something that is not JSON: ${body.slice(0, 80)}`, {
      cause: error,
    });
  }
}

interface Credentials {
  readonly headers: Readonly<Record<string, string>>;
  readonly dispatcher: ReturnType<RequestContext["getDispatcher"]>;
}

/**
 * Authenticated GETs of arbitrary API paths through client-node's own request machinery:
 * `KubeConfig.applySecurityAuthentication` supplies the TLS dispatcher and the credentials
 * (token, client certificate, exec and auth-provider plugins) and client-node's fetch sends.
 */
export class ApiTransport {
  readonly #config: KubeConfig;
  readonly #server: string;
  readonly #contextName: string;
  readonly #options: TransportOptions;
  readonly #http = new IsomorphicFetchHttpLibrary();
  #credentials: Promise<Credentials> | undefined;

  constructor(
    config: KubeConfig,
    target: { readonly server: string; readonly contextName: string },
    options: TransportOptions,
  ) {
    this.#config = config;
    this.#server = target.server;
    this.#contextName = target.contextName;
    this.#options = options;
  }

  get server(): string {
    return this.#server;
  }

  /** A GET of `path` (with query), retried on 429/5xx and dropped connections. */
  async get(path: string, query: Readonly<Record<string, string>> = {}): Promise<ApiAnswer> {
    const { attempts, initialDelayMs, sleep } = this.#options.retry;
    for (let attempt = 1; ; attempt += 1) {
      const last = attempt >= attempts;
      const answer = await this.#tryOnce(path, query, last);
      if (answer === undefined) {
        await sleep(initialDelayMs * 2 ** (attempt - 1));
        continue;
      }
      if (answer.kind === "status" && retryableCodes.has(answer.status.code) && !last) {
        const retryAfterMs = (answer.status.retryAfterSeconds ?? 0) * 1000;
        await sleep(Math.min(maxRetryAfterMs, Math.max(retryAfterMs, initialDelayMs * 2 ** (attempt - 1))));
        continue;
      }
      return answer;
    }
  }

  /** Undefined when a dropped connection should be retried. */
  async #tryOnce(
    path: string,
    query: Readonly<Record<string, string>>,
    last: boolean,
  ): Promise<ApiAnswer | undefined> {
    try {
      return await this.#send(path, query);
    } catch (error: unknown) {
      if (error instanceof ClusterError) throw error;
      if (!last && isRetryableNetworkError(error)) return undefined;
      throw new ClusterError(describeNetworkError(error, this.#server, this.#options.requestTimeoutMs), {
        cause: error,
      });
    }
  }

  /**
   * One write (PATCH, DELETE, …), tried once: whether a write may be repeated is the caller's
   * decision. An HTTP answer of any status is returned; no answer at all throws a ClusterError.
   */
  async request(method: WriteMethod, path: string, options: RawRequest = {}): Promise<RawAnswer> {
    try {
      const response = await this.#exchange(method, path, options);
      const text = await response.body.text();
      let body: unknown;
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        body = undefined;
      }
      return { code: response.httpStatusCode, body, text };
    } catch (error: unknown) {
      if (error instanceof ClusterError) throw error;
      throw new ClusterError(describeNetworkError(error, this.#server, this.#options.requestTimeoutMs), {
        cause: error,
      });
    }
  }

  async #exchange(method: HttpMethod, path: string, options: RawRequest): Promise<ResponseContext> {
    const credentials = await this.#authenticate();
    const url = new URL(`${this.#server}${path}`);
    for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
    const request = new RequestContext(url.toString(), method);
    for (const [name, value] of Object.entries(credentials.headers)) request.setHeaderParam(name, value);
    request.setHeaderParam("Accept", "application/json");
    request.setHeaderParam("User-Agent", "kubedrift");
    if (options.body !== undefined) {
      request.setHeaderParam("Content-Type", options.contentType ?? "application/json");
      request.setBody(options.body);
    }
    if (credentials.dispatcher !== undefined) request.setDispatcher(credentials.dispatcher);
    request.setSignal(AbortSignal.timeout(this.#options.requestTimeoutMs));
    return this.#http.send(request).toPromise();
  }

  async #send(path: string, query: Readonly<Record<string, string>>): Promise<ApiAnswer> {
    const response = await this.#exchange(HttpMethod.GET, path, { query });
    const body = await response.body.text();
    if (response.httpStatusCode >= 200 && response.httpStatusCode < 300) {
      return { kind: "ok", body: parseJson(body, `${this.#server}${path}`) };
    }
    return { kind: "status", status: statusOf(response.httpStatusCode, body, response.headers) };
  }

  /** Once per cluster: a new dispatcher per request would mean a TLS handshake per page. */
  #authenticate(): Promise<Credentials> {
    this.#credentials ??= this.#loadCredentials().catch((error: unknown) => {
      this.#credentials = undefined;
      throw error;
    });
    return this.#credentials;
  }

  async #loadCredentials(): Promise<Credentials> {
    const template = new RequestContext(this.#server, HttpMethod.GET);
    try {
      await this.#config.applySecurityAuthentication(template);
    } catch (error: unknown) {
      const message = error instanceof Error ? error.message : String(error);
      throw new ClusterError(
        `cannot set up credentials of context "${this.#contextName}" for ${this.#server}: ${message.split("\n")[0] ?? message}`,
        { cause: error },
      );
    }
    return { headers: { ...template.getHeaders() }, dispatcher: template.getDispatcher() };
  }
}
