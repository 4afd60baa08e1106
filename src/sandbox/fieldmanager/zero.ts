import type { JsonObject } from "../../kube/value/json.js";

const meta = { creationTimestamp: null } as const;
const podTemplate = { metadata: meta, spec: { containers: null } } as const;
const roleRef = { apiGroup: "", kind: "", name: "" } as const;

/**
 * The zero value of each built-in Go type as kube-apiserver serializes it for a create's
 * "old" object (runtime.DefaultUnstructuredConverter): non-pointer structs are present even
 * with `omitempty`, nil pointers/slices/maps without `omitempty` are null, and scalars
 * without `omitempty` carry their zero. What is present here is not "added" by a create, so
 * it decides where `".": {}` markers appear in managedFields. Keyed by `group/Kind`.
 */
const zeroObjects: Readonly<Record<string, JsonObject>> = {
  "/Namespace": { metadata: meta, spec: {}, status: {} },
  "/ConfigMap": { metadata: meta },
  "/Secret": { metadata: meta },
  "/Service": { metadata: meta, spec: {}, status: { loadBalancer: {} } },
  "/ServiceAccount": { metadata: meta },
  "/Pod": { metadata: meta, spec: { containers: null }, status: {} },
  "/PersistentVolumeClaim": { metadata: meta, spec: { resources: {} }, status: {} },
  "/Event": {
    metadata: meta,
    involvedObject: {},
    source: {},
    firstTimestamp: null,
    lastTimestamp: null,
    eventTime: null,
    reportingComponent: "",
    reportingInstance: "",
  },
  "apps/Deployment": {
    metadata: meta,
    spec: { selector: null, template: podTemplate, strategy: {} },
    status: {},
  },
  "apps/ReplicaSet": {
    metadata: meta,
    spec: { selector: null, template: podTemplate },
    status: { replicas: 0 },
  },
  "apps/StatefulSet": {
    metadata: meta,
    spec: { selector: null, template: podTemplate, serviceName: "", updateStrategy: {} },
    status: { replicas: 0, availableReplicas: 0 },
  },
  "apps/DaemonSet": {
    metadata: meta,
    spec: { selector: null, template: podTemplate, updateStrategy: {} },
    status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 },
  },
  "batch/Job": { metadata: meta, spec: { template: podTemplate }, status: {} },
  "batch/CronJob": {
    metadata: meta,
    spec: { schedule: "", jobTemplate: { metadata: meta, spec: { template: podTemplate } } },
    status: {},
  },
  "networking.k8s.io/Ingress": { metadata: meta, spec: {}, status: { loadBalancer: {} } },
  "networking.k8s.io/NetworkPolicy": { metadata: meta, spec: { podSelector: {} } },
  "autoscaling/HorizontalPodAutoscaler": {
    metadata: meta,
    spec: { scaleTargetRef: { kind: "", name: "" }, maxReplicas: 0 },
    status: { desiredReplicas: 0 },
  },
  "policy/PodDisruptionBudget": {
    metadata: meta,
    spec: {},
    status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
  },
  "rbac.authorization.k8s.io/Role": { metadata: meta, rules: null },
  "rbac.authorization.k8s.io/ClusterRole": { metadata: meta, rules: null },
  "rbac.authorization.k8s.io/RoleBinding": { metadata: meta, roleRef },
  "rbac.authorization.k8s.io/ClusterRoleBinding": { metadata: meta, roleRef },
  "coordination.k8s.io/Lease": { metadata: meta, spec: {} },
  "apiextensions.k8s.io/CustomResourceDefinition": {
    metadata: meta,
    spec: { group: "", names: { plural: "", kind: "" }, scope: "", versions: null },
    status: { acceptedNames: { plural: "", kind: "" }, storedVersions: null },
  },
};

/**
 * The "live" object of a create. Custom resources are unstructured, so their zero value is
 * empty (apiVersion and kind are never owned anyway).
 */
export function zeroObject(group: string, kind: string): JsonObject {
  return zeroObjects[`${group}/${kind}`] ?? {};
}
