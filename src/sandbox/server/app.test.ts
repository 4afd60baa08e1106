import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSandboxCore, type SandboxCore } from "../sandbox.js";
import type { ApiResponse } from "./response.js";

const token = "test-token";
let core: SandboxCore;
let clock: Date;

beforeEach(() => {
  clock = new Date("2026-11-22T12:00:00Z");
  let uid = 0;
  core = createSandboxCore({ token, rootCA: "CA", now: () => clock, random: () => 0 });
  // Deterministic identifiers make the expected objects below exact.
  Object.assign(core.context, { newUid: () => `uid-${(uid += 1)}` });
});

afterEach(() => core.close());

interface Answer {
  readonly status: number;
  // Responses are JSON of any shape; the tests read fields they know to be there.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
}

interface Send {
  readonly body?: unknown;
  readonly raw?: string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

function answer(response: ApiResponse): Answer {
  if (response.kind !== "json") throw new Error(`expected a JSON response, got ${response.kind}`);
  return { status: response.status, body: response.body, headers: response.headers ?? {} };
}

function send(method: string, url: string, options: Send = {}): Answer {
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  return answer(
    core.app.handle({
      method,
      url,
      headers: {
        authorization: `Bearer ${token}`,
        "user-agent": "kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07",
        ...(payload === undefined ? {} : { "content-type": options.contentType ?? "application/json" }),
        ...options.headers,
      },
      ...(payload === undefined ? {} : { body: Buffer.from(payload) }),
    }),
  );
}

/** Starts a watch and collects its events until stopped. */
function watch(url: string): {
  readonly events: () => readonly { type: string; object: Record<string, unknown> }[];
  readonly stop: () => void;
  readonly ended: () => boolean;
} {
  const response = core.app.handle({ method: "GET", url, headers: { authorization: `Bearer ${token}` } });
  if (response.kind !== "stream") throw new Error(`expected a stream, got ${JSON.stringify(response)}`);
  const lines: string[] = [];
  let ended = false;
  const stop = response.start({ write: (chunk) => lines.push(chunk), end: () => (ended = true) });
  return {
    events: () => lines.map((line) => JSON.parse(line) as { type: string; object: Record<string, unknown> }),
    stop,
    ended: () => ended,
  };
}

const configMap = (name: string, data: Record<string, string> = { a: "1" }): unknown => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, labels: { app: "shop" } },
  data,
});

describe("authentication and discovery", () => {
  it("refuses requests without the bearer token with a 401 Status, but serves /version and health", () => {
    const refused = answer(core.app.handle({ method: "GET", url: "/api/v1/namespaces", headers: {} }));
    expect(refused).toEqual({
      status: 401,
      body: {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: "Unauthorized",
        reason: "Unauthorized",
        code: 401,
      },
      headers: {},
    });
    expect(answer(core.app.handle({ method: "GET", url: "/version", headers: {} })).body).toMatchObject({
      major: "1",
      minor: "32",
    });
    expect(answer(core.app.handle({ method: "GET", url: "/readyz", headers: {} })).body).toBe("ok");
  });

  it("describes the apps group with verbs, short names, categories and the scale subresource", () => {
    const list = send("GET", "/apis/apps/v1").body;
    const names = (list.resources as { name: string }[]).map((resource) => resource.name);
    expect(names).toEqual([
      "controllerrevisions",
      "daemonsets",
      "daemonsets/status",
      "deployments",
      "deployments/scale",
      "deployments/status",
      "replicasets",
      "replicasets/scale",
      "replicasets/status",
      "statefulsets",
      "statefulsets/scale",
      "statefulsets/status",
    ]);
    const deployments = list.resources.find((resource: { name: string }) => resource.name === "deployments");
    expect(deployments).toMatchObject({
      singularName: "deployment",
      namespaced: true,
      kind: "Deployment",
      verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
      shortNames: ["deploy"],
      categories: ["all"],
    });
    const scale = list.resources.find((resource: { name: string }) => resource.name === "deployments/scale");
    expect(scale).toEqual({
      name: "deployments/scale",
      singularName: "",
      namespaced: true,
      group: "autoscaling",
      version: "v1",
      kind: "Scale",
      verbs: ["get", "patch", "update"],
    });
    expect(send("GET", "/apis").body.groups.map((group: { name: string }) => group.name)).toContain(
      "apiextensions.k8s.io",
    );
  });

  it("answers unknown paths and kinds with NotFound, and methods a resource lacks with 405", () => {
    expect(send("GET", "/apis/example.com/v1/widgets")).toMatchObject({
      status: 404,
      body: { reason: "NotFound", message: "the server could not find the requested resource" },
    });
    expect(send("PUT", "/api/v1/namespaces/default/configmaps", { body: {} }).status).toBe(405);
  });
});

describe("writes", () => {
  it("creates an object with server-owned metadata and an Update entry for its manager", () => {
    const created = send("POST", "/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create", {
      body: configMap("web"),
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "web",
        labels: { app: "shop" },
        namespace: "default",
        uid: "uid-1",
        creationTimestamp: "2026-11-22T12:00:00Z",
        resourceVersion: created.body.metadata.resourceVersion,
        managedFields: [
          {
            manager: "kubectl-create",
            operation: "Update",
            apiVersion: "v1",
            time: "2026-11-22T12:00:00Z",
            fieldsType: "FieldsV1",
            fieldsV1: {
              "f:data": { ".": {}, "f:a": {} },
              "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
            },
          },
        ],
      },
      data: { a: "1" },
    });
    expect(send("GET", "/api/v1/namespaces/default/configmaps/web").body).toEqual(created.body);
  });

  it("takes the manager from the User-Agent when fieldManager is absent", () => {
    const created = send("POST", "/api/v1/namespaces/default/configmaps", { body: configMap("agent") });
    expect(created.body.metadata.managedFields[0].manager).toBe("kubectl");
  });

  it("refuses a stale resourceVersion with 409 Conflict and a missing one with 422", () => {
    const created = send("POST", "/api/v1/namespaces/default/configmaps", { body: configMap("web") }).body;
    const first = send("PUT", "/api/v1/namespaces/default/configmaps/web", {
      body: { ...created, data: { a: "2" } },
    });
    expect(first.status).toBe(200);
    const stale = send("PUT", "/api/v1/namespaces/default/configmaps/web", {
      body: { ...created, data: { a: "3" } },
    });
    expect(stale).toMatchObject({
      status: 409,
      body: {
        reason: "Conflict",
        message:
          'Operation cannot be fulfilled on configmaps "web": the object has been modified; please apply your changes to the latest version and try again',
      },
    });
    const { resourceVersion: _dropped, ...metadata } = created.metadata;
    const unversioned = send("PUT", "/api/v1/namespaces/default/configmaps/web", {
      body: { ...created, metadata },
    });
    expect(unversioned).toMatchObject({
      status: 422,
      body: {
        reason: "Invalid",
        message:
          'ConfigMap "web" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
      },
    });
  });

  it("answers malformed bodies with the Status kube-apiserver returns, and keeps serving", () => {
    expect(send("POST", "/api/v1/namespaces/default/configmaps", { raw: "{not json" })).toMatchObject({
      status: 400,
      body: { reason: "BadRequest" },
    });
    expect(
      send("POST", "/api/v1/namespaces/default/configmaps", {
        body: { apiVersion: "apps/v1", kind: "ConfigMap", metadata: { name: "x" } },
      }),
    ).toMatchObject({
      status: 400,
      body: { message: "the API version in the data (apps/v1) does not match the expected API version (v1)" },
    });
    expect(send("POST", "/api/v1/namespaces/nowhere/configmaps", { body: configMap("x") })).toMatchObject({
      status: 404,
      body: { reason: "NotFound", message: 'namespaces "nowhere" not found' },
    });
    expect(
      send("POST", "/api/v1/namespaces/default/configmaps", { body: configMap("Bad_Name") }),
    ).toMatchObject({ status: 422, body: { reason: "Invalid" } });
    expect(send("POST", "/api/v1/namespaces/default/configmaps", { body: configMap("fine") }).status).toBe(
      201,
    );
  });

  it("rejects unknown fields under fieldValidation=Strict and warns about them by default", () => {
    const body = { ...(configMap("strict") as object), spec: { replicas: 1 } };
    expect(
      send("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict", { body }),
    ).toMatchObject({
      status: 400,
      body: {
        message:
          'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "spec"',
      },
    });
    const warned = send("POST", "/api/v1/namespaces/default/configmaps", { body });
    expect(warned.status).toBe(201);
    expect(warned.headers["warning"]).toEqual(['299 - "unknown field \\"spec\\""']);
    expect(warned.body.spec).toBeUndefined();
  });

  it("stores nothing on dryRun=All", () => {
    expect(
      send("POST", "/api/v1/namespaces/default/configmaps?dryRun=All", { body: configMap("dry") }).status,
    ).toBe(201);
    expect(send("GET", "/api/v1/namespaces/default/configmaps/dry").status).toBe(404);
  });

  it("names objects from generateName and folds Secret stringData into base64 data", () => {
    const generated = send("POST", "/api/v1/namespaces/default/configmaps", {
      body: { metadata: { generateName: "job-" } },
    });
    expect(generated.body.metadata.name).toBe("job-bbbbb");
    const secret = send("POST", "/api/v1/namespaces/default/secrets", {
      body: { metadata: { name: "s" }, stringData: { password: "hunter2" } },
    });
    expect(secret.body).toMatchObject({ type: "Opaque", data: { password: "aHVudGVyMg==" } });
    expect(secret.body.stringData).toBeUndefined();
  });
});

describe("patches", () => {
  beforeEach(() => {
    send("POST", "/api/v1/namespaces/default/configmaps", { body: configMap("web", { a: "1", b: "2" }) });
  });

  it("applies merge and JSON patches as Update operations of their manager", () => {
    const merged = send("PATCH", "/api/v1/namespaces/default/configmaps/web?fieldManager=kubectl-patch", {
      body: { data: { a: null, c: "3" } },
      contentType: "application/merge-patch+json",
    });
    expect(merged.body.data).toEqual({ b: "2", c: "3" });
    const patched = send("PATCH", "/api/v1/namespaces/default/configmaps/web", {
      body: [{ op: "replace", path: "/data/b", value: "20" }],
      contentType: "application/json-patch+json",
    });
    expect(patched.body.data).toEqual({ b: "20", c: "3" });
  });

  it("answers a failing JSON patch with kube-apiserver's generic 422 and an unknown patch type with 415", () => {
    expect(
      send("PATCH", "/api/v1/namespaces/default/configmaps/web", {
        body: [{ op: "test", path: "/data/a", value: "nope" }],
        contentType: "application/json-patch+json",
      }),
    ).toMatchObject({
      status: 422,
      body: { reason: "Invalid", message: "the server rejected our request due to an error in our request" },
    });
    expect(
      send("PATCH", "/api/v1/namespaces/default/configmaps/web", { body: {}, contentType: "text/plain" })
        .status,
    ).toBe(415);
  });

  it("requires a fieldManager for server-side apply and reports conflicts with the other manager's fields", () => {
    const applied = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "web" }, data: { a: "9" } };
    expect(
      send("PATCH", "/api/v1/namespaces/default/configmaps/web", {
        body: applied,
        contentType: "application/apply-patch+yaml",
      }),
    ).toMatchObject({
      status: 422,
      body: {
        message:
          'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      },
    });
    const conflict = send("PATCH", "/api/v1/namespaces/default/configmaps/web?fieldManager=deployer", {
      body: applied,
      contentType: "application/apply-patch+yaml",
    });
    expect(conflict).toMatchObject({
      status: 409,
      body: {
        reason: "Conflict",
        message: 'Apply failed with 1 conflict: conflict with "kubectl" using v1: .data.a',
        details: {
          causes: [
            { reason: "FieldManagerConflict", message: 'conflict with "kubectl" using v1', field: ".data.a" },
          ],
        },
      },
    });
    const forced = send(
      "PATCH",
      "/api/v1/namespaces/default/configmaps/web?fieldManager=deployer&force=true",
      {
        body: applied,
        contentType: "application/apply-patch+yaml",
      },
    );
    expect(forced.body.data).toEqual({ a: "9", b: "2" });
    expect(
      forced.body.metadata.managedFields.map(
        (entry: { manager: string; operation: string }) => `${entry.manager}/${entry.operation}`,
      ),
    ).toEqual(["deployer/Apply", "kubectl/Update"]);
  });

  it("creates an object through server-side apply when it does not exist", () => {
    const created = send("PATCH", "/api/v1/namespaces/default/configmaps/fresh?fieldManager=deployer", {
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "fresh" }, data: { x: "1" } },
      contentType: "application/apply-patch+yaml",
    });
    expect(created.status).toBe(201);
    expect(created.body.metadata.managedFields).toEqual([
      {
        manager: "deployer",
        operation: "Apply",
        apiVersion: "v1",
        time: "2026-11-22T12:00:00Z",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:data": { "f:x": {} } },
      },
    ]);
  });
});

describe("lists, selectors and deletes", () => {
  beforeEach(() => {
    for (const name of ["a", "b", "c", "d"])
      send("POST", "/api/v1/namespaces/default/configmaps", { body: configMap(name) });
  });

  it("pages with limit and continue, in name order", () => {
    const first = send("GET", "/api/v1/namespaces/default/configmaps?limit=2").body;
    expect(first.items.map((item: { metadata: { name: string } }) => item.metadata.name)).toEqual(["a", "b"]);
    expect(first.metadata.remainingItemCount).toBe(3);
    expect(first.items[0].kind).toBeUndefined();
    const rest = send(
      "GET",
      `/api/v1/namespaces/default/configmaps?limit=5&continue=${encodeURIComponent(first.metadata.continue)}`,
    ).body;
    expect(rest.items.map((item: { metadata: { name: string } }) => item.metadata.name)).toEqual([
      "c",
      "d",
      "kube-root-ca.crt",
    ]);
    expect(rest.metadata.continue).toBeUndefined();
  });

  it("filters by label and field selectors and rejects a malformed selector with 400", () => {
    const labelled = send("GET", "/api/v1/configmaps?labelSelector=app%3Dshop,app%20notin%20(x)").body;
    expect(labelled.items).toHaveLength(4);
    const named = send("GET", "/api/v1/namespaces/default/configmaps?fieldSelector=metadata.name%3Dc").body;
    expect(named.items.map((item: { metadata: { name: string } }) => item.metadata.name)).toEqual(["c"]);
    expect(send("GET", "/api/v1/configmaps?labelSelector=app%20in").status).toBe(400);
  });

  it("deletes one object with a Success Status, a collection by selector, and a namespace with its content", () => {
    expect(send("DELETE", "/api/v1/namespaces/default/configmaps/a").body).toMatchObject({
      kind: "Status",
      status: "Success",
      details: { name: "a", kind: "configmaps" },
    });
    expect(send("DELETE", "/api/v1/namespaces/default/configmaps/a").status).toBe(404);
    const collection = send("DELETE", "/api/v1/namespaces/default/configmaps?labelSelector=app%3Dshop").body;
    expect(collection.items).toHaveLength(3);
    send("POST", "/api/v1/namespaces", { body: { metadata: { name: "shop" } } });
    send("POST", "/api/v1/namespaces/shop/configmaps", { body: configMap("inside") });
    expect(send("DELETE", "/api/v1/namespaces/shop").body).toMatchObject({
      kind: "Namespace",
      status: { phase: "Terminating" },
    });
    expect(send("GET", "/api/v1/namespaces/shop/configmaps/inside").status).toBe(404);
    expect(send("GET", "/api/v1/namespaces/shop").status).toBe(404);
  });
});

describe("watch", () => {
  it("streams the current state, then changes, and resumes from a resourceVersion", () => {
    send("POST", "/api/v1/namespaces/default/configmaps", { body: configMap("w") });
    const watcher = watch("/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=metadata.name%3Dw");
    const created = send("GET", "/api/v1/namespaces/default/configmaps/w").body;
    send("PATCH", "/api/v1/namespaces/default/configmaps/w", {
      body: { data: { a: "2" } },
      contentType: "application/merge-patch+json",
    });
    send("DELETE", "/api/v1/namespaces/default/configmaps/w");
    expect(watcher.events().map((event) => event.type)).toEqual(["ADDED", "MODIFIED", "DELETED"]);
    watcher.stop();
    const resumed = watch(
      `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${created.metadata.resourceVersion}`,
    );
    expect(resumed.events().map((event) => event.type)).toEqual(["MODIFIED", "DELETED"]);
    resumed.stop();
  });

  it("answers a resume from a compacted resourceVersion with a 410 Expired ERROR event", () => {
    const before = send("GET", "/api/v1/namespaces/default/configmaps").body.metadata.resourceVersion;
    send("POST", "/api/v1/namespaces/default/configmaps", { body: configMap("later") });
    core.faults.expireWatchHistory();
    const watcher = watch(`/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${before}`);
    expect(watcher.events()).toEqual([
      {
        type: "ERROR",
        object: {
          kind: "Status",
          apiVersion: "v1",
          metadata: {},
          status: "Failure",
          message: expect.stringMatching(/^too old resource version: \d+ \(\d+\)$/) as unknown,
          reason: "Expired",
          code: 410,
        },
      },
    ]);
    expect(watcher.ended()).toBe(true);
  });
});

describe("status subresource", () => {
  const deployment = {
    metadata: { name: "web" },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [{ name: "web", image: "nginx" }] },
      },
    },
  };

  it("takes only status from a write to /status, and records it with subresource status", () => {
    send("POST", "/apis/apps/v1/namespaces/default/deployments", { body: deployment });
    const live = send("GET", "/apis/apps/v1/namespaces/default/deployments/web").body;
    const written = send(
      "PUT",
      "/apis/apps/v1/namespaces/default/deployments/web/status?fieldManager=deployment-controller",
      {
        body: { ...live, spec: { ...live.spec, replicas: 9 }, status: { replicas: 2, readyReplicas: 1 } },
      },
    );
    expect(written.status).toBe(200);
    expect(written.body.spec.replicas).toBe(2);
    expect(written.body.status).toEqual({ replicas: 2, readyReplicas: 1 });
    expect(written.body.metadata.generation).toBe(1);
    const entry = written.body.metadata.managedFields.find(
      (item: { manager: string }) => item.manager === "deployment-controller",
    );
    expect(entry).toMatchObject({
      operation: "Update",
      subresource: "status",
      fieldsV1: { "f:status": { "f:readyReplicas": {}, "f:replicas": {} } },
    });
  });

  it("keeps the managedFields of a server-side apply to /status", () => {
    send("POST", "/apis/apps/v1/namespaces/default/deployments", { body: deployment });
    const applied = send(
      "PATCH",
      "/apis/apps/v1/namespaces/default/deployments/web/status?fieldManager=status-writer",
      {
        body: {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "web" },
          status: { observedGeneration: 1 },
        },
        contentType: "application/apply-patch+yaml",
      },
    );
    expect(applied.body.status).toEqual({ observedGeneration: 1 });
    const entry = applied.body.metadata.managedFields.find(
      (item: { manager: string }) => item.manager === "status-writer",
    );
    expect(entry).toMatchObject({
      operation: "Apply",
      subresource: "status",
      fieldsV1: { "f:status": { "f:observedGeneration": {} } },
    });
  });
});

describe("watch bookmarks", () => {
  it("sends BOOKMARK events to watchers that allow them, and marks the end of sendInitialEvents", async () => {
    core.close();
    core = createSandboxCore({ token, rootCA: "CA", now: () => clock, bookmarkIntervalMs: 20 });
    const current = send("GET", "/api/v1/namespaces/default/configmaps").body.metadata
      .resourceVersion as string;
    const watcher = watch(
      "/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan",
    );
    await new Promise((resolve) => setTimeout(resolve, 250));
    watcher.stop();
    const events = watcher.events();
    expect(events[0]).toMatchObject({
      type: "ADDED",
      object: { kind: "ConfigMap", metadata: { name: "kube-root-ca.crt" } },
    });
    expect(events[1]).toEqual({
      type: "BOOKMARK",
      object: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { resourceVersion: current, annotations: { "k8s.io/initial-events-end": "true" } },
      },
    });
    expect(events.slice(2).length).toBeGreaterThanOrEqual(1);
    expect(events.slice(2).every((event) => event.type === "BOOKMARK")).toBe(true);
  });
});

describe("scale subresource", () => {
  it("reads and patches replicas through an autoscaling/v1 Scale, recorded on the Deployment", () => {
    send("POST", "/apis/apps/v1/namespaces/default/deployments", {
      body: {
        metadata: { name: "web" },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: "web" } },
          template: {
            metadata: { labels: { app: "web" } },
            spec: { containers: [{ name: "web", image: "nginx" }] },
          },
        },
      },
    });
    const scale = send("GET", "/apis/apps/v1/namespaces/default/deployments/web/scale").body;
    expect(scale).toMatchObject({
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      spec: { replicas: 2 },
      status: { replicas: 0, selector: "app=web" },
    });
    const patched = send("PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale", {
      body: { spec: { replicas: 5 } },
      contentType: "application/merge-patch+json",
    });
    expect(patched.body.spec.replicas).toBe(5);
    const deployment = send("GET", "/apis/apps/v1/namespaces/default/deployments/web").body;
    expect(deployment.spec.replicas).toBe(5);
    expect(deployment.metadata.generation).toBe(2);
    expect(
      deployment.metadata.managedFields.find(
        (entry: { subresource?: string }) => entry.subresource === "scale",
      ),
    ).toEqual({
      manager: "kubectl",
      operation: "Update",
      apiVersion: "apps/v1",
      fieldsType: "FieldsV1",
      fieldsV1: { "f:spec": { "f:replicas": {} } },
      subresource: "scale",
    });
  });
});
