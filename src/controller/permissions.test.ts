import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { ServedResource } from "../cluster/index.js";
import type { Policies } from "./policy.js";
import { detectOnly } from "./policy.js";
import { permissionsFor, renderManifests } from "./permissions.js";

function served(
  groupVersion: string,
  kind: string,
  resource: string,
  namespaced: boolean,
): readonly [string, ServedResource] {
  const [group = "", version = ""] = groupVersion.includes("/")
    ? groupVersion.split("/")
    : ["", groupVersion];
  return [`${group}/${kind}`, { group, version, kind, resource, namespaced, verbs: [] }];
}

const discovery = new Map([
  served("v1", "Namespace", "namespaces", false),
  served("v1", "ConfigMap", "configmaps", true),
  served("v1", "Service", "services", true),
  served("apps/v1", "Deployment", "deployments", true),
  served("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", false),
  served("example.com/v1", "Widget", "widgets", true),
]);

const account = { name: "kubedrift", namespace: "kubedrift" };
const labels = { "app.kubernetes.io/name": "kubedrift" };
const subjects = [{ kind: "ServiceAccount", name: "kubedrift", namespace: "kubedrift" }];
const leases = {
  apiGroups: ["coordination.k8s.io"],
  resources: ["leases"],
  verbs: ["get", "create", "update"],
};
const events = { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] };

function role(namespace: string, rules: readonly object[]): readonly object[] {
  return [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "kubedrift", namespace, labels },
      rules,
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "kubedrift", namespace, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "kubedrift" },
      subjects,
    },
  ];
}

function clusterRole(rules: readonly object[]): readonly object[] {
  return [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "kubedrift", labels },
      rules,
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "kubedrift", labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "kubedrift" },
      subjects,
    },
  ];
}

function rulesOf(objects: readonly object[], kind: string, namespace?: string): unknown {
  const found = objects.find((object) => {
    const o = object as { kind: string; metadata: { namespace?: string } };
    return o.kind === kind && o.metadata.namespace === namespace;
  });
  return (found as { rules?: unknown } | undefined)?.rules;
}

describe("permissionsFor", () => {
  it("gives read-only Roles per namespace, Events there, and the Lease in its own namespace", () => {
    const objects = permissionsFor(
      { kinds: ["apps/Deployment", "/ConfigMap", "/Service"], namespaces: ["web", "shop"] },
      discovery,
      detectOnly,
      account,
    );
    const read = [
      { apiGroups: [""], resources: ["configmaps", "services"], verbs: ["get", "list", "watch"] },
      events,
      { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "watch"] },
    ];
    expect(objects).toEqual([...role("kubedrift", [leases]), ...role("shop", read), ...role("web", read)]);
  });

  it("puts cluster-scoped kinds in a ClusterRole and their Events in default", () => {
    const objects = permissionsFor(
      { kinds: ["/Namespace", "/ConfigMap"], namespaces: ["shop"] },
      discovery,
      detectOnly,
      account,
    );
    expect(objects).toEqual([
      ...clusterRole([{ apiGroups: [""], resources: ["namespaces"], verbs: ["get", "list", "watch"] }]),
      ...role("default", [events]),
      ...role("kubedrift", [leases]),
      ...role("shop", [
        { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] },
        events,
      ]),
    ]);
  });

  it("grants everything cluster-wide when the scope spans all namespaces, the Lease still in a Role", () => {
    const objects = permissionsFor(
      { kinds: ["apps/Deployment"], namespaces: [] },
      discovery,
      detectOnly,
      account,
    );
    expect(objects).toEqual([
      ...clusterRole([
        events,
        { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "watch"] },
      ]),
      ...role("kubedrift", [leases]),
    ]);
  });

  it("adds patch where a heal rule reaches, and create where it can put back a whole object", () => {
    const policies: Policies = {
      fallback: "detect",
      rules: [
        { kinds: ["apps/Deployment"], namespaces: ["shop"], mode: "heal" },
        { kinds: ["ConfigMap"], path: "/data", mode: "heal" },
      ],
    };
    const objects = permissionsFor(
      { kinds: ["apps/Deployment", "/ConfigMap"], namespaces: ["shop", "web"] },
      discovery,
      policies,
      account,
    );
    expect(rulesOf(objects, "Role", "shop")).toEqual([
      { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch", "patch"] },
      events,
      { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "watch", "create", "patch"] },
    ]);
    expect(rulesOf(objects, "Role", "web")).toEqual([
      { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch", "patch"] },
      events,
      { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "watch"] },
    ]);
  });

  it("lets a later rule covering a whole kind shadow earlier heal rules, but not one narrowed by names or path", () => {
    const shadowed: Policies = {
      fallback: "heal",
      rules: [
        { kinds: ["apps/Deployment"], mode: "detect" },
        { path: "/spec/replicas", mode: "detect" },
      ],
    };
    const scope = { kinds: ["apps/Deployment", "/ConfigMap"], namespaces: ["shop"] };
    expect(rulesOf(permissionsFor(scope, discovery, shadowed, account), "Role", "shop")).toEqual([
      { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch", "create", "patch"] },
      events,
      { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "watch"] },
    ]);
    const narrowed: Policies = {
      fallback: "detect",
      rules: [
        { kinds: ["apps/Deployment"], names: ["web"], mode: "heal" },
        { namespaces: ["other"], mode: "detect" },
      ],
    };
    expect(rulesOf(permissionsFor(scope, discovery, narrowed, account), "Role", "shop")).toEqual([
      { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] },
      events,
      { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "watch", "create", "patch"] },
    ]);
  });

  it("heals cluster-scoped kinds only by rules that can match objects without a namespace", () => {
    const policies: Policies = { fallback: "detect", rules: [{ namespaces: ["shop"], mode: "heal" }] };
    const objects = permissionsFor(
      { kinds: ["rbac.authorization.k8s.io/ClusterRole", "/ConfigMap"], namespaces: ["shop"] },
      discovery,
      policies,
      account,
    );
    expect(rulesOf(objects, "ClusterRole")).toEqual([
      {
        apiGroups: ["rbac.authorization.k8s.io"],
        resources: ["clusterroles"],
        verbs: ["get", "list", "watch"],
      },
    ]);
  });

  it("reads the CRDs for a custom kind's schema, and skips kinds the cluster does not serve", () => {
    const objects = permissionsFor(
      { kinds: ["example.com/Widget", "example.com/Gadget"], namespaces: ["shop"] },
      discovery,
      detectOnly,
      account,
    );
    expect(rulesOf(objects, "ClusterRole")).toEqual([
      { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["list"] },
    ]);
    expect(rulesOf(objects, "Role", "shop")).toEqual([
      events,
      { apiGroups: ["example.com"], resources: ["widgets"], verbs: ["get", "list", "watch"] },
    ]);
  });

  it("merges the Lease into the Role of its namespace when that namespace is in scope too", () => {
    const objects = permissionsFor(
      { kinds: ["/ConfigMap"], namespaces: ["kubedrift"] },
      discovery,
      detectOnly,
      account,
    );
    expect(objects).toEqual(
      role("kubedrift", [
        { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] },
        events,
        leases,
      ]),
    );
  });

  it("reads Helm's release storage where the releases are", () => {
    const scope = { kinds: ["apps/Deployment"], namespaces: ["shop"] };
    const objects = permissionsFor(
      { ...scope, helmReleases: { namespace: "shop" } },
      discovery,
      detectOnly,
      account,
    );
    expect(rulesOf(objects, "Role", "shop")).toEqual([
      { apiGroups: [""], resources: ["configmaps", "secrets"], verbs: ["list"] },
      events,
      { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "watch"] },
    ]);
    const everywhere = permissionsFor(
      { ...scope, helmReleases: { namespace: undefined } },
      discovery,
      detectOnly,
      account,
    );
    expect(rulesOf(everywhere, "ClusterRole")).toEqual([
      { apiGroups: [""], resources: ["configmaps", "secrets"], verbs: ["list"] },
    ]);
  });
});

describe("renderManifests", () => {
  it("prints multi-document YAML that reads back as the objects, in order", () => {
    const objects = permissionsFor({ kinds: ["/Namespace"], namespaces: ["shop"] }, discovery, detectOnly, {
      name: "drift",
      namespace: "ops",
    });
    const text = renderManifests(objects);
    expect(text.startsWith("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n")).toBe(true);
    expect(parseAllDocuments(text).map((document) => document.toJS() as unknown)).toEqual(objects);
    expect(text.split("\n---\n")).toHaveLength(objects.length);
  });
});
