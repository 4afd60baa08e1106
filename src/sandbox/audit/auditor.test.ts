import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JsonObject } from "../../kube/value/json.js";
import { createSandboxCore, type SandboxCore } from "../sandbox.js";
import type { ApiRequest } from "../server/app.js";
import { createAuditor, type Auditor } from "./auditor.js";
import { parseAuditPolicy } from "./policy.js";

const adminToken = "admin-token";
const kubectlAgent = "kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07";
let directory: string;
let core: SandboxCore;
let events: JsonObject[];
let clock: Date;

function handle(request: ApiRequest): ReturnType<SandboxCore["app"]["handle"]> {
  return core.app.handle(request);
}

function admin(method: string, url: string, body?: unknown): void {
  const response = handle({
    method,
    url,
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: Buffer.from(JSON.stringify(body)) }),
  });
  if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status}`);
}

function auditor(policy: string): Auditor {
  let id = 0;
  return createAuditor({
    policy: parseAuditPolicy(policy),
    auth: core.context.auth,
    sink: (event) => events.push(event),
    now: () => clock,
    newId: () => `00000000-0000-4000-8000-00000000000${(id += 1)}`,
  });
}

/** As the HTTP layer does: begin, handle, responded. */
function audited(audit: Auditor, request: ApiRequest & { readonly body: Buffer }): void {
  const record = audit.begin({ ...request, remoteAddress: "127.0.0.1" });
  clock = new Date("2026-12-02T09:00:00.250Z");
  record.responded(handle(request));
}

const scaleRequest = (): ApiRequest & { readonly body: Buffer } => ({
  method: "PATCH",
  url: "/apis/apps/v1/namespaces/shop/deployments/web/scale",
  headers: {
    authorization: "Bearer alice-token",
    "content-type": "application/merge-patch+json",
    "user-agent": kubectlAgent,
    "x-forwarded-for": "203.0.113.7, 10.0.0.9",
  },
  body: Buffer.from('{"spec":{"replicas":5}}'),
});

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "kubedrift-auditor-"));
  const tokenFile = join(directory, "tokens.csv");
  writeFileSync(tokenFile, 'alice-token,alice,1001,"devs"\n');
  clock = new Date("2026-12-02T09:00:00.123Z");
  core = createSandboxCore({ token: adminToken, rootCA: "CA", tokenAuthFile: tokenFile, now: () => clock });
  events = [];
  admin("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } });
  admin("POST", "/apis/apps/v1/namespaces/shop/deployments", {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [{ name: "web", image: "nginx" }] },
      },
    },
  });
  admin("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings", {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: "alice-edit" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "alice" }],
  });
});

afterEach(() => {
  core.close();
  rmSync(directory, { recursive: true, force: true });
});

const requestResponse = `
apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: RequestResponse
    resources: [{ group: apps, resources: [deployments, deployments/scale] }]
`;

describe("the audit events of a kubectl scale (PATCH deployments/scale)", () => {
  it("at RequestResponse: both stages, alice, the scale subresource and the resulting resourceVersion", () => {
    audited(auditor(requestResponse), scaleRequest());
    expect(events.map((event) => event["stage"])).toEqual(["RequestReceived", "ResponseComplete"]);
    const [received, complete] = events as [JsonObject, JsonObject];
    const common = {
      kind: "Event",
      apiVersion: "audit.k8s.io/v1",
      level: "RequestResponse",
      auditID: "00000000-0000-4000-8000-000000000001",
      requestURI: "/apis/apps/v1/namespaces/shop/deployments/web/scale",
      verb: "patch",
      user: { username: "alice", uid: "1001", groups: ["devs", "system:authenticated"] },
      sourceIPs: ["203.0.113.7", "10.0.0.9", "127.0.0.1"],
      userAgent: kubectlAgent,
      objectRef: {
        resource: "deployments",
        namespace: "shop",
        name: "web",
        apiGroup: "apps",
        apiVersion: "v1",
        subresource: "scale",
      },
      requestReceivedTimestamp: "2026-12-02T09:00:00.123000Z",
    };
    expect(received).toEqual({
      ...common,
      stage: "RequestReceived",
      stageTimestamp: "2026-12-02T09:00:00.123000Z",
    });
    const responseObject = complete["responseObject"] as JsonObject;
    expect(complete).toEqual({
      ...common,
      stage: "ResponseComplete",
      stageTimestamp: "2026-12-02T09:00:00.250000Z",
      responseStatus: { metadata: {}, code: 200 },
      requestObject: { spec: { replicas: 5 } },
      responseObject,
      annotations: {
        "authorization.k8s.io/decision": "allow",
        "authorization.k8s.io/reason":
          'RBAC: allowed by RoleBinding "alice-edit/shop" of ClusterRole "edit" to User "alice"',
      },
    });
    expect(responseObject).toMatchObject({
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      metadata: { name: "web", namespace: "shop", resourceVersion: expect.stringMatching(/^\d+$/) },
      spec: { replicas: 5 },
    });
  });

  it("at Metadata: no request or response object; omitted stages are not sent", () => {
    const policy = `
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules: [{ level: Metadata }]
`;
    audited(auditor(policy), scaleRequest());
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ stage: "ResponseComplete", level: "Metadata" });
    expect(events[0]).not.toHaveProperty("requestObject");
    expect(events[0]).not.toHaveProperty("responseObject");
  });

  it("a refused request carries kube-apiserver's Status, and a request at None makes no event", () => {
    const audit = auditor(requestResponse);
    audited(audit, { ...scaleRequest(), url: "/apis/apps/v1/namespaces/default/deployments/web/scale" });
    expect(events.at(-1)).toMatchObject({
      stage: "ResponseComplete",
      responseStatus: {
        metadata: {},
        status: "Failure",
        reason: "Forbidden",
        code: 403,
        message:
          'deployments.apps "web" is forbidden: User "alice" cannot patch resource "deployments/scale" in API group "apps" in the namespace "default"',
      },
      annotations: { "authorization.k8s.io/decision": "forbid" },
    });
    const before = events.length;
    audited(audit, { ...scaleRequest(), method: "GET", url: "/api/v1/namespaces/shop/configmaps" });
    expect(events).toHaveLength(before);
  });

  it("logs a watch at ResponseStarted when it starts and at ResponseComplete when it ends", () => {
    const audit = auditor(`
apiVersion: audit.k8s.io/v1
kind: Policy
rules: [{ level: Metadata, verbs: [watch] }]
`);
    const watch: ApiRequest & { readonly body: Buffer } = {
      method: "GET",
      url: "/apis/apps/v1/namespaces/shop/deployments?watch=true",
      headers: { authorization: `Bearer ${adminToken}` },
      body: Buffer.alloc(0),
    };
    const record = audit.begin({ ...watch, remoteAddress: "::ffff:127.0.0.1" });
    const answer = handle(watch);
    expect(answer.kind).toBe("stream");
    record.responded(answer);
    expect(events.map((event) => event["stage"])).toEqual(["RequestReceived", "ResponseStarted"]);
    record.streamEnded();
    expect(events.map((event) => event["stage"])).toEqual([
      "RequestReceived",
      "ResponseStarted",
      "ResponseComplete",
    ]);
    expect(events.at(-1)).toMatchObject({
      verb: "watch",
      sourceIPs: ["127.0.0.1"],
      objectRef: { resource: "deployments", namespace: "shop", apiGroup: "apps", apiVersion: "v1" },
      responseStatus: { metadata: {}, code: 200 },
    });
  });

  it("names the impersonated user (with only the groups asked for) apart from the one who authenticated", () => {
    audited(auditor(requestResponse), {
      ...scaleRequest(),
      headers: {
        ...scaleRequest().headers,
        authorization: `Bearer ${adminToken}`,
        "impersonate-user": "alice",
      },
    });
    expect(events.at(-1)).toMatchObject({
      user: { username: "kubedrift-sandbox-admin" },
      impersonatedUser: { username: "alice", groups: ["system:authenticated"] },
    });
  });
});
