/**
 * The controller's HTTP endpoints: `/metrics`, `/healthz`, `/readyz`. The routing is a plain
 * function of the request (testable without sockets, as the sandbox's app); `serve` puts it on
 * node:http.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export interface EndpointRequest {
  readonly method: string;
  /** Path and query. */
  readonly url: string;
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
}

function text(status: number, body: string, more: Record<string, string> = {}): EndpointResponse {
  return { status, headers: { "content-type": "text/plain; charset=utf-8", ...more }, body };
}

/** Routes one request: GET (or HEAD) of the three paths; anything else is 404 or 405. */
export async function handle(endpoints: Endpoints, request: EndpointRequest): Promise<EndpointResponse> {
  const path = new URL(request.url, "http://localhost").pathname;
  if (!["/metrics", "/healthz", "/readyz"].includes(path)) return text(404, "not found\n");
  if (request.method !== "GET" && request.method !== "HEAD")
    return text(405, "method not allowed\n", { allow: "GET, HEAD" });
  if (path === "/metrics") {
    const body = await endpoints.registry.metrics();
    return { status: 200, headers: { "content-type": endpoints.registry.contentType }, body };
  }
  // Alive as long as it answers; ready once every object was evaluated and recorded once.
  if (path === "/healthz") return text(200, "ok\n");
  return endpoints.ready() ? text(200, "ok\n") : text(503, "not ready: the first sync is not done\n");
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
  /** `http://HOST:PORT` as bound (the port chosen when 0 was asked). */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the endpoints on node:http until `close()`. */
export function serve(
  endpoints: Endpoints,
  where: { readonly host: string; readonly port: number },
): Promise<RunningEndpoints> {
  const server = createServer((request, response) => {
    handle(endpoints, { method: request.method ?? "GET", url: request.url ?? "/" })
      .catch((error: unknown) => text(500, `${error instanceof Error ? error.message : String(error)}\n`))
      .then((answer) => {
        response.writeHead(answer.status, answer.headers);
        response.end(request.method === "HEAD" ? undefined : answer.body);
      })
      .catch(() => response.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(where.port, where.host, () => {
      const address = server.address() as AddressInfo;
      const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
      resolve({
        url: `http://${host}:${address.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
