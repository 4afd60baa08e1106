/** `--emit-role`: the least Roles for a deployer of the managed objects. */
import { describe, expect, it } from "vitest";
import type { ManagedTarget } from "./access.js";
import { deployerRoles } from "./emit-role.js";
import { resolvedClusterRoles, ruleAllows } from "./rules.js";

/** `apps/Deployment` (group/kind), its plural, and `namespace/name` ("" namespace: cluster-scoped). */
function target(groupKind: string, resource: string, at: string): ManagedTarget {
  const [group = "", kind = ""] = groupKind.split("/");
  const [namespace = "", name = ""] = at.split("/");
  return { ref: { group, version: "v1", kind, namespace, name }, resource, namespaced: namespace !== "" };
}

const targets = [
  target("apps/Deployment", "deployments", "shop/web"),
  target("/ConfigMap", "configmaps", "shop/web-config"),
  target("/Service", "services", "shop/web"),
  target("apps/Deployment", "deployments", "shop/api"),
  target("/ConfigMap", "configmaps", "billing/rates"),
  target("/Namespace", "namespaces", "/shop"),
];

describe("deployerRoles", () => {
  it("writes a ClusterRole for cluster-scoped kinds and a Role per namespace, names where RBAC can limit them", () => {
    expect(deployerRoles(targets)).toEqual([
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: "kubedrift-deployer", labels: { "app.kubernetes.io/managed-by": "kubedrift" } },
        rules: [
          { apiGroups: [""], resources: ["namespaces"], verbs: ["create", "list", "watch"] },
          {
            apiGroups: [""],
            resources: ["namespaces"],
            verbs: ["get", "update", "patch", "delete"],
            resourceNames: ["shop"],
          },
        ],
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: {
          name: "kubedrift-deployer",
          namespace: "billing",
          labels: { "app.kubernetes.io/managed-by": "kubedrift" },
        },
        rules: [
          { apiGroups: [""], resources: ["configmaps"], verbs: ["create", "list", "watch"] },
          {
            apiGroups: [""],
            resources: ["configmaps"],
            verbs: ["get", "update", "patch", "delete"],
            resourceNames: ["rates"],
          },
        ],
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: {
          name: "kubedrift-deployer",
          namespace: "shop",
          labels: { "app.kubernetes.io/managed-by": "kubedrift" },
        },
        rules: [
          { apiGroups: [""], resources: ["configmaps", "services"], verbs: ["create", "list", "watch"] },
          {
            apiGroups: [""],
            resources: ["configmaps"],
            verbs: ["get", "update", "patch", "delete"],
            resourceNames: ["web-config"],
          },
          {
            apiGroups: [""],
            resources: ["services"],
            verbs: ["get", "update", "patch", "delete"],
            resourceNames: ["web"],
          },
          { apiGroups: ["apps"], resources: ["deployments"], verbs: ["create", "list", "watch"] },
          {
            apiGroups: ["apps"],
            resources: ["deployments"],
            verbs: ["get", "update", "patch", "delete"],
            resourceNames: ["api", "web"],
          },
        ],
      },
    ]);
  });

  it("allows the deployer's writes on the managed names and not on others", () => {
    const shop = deployerRoles(targets).find(
      (role) => JSON.stringify(role).includes('"shop"') && role["kind"] === "Role",
    );
    const rules =
      resolvedClusterRoles([{ ...shop, kind: "ClusterRole", metadata: { name: "d" } }]).get("d") ?? [];
    const can = (verb: string, resource: string, name: string): boolean =>
      rules.some((rule) =>
        ruleAllows(rule, { verb, group: resource === "deployments" ? "apps" : "", resource, name }),
      );
    expect(can("patch", "deployments", "web")).toBe(true);
    expect(can("create", "deployments", "")).toBe(true);
    expect(can("patch", "deployments", "other")).toBe(false);
    expect(can("delete", "services", "web")).toBe(true);
    expect(can("delete", "configmaps", "web")).toBe(false);
    expect(can("get", "secrets", "web")).toBe(false);
  });
});
