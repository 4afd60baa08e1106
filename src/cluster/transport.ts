import { STATUS_CODES } from "node:http";
import { HttpMethod, IsomorphicFetchHttpLibrary, RequestContext } from "./client-node.js";
import type { KubeConfig } from "./client-node.js";
import { ClusterError } from "./types.js";
import type { Trace } from "./types.js";
import { execConfigOf, runCredentialPlugin, withCredential } from "./exec-credential.js";
import { stringOf } from "../kube/value/json.js";

/** What the server said when it did not answer 2xx: the HTTP code and its `Status` object, if any. */
export interface ApiStatus {
  readonly code: number;
  readonly reason: string;
  readonly message: string;
  readonly retryAfterSeconds?: number;
}

export type ApiAnswer =
  { readonly kind: "ok"; readonly body: unknown } | { readonly kind: "status"; readonly status: ApiStatus };

/** The answer to a streaming GET: the body as it arrives, or the Status of a refusal. */
export type StreamAnswer =
  | { readonly kind: "ok"; readonly body: ReadableStream<Uint8Array> }
  | { readonly kind: "status"; readonly status: ApiStatus };

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
  /** Per request, and per run of a credential plugin; 0 for no limit (kubectl's --request-timeout=0). */
  readonly requestTimeoutMs: number;
  readonly retry: RetryPolicy;
  /** Where a credential plugin's environment comes from; process.env by default. */
  readonly env?: NodeJS.ProcessEnv;
  /** `-v`/`--debug`: a line per request; none by default. */
  readonly trace?: Trace;
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
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "connection timed out",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
};

const dnsReasons: Readonly<Record<string, string>> = {
  ENOTFOUND: "no such host",
  EAI_AGAIN: "temporary failure, try again",
  EAI_FAIL: "the name server failed",
  ENODATA: "no address for the host",
};

/** client-go's wording (x509: …) where Go has one, so that the usual searches find the usual fixes. */
const tlsReasons: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: "certificate signed by unknown authority (it is self-signed)",
  SELF_SIGNED_CERT_IN_CHAIN: "certificate signed by unknown authority",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "certificate signed by unknown authority",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "certificate signed by unknown authority",
  UNABLE_TO_GET_ISSUER_CERT: "certificate signed by unknown authority",
  CERT_HAS_EXPIRED: "certificate has expired",
  CERT_NOT_YET_VALID: "certificate is not yet valid",
  CERT_REVOKED: "certificate has been revoked",
};

/** OpenSSL's reasons for a handshake that met something other than TLS (an HTTP server, say). */
const notTlsCodes: ReadonlySet<string> = new Set([
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "ERR_SSL_PACKET_LENGTH_TOO_LONG",
  "ERR_SSL_HTTP_REQUEST",
  "ERR_SSL_UNKNOWN_PROTOCOL",
  "ERR_SSL_RECORD_LAYER_FAILURE",
]);

interface ErrorDetails {
  readonly code: string;
  readonly message: string;
}

function detailsOf(error: Error): ErrorDetails | undefined {
  const code = (error as Error & { code?: unknown }).code;
  if (typeof code === "string") return { code, message: error.message };
  if (error.name === "TimeoutError" || error.name === "AbortError")
    return { code: error.name, message: error.message };
  // undici refuses the Fetch standard's "bad ports" (6000, 6665-6669, …) before connecting.
  if (error.message === "bad port") return { code: "BAD_PORT", message: error.message };
  // Happy eyeballs: one error per address tried; the first says what happened.
  const [first] = error instanceof AggregateError ? (error.errors as unknown[]) : [];
  return first instanceof Error ? detailsOf(first) : undefined;
}

/** undici reports `TypeError: fetch failed` and hides the socket's error in `cause`. */
function rootCause(error: unknown): ErrorDetails {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const details = detailsOf(current);
    if (details !== undefined) return details;
    current = current.cause;
  }
  return { code: "", message: error instanceof Error ? error.message : String(error) };
}

function hostOf(server: string): string {
  try {
    return new URL(server).hostname;
  } catch {
    return server;
  }
}

function portOf(server: string): string {
  try {
    return new URL(server).port;
  } catch {
    return "";
  }
}

/** Node: `Hostname/IP does not match certificate's altnames: Host: x. is not in the cert's altnames: DNS:a, IP Address:b`. */
function nameMismatch(message: string, server: string): string {
  const host = /(?:Host|IP): (\S+?)\.? is not in the cert's/.exec(message)?.[1] ?? hostOf(server);
  const names = /altnames: (?:Host|IP): \S+ is not in the cert's (?:altnames|list): (.*)$/.exec(message)?.[1];
  return `certificate name mismatch: it is not valid for "${host}"${names === undefined ? "" : ` (it is for ${names})`}`;
}

/** OpenSSL's `…:error:0A00010B:SSL routines:func:reason:file:line:` → reason. */
function openSslReason(message: string): string {
  return /SSL routines:[^:]*:([^:]+)/.exec(message)?.[1] ?? message.split("\n")[0] ?? message;
}

function tlsProblem(code: string, message: string, server: string): string | undefined {
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return nameMismatch(message, server);
  const reason = tlsReasons[code];
  if (reason !== undefined) return reason;
  if (notTlsCodes.has(code)) return "the server does not speak TLS (is it plain HTTP?)";
  if (code.startsWith("ERR_SSL") || code.startsWith("ERR_TLS")) return `${openSslReason(message)} (${code})`;
  return undefined;
}

function isRetryableNetworkError(error: unknown): boolean {
  return retryableNetworkCodes.has(rootCause(error).code);
}

/**
 * One line for a request that got no HTTP answer, naming the endpoint and what happened in words:
 * connection refused, timed out, DNS lookup failed, not TLS, certificate problems.
 */
export function describeNetworkError(error: unknown, server: string, timeoutMs: number): string {
  const { code, message } = rootCause(error);
  if (code === "TimeoutError" || code === "AbortError") {
    return `timed out after ${timeoutMs / 1000}s waiting for ${server}`;
  }
  const tls = tlsProblem(code, message, server);
  if (tls !== undefined) return `TLS handshake with ${server} failed: ${tls}`;
  const dns = dnsReasons[code];
  if (dns !== undefined) return `cannot reach ${server}: DNS lookup of ${hostOf(server)} failed: ${dns}`;
  if (code === "BAD_PORT")
    return `cannot reach ${server}: port ${portOf(server)} is blocked by Node's fetch (a "bad port" of the Fetch standard)`;
  const reason = networkReasons[code];
  const said = message.split("\n")[0] ?? message;
  return `cannot reach ${server}: ${reason ?? (code === "" ? said : `${said} (${code})`)}`;
}

function statusOf(code: number, body: string, headers: Readonly<Record<string, string>>): ApiStatus {
  let reason = "";
  let message = "";
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === "object" && parsed !== null) {
      reason = stringOf((parsed as Record<string, unknown>)["reason"]);
      message = stringOf((parsed as Record<string, unknown>)["message"]);
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

/** Headers that carry credentials: shown as `<masked>` even with --debug (rule 7). */
const credentialHeaders: ReadonlySet<string> = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "x-auth-token",
]);

/** The request's headers for --debug, credentials masked (the scheme of an Authorization kept). */
export function shownHeaders(headers: Readonly<Record<string, string>>): string {
  return Object.entries(headers)
    .map(([name, value]) => {
      if (!credentialHeaders.has(name.toLowerCase())) return `${name}: ${value}`;
      const scheme = /^(Bearer|Basic)\s/i.exec(value)?.[1];
      return `${name}: ${scheme === undefined ? "" : `${scheme} `}<masked>`;
    })
    .join(", ");
}

/**
 * What a request that got no answer met, every level of it: undici's `fetch failed` hides the
 * socket's `connect ECONNREFUSED 127.0.0.1:6443` in `cause` (and happy eyeballs in an AggregateError).
 */
export function causeChain(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth += 1) {
    const code = (current as Error & { code?: unknown }).code;
    const said = current.message.split("\n")[0] ?? current.message;
    const withCode = typeof code === "string" && !said.includes(code) ? `${said} (${code})` : said;
    if (withCode !== "") parts.push(withCode);
    const inner = current instanceof AggregateError ? (current.errors as unknown[])[0] : undefined;
    current = current.cause ?? inner;
  }
  return parts.length === 0 ? String(error) : parts.join(": ");
}

function elapsed(started: number): string {
  return `${Math.round(performance.now() - started)}ms`;
}

/** What an exchange answers: client-node's ResponseContext, or an answer read whole. */
interface Answered {
  readonly httpStatusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: { text(): Promise<string>; stream(): ReadableStream<Uint8Array> | null };
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

  /**
   * A GET of `path` (with query), retried on 429/5xx and dropped connections. `whole`: one object,
   * read as a write's answer is (see #sendWhole); a list keeps fetch, which asks for gzip.
   */
  async get(
    path: string,
    query: Readonly<Record<string, string>> = {},
    options: { readonly whole?: boolean } = {},
  ): Promise<ApiAnswer> {
    const { attempts, initialDelayMs, sleep } = this.#options.retry;
    for (let attempt = 1; ; attempt += 1) {
      const last = attempt >= attempts;
      const answer = await this.#tryOnce(path, { query, whole: options.whole === true }, last);
      if (answer === undefined) {
        this.#debug(`retrying GET ${path} (try ${attempt + 1} of ${attempts}) after a dropped connection`);
        await sleep(initialDelayMs * 2 ** (attempt - 1));
        continue;
      }
      if (answer.kind === "status" && retryableCodes.has(answer.status.code) && !last) {
        const retryAfterMs = (answer.status.retryAfterSeconds ?? 0) * 1000;
        this.#debug(`retrying GET ${path} (try ${attempt + 1} of ${attempts}) after ${answer.status.code}`);
        await sleep(Math.min(maxRetryAfterMs, Math.max(retryAfterMs, initialDelayMs * 2 ** (attempt - 1))));
        continue;
      }
      return answer;
    }
  }

  /** Undefined when a dropped connection should be retried. */
  async #tryOnce(
    path: string,
    request: { readonly query: Readonly<Record<string, string>>; readonly whole: boolean },
    last: boolean,
  ): Promise<ApiAnswer | undefined> {
    try {
      return await this.#send(path, request);
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
      const response = await this.#exchange(method, path, { ...options, whole: true });
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

  /**
   * A GET whose answer is a stream (a watch): tried once, with no limit on the body's duration
   * (the request timeout bounds only the wait for the response headers) and ended by `signal`.
   * A 2xx answer gives the body as a stream; any other is read as a Status; no answer throws a
   * ClusterError.
   */
  async openStream(
    path: string,
    query: Readonly<Record<string, string>>,
    signal: AbortSignal | undefined,
  ): Promise<StreamAnswer> {
    // Only the wait for the headers is limited; the body stays tied to `signal` alone.
    const headers = new AbortController();
    const timeoutMs = this.#options.requestTimeoutMs;
    const timer =
      timeoutMs > 0
        ? setTimeout(() => headers.abort(new DOMException("no answer in time", "TimeoutError")), timeoutMs)
        : undefined;
    const combined = signal === undefined ? headers.signal : AbortSignal.any([signal, headers.signal]);
    try {
      const response = await this.#exchange(HttpMethod.GET, path, { query, signal: combined });
      const body = response.body.stream();
      if (response.httpStatusCode >= 200 && response.httpStatusCode < 300 && body !== null) {
        return { kind: "ok", body };
      }
      const text = await response.body.text();
      return { kind: "status", status: statusOf(response.httpStatusCode, text, response.headers) };
    } catch (error: unknown) {
      if (error instanceof ClusterError) throw error;
      throw new ClusterError(describeNetworkError(error, this.#server, timeoutMs), { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  async #exchange(
    method: HttpMethod,
    path: string,
    /** `signal` ends a stream; `whole`: the answer is read whole (a write's, one object's). */
    options: RawRequest & { readonly signal?: AbortSignal; readonly whole?: boolean },
  ): Promise<Answered> {
    const signal = options.signal;
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
    if (signal !== undefined) request.setSignal(signal);
    else if (this.#options.requestTimeoutMs > 0)
      request.setSignal(AbortSignal.timeout(this.#options.requestTimeoutMs));
    return this.#traced(request, options.whole === true);
  }

  /**
   * An answer read whole (a write's, one object's), through undici's own request API on the
   * cluster's dispatcher: fetch wraps every body in web streams and costs more than the exchange
   * itself when plan and apply send a thousand of them. Without a dispatcher of its own (no TLS
   * settings), fetch.
   */
  async #sendWhole(request: RequestContext): Promise<Answered> {
    const dispatcher = request.getDispatcher();
    if (dispatcher === undefined) return this.#http.send(request).toPromise();
    const url = new URL(request.getUrl());
    const body = request.getBody();
    const answer = await dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: request.getHttpMethod(),
      headers: request.getHeaders(),
      ...(typeof body === "string" ? { body } : {}),
      signal: request.getSignal() ?? null,
    });
    const text = await answer.body.text();
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(answer.headers))
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
    return {
      httpStatusCode: answer.statusCode,
      headers,
      body: { text: () => Promise.resolve(text), stream: () => null },
    };
  }

  /** The exchange, with a line about it on the trace: `GET URL 200 OK in 12ms`, or what the request met. */
  async #traced(request: RequestContext, whole: boolean): Promise<Answered> {
    const send = (): Promise<Answered> =>
      whole ? this.#sendWhole(request) : this.#http.send(request).toPromise();
    const trace = this.#options.trace;
    if (trace === undefined || trace.level < 1) return send();
    const line = `${request.getHttpMethod()} ${request.getUrl()}`;
    if (trace.level >= 2) trace.write(`${line} request headers: ${shownHeaders(request.getHeaders())}`);
    const started = performance.now();
    try {
      const response = await send();
      const code = response.httpStatusCode;
      trace.write(`${line} ${code} ${STATUS_CODES[code] ?? ""} in ${elapsed(started)}`.replace("  ", " "));
      return response;
    } catch (error: unknown) {
      trace.write(`${line} no answer after ${elapsed(started)}: ${causeChain(error)}`);
      throw error;
    }
  }

  #debug(line: string): void {
    const trace = this.#options.trace;
    if (trace !== undefined && trace.level >= 2) trace.write(line);
  }

  async #send(
    path: string,
    request: { readonly query: Readonly<Record<string, string>>; readonly whole: boolean },
  ): Promise<ApiAnswer> {
    const response = await this.#exchange(HttpMethod.GET, path, request);
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
      const config = await this.#resolvedConfig();
      await config.applySecurityAuthentication(template);
    } catch (error: unknown) {
      const message = error instanceof Error ? error.message : String(error);
      throw new ClusterError(
        `cannot set up credentials of context "${this.#contextName}" for ${this.#server}: ${message.split("\n")[0] ?? message}`,
        { cause: error },
      );
    }
    return { headers: { ...template.getHeaders() }, dispatcher: template.getDispatcher() };
  }

  /** The kubeconfig with a credential plugin's answer in place of the plugin, run within the request timeout. */
  async #resolvedConfig(): Promise<KubeConfig> {
    const exec = execConfigOf(this.#config.getCurrentUser());
    if (exec === undefined) return this.#config;
    // Its arguments and environment may carry secrets: the command's name only.
    this.#debug(`running the credential plugin ${exec.command} of context "${this.#contextName}"`);
    const credential = await runCredentialPlugin(exec, {
      timeoutMs: this.#options.requestTimeoutMs,
      env: this.#options.env ?? process.env,
    });
    return withCredential(this.#config, credential);
  }
}
