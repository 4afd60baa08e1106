/**
 * The fields that kube-apiserver never stores or returns when they hold their Go zero value:
 * scalar fields whose Go type is not a pointer (bool, int32, int64, string or a named string
 * type such as Protocol or PullPolicy) and whose json tag says `omitempty`. The API server
 * decodes a write into its Go struct and encodes that struct back (encoding/json for storage
 * and responses, runtime.DefaultUnstructuredConverter for field management), so
 * `minReadySeconds: 0`, `readOnly: false` or `subPath: ""` read back as absent. Pointer fields
 * (`replicas`, `automountServiceAccountToken`, `securityContext.privileged` …) keep a zero
 * value and are not listed; neither are non-pointer structs (omitempty never omits a struct)
 * nor intstr.IntOrString (a struct: `targetPort: 0` is kept).
 *
 * Keyed by OpenAPI definition name; fields of an inlined Go struct (LocalObjectReference in
 * SecretKeySelector, ProbeHandler in Probe, EphemeralContainerCommon …) are listed under the
 * definition that flattens them.
 *
 * Source: the Go struct definitions of the public repositories, read field by field (only the
 * facts — field names — are taken, no code):
 * - kubernetes/api core/v1/types.go @ 3fed8b5a8558cb508dd58c8cfb228d04cc9a52a5, apps/v1/types.go
 *   @ 3bd457f5291be08e2a41ec6df9471f20aeb81416, batch/v1/types.go
 *   @ 8b76f66a8775732ec73ea921866ef2ce417bfd70, networking/v1/types.go
 *   @ 1ff85247c7d7fc007c52180bfb500a59ec81e5a7, rbac/v1/types.go
 *   @ 426b1b9979354bee48c10e727c46eb9b5a7bbc95, autoscaling/v2/types.go
 *   @ 3fecd54e66d608d8b6b563957348affe87eb2f17 (the index holds one or two versions per file,
 *   none tagged v0.32: core/v1 is from after 1.34; pointer-ness of a released field does not
 *   change between releases, it would break Go clients);
 * - kubernetes/apimachinery pkg/apis/meta/v1/types.go @ 048d783371697f65e816d3d923481c476cc85e06;
 * - kubernetes/apiextensions-apiserver pkg/apis/apiextensions/v1/types_jsonschema.go
 *   @ ed52ad83c626d39f158cfb0dac79ca944e30c6bc; the CRD structs of apiextensions/v1/types.go
 *   (not in the index) from copies found by content search: a vendored derivative of that file
 *   (spec, version, names, condition, scale), its CustomResourceColumnDefinition, and the
 *   ValidationRule struct as a KEP quotes it;
 * - policy/v1 and coordination/v1 types.go are not in the index and were NOT read: from what
 *   is known of them, PodDisruptionBudgetStatus.observedGeneration is the one non-pointer
 *   omitempty scalar of PodDisruptionBudget (its spec fields are pointers) and LeaseSpec has
 *   only pointers, so Lease has nothing here. Verify against the source when it is at hand.
 * Built by listing every struct field of those files that is a non-pointer scalar with
 * `omitempty`, then keeping the fields that data/kubernetes-openapi-v1.32.json declares as
 * string/integer/boolean properties of the definition (fields added after 1.32 —
 * PodCertificateProjection, PodStatus.observedGeneration, ContainerRestartRule … — dropped).
 * omitted-zero.test.ts checks every entry against the 1.32 schema.
 */
type FieldsByDefinition = Readonly<Record<string, readonly string[]>>;

const meta: FieldsByDefinition = {
  Condition: ["observedGeneration"],
  ManagedFieldsEntry: ["manager", "operation", "apiVersion", "fieldsType", "subresource"],
  ObjectMeta: ["name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation"],
};

const core: FieldsByDefinition = {
  AWSElasticBlockStoreVolumeSource: ["fsType", "partition", "readOnly"],
  AzureFilePersistentVolumeSource: ["readOnly"],
  AzureFileVolumeSource: ["readOnly"],
  CSIPersistentVolumeSource: ["readOnly", "fsType"],
  CephFSPersistentVolumeSource: ["path", "user", "secretFile", "readOnly"],
  CephFSVolumeSource: ["path", "user", "secretFile", "readOnly"],
  CinderPersistentVolumeSource: ["fsType", "readOnly"],
  CinderVolumeSource: ["fsType", "readOnly"],
  ComponentCondition: ["message", "error"],
  ConfigMapEnvSource: ["name"],
  ConfigMapKeySelector: ["name"],
  ConfigMapNodeConfigSource: ["uid", "resourceVersion"],
  ConfigMapProjection: ["name"],
  ConfigMapVolumeSource: ["name"],
  Container: [
    "image",
    "workingDir",
    "terminationMessagePath",
    "terminationMessagePolicy",
    "imagePullPolicy",
    "stdin",
    "stdinOnce",
    "tty",
  ],
  ContainerImage: ["sizeBytes"],
  ContainerPort: ["name", "hostPort", "protocol", "hostIP"],
  ContainerStateTerminated: ["signal", "reason", "message", "containerID"],
  ContainerStateWaiting: ["reason", "message"],
  ContainerStatus: ["containerID"],
  EmptyDirVolumeSource: ["medium"],
  EndpointAddress: ["hostname"],
  EndpointPort: ["name", "protocol"],
  EnvFromSource: ["prefix"],
  EnvVar: ["value"],
  EphemeralContainer: [
    "image",
    "workingDir",
    "terminationMessagePath",
    "terminationMessagePolicy",
    "imagePullPolicy",
    "stdin",
    "stdinOnce",
    "tty",
    "targetContainerName",
  ],
  Event: ["reason", "message", "count", "type", "action"],
  EventSeries: ["count"],
  EventSource: ["component", "host"],
  FCVolumeSource: ["fsType", "readOnly"],
  FlexPersistentVolumeSource: ["fsType", "readOnly"],
  FlexVolumeSource: ["fsType", "readOnly"],
  FlockerVolumeSource: ["datasetName", "datasetUUID"],
  GCEPersistentDiskVolumeSource: ["fsType", "partition", "readOnly"],
  GitRepoVolumeSource: ["revision", "directory"],
  GlusterfsPersistentVolumeSource: ["readOnly"],
  GlusterfsVolumeSource: ["readOnly"],
  HTTPGetAction: ["path", "host", "scheme"],
  ISCSIPersistentVolumeSource: [
    "iscsiInterface",
    "fsType",
    "readOnly",
    "chapAuthDiscovery",
    "chapAuthSession",
  ],
  ISCSIVolumeSource: ["iscsiInterface", "fsType", "readOnly", "chapAuthDiscovery", "chapAuthSession"],
  ImageVolumeSource: ["reference", "pullPolicy"],
  LoadBalancerIngress: ["ip", "hostname"],
  LocalObjectReference: ["name"],
  ModifyVolumeStatus: ["targetVolumeAttributesClassName"],
  NFSVolumeSource: ["readOnly"],
  NamespaceCondition: ["reason", "message"],
  NamespaceStatus: ["phase"],
  NodeCondition: ["reason", "message"],
  NodeConfigStatus: ["error"],
  NodeSpec: ["podCIDR", "providerID", "unschedulable", "externalID"],
  NodeStatus: ["phase"],
  ObjectFieldSelector: ["apiVersion"],
  ObjectReference: ["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"],
  PersistentVolumeClaimCondition: ["reason", "message"],
  PersistentVolumeClaimSpec: ["volumeName"],
  PersistentVolumeClaimStatus: ["phase"],
  PersistentVolumeClaimVolumeSource: ["readOnly"],
  PersistentVolumeSpec: ["persistentVolumeReclaimPolicy", "storageClassName"],
  PersistentVolumeStatus: ["phase", "message", "reason"],
  PhotonPersistentDiskVolumeSource: ["fsType"],
  PodCondition: ["reason", "message"],
  PodDNSConfigOption: ["name"],
  PodSpec: [
    "restartPolicy",
    "dnsPolicy",
    "serviceAccountName",
    "serviceAccount",
    "nodeName",
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "hostname",
    "subdomain",
    "schedulerName",
    "priorityClassName",
  ],
  PodStatus: ["phase", "message", "reason", "nominatedNodeName", "hostIP", "podIP", "qosClass", "resize"],
  PortworxVolumeSource: ["fsType", "readOnly"],
  Probe: ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"],
  QuobyteVolumeSource: ["readOnly", "user", "group", "tenant"],
  RBDPersistentVolumeSource: ["fsType", "pool", "user", "keyring", "readOnly"],
  RBDVolumeSource: ["fsType", "pool", "user", "keyring", "readOnly"],
  ReplicationControllerCondition: ["reason", "message"],
  ReplicationControllerSpec: ["minReadySeconds"],
  ReplicationControllerStatus: [
    "fullyLabeledReplicas",
    "readyReplicas",
    "availableReplicas",
    "observedGeneration",
  ],
  ResourceClaim: ["request"],
  ResourceFieldSelector: ["containerName"],
  ResourceHealth: ["health"],
  SELinuxOptions: ["user", "role", "type", "level"],
  ScaleIOPersistentVolumeSource: [
    "sslEnabled",
    "protectionDomain",
    "storagePool",
    "storageMode",
    "volumeName",
    "fsType",
    "readOnly",
  ],
  ScaleIOVolumeSource: [
    "sslEnabled",
    "protectionDomain",
    "storagePool",
    "storageMode",
    "volumeName",
    "fsType",
    "readOnly",
  ],
  Secret: ["type"],
  SecretEnvSource: ["name"],
  SecretKeySelector: ["name"],
  SecretProjection: ["name"],
  SecretReference: ["name", "namespace"],
  SecretVolumeSource: ["secretName"],
  ServiceAccountTokenProjection: ["audience"],
  ServicePort: ["name", "protocol", "nodePort"],
  ServiceSpec: [
    "clusterIP",
    "type",
    "sessionAffinity",
    "loadBalancerIP",
    "externalName",
    "externalTrafficPolicy",
    "healthCheckNodePort",
    "publishNotReadyAddresses",
  ],
  StorageOSPersistentVolumeSource: ["volumeName", "volumeNamespace", "fsType", "readOnly"],
  StorageOSVolumeSource: ["volumeName", "volumeNamespace", "fsType", "readOnly"],
  TCPSocketAction: ["host"],
  Taint: ["value"],
  Toleration: ["key", "operator", "value", "effect"],
  VolumeMount: ["readOnly", "subPath", "subPathExpr"],
  VolumeMountStatus: ["readOnly"],
  VsphereVirtualDiskVolumeSource: ["fsType", "storagePolicyName", "storagePolicyID"],
};

const apps: FieldsByDefinition = {
  DaemonSetCondition: ["reason", "message"],
  DaemonSetSpec: ["minReadySeconds"],
  DaemonSetStatus: ["observedGeneration", "updatedNumberScheduled", "numberAvailable", "numberUnavailable"],
  DaemonSetUpdateStrategy: ["type"],
  DeploymentCondition: ["reason", "message"],
  DeploymentSpec: ["minReadySeconds", "paused"],
  DeploymentStatus: [
    "observedGeneration",
    "replicas",
    "updatedReplicas",
    "readyReplicas",
    "availableReplicas",
    "unavailableReplicas",
  ],
  DeploymentStrategy: ["type"],
  ReplicaSetCondition: ["reason", "message"],
  ReplicaSetSpec: ["minReadySeconds"],
  ReplicaSetStatus: ["fullyLabeledReplicas", "readyReplicas", "availableReplicas", "observedGeneration"],
  StatefulSetCondition: ["reason", "message"],
  StatefulSetPersistentVolumeClaimRetentionPolicy: ["whenDeleted", "whenScaled"],
  StatefulSetSpec: ["podManagementPolicy", "minReadySeconds"],
  StatefulSetStatus: [
    "observedGeneration",
    "readyReplicas",
    "currentReplicas",
    "updatedReplicas",
    "currentRevision",
    "updateRevision",
  ],
  StatefulSetUpdateStrategy: ["type"],
};

const batch: FieldsByDefinition = {
  CronJobSpec: ["concurrencyPolicy"],
  JobCondition: ["reason", "message"],
  JobStatus: ["active", "succeeded", "failed", "completedIndexes"],
};

const networking: FieldsByDefinition = {
  HTTPIngressPath: ["path"],
  IngressClassSpec: ["controller"],
  IngressLoadBalancerIngress: ["ip", "hostname"],
  IngressRule: ["host"],
  IngressTLS: ["secretName"],
  ServiceBackendPort: ["name", "number"],
};

const rbac: FieldsByDefinition = {
  Subject: ["apiGroup", "namespace"],
};

const policy: FieldsByDefinition = {
  PodDisruptionBudgetStatus: ["observedGeneration"],
};

const autoscaling: FieldsByDefinition = {
  CrossVersionObjectReference: ["apiVersion"],
  HorizontalPodAutoscalerCondition: ["reason", "message"],
  HorizontalPodAutoscalerStatus: ["currentReplicas"],
};

const apiextensions: FieldsByDefinition = {
  CustomResourceColumnDefinition: ["format", "description", "priority"],
  CustomResourceDefinitionCondition: ["reason", "message"],
  CustomResourceDefinitionNames: ["singular", "listKind"],
  CustomResourceDefinitionSpec: ["preserveUnknownFields"],
  CustomResourceDefinitionVersion: ["deprecated"],
  ExternalDocumentation: ["description", "url"],
  JSONSchemaProps: [
    "id",
    "$schema",
    "description",
    "type",
    "format",
    "title",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "pattern",
    "uniqueItems",
    "nullable",
    "x-kubernetes-embedded-resource",
    "x-kubernetes-int-or-string",
  ],
  ValidationRule: ["message", "messageExpression", "fieldPath"],
};

function prefixed(prefix: string, table: FieldsByDefinition): [string, ReadonlySet<string>][] {
  return Object.entries(table).map(([name, fields]) => [`${prefix}${name}`, new Set(fields)]);
}

/** Definition name → its fields that are omitted when they hold their Go zero value. */
export const omittedZeroFields: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ...prefixed("io.k8s.apimachinery.pkg.apis.meta.v1.", meta),
  ...prefixed("io.k8s.api.core.v1.", core),
  ...prefixed("io.k8s.api.apps.v1.", apps),
  ...prefixed("io.k8s.api.batch.v1.", batch),
  ...prefixed("io.k8s.api.networking.v1.", networking),
  ...prefixed("io.k8s.api.rbac.v1.", rbac),
  ...prefixed("io.k8s.api.policy.v1.", policy),
  ...prefixed("io.k8s.api.autoscaling.v2.", autoscaling),
  ...prefixed("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.", apiextensions),
]);
