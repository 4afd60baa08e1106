import type { JsonObject, KubeObject } from "../../kube/value/json.js";

/**
 * kube-apiserver's bootstrap RBAC policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy), the
 * part a user meets: cluster-admin bound to system:masters; the discovery, basic-user and
 * public-info-viewer roles every authenticated user has; and the user-facing `admin`, `edit` and
 * `view`, which are aggregated, as in a real cluster, from the `system:aggregate-to-*` roles (and
 * any ClusterRole labelled `rbac.authorization.k8s.io/aggregate-to-…: "true"`). The aggregate-to
 * roles carry the rules of the real ones for the kinds the sandbox serves (not those for kinds it
 * does not: replicationcontrollers, endpoints, pods/exec, …).
 */

const rbacGroup = "rbac.authorization.k8s.io";
const read = ["get", "list", "watch"] as const;
const write = ["create", "delete", "deletecollection", "patch", "update"] as const;
const readWrite = [...read, ...write] as const;

const bootstrapLabels = { "kubernetes.io/bootstrapping": "rbac-defaults" } as const;
const autoupdate = { "rbac.authorization.kubernetes.io/autoupdate": "true" } as const;

function rule(
  apiGroups: readonly string[],
  resources: readonly string[],
  verbs: readonly string[],
): JsonObject {
  return { apiGroups: [...apiGroups], resources: [...resources], verbs: [...verbs] };
}

function clusterRole(
  name: string,
  fields: {
    readonly labels?: Readonly<Record<string, string>>;
    readonly rules?: readonly JsonObject[];
    readonly aggregateFrom?: string;
  },
): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name, labels: { ...bootstrapLabels, ...fields.labels }, annotations: { ...autoupdate } },
    ...(fields.aggregateFrom === undefined
      ? { rules: [...(fields.rules ?? [])] }
      : {
          aggregationRule: {
            clusterRoleSelectors: [
              { matchLabels: { [`rbac.authorization.k8s.io/aggregate-to-${fields.aggregateFrom}`]: "true" } },
            ],
          },
        }),
  };
}

const aggregateTo = (role: string): Readonly<Record<string, string>> => ({
  [`rbac.authorization.k8s.io/aggregate-to-${role}`]: "true",
});

const viewRules: readonly JsonObject[] = [
  rule(
    [""],
    [
      "configmaps",
      "events",
      "persistentvolumeclaims",
      "persistentvolumeclaims/status",
      "pods",
      "pods/status",
      "serviceaccounts",
      "services",
      "services/status",
    ],
    read,
  ),
  rule([""], ["namespaces", "namespaces/status"], read),
  rule(
    ["apps"],
    [
      "controllerrevisions",
      "daemonsets",
      "daemonsets/status",
      "deployments",
      "deployments/scale",
      "deployments/status",
      "replicasets",
      "replicasets/scale",
      "replicasets/status",
      "statefulsets",
      "statefulsets/scale",
      "statefulsets/status",
    ],
    read,
  ),
  rule(["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], read),
  rule(["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], read),
  rule(["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"], read),
  rule(["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"], read),
];

const editRules: readonly JsonObject[] = [
  rule([""], ["serviceaccounts"], ["impersonate"]),
  rule([""], ["pods"], write),
  rule([""], ["configmaps", "events", "persistentvolumeclaims", "serviceaccounts", "services"], write),
  rule([""], ["secrets"], readWrite),
  rule([""], ["serviceaccounts/token"], ["create"]),
  rule(
    ["apps"],
    [
      "daemonsets",
      "deployments",
      "deployments/rollback",
      "deployments/scale",
      "replicasets",
      "replicasets/scale",
      "statefulsets",
      "statefulsets/scale",
    ],
    write,
  ),
  rule(["autoscaling"], ["horizontalpodautoscalers"], write),
  rule(["batch"], ["cronjobs", "jobs"], write),
  rule(["policy"], ["poddisruptionbudgets"], write),
  rule(["networking.k8s.io"], ["ingresses", "networkpolicies"], write),
  rule(["coordination.k8s.io"], ["leases"], readWrite),
];

const adminRules: readonly JsonObject[] = [
  rule(["authorization.k8s.io"], ["localsubjectaccessreviews"], ["create"]),
  rule(["rbac.authorization.k8s.io"], ["rolebindings", "roles"], readWrite),
];

const discoveryURLs = [
  "/api",
  "/api/*",
  "/apis",
  "/apis/*",
  "/healthz",
  "/livez",
  "/openapi",
  "/openapi/*",
  "/readyz",
  "/version",
  "/version/",
];
const publicInfoURLs = ["/healthz", "/livez", "/readyz", "/version", "/version/"];

export const bootstrapClusterRoles: readonly KubeObject[] = [
  clusterRole("cluster-admin", {
    rules: [rule(["*"], ["*"], ["*"]), { nonResourceURLs: ["*"], verbs: ["*"] }],
  }),
  clusterRole("admin", { aggregateFrom: "admin" }),
  clusterRole("edit", { labels: aggregateTo("admin"), aggregateFrom: "edit" }),
  clusterRole("view", { labels: aggregateTo("edit"), aggregateFrom: "view" }),
  clusterRole("system:aggregate-to-admin", { labels: aggregateTo("admin"), rules: adminRules }),
  clusterRole("system:aggregate-to-edit", { labels: aggregateTo("edit"), rules: editRules }),
  clusterRole("system:aggregate-to-view", { labels: aggregateTo("view"), rules: viewRules }),
  clusterRole("system:discovery", { rules: [{ nonResourceURLs: discoveryURLs, verbs: ["get"] }] }),
  clusterRole("system:basic-user", {
    rules: [
      rule(["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], ["create"]),
      rule(["authentication.k8s.io"], ["selfsubjectreviews"], ["create"]),
    ],
  }),
  // kube-controller-manager's clusterrole-aggregation controller writes aggregated rules it may `escalate`.
  clusterRole("system:controller:clusterrole-aggregation-controller", {
    rules: [rule([rbacGroup], ["clusterroles"], ["escalate", "get", "list", "patch", "update", "watch"])],
  }),
  clusterRole("system:public-info-viewer", { rules: [{ nonResourceURLs: publicInfoURLs, verbs: ["get"] }] }),
];

function binding(name: string, subjects: readonly JsonObject[]): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name, labels: { ...bootstrapLabels }, annotations: { ...autoupdate } },
    roleRef: { apiGroup: rbacGroup, kind: "ClusterRole", name },
    subjects: [...subjects],
  };
}

const groups = (...names: readonly string[]): readonly JsonObject[] =>
  names.map((name) => ({ apiGroup: rbacGroup, kind: "Group", name }));

export const bootstrapClusterRoleBindings: readonly KubeObject[] = [
  binding("cluster-admin", groups("system:masters")),
  binding("system:controller:clusterrole-aggregation-controller", [
    { kind: "ServiceAccount", name: "clusterrole-aggregation-controller", namespace: "kube-system" },
  ]),
  binding("system:discovery", groups("system:authenticated")),
  binding("system:basic-user", groups("system:authenticated")),
  binding("system:public-info-viewer", groups("system:authenticated", "system:unauthenticated")),
];
