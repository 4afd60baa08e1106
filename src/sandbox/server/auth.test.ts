import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { textOf, type JsonObject } from "../../kube/value/json.js";
import { createSandboxCore, type SandboxCore } from "../sandbox.js";

const directory = mkdtempSync(join(tmpdir(), "kubedrift-auth-"));
let core: SandboxCore;
let clock = new Date("2026-11-22T12:00:00Z");

beforeAll(() => {
  const tokenAuthFile = join(directory, "tokens.csv");
  writeFileSync(tokenAuthFile, 'alice-token,alice,1001,"devs"\n');
  core = createSandboxCore({ token: "admin", rootCA: "CA", tokenAuthFile, now: () => clock });
});

afterAll(() => {
  core.close();
  rmSync(directory, { recursive: true, force: true });
});

function send(
  token: string,
  method: string,
  url: string,
  body?: JsonObject,
): { status: number; body: JsonObject } {
  const response = core.app.handle({
    method,
    url,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: Buffer.from(JSON.stringify(body)) }),
  });
  if (response.kind !== "json") throw new Error(`expected JSON, got ${response.kind}`);
  return { status: response.status, body: response.body as JsonObject };
}

const review = (attributes: JsonObject): JsonObject => ({
  apiVersion: "authorization.k8s.io/v1",
  kind: "SelfSubjectAccessReview",
  spec: { resourceAttributes: attributes },
});

describe("authentication and authorization in the request chain", () => {
  it("answers 401 to an unknown token and lets every authenticated user read discovery", () => {
    expect(send("nope", "GET", "/api").status).toBe(401);
    expect(send("alice-token", "GET", "/apis").status).toBe(200);
    expect(send("alice-token", "GET", "/api/v1").status).toBe(200);
  });

  it("refuses what RBAC does not grant with a 403 Status, and allows it once bound", () => {
    expect(send("alice-token", "GET", "/api/v1/namespaces/default/configmaps")).toEqual({
      status: 403,
      body: {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message:
          'configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" in the namespace "default"',
        reason: "Forbidden",
        details: { kind: "configmaps" },
        code: 403,
      },
    });
    const binding = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "devs-view" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "devs" }],
    };
    expect(
      send("admin", "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", binding)
        .status,
    ).toBe(201);
    expect(send("alice-token", "GET", "/api/v1/namespaces/default/configmaps").status).toBe(200);
    const watch = core.app.handle({
      method: "GET",
      url: "/api/v1/namespaces/default/configmaps?watch=true",
      headers: { authorization: "Bearer alice-token" },
    });
    expect(watch).toMatchObject({ kind: "stream", status: 200 });
    expect(
      send("alice-token", "GET", "/api/v1/namespaces/kube-system/configmaps?watch=true").body["message"],
    ).toBe(
      'configmaps is forbidden: User "alice" cannot watch resource "configmaps" in API group "" in the namespace "kube-system"',
    );
  });

  it("answers access reviews for the requester and for a named subject", () => {
    const self = send(
      "alice-token",
      "POST",
      "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
      review({ namespace: "default", verb: "list", resource: "configmaps" }),
    );
    expect(self.status).toBe(201);
    expect(self.body["status"]).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "devs-view/default" of ClusterRole "view" to Group "devs"',
    });
    const other = {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec: {
        user: "bob",
        resourceAttributes: { namespace: "default", verb: "list", resource: "configmaps" },
      },
    };
    expect(
      send("alice-token", "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", other).status,
    ).toBe(403);
    expect(
      send("admin", "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", other).body["status"],
    ).toEqual({ allowed: false });
  });

  it("answers a LocalSubjectAccessReview in its namespace only", () => {
    const local = (namespace: string) => ({
      apiVersion: "authorization.k8s.io/v1",
      kind: "LocalSubjectAccessReview",
      metadata: { namespace: "default" },
      spec: {
        user: "carol",
        groups: ["devs"],
        resourceAttributes: { namespace, verb: "get", resource: "pods" },
      },
    });
    const url = "/apis/authorization.k8s.io/v1/namespaces/default/localsubjectaccessreviews";
    expect(send("admin", "POST", url, local("default"))).toMatchObject({
      status: 201,
      body: { status: { allowed: true } },
    });
    expect(send("admin", "POST", url, local("other"))).toMatchObject({
      status: 422,
      body: {
        message:
          'LocalSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes.namespace: Invalid value: "other": must match metadata.namespace',
      },
    });
  });

  it("issues ServiceAccount tokens that expire", () => {
    const issued = send("admin", "POST", "/api/v1/namespaces/default/serviceaccounts/default/token", {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { expirationSeconds: 600 },
    });
    expect(issued.status).toBe(201);
    expect(issued.body["status"]).toMatchObject({ expirationTimestamp: "2026-11-22T12:10:00Z" });
    const token = textOf((issued.body["status"] as JsonObject)["token"]);
    const whoami = send(token, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {
      apiVersion: "authentication.k8s.io/v1",
      kind: "SelfSubjectReview",
    });
    expect((whoami.body["status"] as JsonObject)["userInfo"]).toMatchObject({
      username: "system:serviceaccount:default:default",
      groups: ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"],
    });
    clock = new Date("2026-11-22T12:10:00Z");
    expect(send(token, "GET", "/api").status).toBe(401);
  });

  it("impersonates (kubectl --as) only what the requester may impersonate", () => {
    const whoami = { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" };
    const as = (token: string, headers: Record<string, string>) =>
      core.app.handle({
        method: "POST",
        url: "/apis/authentication.k8s.io/v1/selfsubjectreviews",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
        body: Buffer.from(JSON.stringify(whoami)),
      });
    expect(as("admin", { "impersonate-user": "bob", "impersonate-group": "devs, ops" })).toMatchObject({
      status: 201,
      body: { status: { userInfo: { username: "bob", groups: ["devs", "ops", "system:authenticated"] } } },
    });
    expect(as("admin", { "impersonate-user": "system:serviceaccount:shop:ci" })).toMatchObject({
      body: {
        status: {
          userInfo: {
            groups: ["system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"],
          },
        },
      },
    });
    expect(as("alice-token", { "impersonate-user": "bob" })).toMatchObject({
      status: 403,
      body: {
        message:
          'users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope',
      },
    });
  });
});
