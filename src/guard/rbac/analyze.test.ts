/**
 * Who can write each managed object: bindings resolved as the RBAC authorizer does (a RoleBinding
 * to a ClusterRole grants it in its namespace only; ServiceAccounts are members of their groups),
 * and the guard's verdict on each write.
 */
import { describe, expect, it } from "vitest";
import type { GuardConfig } from "../../engine/index.js";
import type { KubeObject } from "../../kube/value/json.js";
import type { ManagedTarget } from "./access.js";
import { describeMutation, isAllowedIdentity } from "./access.js";
import { analyzeRbac, hasUnblockedOutsider } from "./analyze.js";
import type { RbacObjects } from "./bindings.js";
import { describeSubject, grantsFrom } from "./bindings.js";
import { rbacDocument } from "./document.js";
import { rbacSarifEntries, rbacSarifRules, unblockedMutationRule } from "./sarif.js";
import { renderRbacText } from "./text.js";

const rbacGroup = "rbac.authorization.k8s.io";

function clusterRole(name: string, rules: readonly Record<string, unknown>[]): KubeObject {
  return { apiVersion: `${rbacGroup}/v1`, kind: "ClusterRole", metadata: { name }, rules } as KubeObject;
}

function role(namespace: string, name: string, rules: readonly Record<string, unknown>[]): KubeObject {
  return { apiVersion: `${rbacGroup}/v1`, kind: "Role", metadata: { name, namespace }, rules } as KubeObject;
}

function binding(
  kind: "RoleBinding" | "ClusterRoleBinding",
  where: { readonly name: string; readonly namespace?: string },
  roleRef: { readonly kind: string; readonly name: string },
  subjects: readonly Record<string, unknown>[],
): KubeObject {
  return {
    apiVersion: `${rbacGroup}/v1`,
    kind,
    metadata: where,
    roleRef: { apiGroup: rbacGroup, ...roleRef },
    subjects,
  } as KubeObject;
}

const user = (name: string): Record<string, unknown> => ({ kind: "User", apiGroup: rbacGroup, name });
const group = (name: string): Record<string, unknown> => ({ kind: "Group", apiGroup: rbacGroup, name });

const web: ManagedTarget = {
  ref: { group: "apps", version: "v1", kind: "Deployment", namespace: "shop", name: "web" },
  source: { file: "deploy/web.yaml", line: 1 },
  resource: "deployments",
  namespaced: true,
};
const config: ManagedTarget = {
  ref: { group: "", version: "v1", kind: "ConfigMap", namespace: "shop", name: "web-config" },
  resource: "configmaps",
  namespaced: true,
};
const namespace: ManagedTarget = {
  ref: { group: "", version: "v1", kind: "Namespace", namespace: "", name: "shop" },
  resource: "namespaces",
  namespaced: false,
};

const writeApps = {
  apiGroups: ["apps", ""],
  resources: ["deployments", "configmaps"],
  verbs: ["update", "patch"],
};
const writeAll = { apiGroups: ["*"], resources: ["*"], verbs: ["*"] };

const rbac: RbacObjects = {
  clusterRoles: [
    clusterRole("cluster-admin", [writeAll]),
    clusterRole("deploy-writer", [writeApps]),
    clusterRole("namespace-deleter", [{ apiGroups: [""], resources: ["namespaces"], verbs: ["delete"] }]),
  ],
  roles: [
    role("shop", "scaler", [
      { apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["update"], resourceNames: ["web"] },
    ]),
    role("shop", "other-scaler", [
      { apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["update"], resourceNames: ["api"] },
    ]),
  ],
  clusterRoleBindings: [
    binding("ClusterRoleBinding", { name: "cluster-admin" }, { kind: "ClusterRole", name: "cluster-admin" }, [
      group("system:masters"),
    ]),
  ],
  roleBindings: [
    binding(
      "RoleBinding",
      { name: "writers", namespace: "shop" },
      { kind: "ClusterRole", name: "deploy-writer" },
      [user("alice"), { kind: "ServiceAccount", name: "deployer" }],
    ),
    // Granted in another namespace: nothing on shop's objects.
    binding(
      "RoleBinding",
      { name: "writers", namespace: "other" },
      { kind: "ClusterRole", name: "deploy-writer" },
      [user("bob")],
    ),
    // A RoleBinding cannot grant a cluster-scoped resource.
    binding(
      "RoleBinding",
      { name: "ns-deleter", namespace: "shop" },
      { kind: "ClusterRole", name: "namespace-deleter" },
      [user("carol")],
    ),
    binding("RoleBinding", { name: "scaler", namespace: "shop" }, { kind: "Role", name: "scaler" }, [
      user("dan"),
    ]),
    binding("RoleBinding", { name: "other", namespace: "shop" }, { kind: "Role", name: "other-scaler" }, [
      user("erin"),
    ]),
    // A roleRef to a role that does not exist grants nothing.
    binding("RoleBinding", { name: "dangling", namespace: "shop" }, { kind: "Role", name: "missing" }, [
      user("frank"),
    ]),
  ],
};

const guard: GuardConfig = {
  default: "warn",
  allow: { users: ["system:serviceaccount:shop:deployer"], groups: [] },
  // kubectl scale may still move replicas (an HPA's habit), with a warning.
  rules: [
    { kinds: ["apps/Deployment"], action: "deny" },
    { kinds: ["apps/Deployment"], path: "/spec/replicas", action: "warn" },
  ],
};

/** `Subject: verb, verb (verdict)` per subject, for short expectations. */
function summary(target: ManagedTarget, guardConfig: GuardConfig | undefined): readonly string[] {
  const analysis = analyzeRbac([target], rbac, guardConfig);
  return (analysis.objects[0]?.subjects ?? []).map(
    (subject) =>
      `${describeSubject(subject.subject)}: ${subject.accesses
        .map((access) => `${describeMutation(access.mutation)}=${access.guard}`)
        .join(", ")}`,
  );
}

describe("bindings", () => {
  it("puts a ServiceAccount subject without a namespace in its RoleBinding's", () => {
    const subjects = grantsFrom(rbac).map((grant) => describeSubject(grant.subject));
    expect(subjects).toContain("ServiceAccount shop/deployer");
  });
});

describe("objectAccess", () => {
  it("lists exactly who can write a Deployment, by verb, with the guard's verdict", () => {
    expect(summary(web, guard)).toEqual([
      "User alice: update=blocked, patch=blocked",
      "User dan: update scale=warn",
      "Group system:masters: update=blocked, patch=blocked, delete=blocked, deletecollection=blocked, update scale=warn, patch scale=warn",
      "ServiceAccount shop/deployer: update=deployer, patch=deployer",
    ]);
  });

  it("grants a ClusterRole through a RoleBinding in that namespace only, and never on cluster-scoped objects", () => {
    expect(summary(config, undefined)).toEqual([
      "User alice: update=unguarded, patch=unguarded",
      "Group system:masters: update=unguarded, patch=unguarded, delete=unguarded, deletecollection=unguarded",
      "ServiceAccount shop/deployer: update=unguarded, patch=unguarded",
    ]);
    expect(summary(namespace, guard)).toEqual([
      "Group system:masters: update=warn, patch=warn, delete=warn, deletecollection=warn",
    ]);
  });

  it("says which rule of which role through which binding", () => {
    const analysis = analyzeRbac([web], rbac, guard);
    const dan = analysis.objects[0]?.subjects.find((subject) => subject.subject.name === "dan");
    expect(dan?.accesses[0]?.via).toEqual([
      {
        binding: { kind: "RoleBinding", name: "scaler", namespace: "shop" },
        role: { kind: "Role", name: "scaler" },
        rule: { role: "scaler", index: 0 },
      },
    ]);
  });
});

describe("isAllowedIdentity", () => {
  const allow = (users: readonly string[], groups: readonly string[]): GuardConfig => ({
    default: "deny",
    allow: { users, groups },
    rules: [],
  });
  const deployer = { kind: "ServiceAccount", name: "deployer", namespace: "ci" } as const;

  it("knows a ServiceAccount by its username and by its groups", () => {
    expect(isAllowedIdentity(allow(["system:serviceaccount:ci:deployer"], []), deployer)).toBe(true);
    expect(isAllowedIdentity(allow([], ["system:serviceaccounts:ci"]), deployer)).toBe(true);
    expect(isAllowedIdentity(allow([], ["system:serviceaccounts"]), deployer)).toBe(true);
    expect(isAllowedIdentity(allow([], ["system:serviceaccounts:shop"]), deployer)).toBe(false);
  });

  it("allows a group subject only when the group itself is allowed", () => {
    expect(isAllowedIdentity(allow(["alice"], []), { kind: "Group", name: "alice" })).toBe(false);
    expect(isAllowedIdentity(allow([], ["ops"]), { kind: "Group", name: "ops" })).toBe(true);
    expect(isAllowedIdentity(undefined, { kind: "User", name: "alice" })).toBe(false);
  });
});

describe("the report", () => {
  it("exits 2 when someone outside guard.allow can write unblocked, not when every such write is denied", () => {
    expect(hasUnblockedOutsider(analyzeRbac([web], rbac, guard))).toBe(true);
    const denyAll: GuardConfig = { ...guard, default: "deny", rules: [] };
    expect(hasUnblockedOutsider(analyzeRbac([web], rbac, denyAll))).toBe(false);
  });

  it("is a stable RbacReport document", () => {
    const document = rbacDocument(analyzeRbac([web], rbac, guard), {
      generatedAt: "2026-12-02T00:00:00Z",
      cluster: "sandbox",
    });
    expect(document["apiVersion"]).toBe("kubedrift.dev/v1");
    expect(document["kind"]).toBe("RbacReport");
    expect(document["summary"]).toEqual({ objects: 1, writable: 1, unblockedSubjects: 2, riskyGrants: 2 });
    const objects = document["objects"] as readonly Record<string, unknown>[];
    expect(objects[0]).toMatchObject({
      apiVersion: "apps/v1",
      kind: "Deployment",
      namespace: "shop",
      name: "web",
    });
    const subjects = objects[0]?.["subjects"] as readonly Record<string, unknown>[];
    expect(subjects.at(-1)).toMatchObject({
      kind: "ServiceAccount",
      name: "deployer",
      namespace: "shop",
      username: "system:serviceaccount:shop:deployer",
      allowed: true,
      unblocked: false,
    });
  });

  it("prints a table per object with the binding, role and rule", () => {
    const text = renderRbacText(analyzeRbac([web], rbac, guard));
    expect(text).toContain("Deployment shop/web (deploy/web.yaml:1)");
    expect(text).toContain("RoleBinding shop/writers → ClusterRole deploy-writer (rule 0)");
    expect(text).toContain("NOT blocked (warn)");
    expect(text).toContain("passes (allowed identity)");
    expect(text).toContain(
      "1 managed objects: 1 can be made to drift unblocked by 2 subjects outside the allowed identities; 2 risky grants",
    );
  });

  it("gives SARIF a result per unblocked outsider on the object, and per risky grant on its binding", () => {
    const entries = rbacSarifEntries(analyzeRbac([web], rbac, guard));
    expect(entries.map((entry) => [entry.ruleId, entry.ref.kind, entry.ref.name])).toEqual([
      [unblockedMutationRule, "Deployment", "web"],
      [unblockedMutationRule, "Deployment", "web"],
      ["rbac-system-masters", "ClusterRoleBinding", "cluster-admin"],
      ["rbac-wildcard-all", "ClusterRoleBinding", "cluster-admin"],
    ]);
    expect(entries[0]?.message).toBe(
      "User dan can change Deployment shop/web (update scale) and admission does not block it: RoleBinding shop/scaler → Role scaler (rule 0)",
    );
    expect(entries[0]?.source).toEqual({ file: "deploy/web.yaml", line: 1 });
    const ruleIds = new Set(rbacSarifRules.map((rule) => rule.id));
    for (const entry of entries) expect(ruleIds.has(entry.ruleId)).toBe(true);
  });
});
