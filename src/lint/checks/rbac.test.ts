import { describe, expect, it } from "vitest";
import { findings } from "./checks.test-helper.js";

const role = (rules: string) => `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: r, namespace: ns }
rules:
${rules}
`;

const binding = (kind: string, roleKind: string, roleName: string) => `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata: { name: b, namespace: ns }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ${roleKind}, name: ${roleName} }
subjects: [{ kind: ServiceAccount, name: app, namespace: ns }]
`;

const readConfigMaps = `  - { apiGroups: [""], resources: [configmaps], verbs: [get, list] }`;

describe("RBAC checks", () => {
  it("rbac-wildcard: verbs and resources", () => {
    expect(
      findings("rbac-wildcard", role(`  - { apiGroups: [apps], resources: ["*"], verbs: ["*"] }`)),
    ).toEqual(["Role/r /rules/0/verbs", "Role/r /rules/0/resources"]);
    expect(findings("rbac-wildcard", role(readConfigMaps))).toEqual([]);
  });

  it("rbac-escalation-verbs", () => {
    const rules = `${readConfigMaps}\n  - { apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [escalate, bind] }`;
    expect(findings("rbac-escalation-verbs", role(rules))).toEqual(["Role/r /rules/1/verbs"]);
    expect(findings("rbac-escalation-verbs", role(readConfigMaps))).toEqual([]);
  });

  it("rbac-secrets-access: unless narrowed by resourceNames", () => {
    expect(
      findings("rbac-secrets-access", role(`  - { apiGroups: [""], resources: [secrets], verbs: [list] }`)),
    ).toEqual(["Role/r /rules/0"]);
    expect(
      findings(
        "rbac-secrets-access",
        role(`  - { apiGroups: [""], resources: [secrets], resourceNames: [tls], verbs: [get] }`),
      ),
    ).toEqual([]);
    expect(findings("rbac-secrets-access", role(readConfigMaps))).toEqual([]);
  });

  it("rbac-pod-exec and rbac-binding-pod-exec", () => {
    const exec = role(`  - { apiGroups: [""], resources: [pods/exec], verbs: [create] }`);
    expect(findings("rbac-pod-exec", exec)).toEqual(["Role/r /rules/0/resources"]);
    expect(findings("rbac-binding-pod-exec", exec + binding("RoleBinding", "Role", "r"))).toEqual([
      "RoleBinding/b /roleRef",
    ]);
    expect(findings("rbac-pod-exec", role(readConfigMaps))).toEqual([]);
    expect(
      findings("rbac-binding-pod-exec", role(readConfigMaps) + binding("RoleBinding", "Role", "r")),
    ).toEqual([]);
  });

  it("rbac-cluster-admin-binding", () => {
    expect(
      findings("rbac-cluster-admin-binding", binding("RoleBinding", "ClusterRole", "cluster-admin")),
    ).toEqual(["RoleBinding/b /roleRef/name"]);
    expect(findings("rbac-cluster-admin-binding", binding("RoleBinding", "ClusterRole", "view"))).toEqual([]);
  });
});
