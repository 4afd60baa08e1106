/**
 * How the Terraform Kubernetes provider's typed resources map onto Kubernetes objects, from the
 * provider's schema_*.go and structures_*.go (hashicorp/terraform-provider-kubernetes): its blocks are
 * snake_case singulars (`container`, `port`, `volume_mount`), the API's fields camelCase plurals.
 */

/** A block that becomes a list in the API (no MaxItems: 1), with the API's field name. */
interface BlockRule {
  readonly name: string;
  readonly list: boolean;
}

const listBlocks: Readonly<Record<string, string>> = {
  container: "containers",
  init_container: "initContainers",
  port: "ports",
  env: "env",
  env_from: "envFrom",
  volume: "volumes",
  volume_mount: "volumeMounts",
  volume_device: "volumeDevices",
  toleration: "tolerations",
  topology_spread_constraint: "topologySpreadConstraints",
  host_aliases: "hostAliases",
  readiness_gate: "readinessGates",
  image_pull_secrets: "imagePullSecrets",
  image_pull_secret: "imagePullSecrets",
  sysctl: "sysctls",
  option: "options",
  items: "items",
  volume_claim_template: "volumeClaimTemplates",
  rule: "rules",
  subject: "subjects",
  match_expressions: "matchExpressions",
  cluster_role_selectors: "clusterRoleSelectors",
  tls: "tls",
  path: "paths",
  metric: "metrics",
  policy: "policies",
  http_header: "httpHeaders",
  node_selector_term: "nodeSelectorTerms",
  preferred_during_scheduling_ignored_during_execution: "preferredDuringSchedulingIgnoredDuringExecution",
  required_during_scheduling_ignored_during_execution: "requiredDuringSchedulingIgnoredDuringExecution",
  sources: "sources",
  pod_failure_policy_rule: "rules",
  on_exit_codes: "onExitCodes",
  on_pod_condition: "onPodConditions",
};

/** Blocks whose meaning depends on where they sit, keyed `parent>child`. */
const contextualBlocks: Readonly<Record<string, BlockRule>> = {
  // Ingress v1: backend { service { port { number } } } is one port, not a list.
  "service>port": { name: "port", list: false },
  // Node affinity's required term is one NodeSelector; pod (anti-)affinity's is a list of terms.
  "node_affinity>required_during_scheduling_ignored_during_execution": {
    name: "requiredDuringSchedulingIgnoredDuringExecution",
    list: false,
  },
  // A ServiceAccount's `secret` blocks are its secrets; elsewhere `secret` is a volume source.
  "$root>secret": { name: "secrets", list: true },
  "volume>secret": { name: "secret", list: false },
};

/** Where snake_case → camelCase is not the API's spelling. */
const fieldNames: Readonly<Record<string, string>> = {
  host_ipc: "hostIPC",
  host_pid: "hostPID",
  host_ip: "hostIP",
  pod_ip: "podIP",
  cluster_ip: "clusterIP",
  cluster_ips: "clusterIPs",
  external_ips: "externalIPs",
  load_balancer_ip: "loadBalancerIP",
  client_ip: "clientIP",
  non_resource_urls: "nonResourceURLs",
  target_cpu_utilization_percentage: "targetCPUUtilizationPercentage",
  default_backend: "defaultBackend",
};

/** Provider-only settings and Terraform meta-arguments: not part of the object. */
export const providerOnlyKeys: ReadonlySet<string> = new Set([
  "wait_for_rollout",
  "wait_for_load_balancer",
  "wait_for_completion",
  "wait_for_default_service_account",
  "wait_for_service_account_token",
  "timeouts",
  "id",
  "count",
  "for_each",
  "depends_on",
  "provider",
  "lifecycle",
  "provisioner",
  "connection",
  "status",
]);

/** Server-owned metadata the provider keeps in state (semantics rule 2 leaves it out anyway). */
export const serverOwnedMetadata: ReadonlySet<string> = new Set([
  "uid",
  "resource_version",
  "generation",
  "self_link",
  "creation_timestamp",
]);

/** Fields the provider types as strings to tell 0 from unset, which the API holds as integers. */
const integerStrings: ReadonlySet<string> = new Set([
  "replicas",
  "fs_group",
  "run_as_user",
  "run_as_group",
  "toleration_seconds",
  "ttl_seconds_after_finished",
  "active_deadline_seconds",
  "backoff_limit",
  "starting_deadline_seconds",
]);

/** int-or-string fields: a number written as a string is the number. */
const intOrStrings: ReadonlySet<string> = new Set(["target_port", "max_surge", "max_unavailable", "port"]);

/** File modes, which the provider takes as octal strings ("0644"). */
const octalModes: ReadonlySet<string> = new Set(["default_mode", "mode"]);

export function camelCase(snake: string): string {
  return fieldNames[snake] ?? snake.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/** `parent` is the enclosing block's Terraform name, `$root` at the top of a resource. */
export function blockRule(parent: string, key: string): BlockRule {
  const contextual = contextualBlocks[`${parent}>${key}`];
  if (contextual !== undefined) return contextual;
  const listName = listBlocks[key];
  return listName === undefined ? { name: camelCase(key), list: false } : { name: listName, list: true };
}

/** The API's scalar for a provider's scalar: integer strings, int-or-string and octal modes. */
export function convertScalar(key: string, value: unknown): unknown {
  if (typeof value !== "string") return value;
  if (octalModes.has(key) && /^0?[0-7]+$/.test(value)) return parseInt(value, 8);
  if ((integerStrings.has(key) || intOrStrings.has(key)) && /^-?\d+$/.test(value)) return Number(value);
  return value;
}
