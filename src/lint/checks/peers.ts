/**
 * The check ids of the peer linters whose union `kubedrift lint` covers (issue 15), as data:
 * docs/lint-checks.md maps each to a kubedrift check or says why it is left out, and
 * peers.test.ts holds the two together.
 */
export interface PeerTool {
  readonly name: string;
  /** The heading of the tool's table in docs/lint-checks.md. */
  readonly heading: string;
  /** Where the list was read. */
  readonly source: string;
  readonly checks: readonly string[];
}

/** kube-score's 39 checks (README_CHECKS.md, v1.20): default and optional. */
export const kubeScoreChecks: readonly string[] = [
  "ingress-targets-service",
  "cronjob-has-deadline",
  "cronjob-restartpolicy",
  "container-resources",
  "container-resource-requests-equal-limits",
  "container-cpu-requests-equal-limits",
  "container-memory-requests-equal-limits",
  "container-image-tag",
  "container-image-pull-policy",
  "container-ephemeral-storage-request-and-limit",
  "container-ephemeral-storage-request-equals-limit",
  "container-ports-check",
  "environment-variable-key-duplication",
  "statefulset-has-poddisruptionbudget",
  "deployment-has-poddisruptionbudget",
  "poddisruptionbudget-has-policy",
  "pod-networkpolicy",
  "networkpolicy-targets-pod",
  "pod-probes",
  "pod-probes-identical",
  "container-security-context-user-group-id",
  "container-security-context-privileged",
  "container-security-context-readonlyrootfilesystem",
  "container-seccomp-profile",
  "service-targets-pod",
  "service-type",
  "stable-version",
  "deployment-has-host-podantiaffinity",
  "statefulset-has-host-podantiaffinity",
  "deployment-targeted-by-hpa-does-not-have-replicas-configured",
  "statefulset-has-servicename",
  "deployment-pod-selector-labels-match-template-metadata-labels",
  "statefulset-pod-selector-labels-match-template-metadata-labels",
  "label-values",
  "horizontalpodautoscaler-has-target",
  "horizontalpodautoscaler-replicas",
  "pod-topology-spread-constraints",
  "deployment-strategy",
  "deployment-replicas",
];

/**
 * Polaris's checks (pkg/config/checks/*.yaml): the 44 of the issue's count, the two newest
 * PDB-versus-HPA checks, and the Gateway API checks added since.
 */
export const polarisChecks: readonly string[] = [
  "automountServiceAccountToken",
  "clusterrolePodExecAttach",
  "clusterrolebindingClusterAdmin",
  "clusterrolebindingPodExecAttach",
  "cpuLimitsMissing",
  "cpuRequestsMissing",
  "dangerousCapabilities",
  "deploymentMissingReplicas",
  "hostIPCSet",
  "hostNetworkSet",
  "hostPIDSet",
  "hostPathSet",
  "hostPortSet",
  "hostProcess",
  "hpaMaxAvailability",
  "hpaMinAvailability",
  "insecureCapabilities",
  "linuxHardening",
  "livenessProbeMissing",
  "memoryLimitsMissing",
  "memoryRequestsMissing",
  "metadataAndInstanceMismatched",
  "missingNetworkPolicy",
  "missingPodDisruptionBudget",
  "notReadOnlyRootFilesystem",
  "pdbDisruptionsIsZero",
  "pdbMinAvailableEqualToHPAMinReplicas",
  "pdbMinAvailableGreaterThanHPAMaxReplicas",
  "pdbMinAvailableGreaterThanHPAMinReplicas",
  "priorityClassNotSet",
  "privilegeEscalationAllowed",
  "procMount",
  "pullPolicyNotAlways",
  "readinessProbeMissing",
  "rolePodExecAttach",
  "rolebindingClusterAdminClusterRole",
  "rolebindingClusterAdminRole",
  "rolebindingClusterRolePodExecAttach",
  "rolebindingRolePodExecAttach",
  "runAsPrivileged",
  "runAsRootAllowed",
  "sensitiveConfigmapContent",
  "sensitiveContainerEnvVar",
  "tagNotSpecified",
  "tlsSettingsMissing",
  "topologySpreadConstraint",
  "gatewayAllowedRoutesAll",
  "gatewayCrossNamespaceCertificateRef",
  "gatewayInsecureFrontendValidation",
  "gatewayTLSMissing",
  "httpRouteBackendTLSMissing",
  "httpRouteCrossNamespaceBackendRef",
  "httpRouteInsecureListener",
  "httpRouteWildcardOrEmptyHost",
  "kgatewayBackendTLSVerificationDisabled",
];

/** kube-linter's checks enabled by default (internal/defaultchecks/default_checks.go). */
export const kubeLinterDefaultChecks: readonly string[] = [
  "dangling-service",
  "deprecated-service-account-field",
  "docker-sock",
  "drop-net-raw-capability",
  "duplicate-env-var",
  "env-var-secret",
  "host-ipc",
  "host-network",
  "host-pid",
  "invalid-target-ports",
  "latest-tag",
  "liveness-port",
  "mismatching-selector",
  "no-anti-affinity",
  "no-extensions-v1beta",
  "no-read-only-root-fs",
  "non-existent-service-account",
  "pdb-max-unavailable",
  "pdb-min-available",
  "pdb-unhealthy-pod-eviction-policy",
  "privilege-escalation-container",
  "privileged-container",
  "readiness-port",
  "run-as-non-root",
  "sensitive-host-mounts",
  "ssh-port",
  "startup-port",
  "unsafe-sysctls",
  "unset-cpu-requirements",
  "unset-memory-requirements",
];

export const peerTools: readonly PeerTool[] = [
  {
    name: "kube-score",
    heading: "kube-score",
    source: "zegl/kube-score README_CHECKS.md",
    checks: kubeScoreChecks,
  },
  {
    name: "Polaris",
    heading: "Polaris",
    source: "FairwindsOps/polaris pkg/config/checks/",
    checks: polarisChecks,
  },
  {
    name: "kube-linter",
    heading: "kube-linter (default checks)",
    source: "stackrox/kube-linter internal/defaultchecks/default_checks.go, docs/generated/checks.md",
    checks: kubeLinterDefaultChecks,
  },
];
