/** The risky-grant catalogue: each id on the rule that earns it, and not on the rules that do not. */
import { describe, expect, it } from "vitest";
import type { Grant } from "./bindings.js";
import { riskChecks, riskyGrants, riskyIdsOf } from "./risky.js";
import type { PolicyRule } from "./rules.js";

function rule(
  apiGroups: readonly string[],
  resources: readonly string[],
  verbs: readonly string[],
  resourceNames: readonly string[] = [],
): PolicyRule {
  return { apiGroups, resources, verbs, resourceNames, origin: { role: "r", index: 0 } };
}

const clusterWide = false;
const inNamespace = true;

describe("riskyIdsOf", () => {
  it.each([
    ["cluster-admin's rule", rule(["*"], ["*"], ["*"]), ["rbac-wildcard-all"]],
    [
      "every verb on Deployments (create among them)",
      rule(["apps"], ["deployments"], ["*"]),
      ["rbac-wildcard-verbs", "rbac-create-workloads"],
    ],
    [
      "every resource of apps",
      rule(["apps"], ["*"], ["*"]),
      ["rbac-wildcard-verbs", "rbac-wildcard-resources"],
    ],
    ["get in every group", rule(["*"], ["configmaps"], ["get"]), ["rbac-wildcard-api-groups"]],
    ["escalate", rule(["rbac.authorization.k8s.io"], ["clusterroles"], ["escalate"]), ["rbac-escalate"]],
    ["bind", rule(["rbac.authorization.k8s.io"], ["roles"], ["bind"]), ["rbac-bind"]],
    ["impersonate users", rule([""], ["users", "groups"], ["impersonate"]), ["rbac-impersonate"]],
    ["create pods", rule([""], ["pods"], ["create"]), ["rbac-create-workloads"]],
    ["create Jobs", rule(["batch"], ["jobs"], ["create", "delete"]), ["rbac-create-workloads"]],
    ["exec", rule([""], ["pods/exec"], ["create"]), ["rbac-pods-exec"]],
    ["port-forward", rule([""], ["pods/portforward"], ["get"]), ["rbac-pods-exec"]],
    ["list Secrets", rule([""], ["secrets"], ["list"]), ["rbac-read-secrets"]],
    ["tokens", rule([""], ["serviceaccounts/token"], ["create"]), ["rbac-create-token"]],
    [
      "approving CSRs",
      rule(["certificates.k8s.io"], ["certificatesigningrequests/approval"], ["update"]),
      ["rbac-approve-csr"],
    ],
    ["signers", rule(["certificates.k8s.io"], ["signers"], ["approve"]), ["rbac-approve-csr"]],
    [
      "webhooks",
      rule(["admissionregistration.k8s.io"], ["validatingwebhookconfigurations"], ["delete"]),
      ["rbac-admission-control"],
    ],
    [
      "policy bindings",
      rule(["admissionregistration.k8s.io"], ["validatingadmissionpolicybindings"], ["patch"]),
      ["rbac-admission-control"],
    ],
    ["nodes/proxy", rule([""], ["nodes/proxy"], ["get"]), ["rbac-nodes-proxy"]],
  ])("flags %s", (_, policyRule, ids) => {
    expect(riskyIdsOf(policyRule, clusterWide)).toEqual(ids);
  });

  it.each([
    ["reading ConfigMaps", rule([""], ["configmaps"], ["get", "list", "watch"])],
    [
      "reading webhooks",
      rule(["admissionregistration.k8s.io"], ["validatingwebhookconfigurations"], ["get"]),
    ],
    ["escalate in another group", rule(["apps"], ["roles"], ["escalate"])],
    ["create pods limited to names (create names no object)", rule([""], ["pods"], ["create"], ["web"])],
    ["updating pods", rule([""], ["pods"], ["update"])],
  ])("does not flag %s", (_, policyRule) => {
    expect(riskyIdsOf(policyRule, clusterWide)).toEqual([]);
  });

  it("does not flag what a RoleBinding cannot grant (cluster-scoped resources), but does ServiceAccount impersonation", () => {
    expect(riskyIdsOf(rule([""], ["nodes/proxy"], ["get"]), inNamespace)).toEqual([]);
    expect(riskyIdsOf(rule([""], ["users"], ["impersonate"]), inNamespace)).toEqual([]);
    expect(riskyIdsOf(rule([""], ["serviceaccounts"], ["impersonate"]), inNamespace)).toEqual([
      "rbac-impersonate",
    ]);
  });

  it("gives every check an id, a severity and a one-line explanation", () => {
    expect(riskChecks.map((check) => check.id)).toEqual([
      "rbac-escalate",
      "rbac-bind",
      "rbac-impersonate",
      "rbac-create-workloads",
      "rbac-pods-exec",
      "rbac-read-secrets",
      "rbac-create-token",
      "rbac-approve-csr",
      "rbac-admission-control",
      "rbac-nodes-proxy",
      "rbac-wildcard-all",
      "rbac-wildcard-verbs",
      "rbac-wildcard-resources",
      "rbac-wildcard-api-groups",
      "rbac-system-masters",
    ]);
    for (const check of riskChecks) expect(check.summary).not.toContain("\n");
  });
});

describe("riskyGrants", () => {
  const grant = (subject: Grant["subject"], rules: readonly PolicyRule[]): Grant => ({
    subject,
    binding: { kind: "ClusterRoleBinding", name: "b" },
    role: { kind: "ClusterRole", name: "r" },
    rules,
  });

  it("joins the subjects of one binding, flags system:masters, and puts the most severe first", () => {
    const found = riskyGrants([
      grant({ kind: "User", name: "alice" }, [rule([""], ["secrets"], ["get"])]),
      grant({ kind: "User", name: "bob" }, [rule([""], ["secrets"], ["get"])]),
      grant({ kind: "Group", name: "system:masters" }, []),
    ]);
    expect(
      found.map((risky) => [risky.id, risky.severity, risky.subjects.map((subject) => subject.name)]),
    ).toEqual([
      ["rbac-system-masters", "critical", ["system:masters"]],
      ["rbac-read-secrets", "high", ["alice", "bob"]],
    ]);
  });
});
