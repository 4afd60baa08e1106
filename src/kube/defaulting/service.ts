import type { JsonObject, KubeObject } from "../value/json.js";
import {
  ensureObject,
  isUnset,
  listField,
  objectField,
  updateItems,
  withDefaults,
  withField,
  withoutField,
} from "./edit.js";

/**
 * SetDefaults_Service (pkg/apis/core/v1/defaults.go). What kube-apiserver allocates afterwards
 * (IP families, cluster IPs, node ports) needs the cluster's state and stays with the server.
 */

type ServiceSpec = JsonObject;

export function serviceType(spec: ServiceSpec): string {
  const type = spec["type"];
  return typeof type === "string" && type !== "" ? type : "ClusterIP";
}

export function needsClusterIP(spec: ServiceSpec): boolean {
  return serviceType(spec) !== "ExternalName";
}

export function needsNodePorts(spec: ServiceSpec): boolean {
  const type = serviceType(spec);
  return type === "NodePort" || type === "LoadBalancer";
}

/** service.ExternallyAccessible: NodePort, LoadBalancer, or ClusterIP with external IPs. */
function externallyAccessible(spec: ServiceSpec): boolean {
  const externalIPs = listField(spec, "externalIPs") ?? [];
  return needsNodePorts(spec) || (serviceType(spec) === "ClusterIP" && externalIPs.length > 0);
}

function defaultServicePort(port: JsonObject): JsonObject {
  const withProtocol = withDefaults(port, { protocol: "TCP" });
  const targetPort = port["targetPort"];
  if (targetPort === undefined || targetPort === null || targetPort === 0 || targetPort === "") {
    return withField(withProtocol, "targetPort", port["port"] ?? 0);
  }
  return withProtocol;
}

function defaultSessionAffinity(spec: ServiceSpec): ServiceSpec {
  const withAffinity = withDefaults(spec, { sessionAffinity: "None" });
  if (withAffinity["sessionAffinity"] === "None") return withoutField(withAffinity, "sessionAffinityConfig");
  if (withAffinity["sessionAffinity"] !== "ClientIP") return withAffinity;
  const timeout = objectField(objectField(withAffinity, "sessionAffinityConfig") ?? {}, "clientIP")?.[
    "timeoutSeconds"
  ];
  if (!isUnset(timeout)) return withAffinity;
  // DefaultClientIPServiceAffinitySeconds: three hours.
  return withField(withAffinity, "sessionAffinityConfig", { clientIP: { timeoutSeconds: 10800 } });
}

function defaultTrafficPolicies(spec: ServiceSpec): ServiceSpec {
  let result = spec;
  if (externallyAccessible(result)) result = withDefaults(result, { externalTrafficPolicy: "Cluster" });
  if (needsClusterIP(result)) result = withDefaults(result, { internalTrafficPolicy: "Cluster" });
  if (serviceType(result) === "LoadBalancer")
    result = withDefaults(result, { allocateLoadBalancerNodePorts: true });
  return result;
}

/** SetDefaults_Service. */
export function defaultServiceSpec(spec: ServiceSpec): ServiceSpec {
  const typed = withDefaults(defaultSessionAffinity(spec), { type: "ClusterIP" });
  return defaultTrafficPolicies(updateItems(typed, "ports", defaultServicePort));
}

export function defaultService(object: KubeObject): KubeObject {
  return ensureObject(object, "spec", defaultServiceSpec);
}
