/**
 * RBAC rule semantics as kube-apiserver's authorizer has them, and ClusterRole aggregation as the
 * clusterrole-aggregation controller writes it.
 */
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../kube/value/json.js";
import type { PolicyRule, ResourceRequest } from "./rules.js";
import { policyRulesOf, resolvedClusterRoles, ruleAllows, selectorMatches } from "./rules.js";

function rule(fields: Partial<Omit<PolicyRule, "origin">>): PolicyRule {
  return {
    verbs: [],
    apiGroups: [],
    resources: [],
    resourceNames: [],
    origin: { role: "r", index: 0 },
    ...fields,
  };
}

const updateWeb: ResourceRequest = { verb: "update", group: "apps", resource: "deployments", name: "web" };

describe("ruleAllows", () => {
  it("needs the verb, the group and the resource", () => {
    const allows = rule({ verbs: ["update"], apiGroups: ["apps"], resources: ["deployments"] });
    expect(ruleAllows(allows, updateWeb)).toBe(true);
    expect(ruleAllows(allows, { ...updateWeb, verb: "delete" })).toBe(false);
    expect(ruleAllows(allows, { ...updateWeb, group: "" })).toBe(false);
    expect(ruleAllows(allows, { ...updateWeb, resource: "statefulsets" })).toBe(false);
  });

  it("reads * as any verb, group or resource", () => {
    expect(
      ruleAllows(rule({ verbs: ["*"], apiGroups: ["apps"], resources: ["deployments"] }), updateWeb),
    ).toBe(true);
    expect(
      ruleAllows(rule({ verbs: ["update"], apiGroups: ["*"], resources: ["deployments"] }), updateWeb),
    ).toBe(true);
    expect(ruleAllows(rule({ verbs: ["update"], apiGroups: ["apps"], resources: ["*"] }), updateWeb)).toBe(
      true,
    );
  });

  it("matches a subresource only as resource/subresource, */subresource or *", () => {
    const scale = { ...updateWeb, subresource: "scale" };
    expect(
      ruleAllows(rule({ verbs: ["update"], apiGroups: ["apps"], resources: ["deployments"] }), scale),
    ).toBe(false);
    expect(
      ruleAllows(rule({ verbs: ["update"], apiGroups: ["apps"], resources: ["deployments/scale"] }), scale),
    ).toBe(true);
    expect(ruleAllows(rule({ verbs: ["update"], apiGroups: ["apps"], resources: ["*/scale"] }), scale)).toBe(
      true,
    );
    expect(ruleAllows(rule({ verbs: ["update"], apiGroups: ["apps"], resources: ["*"] }), scale)).toBe(true);
    expect(
      ruleAllows(
        rule({ verbs: ["update"], apiGroups: ["apps"], resources: ["deployments/scale"] }),
        updateWeb,
      ),
    ).toBe(false);
  });

  it("limits to resourceNames, which a request naming no object never matches", () => {
    const named = rule({
      verbs: ["*"],
      apiGroups: ["apps"],
      resources: ["deployments"],
      resourceNames: ["web"],
    });
    expect(ruleAllows(named, updateWeb)).toBe(true);
    expect(ruleAllows(named, { ...updateWeb, name: "api" })).toBe(false);
    expect(ruleAllows(named, { ...updateWeb, verb: "deletecollection", name: "" })).toBe(false);
  });
});

describe("policyRulesOf", () => {
  it("keeps resource rules with their index; nonResourceURLs rules grant nothing on objects", () => {
    const role: KubeObject = {
      rules: [
        { nonResourceURLs: ["/healthz"], verbs: ["get"] },
        { apiGroups: [""], resources: ["configmaps"], verbs: ["get"] },
      ],
    };
    expect(policyRulesOf(role, "reader")).toEqual([
      {
        verbs: ["get"],
        apiGroups: [""],
        resources: ["configmaps"],
        resourceNames: [],
        origin: { role: "reader", index: 1 },
      },
    ]);
  });
});

describe("selectorMatches", () => {
  it("needs every matchLabels pair and every expression", () => {
    const labels = { a: "1", b: "2" };
    expect(selectorMatches({ matchLabels: { a: "1" } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { a: "1", b: "3" } }, labels)).toBe(false);
    expect(
      selectorMatches({ matchExpressions: [{ key: "b", operator: "In", values: ["2", "3"] }] }, labels),
    ).toBe(true);
    expect(
      selectorMatches({ matchExpressions: [{ key: "b", operator: "NotIn", values: ["2"] }] }, labels),
    ).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: "c", operator: "DoesNotExist" }] }, labels)).toBe(
      true,
    );
    expect(selectorMatches({ matchExpressions: [{ key: "c", operator: "Exists" }] }, labels)).toBe(false);
  });

  it("selects nothing when empty, as the aggregation controller reads it", () => {
    expect(selectorMatches({}, { a: "1" })).toBe(false);
  });
});

function clusterRole(
  name: string,
  labels: Record<string, string>,
  body: Record<string, unknown>,
): KubeObject {
  return { kind: "ClusterRole", metadata: { name, labels }, ...body };
}

describe("resolvedClusterRoles", () => {
  const view = clusterRole(
    "system:aggregate-to-view",
    { "rbac.authorization.k8s.io/aggregate-to-view": "true" },
    { rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }] },
  );
  const edit = clusterRole(
    "system:aggregate-to-edit",
    { "rbac.authorization.k8s.io/aggregate-to-edit": "true" },
    { rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["update"] }] },
  );
  const aggregated = (name: string, into: string, labels: Record<string, string> = {}): KubeObject =>
    clusterRole(name, labels, {
      aggregationRule: {
        clusterRoleSelectors: [
          { matchLabels: { [`rbac.authorization.k8s.io/aggregate-to-${into}`]: "true" } },
        ],
      },
      // What a snapshot may hold before the controller ran: replaced by the selected rules.
      rules: [{ apiGroups: ["stale"], resources: ["stale"], verbs: ["stale"] }],
    });

  it("gives an aggregated role the rules of the roles it selects, through other aggregated roles, each named by its author", () => {
    const roles = [
      aggregated("edit", "edit", { "rbac.authorization.k8s.io/aggregate-to-admin": "true" }),
      aggregated("view", "view", { "rbac.authorization.k8s.io/aggregate-to-edit": "true" }),
      aggregated("admin", "admin"),
      view,
      edit,
    ];
    const resolved = resolvedClusterRoles(roles);
    const summary = (name: string): readonly string[] =>
      (resolved.get(name) ?? []).map((r) => `${r.verbs.join(",")} ${r.origin.role}#${r.origin.index}`);
    expect(summary("view")).toEqual(["get system:aggregate-to-view#0"]);
    expect(summary("edit")).toEqual(["get system:aggregate-to-view#0", "update system:aggregate-to-edit#0"]);
    expect(summary("admin")).toEqual(["get system:aggregate-to-view#0", "update system:aggregate-to-edit#0"]);
    expect(summary("system:aggregate-to-edit")).toEqual(["update system:aggregate-to-edit#0"]);
  });

  it("ends on roles that aggregate each other", () => {
    const a = aggregated("a", "b", { "rbac.authorization.k8s.io/aggregate-to-a": "true" });
    const b = aggregated("b", "a", { "rbac.authorization.k8s.io/aggregate-to-b": "true" });
    const resolved = resolvedClusterRoles([a, b]);
    expect(resolved.get("a")).toEqual([]);
    expect(resolved.get("b")).toEqual([]);
  });
});
