/**
 * Cluster.watch against a scripted HTTPS server: what the sandbox never does (lines split across
 * chunks, a line that is not JSON, a 410 answered as HTTP, a connection cut mid-stream).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { Server } from "node:https";
import type { AddressInfo } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeconfigText } from "../sandbox/kubeconfig.js";
import { createServingCertificate } from "../sandbox/tls.js";
import { scratchDirectory } from "../../test/support/kubectl.js";
import { connectCluster } from "./kube-cluster.js";
import type { Cluster, ServedResource, WatchEnd, WatchEvent, WatchOptions } from "./types.js";

const configMaps: ServedResource = {
  group: "",
  version: "v1",
  kind: "ConfigMap",
  resource: "configmaps",
  namespaced: true,
  verbs: ["list", "watch"],
};

type Script = (request: IncomingMessage, response: ServerResponse) => void;

const scratch = scratchDirectory();
let server: Server;
let script: Script = (_request, response) => response.end();
let cluster: Cluster;
let certificateAuthority = "";
const requests: string[] = [];

beforeAll(async () => {
  const certificate = await createServingCertificate(["127.0.0.1"], new Date());
  certificateAuthority = certificate.certificatePem;
  server = createServer(
    { cert: certificate.certificatePem, key: certificate.keyPem },
    (request, response) => {
      requests.push(request.url ?? "");
      script(request, response);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const path = join(scratch.path, "kubeconfig");
  writeFileSync(path, kubeconfigText(url, "token", certificate.certificatePem));
  cluster = connectCluster({ kubeconfig: path, retry: { attempts: 1 } });
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  scratch.remove();
});

const options: WatchOptions = {
  namespace: "web",
  labelSelector: "app=web",
  resourceVersion: "41",
  allowWatchBookmarks: true,
  timeoutSeconds: 300,
};

async function watchWith(
  next: Script,
  more: Partial<WatchOptions> = {},
): Promise<{ end: WatchEnd; events: WatchEvent[] }> {
  script = next;
  const events: WatchEvent[] = [];
  const end = await cluster.watch(configMaps, { ...options, ...more }, (event) => events.push(event));
  return { end, events };
}

function line(type: string, object: unknown): string {
  return `${JSON.stringify({ type, object })}\n`;
}

const item = { metadata: { name: "one", namespace: "web", resourceVersion: "42" }, data: { v: "1" } };

describe("Cluster.watch over HTTPS", () => {
  it("asks for the watch and parses events split across chunks, filling in apiVersion and kind", async () => {
    const { end, events } = await watchWith((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      const text = line("ADDED", item) + line("BOOKMARK", { metadata: { resourceVersion: "50" } });
      response.write(text.slice(0, 17));
      setTimeout(() => {
        response.write(text.slice(17, 60));
        response.end(text.slice(60) + line("ERROR", { code: 410, reason: "Expired", message: "too old" }));
      }, 5);
    });
    expect(end).toEqual({ kind: "closed" });
    expect(events).toEqual([
      {
        type: "ADDED",
        object: {
          ref: { group: "", version: "v1", kind: "ConfigMap", namespace: "web", name: "one" },
          object: { apiVersion: "v1", kind: "ConfigMap", ...item },
        },
      },
      { type: "BOOKMARK", resourceVersion: "50" },
      { type: "ERROR", status: { code: 410, reason: "Expired", message: "too old" } },
    ]);
    const asked = new URL(requests.at(-1) ?? "", "https://x");
    expect(asked.pathname).toBe("/api/v1/namespaces/web/configmaps");
    expect(Object.fromEntries(asked.searchParams)).toEqual({
      watch: "1",
      resourceVersion: "41",
      allowWatchBookmarks: "true",
      timeoutSeconds: "300",
      labelSelector: "app=web",
    });
  });

  it("ends as dropped at a line that is not a watch event, after the events before it", async () => {
    const { end, events } = await watchWith((_request, response) => {
      response.writeHead(200);
      response.end(line("MODIFIED", item) + "<html>proxy error</html>\n" + line("DELETED", item));
    });
    expect(end).toEqual({ kind: "dropped", message: "not a watch event: <html>proxy error</html>" });
    expect(events.map((event) => event.type)).toEqual(["MODIFIED"]);
  });

  it("returns the Status of a refused watch (410 Gone as HTTP)", async () => {
    const { end } = await watchWith((_request, response) => {
      response.writeHead(410, { "content-type": "application/json" });
      response.end(
        JSON.stringify({ kind: "Status", code: 410, reason: "Gone", message: "too old resource version" }),
      );
    });
    expect(end).toEqual({
      kind: "status",
      status: { code: 410, reason: "Gone", message: "too old resource version" },
    });
  });

  it("ends as dropped when the connection is cut mid-stream", async () => {
    const { end, events } = await watchWith((request, response) => {
      response.writeHead(200);
      response.write(line("ADDED", item));
      setTimeout(() => request.socket.destroy(), 5);
    });
    expect(end.kind).toBe("dropped");
    expect(events).toHaveLength(1);
  });

  it("ends as aborted when the signal aborts mid-stream or before", async () => {
    const abort = new AbortController();
    const { end, events } = await watchWith(
      (_request, response) => {
        response.writeHead(200);
        response.write(line("ADDED", item));
        setTimeout(() => abort.abort(), 5);
      },
      { signal: abort.signal },
    );
    expect(end).toEqual({ kind: "aborted" });
    expect(events).toHaveLength(1);
    expect((await watchWith(() => undefined, { signal: abort.signal })).end).toEqual({ kind: "aborted" });
  });

  it("ends as dropped when nothing listens", async () => {
    const path = join(scratch.path, "nowhere");
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    writeFileSync(path, kubeconfigText(`https://127.0.0.1:${port}`, "token", certificateAuthority));
    const nowhere = connectCluster({ kubeconfig: path, retry: { attempts: 1 } });
    const end = await nowhere.watch(configMaps, options, () => undefined);
    expect(end).toEqual({
      kind: "dropped",
      message: `cannot reach https://127.0.0.1:${port}: connection refused`,
    });
  });
});
