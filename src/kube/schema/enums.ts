import type { SchemaType } from "./types.js";

/**
 * The closed sets of values of built-in Kubernetes 1.32 fields.
 *
 * Where the values come from: the Go types of k8s.io/api 1.32 marked `+enum`
 * (PullPolicy, ServiceType, Protocol, …), whose constants Kubernetes publishes as `enum`
 * in its OpenAPI v3 documents (api/openapi-spec/v3/*.json). The OpenAPI v2 document that
 * data/kubernetes-openapi-v1.32.json is derived from has no `enum` on built-in fields (the
 * values are only in its descriptions), so without this table schema-enum never fires on a
 * built-in kind.
 *
 * What is listed: only fields kube-apiserver 1.32 validates against the set (a value outside
 * it is rejected), in a GA or default-on API, so that a finding is an object the API server
 * would refuse. Left out: status fields (reset on create); fields whose published enum holds
 * values validation rejects (StorageClass reclaimPolicy: Recycle; v1 webhook sideEffects: Some,
 * Unknown); fields behind default-off feature gates (dropped, not rejected); closed sets whose
 * Go type has no `+enum` (autoscaling/v2 selectPolicy and metric types, LabelSelector
 * operators). IPFamily publishes "" (IPFamilyUnknown), which validation rejects in ipFamilies.
 *
 * `unset` ("") is listed where kube-apiserver takes it: defaulting treats an empty
 * non-pointer string as absent (imagePullPolicy: "" becomes IfNotPresent or Always), and a
 * few fields give "" a meaning (a toleration's empty effect matches every effect). Pointer
 * fields (preemptionPolicy, ipFamilyPolicy …) reject "", so it is not listed for them.
 */
const unset = "";

const pullPolicy = ["Always", "IfNotPresent", "Never", unset];
const terminationMessagePolicy = ["FallbackToLogsOnError", "File", unset];
const protocol = ["SCTP", "TCP", "UDP"];
const taintEffect = ["NoExecute", "NoSchedule", "PreferNoSchedule"];
const profileType = ["Localhost", "RuntimeDefault", "Unconfined"];
const accessMode = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];
const volumeMode = ["Block", "Filesystem"];
const trafficPolicy = ["Cluster", "Local"];
const preemptionPolicy = ["Never", "PreemptLowerPriority"];
const updateStrategyType = ["OnDelete", "RollingUpdate", unset];
const inclusionPolicy = ["Honor", "Ignore"];
const failurePolicy = ["Fail", "Ignore"];
const matchPolicy = ["Equivalent", "Exact"];
const ruleScope = ["*", "Cluster", "Namespaced"];
const operation = ["*", "CONNECT", "CREATE", "DELETE", "UPDATE"];
const quotaScope = [
  "BestEffort",
  "CrossNamespacePodAffinity",
  "NotBestEffort",
  "NotTerminating",
  "PriorityClass",
  "Terminating",
];

type EnumTable = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

/** Definition name → property → allowed values (of the items, for a list of scalars). */
export const builtinEnums: EnumTable = {
  "io.k8s.api.core.v1.Container": { imagePullPolicy: pullPolicy, terminationMessagePolicy },
  "io.k8s.api.core.v1.EphemeralContainer": { imagePullPolicy: pullPolicy, terminationMessagePolicy },
  "io.k8s.api.core.v1.ContainerPort": { protocol: [...protocol, unset] },
  "io.k8s.api.core.v1.ServicePort": { protocol: [...protocol, unset] },
  "io.k8s.api.core.v1.EndpointPort": { protocol: [...protocol, unset] },
  "io.k8s.api.discovery.v1.EndpointPort": { protocol },
  "io.k8s.api.networking.v1.NetworkPolicyPort": { protocol },
  "io.k8s.api.core.v1.HTTPGetAction": { scheme: ["HTTP", "HTTPS", unset] },
  "io.k8s.api.core.v1.VolumeMount": { mountPropagation: ["Bidirectional", "HostToContainer", "None"] },
  "io.k8s.api.core.v1.PodSpec": {
    restartPolicy: ["Always", "Never", "OnFailure", unset],
    dnsPolicy: ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None", unset],
    preemptionPolicy,
  },
  "io.k8s.api.core.v1.PodSecurityContext": { fsGroupChangePolicy: ["Always", "OnRootMismatch"] },
  "io.k8s.api.core.v1.SeccompProfile": { type: profileType },
  "io.k8s.api.core.v1.AppArmorProfile": { type: profileType },
  "io.k8s.api.core.v1.Toleration": { operator: ["Equal", "Exists", unset], effect: [...taintEffect, unset] },
  "io.k8s.api.core.v1.Taint": { effect: taintEffect },
  "io.k8s.api.core.v1.NodeSelectorRequirement": {
    operator: ["DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"],
  },
  "io.k8s.api.core.v1.TopologySpreadConstraint": {
    whenUnsatisfiable: ["DoNotSchedule", "ScheduleAnyway"],
    nodeAffinityPolicy: inclusionPolicy,
    nodeTaintsPolicy: inclusionPolicy,
  },
  "io.k8s.api.core.v1.HostPathVolumeSource": {
    type: [
      unset,
      "BlockDevice",
      "CharDevice",
      "Directory",
      "DirectoryOrCreate",
      "File",
      "FileOrCreate",
      "Socket",
    ],
  },
  "io.k8s.api.core.v1.PersistentVolumeClaimSpec": { accessModes: accessMode, volumeMode },
  "io.k8s.api.core.v1.PersistentVolumeSpec": {
    accessModes: accessMode,
    volumeMode,
    persistentVolumeReclaimPolicy: ["Delete", "Recycle", "Retain", unset],
  },
  "io.k8s.api.core.v1.ServiceSpec": {
    type: ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort", unset],
    sessionAffinity: ["ClientIP", "None", unset],
    externalTrafficPolicy: [...trafficPolicy, unset],
    internalTrafficPolicy: trafficPolicy,
    ipFamilyPolicy: ["PreferDualStack", "RequireDualStack", "SingleStack"],
    ipFamilies: ["IPv4", "IPv6"],
  },
  "io.k8s.api.core.v1.ResourceQuotaSpec": { scopes: quotaScope },
  "io.k8s.api.core.v1.ScopedResourceSelectorRequirement": {
    operator: ["DoesNotExist", "Exists", "In", "NotIn"],
    scopeName: quotaScope,
  },
  "io.k8s.api.apps.v1.DeploymentStrategy": { type: ["Recreate", "RollingUpdate", unset] },
  "io.k8s.api.apps.v1.StatefulSetUpdateStrategy": { type: updateStrategyType },
  "io.k8s.api.apps.v1.StatefulSetSpec": { podManagementPolicy: ["OrderedReady", "Parallel", unset] },
  "io.k8s.api.apps.v1.DaemonSetUpdateStrategy": { type: updateStrategyType },
  "io.k8s.api.batch.v1.CronJobSpec": { concurrencyPolicy: ["Allow", "Forbid", "Replace", unset] },
  "io.k8s.api.batch.v1.JobSpec": {
    completionMode: ["Indexed", "NonIndexed"],
    podReplacementPolicy: ["Failed", "TerminatingOrFailed"],
  },
  "io.k8s.api.batch.v1.PodFailurePolicyRule": { action: ["Count", "FailIndex", "FailJob", "Ignore"] },
  "io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement": { operator: ["In", "NotIn"] },
  // Defaulting turns an empty status into True.
  "io.k8s.api.batch.v1.PodFailurePolicyOnPodConditionsPattern": {
    status: ["False", "True", "Unknown", unset],
  },
  "io.k8s.api.networking.v1.HTTPIngressPath": { pathType: ["Exact", "ImplementationSpecific", "Prefix"] },
  "io.k8s.api.networking.v1.NetworkPolicySpec": { policyTypes: ["Egress", "Ingress"] },
  "io.k8s.api.discovery.v1.EndpointSlice": { addressType: ["FQDN", "IPv4", "IPv6"] },
  "io.k8s.api.policy.v1.PodDisruptionBudgetSpec": {
    unhealthyPodEvictionPolicy: ["AlwaysAllow", "IfHealthyBudget"],
  },
  "io.k8s.api.scheduling.v1.PriorityClass": { preemptionPolicy },
  "io.k8s.api.storage.v1.StorageClass": { volumeBindingMode: ["Immediate", "WaitForFirstConsumer"] },
  "io.k8s.api.admissionregistration.v1.ValidatingWebhook": { failurePolicy, matchPolicy },
  "io.k8s.api.admissionregistration.v1.MutatingWebhook": {
    failurePolicy,
    matchPolicy,
    reinvocationPolicy: ["IfNeeded", "Never"],
  },
  "io.k8s.api.admissionregistration.v1.RuleWithOperations": { scope: ruleScope, operations: operation },
};

/** A scalar field, or a list of scalars, with the allowed values; other types as they are. */
function withEnum(type: SchemaType, values: readonly string[]): SchemaType {
  if (type.kind === "scalar") return { ...type, enum: values };
  if (type.kind === "list" && type.items.kind === "scalar")
    return { ...type, items: { ...type.items, enum: values } };
  return type;
}

/**
 * A converted built-in definition with the enums of its fields. Only `enum` is added: the
 * scalar kind, defaults and list semantics that comparison and defaulting read stay as they were.
 */
export function withBuiltinEnums(name: string, type: SchemaType): SchemaType {
  const enums = Object.hasOwn(builtinEnums, name) ? builtinEnums[name] : undefined;
  if (enums === undefined || type.kind !== "struct") return type;
  const fields: Record<string, SchemaType> = { ...type.fields };
  for (const [property, values] of Object.entries(enums)) {
    const field = fields[property];
    if (field !== undefined) fields[property] = withEnum(field, values);
  }
  return { ...type, fields };
}
