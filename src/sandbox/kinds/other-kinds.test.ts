import { describe, expect, it } from "vitest";
import { strategyFor } from "./index.js";
import { storedForm, testContext } from "./test-context.js";

describe("NetworkPolicy, Ingress", () => {
  it("defaults policyTypes from the rules present and port protocols", () => {
    const strategy = strategyFor("networking.k8s.io", "NetworkPolicy");
    const policy = {
      metadata: { name: "np" },
      spec: { podSelector: {}, egress: [{ ports: [{ port: 53 }] }] },
    };
    expect(storedForm(strategy, policy, undefined, testContext())).toEqual({
      metadata: { name: "np" },
      spec: {
        podSelector: {},
        egress: [{ ports: [{ port: 53, protocol: "TCP" }] }],
        policyTypes: ["Ingress", "Egress"],
      },
    });
    expect(storedForm(strategy, { spec: { podSelector: {} } }, undefined, testContext())["spec"]).toEqual({
      podSelector: {},
      policyTypes: ["Ingress"],
    });
    expect(strategy.tracksGeneration).toBe(true);
    expect(strategy.hasStatus).toBe(false);
  });

  it("requires an Ingress path type", () => {
    const strategy = strategyFor("networking.k8s.io", "Ingress");
    const ingress = {
      metadata: { name: "web" },
      spec: {
        rules: [
          { http: { paths: [{ path: "/", backend: { service: { name: "web", port: { number: 80 } } } }] } },
        ],
      },
    };
    expect(strategy.validate(storedForm(strategy, ingress, undefined, testContext()), undefined)).toEqual([
      {
        reason: "FieldValueRequired",
        message: "Required value: pathType must be specified",
        field: "spec.rules[0].http.paths[0].pathType",
      },
    ]);
  });
});

describe("HorizontalPodAutoscaler and PodDisruptionBudget", () => {
  it("defaults minReplicas and the 80% CPU metric; fills behavior only when given", () => {
    const strategy = strategyFor("autoscaling", "HorizontalPodAutoscaler");
    const hpa = {
      metadata: { name: "web" },
      spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, maxReplicas: 5 },
    };
    expect(storedForm(strategy, hpa, undefined, testContext())).toEqual({
      metadata: { name: "web" },
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
        maxReplicas: 5,
        minReplicas: 1,
        metrics: [
          {
            type: "Resource",
            resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } },
          },
        ],
      },
      status: { desiredReplicas: 0 },
    });
    const withBehavior = {
      ...hpa,
      spec: { ...hpa.spec, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } },
    };
    expect(storedForm(strategy, withBehavior, undefined, testContext())["spec"]).toHaveProperty("behavior", {
      scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: "Max",
        policies: [
          { type: "Pods", value: 4, periodSeconds: 15 },
          { type: "Percent", value: 100, periodSeconds: 15 },
        ],
      },
      scaleDown: {
        stabilizationWindowSeconds: 60,
        selectPolicy: "Max",
        policies: [{ type: "Percent", value: 100, periodSeconds: 15 }],
      },
    });
    expect(strategy.tracksGeneration).toBe(false);
    expect(
      strategy.validate({ metadata: { name: "web" }, spec: { ...hpa.spec, minReplicas: 6 } }, undefined),
    ).toEqual([
      {
        reason: "FieldValueInvalid",
        message: "Invalid value: 6: must be less than or equal to maxReplicas",
        field: "spec.minReplicas",
      },
    ]);
  });

  it("starts a PDB with zeroed status and tracks its generation", () => {
    const strategy = strategyFor("policy", "PodDisruptionBudget");
    const pdb = {
      metadata: { name: "web" },
      spec: { minAvailable: 1, selector: { matchLabels: { app: "web" } } },
    };
    expect(storedForm(strategy, pdb, undefined, testContext())).toEqual({
      ...pdb,
      status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
    });
    expect(strategy.tracksGeneration).toBe(true);
  });
});

describe("RBAC", () => {
  it("defaults roleRef and subject API groups", () => {
    const strategy = strategyFor("rbac.authorization.k8s.io", "RoleBinding");
    const binding = {
      metadata: { name: "read" },
      roleRef: { kind: "Role", name: "reader" },
      subjects: [
        { kind: "ServiceAccount", name: "app" },
        { kind: "User", name: "jane" },
        { kind: "Group", name: "devs" },
      ],
    };
    const defaulted = storedForm(strategy, binding, undefined, testContext());
    expect(defaulted).toEqual({
      metadata: { name: "read" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "reader" },
      subjects: [
        { kind: "ServiceAccount", name: "app", apiGroup: "" },
        { kind: "User", name: "jane", apiGroup: "rbac.authorization.k8s.io" },
        { kind: "Group", name: "devs", apiGroup: "rbac.authorization.k8s.io" },
      ],
    });
    const changed = {
      ...defaulted,
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
    };
    expect(strategy.validate(changed, defaulted)).toEqual([
      {
        reason: "FieldValueInvalid",
        message:
          'Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"view"}: cannot change roleRef',
        field: "roleRef",
      },
    ]);
  });

  it("accepts colon names (path segments) and requires verbs", () => {
    const strategy = strategyFor("rbac.authorization.k8s.io", "ClusterRole");
    expect(
      strategy.validate(
        { metadata: { name: "system:reader" }, rules: [{ apiGroups: [""], resources: ["pods"] }] },
        undefined,
      ),
    ).toEqual([
      {
        reason: "FieldValueRequired",
        message: "Required value: verbs must contain at least one value",
        field: "rules[0].verbs",
      },
    ]);
  });
});

describe("strategyFor", () => {
  it("serves every built-in kind and refuses unknown ones", () => {
    expect(strategyFor("coordination.k8s.io", "Lease").gvk).toEqual({
      group: "coordination.k8s.io",
      version: "v1",
      kind: "Lease",
    });
    expect(() => strategyFor("example.com", "Widget")).toThrow("no strategy for kind Widget.example.com");
  });
});
