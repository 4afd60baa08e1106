import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, request as httpsRequest } from "node:https";
import type { Server } from "node:https";
import type { AddressInfo } from "node:net";
import { createServer as createNetServer } from "node:net";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox } from "../sandbox/index.js";
import type { RunningSandbox } from "../sandbox/index.js";
import { kubeconfigText } from "../sandbox/kubeconfig.js";
import { createServingCertificate } from "../sandbox/tls.js";
import { kubectlOk, scratchDirectory, writeWrongTokenKubeconfig } from "../../test/support/kubectl.js";
import type { ConnectOptions } from "./kube-cluster.js";
import { connectCluster } from "./kube-cluster.js";
import type { Cluster, ServedResource } from "./types.js";
import { ClusterError } from "./types.js";

const scratch = scratchDirectory();
let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ kubeconfigPath: join(scratch.path, "kubeconfig") });
});
afterAll(async () => {
  await sandbox.stop();
  scratch.remove();
});

/** What a test proxy does with one request: pass it to the sandbox, answer itself, or misbehave. */
type ProxyAction =
  | { readonly kind: "forward" }
  | { readonly kind: "answer"; readonly status: number; readonly body: unknown }
  | { readonly kind: "hang" }
  | { readonly kind: "reset" };

interface TestProxy {
  readonly url: string;
  readonly kubeconfigPath: string;
  /** Every request's path and query, in arrival order. */
  readonly requests: string[];
  stop(): Promise<void>;
}

const forward: ProxyAction = { kind: "forward" };

function forwardTo(target: RunningSandbox, incoming: IncomingMessage, outgoing: ServerResponse): void {
  const upstream = httpsRequest(
    new URL(incoming.url ?? "/", target.url),
    { method: incoming.method, headers: incoming.headers, ca: target.certificateAuthority },
    (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    },
  );
  upstream.on("error", () => outgoing.destroy());
  incoming.pipe(upstream);
}

function statusBody(code: number, reason: string, message: string): unknown {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

/**
 * An HTTPS proxy in front of the sandbox that counts requests and can fail chosen ones:
 * the sandbox has no RBAC, and its fault injector cannot fail the third page of one LIST.
 */
async function startProxy(
  target: RunningSandbox,
  decide: (path: string, index: number) => ProxyAction,
): Promise<TestProxy> {
  const certificate = await createServingCertificate(["127.0.0.1"], new Date());
  const requests: string[] = [];
  const server: Server = createServer(
    { cert: certificate.certificatePem, key: certificate.keyPem },
    (incoming, outgoing) => {
      const path = incoming.url ?? "/";
      requests.push(path);
      const action = decide(path, requests.length - 1);
      switch (action.kind) {
        case "forward":
          forwardTo(target, incoming, outgoing);
          return;
        case "answer":
          outgoing.writeHead(action.status, { "content-type": "application/json" });
          outgoing.end(JSON.stringify(action.body));
          return;
        case "hang":
          return;
        case "reset":
          incoming.socket.destroy();
      }
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeconfigPath = join(scratch.path, `proxy-${(server.address() as AddressInfo).port}`);
  writeFileSync(kubeconfigPath, kubeconfigText(url, target.token, certificate.certificatePem));
  return {
    url,
    kubeconfigPath,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface Sleeps {
  readonly sleeps: number[];
  readonly retry: NonNullable<ConnectOptions["retry"]>;
}

function recordedSleeps(): Sleeps {
  const sleeps: number[] = [];
  return {
    sleeps,
    retry: {
      sleep: (ms: number) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
    },
  };
}

async function served(cluster: Cluster, group: string, resource: string): Promise<ServedResource> {
  const found = (await cluster.resources()).find(
    (item) => item.group === group && item.resource === resource,
  );
  if (found === undefined) throw new Error(`${resource}.${group} is not served`);
  return found;
}

async function failure(action: Promise<unknown>): Promise<ClusterError> {
  try {
    await action;
  } catch (error: unknown) {
    if (error instanceof ClusterError) return error;
    throw error;
  }
  throw new Error("expected a ClusterError");
}

const configMapResource: ServedResource = {
  group: "",
  version: "v1",
  kind: "ConfigMap",
  resource: "configmaps",
  namespaced: true,
  verbs: ["list"],
};

const pagedCount = 1203;
const pagedNames = Array.from({ length: pagedCount }, (_, index) => `cm-${String(index).padStart(4, "0")}`);

async function createPagedConfigMaps(): Promise<void> {
  const items = pagedNames.map((name) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "paging" },
    data: { name },
  }));
  await kubectlOk(sandbox, ["create", "namespace", "paging"]);
  await kubectlOk(sandbox, ["create", "-f", "-"], {
    input: JSON.stringify({ apiVersion: "v1", kind: "List", items }),
  });
}

describe("connectCluster against the sandbox", () => {
  it("discovers listable resources at their group's preferred version, without subresources", async () => {
    const cluster = connectCluster({ kubeconfig: sandbox.kubeconfigPath, env: {} });
    expect([cluster.name, cluster.namespace]).toEqual(["sandbox", "default"]);
    const resources = await cluster.resources();
    expect(resources.find((item) => item.resource === "deployments")).toEqual({
      group: "apps",
      version: "v1",
      kind: "Deployment",
      resource: "deployments",
      namespaced: true,
      verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
    });
    expect(resources.find((item) => item.resource === "namespaces")).toMatchObject({
      group: "",
      version: "v1",
      kind: "Namespace",
      namespaced: false,
    });
    expect(resources.filter((item) => item.resource.includes("/"))).toEqual([]);
    expect(resources.filter((item) => !item.verbs.includes("list"))).toEqual([]);
    expect(await cluster.resources()).toBe(resources);
  });

  it("lists every object in pages of 500, in order, with apiVersion and kind filled in", async () => {
    await createPagedConfigMaps();
    const proxy = await startProxy(sandbox, () => forward);
    try {
      const cluster = connectCluster({ kubeconfig: proxy.kubeconfigPath, env: {} });
      const objects = await cluster.list(configMapResource, "paging");
      const names = objects.map((object) => object.ref.name).filter((name) => name.startsWith("cm-"));
      expect(names).toEqual(pagedNames);
      expect(objects.length).toBe(pagedCount + 1); // and kube-root-ca.crt
      expect(objects[0]?.ref).toEqual({
        group: "",
        version: "v1",
        kind: "ConfigMap",
        namespace: "paging",
        name: "cm-0000",
      });
      expect(objects[0]?.object["apiVersion"]).toBe("v1");
      expect(objects[0]?.object["kind"]).toBe("ConfigMap");
      expect(objects[0]?.object["data"]).toEqual({ name: "cm-0000" });
      const lists = proxy.requests.filter((path) => path.startsWith("/api/v1/namespaces/paging/configmaps"));
      expect(lists.length).toBe(3);
      expect(lists[0]).toBe("/api/v1/namespaces/paging/configmaps?limit=500");
      expect(
        lists
          .slice(1)
          .every((path) => /^\/api\/v1\/namespaces\/paging\/configmaps\?limit=500&continue=./.test(path)),
      ).toBe(true);
    } finally {
      await proxy.stop();
    }
  });

  it("connects in-cluster with the service account's token file, CA and namespace", async () => {
    const serviceAccountDir = join(scratch.path, "serviceaccount");
    mkdirSync(serviceAccountDir, { recursive: true });
    writeFileSync(join(serviceAccountDir, "token"), sandbox.token);
    writeFileSync(join(serviceAccountDir, "ca.crt"), sandbox.certificateAuthority);
    writeFileSync(join(serviceAccountDir, "namespace"), "paging");
    const { hostname, port } = new URL(sandbox.url);
    const env = {
      HOME: join(scratch.path, "no-home"),
      KUBERNETES_SERVICE_HOST: hostname,
      KUBERNETES_SERVICE_PORT: port,
    };
    const cluster = connectCluster({ env, serviceAccountDir });
    expect([cluster.name, cluster.namespace]).toEqual(["in-cluster", "paging"]);
    expect((await cluster.list(configMapResource, cluster.namespace)).length).toBe(pagedCount + 1);
  });

  it("lists across all namespaces when no namespace is given", async () => {
    const cluster = connectCluster({ kubeconfig: sandbox.kubeconfigPath, env: {} });
    const roots = (await cluster.list(configMapResource, undefined)).filter(
      (object) => object.ref.name === "kube-root-ca.crt",
    );
    expect(roots.map((object) => object.ref.namespace)).toEqual([
      "default",
      "kube-node-lease",
      "kube-public",
      "kube-system",
      "paging",
    ]);
  });

  it("reads CRD schemas into the schema", async () => {
    await kubectlOk(sandbox, ["apply", "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: "widgets.example.com" },
        spec: {
          group: "example.com",
          scope: "Namespaced",
          names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
          versions: [
            {
              name: "v1",
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: "object",
                  properties: { spec: { type: "object", properties: { size: { type: "integer" } } } },
                },
              },
            },
          ],
        },
      }),
    });
    const cluster = connectCluster({ kubeconfig: sandbox.kubeconfigPath, env: {} });
    const schema = await cluster.schema();
    const widget = schema.rootType({ group: "example.com", version: "v1", kind: "Widget" });
    expect(widget?.kind).toBe("struct");
    expect(widget?.kind === "struct" ? widget.fields["spec"] : undefined).toEqual({
      kind: "struct",
      fields: { size: { kind: "scalar", scalar: "integer" } },
    });
    expect(schema.rootType({ group: "apps", version: "v1", kind: "Deployment" })?.kind).toBeDefined();
    expect(cluster.warnings?.()).toEqual([]);
  });
});

describe("connectCluster errors: one line naming the endpoint", () => {
  it("unreachable: connection refused", async () => {
    const closed = createNetServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const path = join(scratch.path, "closed");
    writeFileSync(path, kubeconfigText(`https://127.0.0.1:${port}`, "t", sandbox.certificateAuthority));
    const error = await failure(connectCluster({ kubeconfig: path, env: {} }).resources());
    expect(error.message).toBe(`cannot reach https://127.0.0.1:${port}: connection refused`);
  });

  it("TLS: a certificate signed by another authority", async () => {
    const other = await createServingCertificate(["127.0.0.1"], new Date());
    const path = join(scratch.path, "wrong-ca");
    writeFileSync(path, kubeconfigText(sandbox.url, sandbox.token, other.certificatePem));
    const error = await failure(connectCluster({ kubeconfig: path, env: {} }).resources());
    expect(error.message).toMatch(
      new RegExp(
        `^TLS handshake with ${sandbox.url.replaceAll(".", "\\.")} failed: certificate signed by unknown authority`,
      ),
    );
  });

  it("401: the credentials of the context", async () => {
    const path = writeWrongTokenKubeconfig(scratch.path, sandbox);
    const error = await failure(connectCluster({ kubeconfig: path, env: {} }).resources());
    expect(error.message).toBe(
      `unauthorized: the server rejected the credentials of context "sandbox" (${sandbox.url})`,
    );
  });

  it("403: names the verb and resource the user lacks", async () => {
    const proxy = await startProxy(sandbox, (path) =>
      path.startsWith("/apis/apps/v1/namespaces/shop/deployments")
        ? {
            kind: "answer",
            status: 403,
            body: statusBody(
              403,
              "Forbidden",
              'deployments.apps is forbidden: User "jane" cannot list resource "deployments" in API group "apps" in the namespace "shop"',
            ),
          }
        : forward,
    );
    try {
      const cluster = connectCluster({ kubeconfig: proxy.kubeconfigPath, env: {} });
      const error = await failure(cluster.list(await served(cluster, "apps", "deployments"), "shop"));
      expect(error.message).toBe(
        'forbidden: cannot list deployments.apps in namespace "shop" — the user needs "list" on deployments.apps (server: deployments.apps is forbidden: User "jane" cannot list resource "deployments" in API group "apps" in the namespace "shop")',
      );
    } finally {
      await proxy.stop();
    }
  });

  it("403 on CRDs degrades to the built-in schema with a warning", async () => {
    const proxy = await startProxy(sandbox, (path) =>
      path.includes("customresourcedefinitions")
        ? {
            kind: "answer",
            status: 403,
            body: statusBody(403, "Forbidden", "customresourcedefinitions.apiextensions.k8s.io is forbidden"),
          }
        : forward,
    );
    try {
      const cluster = connectCluster({ kubeconfig: proxy.kubeconfigPath, env: {} });
      const schema = await cluster.schema();
      expect(schema.rootType({ group: "example.com", version: "v1", kind: "Widget" })).toBeUndefined();
      expect(schema.rootType({ group: "apps", version: "v1", kind: "Deployment" })).toBeDefined();
      expect(cluster.warnings?.()).toEqual([
        "cannot read CustomResourceDefinitions (403 customresourcedefinitions.apiextensions.k8s.io is forbidden): custom resources are compared without their schemas",
      ]);
    } finally {
      await proxy.stop();
    }
  });

  it("404: a resource that is no longer served", async () => {
    const proxy = await startProxy(sandbox, (path) =>
      path.startsWith("/apis/example.com/v1/")
        ? {
            kind: "answer",
            status: 404,
            body: statusBody(404, "NotFound", "the server could not find the requested resource"),
          }
        : forward,
    );
    try {
      const cluster = connectCluster({ kubeconfig: proxy.kubeconfigPath, env: {} });
      const widgets = await served(cluster, "example.com", "widgets");
      const error = await failure(cluster.list(widgets, "default"));
      expect(error.message).toBe(
        `not found: widgets.example.com is not served by ${proxy.url} any more (GET /apis/example.com/v1/namespaces/default/widgets answered 404)`,
      );
    } finally {
      await proxy.stop();
    }
  });

  it("5xx mid-list: how many pages arrived, after bounded retries with backoff", async () => {
    let pages = 0;
    const proxy = await startProxy(sandbox, (path) => {
      if (!path.startsWith("/api/v1/namespaces/paging/configmaps")) return forward;
      pages += 1;
      return pages <= 2
        ? forward
        : {
            kind: "answer",
            status: 500,
            body: statusBody(500, "InternalError", "Internal error occurred: etcdserver: leader changed"),
          };
    });
    try {
      const { sleeps, retry } = recordedSleeps();
      const cluster = connectCluster({ kubeconfig: proxy.kubeconfigPath, env: {}, retry });
      const error = await failure(cluster.list(configMapResource, "paging"));
      expect(error.message).toBe(
        'listing configmaps in namespace "paging" failed after 2 pages: 500 Internal error occurred: etcdserver: leader changed',
      );
      expect(sleeps).toEqual([250, 500, 1000]);
      expect(pages).toBe(2 + 4);
    } finally {
      await proxy.stop();
    }
  });

  it("a 503 that passes is retried and the LIST completes", async () => {
    let failures = 0;
    const proxy = await startProxy(sandbox, (path) => {
      if (!path.includes("continue=") || failures >= 2) return forward;
      failures += 1;
      return {
        kind: "answer",
        status: 503,
        body: statusBody(503, "ServiceUnavailable", "the server is currently unable to handle the request"),
      };
    });
    try {
      const { sleeps, retry } = recordedSleeps();
      const cluster = connectCluster({ kubeconfig: proxy.kubeconfigPath, env: {}, retry });
      const objects = await cluster.list(configMapResource, "paging");
      expect(objects.length).toBe(pagedCount + 1);
      expect(sleeps).toEqual([250, 500]);
    } finally {
      await proxy.stop();
    }
  });

  it("429 from the sandbox's fault injector: Retry-After is honoured, then one clear error", async () => {
    const cluster = connectCluster({ kubeconfig: sandbox.kubeconfigPath, env: {} });
    const { sleeps, retry } = recordedSleeps();
    const throttled = connectCluster({ kubeconfig: sandbox.kubeconfigPath, env: {}, retry });
    await throttled.resources();
    // The sandbox counts a LIST in a namespace as a "get" for faults (its named-path pattern is not anchored).
    sandbox.faults.set({ errorRate: { list: 1, get: 1 }, errorStatus: 429 });
    try {
      const error = await failure(throttled.list(configMapResource, "paging"));
      expect(error.message).toBe(
        'listing configmaps in namespace "paging" failed: 429 Too many requests, please try again later.',
      );
      expect(sleeps).toEqual([1000, 1000, 1000]);
    } finally {
      sandbox.faults.set({});
    }
    expect((await cluster.list(configMapResource, "paging")).length).toBe(pagedCount + 1);
  });

  it("a connection dropped mid-list", async () => {
    let pages = 0;
    const proxy = await startProxy(sandbox, (path) => {
      if (!path.startsWith("/api/v1/namespaces/paging/configmaps")) return forward;
      pages += 1;
      return pages <= 1 ? forward : { kind: "reset" };
    });
    try {
      const { retry } = recordedSleeps();
      const cluster = connectCluster({ kubeconfig: proxy.kubeconfigPath, env: {}, retry });
      const error = await failure(cluster.list(configMapResource, "paging"));
      expect(error.message).toBe(
        `listing configmaps in namespace "paging" failed after 1 page: cannot reach ${proxy.url}: connection closed by peer`,
      );
    } finally {
      await proxy.stop();
    }
  });

  it("a server that does not answer: timed out", async () => {
    const proxy = await startProxy(sandbox, () => ({ kind: "hang" }));
    try {
      const cluster = connectCluster({ kubeconfig: proxy.kubeconfigPath, env: {}, requestTimeoutMs: 300 });
      const error = await failure(cluster.resources());
      expect(error.message).toBe(`timed out after 0.3s waiting for ${proxy.url}`);
    } finally {
      await proxy.stop();
    }
  });

  it("a failing API group is left out with a warning, as kubectl does", async () => {
    const proxy = await startProxy(sandbox, (path) =>
      path === "/apis/example.com/v1"
        ? {
            kind: "answer",
            status: 503,
            body: statusBody(
              503,
              "ServiceUnavailable",
              "the server is currently unable to handle the request",
            ),
          }
        : forward,
    );
    try {
      const { retry } = recordedSleeps();
      const cluster = connectCluster({ kubeconfig: proxy.kubeconfigPath, env: {}, retry });
      const resources = await cluster.resources();
      expect(resources.some((item) => item.group === "example.com")).toBe(false);
      expect(resources.some((item) => item.resource === "deployments")).toBe(true);
      expect(cluster.warnings?.()).toEqual([
        "API group example.com/v1 left out: its discovery failed (503 the server is currently unable to handle the request)",
      ]);
    } finally {
      await proxy.stop();
    }
  });
});
