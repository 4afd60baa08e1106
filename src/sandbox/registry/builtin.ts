import type { ResourceInfo } from "./types.js";
import { StandardVerbs } from "./types.js";

interface BuiltinSpec {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly resource: string;
  readonly namespaced: boolean;
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  readonly subresources?: readonly string[];
  /** Namespaces cannot be deletecollection'ed, as in kube-apiserver. */
  readonly verbs?: readonly string[];
}

const all = ["all"] as const;

// The resources, short names and categories of kube-apiserver 1.32's discovery for these kinds.
const specs: readonly BuiltinSpec[] = [
  {
    group: "",
    version: "v1",
    kind: "Namespace",
    resource: "namespaces",
    namespaced: false,
    shortNames: ["ns"],
    subresources: ["status", "finalize"],
    verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
  },
  {
    group: "",
    version: "v1",
    kind: "ConfigMap",
    resource: "configmaps",
    namespaced: true,
    shortNames: ["cm"],
  },
  { group: "", version: "v1", kind: "Secret", resource: "secrets", namespaced: true },
  {
    group: "",
    version: "v1",
    kind: "Service",
    resource: "services",
    namespaced: true,
    shortNames: ["svc"],
    categories: all,
    subresources: ["status"],
    verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
  },
  {
    group: "",
    version: "v1",
    kind: "ServiceAccount",
    resource: "serviceaccounts",
    namespaced: true,
    shortNames: ["sa"],
    subresources: ["token"],
  },
  {
    group: "",
    version: "v1",
    kind: "Pod",
    resource: "pods",
    namespaced: true,
    shortNames: ["po"],
    categories: all,
    subresources: ["status"],
  },
  { group: "", version: "v1", kind: "Event", resource: "events", namespaced: true, shortNames: ["ev"] },
  {
    group: "",
    version: "v1",
    kind: "PersistentVolumeClaim",
    resource: "persistentvolumeclaims",
    namespaced: true,
    shortNames: ["pvc"],
    subresources: ["status"],
  },
  {
    group: "apps",
    version: "v1",
    kind: "Deployment",
    resource: "deployments",
    namespaced: true,
    shortNames: ["deploy"],
    categories: all,
    subresources: ["status", "scale"],
  },
  {
    group: "apps",
    version: "v1",
    kind: "ReplicaSet",
    resource: "replicasets",
    namespaced: true,
    shortNames: ["rs"],
    categories: all,
    subresources: ["status", "scale"],
  },
  {
    group: "apps",
    version: "v1",
    kind: "StatefulSet",
    resource: "statefulsets",
    namespaced: true,
    shortNames: ["sts"],
    categories: all,
    subresources: ["status", "scale"],
  },
  {
    group: "apps",
    version: "v1",
    kind: "ControllerRevision",
    resource: "controllerrevisions",
    namespaced: true,
  },
  {
    group: "apps",
    version: "v1",
    kind: "DaemonSet",
    resource: "daemonsets",
    namespaced: true,
    shortNames: ["ds"],
    categories: all,
    subresources: ["status"],
  },
  {
    group: "batch",
    version: "v1",
    kind: "Job",
    resource: "jobs",
    namespaced: true,
    categories: all,
    subresources: ["status"],
  },
  {
    group: "batch",
    version: "v1",
    kind: "CronJob",
    resource: "cronjobs",
    namespaced: true,
    shortNames: ["cj"],
    categories: all,
    subresources: ["status"],
  },
  {
    group: "networking.k8s.io",
    version: "v1",
    kind: "Ingress",
    resource: "ingresses",
    namespaced: true,
    shortNames: ["ing"],
    subresources: ["status"],
  },
  {
    group: "networking.k8s.io",
    version: "v1",
    kind: "NetworkPolicy",
    resource: "networkpolicies",
    namespaced: true,
    shortNames: ["netpol"],
  },
  {
    group: "autoscaling",
    version: "v2",
    kind: "HorizontalPodAutoscaler",
    resource: "horizontalpodautoscalers",
    namespaced: true,
    shortNames: ["hpa"],
    categories: all,
    subresources: ["status"],
  },
  {
    group: "policy",
    version: "v1",
    kind: "PodDisruptionBudget",
    resource: "poddisruptionbudgets",
    namespaced: true,
    shortNames: ["pdb"],
    subresources: ["status"],
  },
  { group: "rbac.authorization.k8s.io", version: "v1", kind: "Role", resource: "roles", namespaced: true },
  {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    kind: "RoleBinding",
    resource: "rolebindings",
    namespaced: true,
  },
  {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    kind: "ClusterRole",
    resource: "clusterroles",
    namespaced: false,
  },
  {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    kind: "ClusterRoleBinding",
    resource: "clusterrolebindings",
    namespaced: false,
  },
  { group: "coordination.k8s.io", version: "v1", kind: "Lease", resource: "leases", namespaced: true },
  {
    group: "admissionregistration.k8s.io",
    version: "v1",
    kind: "ValidatingWebhookConfiguration",
    resource: "validatingwebhookconfigurations",
    namespaced: false,
  },
  {
    group: "admissionregistration.k8s.io",
    version: "v1",
    kind: "ValidatingAdmissionPolicy",
    resource: "validatingadmissionpolicies",
    namespaced: false,
  },
  {
    group: "admissionregistration.k8s.io",
    version: "v1",
    kind: "ValidatingAdmissionPolicyBinding",
    resource: "validatingadmissionpolicybindings",
    namespaced: false,
  },
  // Questions to the authenticator and authorizer: created, answered, never stored.
  {
    group: "authentication.k8s.io",
    version: "v1",
    kind: "SelfSubjectReview",
    resource: "selfsubjectreviews",
    namespaced: false,
    verbs: ["create"],
  },
  {
    group: "authorization.k8s.io",
    version: "v1",
    kind: "LocalSubjectAccessReview",
    resource: "localsubjectaccessreviews",
    namespaced: true,
    verbs: ["create"],
  },
  {
    group: "authorization.k8s.io",
    version: "v1",
    kind: "SelfSubjectAccessReview",
    resource: "selfsubjectaccessreviews",
    namespaced: false,
    verbs: ["create"],
  },
  {
    group: "authorization.k8s.io",
    version: "v1",
    kind: "SelfSubjectRulesReview",
    resource: "selfsubjectrulesreviews",
    namespaced: false,
    verbs: ["create"],
  },
  {
    group: "authorization.k8s.io",
    version: "v1",
    kind: "SubjectAccessReview",
    resource: "subjectaccessreviews",
    namespaced: false,
    verbs: ["create"],
  },
  {
    group: "apiextensions.k8s.io",
    version: "v1",
    kind: "CustomResourceDefinition",
    resource: "customresourcedefinitions",
    namespaced: false,
    shortNames: ["crd", "crds"],
    subresources: ["status"],
  },
];

export function toResourceInfo(spec: BuiltinSpec): ResourceInfo {
  return {
    group: spec.group,
    version: spec.version,
    kind: spec.kind,
    listKind: `${spec.kind}List`,
    resource: spec.resource,
    singular: spec.kind.toLowerCase(),
    namespaced: spec.namespaced,
    shortNames: spec.shortNames ?? [],
    categories: spec.categories ?? [],
    verbs: spec.verbs ?? StandardVerbs,
    subresources: spec.subresources ?? [],
  };
}

export const builtinResources: readonly ResourceInfo[] = specs.map(toResourceInfo);
