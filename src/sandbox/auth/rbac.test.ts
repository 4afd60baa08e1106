import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../kube/value/json.js";
import { requestAttributes, type RequestAttributes } from "./attributes.js";
import { forbidden } from "./forbidden.js";
import { authorize, type RbacSource } from "./rbac.js";
import type { UserInfo } from "./user.js";

const alice: UserInfo = { username: "alice", uid: "1", groups: ["devs", "system:authenticated"] };

const rbac = (kind: string, name: string, fields: Record<string, unknown>): KubeObject => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind,
  metadata: { name },
  ...fields,
});

const deployer = rbac("ClusterRole", "deployer", {
  rules: [
    { apiGroups: ["apps"], resources: ["deployments", "deployments/scale"], verbs: ["get", "list", "patch"] },
    { apiGroups: [""], resources: ["configmaps"], resourceNames: ["settings"], verbs: ["get"] },
  ],
});
const reader = rbac("ClusterRole", "reader", {
  rules: [
    { apiGroups: ["*"], resources: ["*/status"], verbs: ["get"] },
    { nonResourceURLs: ["/metrics"], verbs: ["get"] },
  ],
});

const source: RbacSource = {
  clusterRoleBindings: () => [
    rbac("ClusterRoleBinding", "readers", {
      roleRef: { kind: "ClusterRole", name: "reader" },
      subjects: [{ kind: "Group", name: "devs" }],
    }),
    rbac("ClusterRoleBinding", "dangling", {
      roleRef: { kind: "ClusterRole", name: "gone" },
      subjects: [{ kind: "User", name: "bob" }],
    }),
  ],
  roleBindings: (namespace) =>
    namespace === "shop"
      ? [
          rbac("RoleBinding", "alice-deployer", {
            roleRef: { kind: "ClusterRole", name: "deployer" },
            subjects: [
              { kind: "User", name: "alice" },
              { kind: "ServiceAccount", name: "ci" },
            ],
          }),
        ]
      : [],
  clusterRole: (name) =>
    new Map([
      ["deployer", deployer],
      ["reader", reader],
    ]).get(name),
  role: () => undefined,
};

const request = (user: UserInfo, method: string, path: string): RequestAttributes =>
  requestAttributes(user, method, new URL(path, "https://sandbox"));

describe("RBAC authorization", () => {
  it("allows what a RoleBinding grants in its namespace only, naming the binding", () => {
    expect(
      authorize(source, request(alice, "PATCH", "/apis/apps/v1/namespaces/shop/deployments/web/scale")),
    ).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "alice-deployer/shop" of ClusterRole "deployer" to User "alice"',
    });
    expect(
      authorize(source, request(alice, "PATCH", "/apis/apps/v1/namespaces/other/deployments/web/scale"))
        .allowed,
    ).toBe(false);
    expect(
      authorize(source, request(alice, "DELETE", "/apis/apps/v1/namespaces/shop/deployments/web")).allowed,
    ).toBe(false);
  });

  it("matches resourceNames, `*/subresource` rules, non-resource URLs and ServiceAccount subjects", () => {
    expect(
      authorize(source, request(alice, "GET", "/api/v1/namespaces/shop/configmaps/settings")).allowed,
    ).toBe(true);
    expect(authorize(source, request(alice, "GET", "/api/v1/namespaces/shop/configmaps/other")).allowed).toBe(
      false,
    );
    expect(authorize(source, request(alice, "GET", "/api/v1/namespaces/x/pods/p/status")).allowed).toBe(true);
    expect(authorize(source, request(alice, "GET", "/metrics")).allowed).toBe(true);
    const ci: UserInfo = { username: "system:serviceaccount:shop:ci", uid: "", groups: [] };
    expect(authorize(source, request(ci, "GET", "/apis/apps/v1/namespaces/shop/deployments")).allowed).toBe(
      true,
    );
  });

  it("allows system:masters everything and reports bindings to missing roles", () => {
    const admin: UserInfo = { username: "root", uid: "", groups: ["system:masters"] };
    expect(authorize(source, request(admin, "DELETE", "/api/v1/namespaces/kube-system")).allowed).toBe(true);
    const bob: UserInfo = { username: "bob", uid: "", groups: [] };
    expect(authorize(source, request(bob, "GET", "/api/v1/pods"))).toEqual({
      allowed: false,
      reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found',
    });
  });

  it("reads watch, list, deletecollection and namespace subresources from the request as kube-apiserver", () => {
    expect(request(alice, "GET", "/api/v1/namespaces/shop/pods?watch=true")).toMatchObject({
      verb: "watch",
      resource: "pods",
      namespace: "shop",
    });
    expect(request(alice, "GET", "/api/v1/pods?fieldSelector=metadata.name%3Dweb")).toMatchObject({
      verb: "list",
      name: "web",
      namespace: "",
    });
    expect(request(alice, "DELETE", "/api/v1/namespaces/shop/configmaps")).toMatchObject({
      verb: "deletecollection",
    });
    expect(request(alice, "PUT", "/api/v1/namespaces/shop/finalize")).toMatchObject({
      resource: "namespaces",
      name: "shop",
      subresource: "finalize",
    });
    expect(request(alice, "GET", "/apis/apps/v1")).toEqual({
      kind: "nonResource",
      user: alice,
      verb: "get",
      path: "/apis/apps/v1",
    });
  });
});

describe("forbidden", () => {
  it("words the 403 as kube-apiserver does, in a namespace, at the cluster scope, for a subresource and a path", () => {
    const message = (method: string, path: string, reason = ""): string =>
      forbidden(request(alice, method, path), reason).message;
    expect(message("GET", "/api/v1/namespaces/default/configmaps")).toBe(
      'configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" in the namespace "default"',
    );
    expect(message("GET", "/api/v1/namespaces")).toBe(
      'namespaces is forbidden: User "alice" cannot list resource "namespaces" in API group "" at the cluster scope',
    );
    expect(message("PATCH", "/apis/apps/v1/namespaces/other/deployments/web/scale")).toBe(
      'deployments.apps "web" is forbidden: User "alice" cannot patch resource "deployments/scale" in API group "apps" in the namespace "other"',
    );
    expect(message("GET", "/metrics", "RBAC: x")).toBe(
      'forbidden: User "alice" cannot get path "/metrics": RBAC: x',
    );
    expect(
      forbidden(request(alice, "GET", "/apis/apps/v1/namespaces/shop/deployments/web"), "").toStatus(),
    ).toMatchObject({
      code: 403,
      reason: "Forbidden",
      details: { name: "web", group: "apps", kind: "deployments" },
    });
  });
});
