/** The typed resources of the Terraform Kubernetes provider that kubedrift translates, by base name. */
export interface ResourceKind {
  readonly apiVersion: string;
  readonly kind: string;
  /** Top-level attributes that the API names differently for this kind (a Secret's clear-text `data`). */
  readonly rootNames?: Readonly<Record<string, string>>;
}

const secretNames = { data: "stringData", binary_data: "data" } as const;

const kinds: Readonly<Record<string, ResourceKind>> = {
  namespace: { apiVersion: "v1", kind: "Namespace" },
  config_map: { apiVersion: "v1", kind: "ConfigMap" },
  secret: { apiVersion: "v1", kind: "Secret", rootNames: secretNames },
  service: { apiVersion: "v1", kind: "Service" },
  service_account: { apiVersion: "v1", kind: "ServiceAccount" },
  deployment: { apiVersion: "apps/v1", kind: "Deployment" },
  stateful_set: { apiVersion: "apps/v1", kind: "StatefulSet" },
  daemon_set: { apiVersion: "apps/v1", kind: "DaemonSet" },
  daemonset: { apiVersion: "apps/v1", kind: "DaemonSet" },
  job: { apiVersion: "batch/v1", kind: "Job" },
  // The unversioned resource writes batch/v1beta1, which 1.25+ serves as batch/v1 with the same shape.
  cron_job: { apiVersion: "batch/v1", kind: "CronJob" },
  ingress: { apiVersion: "networking.k8s.io/v1", kind: "Ingress" },
  role: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role" },
  role_binding: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding" },
  cluster_role: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole" },
  cluster_role_binding: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding" },
  horizontal_pod_autoscaler: { apiVersion: "autoscaling/v1", kind: "HorizontalPodAutoscaler" },
};

/** `kubernetes_deployment_v1` → { base: "deployment", version: "v1" }; undefined for other providers. */
export function splitResourceType(
  type: string,
): { readonly base: string; readonly version: string } | undefined {
  const match = /^kubernetes_(.+?)(?:_(v\d+(?:(?:alpha|beta)\d+)?))?$/.exec(type);
  return match === null ? undefined : { base: match[1], version: match[2] ?? "" };
}

/** The kind a typed resource declares; undefined when kubedrift does not translate it. */
export function resourceKind(type: string): ResourceKind | undefined {
  const split = splitResourceType(type);
  if (split === undefined) return undefined;
  const kind = kinds[split.base];
  if (kind === undefined) return undefined;
  if (split.base === "horizontal_pod_autoscaler" && split.version.startsWith("v2"))
    return { ...kind, apiVersion: "autoscaling/v2" };
  return kind;
}

/** The unversioned `kubernetes_ingress` is the v1beta1 shape (serviceName/servicePort). */
export function isLegacyIngress(type: string): boolean {
  return type === "kubernetes_ingress" || type === "kubernetes_ingress_v1beta1";
}
