import { describe, expect, it } from "vitest";
import { deployment, desiredOf, findings, goodSurroundings, resultRows, run } from "./checks.test-helper.js";
import { reliabilityChecks } from "./reliability.js";

const pdb = (spec: Record<string, unknown>, name = "app") => ({
  apiVersion: "policy/v1",
  kind: "PodDisruptionBudget",
  metadata: { name, namespace: "ns" },
  spec: { unhealthyPodEvictionPolicy: "AlwaysAllow", selector: { matchLabels: { app: "app" } }, ...spec },
});

const hpa = (spec: Record<string, unknown>, name = "app") => ({
  apiVersion: "autoscaling/v2",
  kind: "HorizontalPodAutoscaler",
  metadata: { name, namespace: "ns" },
  spec: {
    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "app" },
    minReplicas: 2,
    maxReplicas: 5,
    ...spec,
  },
});

describe("reliability checks", () => {
  it("accept a well-configured Deployment and its surroundings", () => {
    expect(resultRows(desiredOf([deployment(), ...goodSurroundings()]), reliabilityChecks)).toEqual([]);
  });

  it("replicas-minimum: spec.replicas, or the HPA's minReplicas", () => {
    expect(run("replicas-minimum", [deployment({}, 1)])).toEqual(["Deployment/app /spec"]);
    expect(run("replicas-minimum", [deployment({}, 2)])).toEqual([]);
    expect(run("replicas-minimum", [deployment({}, 1), hpa({ minReplicas: 3 })])).toEqual([]);
  });

  it("pod-disruption-budget: replicated workloads need a budget selecting their pods", () => {
    expect(run("pod-disruption-budget", [deployment()])).toEqual(["Deployment/app /spec/template/metadata"]);
    expect(
      run("pod-disruption-budget", [
        deployment(),
        pdb({ maxUnavailable: 1, selector: { matchLabels: { app: "other" } } }),
      ]),
    ).toEqual(["Deployment/app /spec/template/metadata"]);
    expect(run("pod-disruption-budget", [deployment(), pdb({ maxUnavailable: 1 })])).toEqual([]);
    expect(run("pod-disruption-budget", [deployment({}, 1)])).toEqual([]);
  });

  it("pod-spread: anti-affinity or topology spread for 2+ replicas", () => {
    expect(run("pod-spread", [deployment({ topologySpreadConstraints: [] })])).toEqual([
      "Deployment/app /spec/template/spec",
    ]);
    const antiAffinity = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "app" } } },
        ],
      },
    };
    expect(
      run("pod-spread", [deployment({ topologySpreadConstraints: [], affinity: antiAffinity })]),
    ).toEqual([]);
    expect(run("pod-spread", [deployment()])).toEqual([]);
  });

  it("topology-spread-selector: the constraint must select the pod", () => {
    const constraints = [
      {
        maxSkew: 1,
        topologyKey: "zone",
        whenUnsatisfiable: "DoNotSchedule",
        labelSelector: { matchLabels: { app: "db" } },
      },
    ];
    expect(run("topology-spread-selector", [deployment({ topologySpreadConstraints: constraints })])).toEqual(
      ["Deployment/app /spec/template/spec/topologySpreadConstraints/0/labelSelector"],
    );
    expect(run("topology-spread-selector", [deployment()])).toEqual([]);
  });

  it("selector-matches-template: matchLabels and matchExpressions", () => {
    const object = deployment();
    const spec = object["spec"] as Record<string, unknown>;
    const mismatched = {
      ...object,
      spec: { ...spec, selector: { matchExpressions: [{ key: "app", operator: "NotIn", values: ["app"] }] } },
    };
    expect(run("selector-matches-template", [mismatched])).toEqual(["Deployment/app /spec/selector"]);
    expect(run("selector-matches-template", [object])).toEqual([]);
  });

  it("hpa-target-exists, hpa-min-replicas, hpa-max-above-min", () => {
    const broken = hpa({
      scaleTargetRef: { kind: "Deployment", name: "gone" },
      minReplicas: undefined,
      maxReplicas: 1,
    });
    const objects = [JSON.parse(JSON.stringify(broken)) as Record<string, never>];
    expect(run("hpa-target-exists", objects)).toEqual(["HorizontalPodAutoscaler/app /spec/scaleTargetRef"]);
    expect(run("hpa-min-replicas", objects)).toEqual(["HorizontalPodAutoscaler/app /spec/minReplicas"]);
    expect(run("hpa-max-above-min", objects)).toEqual(["HorizontalPodAutoscaler/app /spec/maxReplicas"]);
    for (const id of ["hpa-target-exists", "hpa-min-replicas", "hpa-max-above-min"])
      expect(run(id, [deployment(), hpa({})])).toEqual([]);
  });

  it("pdb-selects-pods and pdb-budget-set", () => {
    const orphan = pdb({ selector: { matchLabels: { app: "none" } } });
    expect(run("pdb-selects-pods", [deployment(), orphan])).toEqual([
      "PodDisruptionBudget/app /spec/selector",
    ]);
    expect(run("pdb-budget-set", [deployment(), orphan])).toEqual(["PodDisruptionBudget/app /spec"]);
    expect(run("pdb-selects-pods", [deployment(), pdb({ maxUnavailable: 1 })])).toEqual([]);
    expect(run("pdb-budget-set", [deployment(), pdb({ maxUnavailable: 1 })])).toEqual([]);
  });

  it("pdb-blocks-eviction: maxUnavailable 0, minAvailable 100% or at the replicas", () => {
    expect(run("pdb-blocks-eviction", [deployment(), pdb({ maxUnavailable: "0%" })])).toEqual([
      "PodDisruptionBudget/app /spec/maxUnavailable",
    ]);
    expect(run("pdb-blocks-eviction", [deployment(), pdb({ minAvailable: "100%" })])).toEqual([
      "PodDisruptionBudget/app /spec/minAvailable",
    ]);
    expect(run("pdb-blocks-eviction", [deployment({}, 3), pdb({ minAvailable: 3 })])).toEqual([
      "PodDisruptionBudget/app /spec/minAvailable",
    ]);
    // An autoscaled workload may be down to its HPA's minReplicas.
    expect(
      run("pdb-blocks-eviction", [deployment({}, 5), hpa({ minReplicas: 2 }), pdb({ minAvailable: 2 })]),
    ).toEqual(["PodDisruptionBudget/app /spec/minAvailable"]);
    expect(run("pdb-blocks-eviction", [deployment({}, 3), pdb({ minAvailable: 2 })])).toEqual([]);
  });

  it("pdb-unhealthy-pod-eviction-policy", () => {
    expect(
      run(
        "pdb-unhealthy-pod-eviction-policy",
        [pdb({ unhealthyPodEvictionPolicy: undefined, maxUnavailable: 1 })].map(
          (object) => JSON.parse(JSON.stringify(object)) as Record<string, never>,
        ),
      ),
    ).toEqual(["PodDisruptionBudget/app /spec"]);
    expect(run("pdb-unhealthy-pod-eviction-policy", [pdb({ maxUnavailable: 1 })])).toEqual([]);
  });

  it("statefulset-service-name: a headless Service selecting the pods", () => {
    const statefulSet = (serviceName?: string) => `
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db, namespace: ns }
spec:
  ${serviceName === undefined ? "" : `serviceName: ${serviceName}`}
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec: { containers: [{ name: db, image: "db:1" }] }
`;
    const service = (clusterIP: string) => `---
apiVersion: v1
kind: Service
metadata: { name: db, namespace: ns }
spec: { clusterIP: ${clusterIP}, selector: { app: db }, ports: [{ port: 5432 }] }
`;
    expect(findings("statefulset-service-name", statefulSet())).toEqual(["StatefulSet/db /spec/serviceName"]);
    expect(findings("statefulset-service-name", statefulSet("db") + service("10.0.0.1"))).toEqual([
      "StatefulSet/db /spec/serviceName",
    ]);
    expect(findings("statefulset-service-name", statefulSet("db") + service("None"))).toEqual([]);
  });

  it("deployment-strategy: Recreate", () => {
    const object = deployment();
    const recreate = { ...object, spec: { ...(object["spec"] as object), strategy: { type: "Recreate" } } };
    expect(run("deployment-strategy", [recreate])).toEqual(["Deployment/app /spec/strategy/type"]);
    expect(run("deployment-strategy", [object])).toEqual([]);
  });

  it("label-values: the object's and the pod template's labels", () => {
    const yaml = `
apiVersion: batch/v1
kind: CronJob
metadata: { name: c, namespace: ns, labels: { ok: fine, owner: "a b" } }
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        metadata: { labels: { version: "-1.0" } }
        spec: { restartPolicy: Never, containers: [{ name: c, image: "c:1" }] }
`;
    expect(findings("label-values", yaml)).toEqual([
      "CronJob/c /metadata/labels/owner",
      "CronJob/c /spec/jobTemplate/spec/template/metadata/labels/version",
    ]);
    expect(run("label-values", [deployment()])).toEqual([]);
  });
});
