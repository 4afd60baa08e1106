import type { JsonObject, JsonValue, KubeObject } from "../../kube/value/json.js";
import { needsClusterIP, needsNodePorts, serviceType } from "../../kube/defaulting/service.js";
import { ApiError, StatusReasons, invalid as invalidObject, type StatusCause } from "../api/status.js";
import type { KindStrategy, StrategyContext } from "./types.js";
import { defineStrategy } from "./define.js";
import {
  ensureObject,
  isUnset,
  listField,
  objectField,
  objectItems,
  stringOr,
  updateItems,
  withField,
  withoutField,
} from "../../kube/defaulting/edit.js";
import {
  child,
  duplicate,
  forbidden,
  goStringSlice,
  index,
  invalid,
  notSupported,
  required,
} from "./validation/field.js";
import { isDNS1035Label } from "./validation/names.js";
import { validatePortNumber } from "./validation/pod-spec.js";
import { jsonEqual } from "../../kube/value/equal.js";

/**
 * Services after the field manager: what the service REST storage allocates (pkg/registry/core/
 * service/storage/alloc.go): IP families, cluster IPs, node ports, and carrying them over on
 * update. SetDefaults_Service, which decoding applies first, is src/kube/defaulting/service.ts;
 * allocation is not defaulting: it needs the cluster's state (the allocators of StrategyContext),
 * so it stays in the sandbox.
 */

type ServiceSpec = JsonObject;

function isHeadless(spec: ServiceSpec): boolean {
  return spec["clusterIP"] === "None";
}

/**
 * normalizeClusterIPs on create: the legacy `clusterIP` and `clusterIPs[0]` name the same IP
 * (kube-apiserver fills clusterIP from clusterIPs while allocating; the outcome is the same).
 */
function syncClusterIPs(spec: ServiceSpec): ServiceSpec {
  const clusterIP = spec["clusterIP"];
  const clusterIPs = listField(spec, "clusterIPs") ?? [];
  if (typeof clusterIP === "string" && clusterIP !== "" && clusterIPs.length === 0) {
    return withField(spec, "clusterIPs", [clusterIP]);
  }
  const first = clusterIPs[0];
  if (isUnset(clusterIP) && typeof first === "string") return withField(spec, "clusterIP", first);
  return spec;
}

/** An old client patching some other field sent the same clusterIP and no clusterIPs. */
function restoreOmittedClusterIPs(spec: ServiceSpec, old: ServiceSpec): ServiceSpec {
  const oldIPs = listField(old, "clusterIPs") ?? [];
  const omitted = (listField(spec, "clusterIPs") ?? []).length === 0;
  const sameIP = (spec["clusterIP"] ?? "") === (old["clusterIP"] ?? "");
  return oldIPs.length > 0 && omitted && sameIP ? withField(spec, "clusterIPs", oldIPs) : spec;
}

/** normalizeClusterIPs on update: guesses what an old client, which knows only `clusterIP`, meant. */
function normalizeClusterIPsOnUpdate(spec: ServiceSpec, old: ServiceSpec): ServiceSpec {
  const result = restoreOmittedClusterIPs(spec, old);
  const clusterIP = stringOr(result["clusterIP"]);
  const unchangedPlural = jsonEqual(result["clusterIPs"] ?? [], old["clusterIPs"] ?? []);
  if (clusterIP === stringOr(old["clusterIP"]) || !unchangedPlural) return result;
  // The singular changed and the plural did not: the singular is what the client meant.
  return clusterIP === "" ? withoutField(result, "clusterIPs") : withField(result, "clusterIPs", [clusterIP]);
}

/** A PUT without ipFamilyPolicy keeps the old one; a create gets SingleStack, or dual for headless selectorless. */
function ipFamilyPolicy(
  spec: ServiceSpec,
  old: ServiceSpec | undefined,
  headlessSelectorless: boolean,
): JsonValue {
  const given = spec["ipFamilyPolicy"];
  if (!isUnset(given)) return given ?? "SingleStack";
  const inherited = old?.["ipFamilyPolicy"];
  if (!isUnset(inherited)) return inherited ?? "SingleStack";
  return headlessSelectorless ? "RequireDualStack" : "SingleStack";
}

/** initIPFamilyFields for a single-stack IPv4 cluster; headless selectorless services default to dual. */
function initIPFamilies(spec: ServiceSpec, old: ServiceSpec | undefined): ServiceSpec {
  if (!needsClusterIP(spec)) return spec;
  const selectorless = Object.keys(objectField(spec, "selector") ?? {}).length === 0;
  const headlessSelectorless = isHeadless(spec) && selectorless;
  const policy = ipFamilyPolicy(spec, old, headlessSelectorless);
  const families = listField(spec, "ipFamilies") ?? [];
  const dual = headlessSelectorless && policy !== "SingleStack";
  const defaultFamilies: readonly JsonValue[] = dual ? ["IPv4", "IPv6"] : ["IPv4"];
  return { ...spec, ipFamilyPolicy: policy, ipFamilies: families.length === 0 ? defaultFamilies : families };
}

/** The Service's name, for kube's 422 messages (`Service "web" is invalid: …`). */
type ServiceName = string;

/** NewInternalError: a 500 whose message is kube's error text behind "Internal error occurred: ". */
function internalError(message: string): ApiError {
  return new ApiError(500, StatusReasons.internalError, `Internal error occurred: ${message}`, {
    causes: [{ reason: "", message }],
  });
}

function refusedAllocation(name: ServiceName, cause: StatusCause): ApiError {
  return invalidObject({ group: "", kind: "Service" }, name, [cause]);
}

/**
 * txnAllocClusterIPs: a create, or an update from ExternalName, takes the requested address
 * (422 when it is out of the range or taken) or the next free one (500 when the range is full).
 * An update that keeps a cluster IP allocates nothing: changing it is validation's to refuse.
 */
function allocateClusterIP(
  spec: ServiceSpec,
  oldSpec: ServiceSpec | undefined,
  name: ServiceName,
  context: StrategyContext,
): ServiceSpec {
  if (!needsClusterIP(spec)) return spec;
  if (isHeadless(spec)) return withField(spec, "clusterIPs", ["None"]);
  if (oldSpec !== undefined && needsClusterIP(oldSpec)) return spec;
  const requested = spec["clusterIP"];
  if (typeof requested === "string" && requested !== "") {
    const allocation = context.allocateClusterIP(requested);
    if (allocation.status === "allocated") return spec;
    const reason = allocation.status === "full" ? "range is full" : allocation.reason;
    throw refusedAllocation(
      name,
      invalid(
        "spec.clusterIPs",
        { goLiteral: goStringSlice(clusterIPList(spec)) },
        `failed to allocate IP ${requested}: ${reason}`,
      ),
    );
  }
  const allocation = context.allocateClusterIP();
  if (allocation.status !== "allocated") throw internalError("failed to allocate a serviceIP: range is full");
  return { ...spec, clusterIP: allocation.value, clusterIPs: [allocation.value] };
}

function shouldAllocateNodePorts(spec: ServiceSpec): boolean {
  if (serviceType(spec) === "NodePort") return true;
  return serviceType(spec) === "LoadBalancer" && spec["allocateLoadBalancerNodePorts"] !== false;
}

function requestedNodePort(port: JsonObject): number | undefined {
  const nodePort = port["nodePort"];
  return typeof nodePort === "number" && nodePort !== 0 ? nodePort : undefined;
}

/** A node port as the allocator gives it, or kube's error: 422 on the field for a requested one. */
function takeNodePort(
  context: StrategyContext,
  requested: number | undefined,
  refused: (reason: string) => ApiError,
): number {
  const allocation = context.allocateNodePort(requested);
  if (allocation.status === "allocated") return allocation.value;
  if (requested === undefined || allocation.status === "full")
    throw internalError("failed to allocate a nodePort: range is full");
  throw refused(allocation.reason);
}

/**
 * initNodePorts (create) and updateNodePorts (update): ports sharing a port number (TCP and UDP
 * 53) share one node port; a requested node port is taken from the allocator (422 when out of
 * range or taken) unless the old Service already held it; the others get the next free one.
 */
function allocateNodePorts(
  spec: ServiceSpec,
  oldSpec: ServiceSpec | undefined,
  name: ServiceName,
  context: StrategyContext,
): ServiceSpec {
  if (!needsNodePorts(spec)) return spec;
  const allocating = shouldAllocateNodePorts(spec);
  const ports = objectItems(spec, "ports");
  const alreadyHeld = new Set<JsonValue | undefined>(
    oldSpec !== undefined && needsNodePorts(oldSpec) ? usedNodePorts(oldSpec) : [],
  );
  const taken = new Set<number>();
  const byPort = new Map<JsonValue | undefined, number>();
  const take = (requested: number | undefined, position: number): number => {
    // An update takes each new node port once (portAllocated); a create asks for each request.
    const updating = oldSpec !== undefined;
    if (requested !== undefined && (alreadyHeld.has(requested) || (updating && taken.has(requested))))
      return requested;
    const refused = (reason: string): ApiError =>
      refusedAllocation(
        name,
        invalid(child(index("spec.ports", position), "nodePort"), requested ?? 0, reason),
      );
    const nodePort = takeNodePort(context, requested, refused);
    taken.add(nodePort);
    return nodePort;
  };
  let position = -1;
  return updateItems(spec, "ports", (port) => {
    position += 1;
    const requested = requestedNodePort(port);
    if (requested === undefined && !allocating) return port;
    const shared = byPort.get(port["port"]);
    if (shared !== undefined) {
      if (requested === undefined) return withField(port, "nodePort", shared);
      if (requested !== shared) take(requested, position);
      return port;
    }
    // A node port requested by a later port of the same number is the one this port shares.
    const wanted =
      requested ??
      ports
        .slice(position)
        .filter((other) => other["port"] === port["port"])
        .map(requestedNodePort)
        .find((nodePort) => nodePort !== undefined);
    const nodePort = take(wanted, position);
    byPort.set(port["port"], nodePort);
    return requested === undefined ? withField(port, "nodePort", nodePort) : port;
  });
}

/** NeedsHealthCheck: LoadBalancers that keep traffic node-local get a health-check node port. */
function needsHealthCheckNodePort(spec: ServiceSpec): boolean {
  return serviceType(spec) === "LoadBalancer" && spec["externalTrafficPolicy"] === "Local";
}

function healthCheckFailure(requested: number | undefined, reason: string): ApiError {
  return internalError(
    requested === undefined
      ? `failed to allocate a HealthCheck NodePort 0: ${reason}`
      : `failed to allocate requested HealthCheck NodePort ${requested}: ${reason}`,
  );
}

/** allocHealthCheckNodePort: its failures are 500s, as kube-apiserver wraps them in NewInternalError. */
function allocateHealthCheckNodePort(
  spec: ServiceSpec,
  oldSpec: ServiceSpec | undefined,
  context: StrategyContext,
): ServiceSpec {
  if (!needsHealthCheckNodePort(spec)) return spec;
  const given = spec["healthCheckNodePort"];
  const requested = typeof given === "number" && given !== 0 ? given : undefined;
  if (requested !== undefined && oldSpec?.["healthCheckNodePort"] === requested) return spec;
  const allocation = context.allocateNodePort(requested);
  if (allocation.status === "full") throw healthCheckFailure(requested, "range is full");
  if (allocation.status === "refused") throw healthCheckFailure(requested, allocation.reason);
  return requested === undefined ? withField(spec, "healthCheckNodePort", allocation.value) : spec;
}

/** patchAllocatedValues: a PUT that omits allocated values keeps them. Node ports match by port name. */
function carryOverAllocations(spec: ServiceSpec, old: ServiceSpec): ServiceSpec {
  let result = spec;
  if (needsClusterIP(old) && needsClusterIP(result)) result = carryOverClusterIPs(result, old);
  if (needsNodePorts(old) && needsNodePorts(result)) result = carryOverNodePorts(result, old);
  const keepsHealthCheck =
    needsHealthCheckNodePort(old) &&
    needsHealthCheckNodePort(result) &&
    isUnset(result["healthCheckNodePort"]);
  const oldHealthCheck = old["healthCheckNodePort"];
  return keepsHealthCheck && typeof oldHealthCheck === "number"
    ? withField(result, "healthCheckNodePort", oldHealthCheck)
    : result;
}

function carryOverClusterIPs(spec: ServiceSpec, old: ServiceSpec): ServiceSpec {
  let result = spec;
  const oldIP = old["clusterIP"];
  if (isUnset(result["clusterIP"]) && typeof oldIP === "string" && oldIP !== "")
    result = withField(result, "clusterIP", oldIP);
  const oldIPs = listField(old, "clusterIPs");
  if ((listField(result, "clusterIPs") ?? []).length === 0 && oldIPs !== undefined)
    result = withField(result, "clusterIPs", oldIPs);
  return result;
}

function usedNodePorts(spec: ServiceSpec): ReadonlySet<JsonValue | undefined> {
  return new Set(objectItems(spec, "ports").map((port) => port["nodePort"]));
}

function carryOverNodePorts(spec: ServiceSpec, old: ServiceSpec): ServiceSpec {
  const newUsed = usedNodePorts(spec);
  const used = new Set([...usedNodePorts(old)].filter((nodePort) => newUsed.has(nodePort)));
  const byName = new Map(objectItems(old, "ports").map((port) => [port["name"] ?? "", port["nodePort"]]));
  return updateItems(spec, "ports", (port) => {
    if (!isUnset(port["nodePort"]) && port["nodePort"] !== 0) return port;
    const previous = byName.get(port["name"] ?? "");
    return previous === undefined || used.has(previous) ? port : withField(port, "nodePort", previous);
  });
}

/** dropTypeDependentFields: switching to ExternalName or ClusterIP releases what the old type held. */
function dropTypeDependentFields(spec: ServiceSpec, old: ServiceSpec): ServiceSpec {
  let result = spec;
  if (needsClusterIP(old) && !needsClusterIP(result) && result["clusterIP"] === old["clusterIP"]) {
    for (const field of ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"])
      result = withoutField(result, field);
  }
  if (needsNodePorts(old) && !needsNodePorts(result)) {
    const oldNodePorts = usedNodePorts(old);
    result = updateItems(result, "ports", (port) =>
      oldNodePorts.has(port["nodePort"]) ? withoutField(port, "nodePort") : port,
    );
  }
  return result;
}

/**
 * What the service REST storage and strategy do after the field manager: beginCreate/beginUpdate
 * (patchAllocatedValues, normalizeClusterIPs, allocateCreate/allocateUpdate) and PrepareForUpdate
 * (dropTypeDependentFields). None of it is owned by the writer.
 */
function prepareService(
  object: KubeObject,
  old: KubeObject | undefined,
  context: StrategyContext,
): KubeObject {
  const oldSpec = old === undefined ? undefined : (objectField(old, "spec") ?? {});
  return ensureObject(object, "spec", (rawSpec) => {
    let spec = rawSpec;
    spec =
      oldSpec === undefined
        ? syncClusterIPs(spec)
        : dropTypeDependentFields(
            normalizeClusterIPsOnUpdate(carryOverAllocations(spec, oldSpec), oldSpec),
            oldSpec,
          );
    spec = initIPFamilies(spec, oldSpec);
    const name = stringOr(objectField(object, "metadata")?.["name"]);
    spec = allocateClusterIP(spec, oldSpec, name, context);
    return allocateHealthCheckNodePort(allocateNodePorts(spec, oldSpec, name, context), oldSpec, context);
  });
}

const serviceTypes = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"] as const;
const protocols = ["SCTP", "TCP", "UDP"] as const;

function validateServicePort(port: JsonObject, path: string, spec: ServiceSpec): readonly StatusCause[] {
  const errors: StatusCause[] = [...validatePortNumber(port["port"], child(path, "port"))];
  const protocol = port["protocol"];
  if (typeof protocol !== "string" || !(protocols as readonly string[]).includes(protocol)) {
    errors.push(notSupported(child(path, "protocol"), protocol ?? null, protocols));
  }
  const nodePort = port["nodePort"];
  if (serviceType(spec) === "ClusterIP" && typeof nodePort === "number" && nodePort !== 0) {
    errors.push(forbidden(child(path, "nodePort"), "may not be used when `type` is 'ClusterIP'"));
  }
  return errors;
}

function validatePortNames(ports: readonly JsonObject[]): readonly StatusCause[] {
  const seen = new Set<string>();
  return ports.flatMap((port, position) => {
    const namePath = child(index("spec.ports", position), "name");
    const name = port["name"];
    if (isUnset(name)) return ports.length > 1 ? [required(namePath)] : [];
    if (typeof name !== "string") return [];
    const duplicates = seen.has(name) ? [duplicate(namePath, name)] : [];
    seen.add(name);
    return duplicates;
  });
}

function validateServiceShape(spec: ServiceSpec): readonly StatusCause[] {
  const type = spec["type"];
  if (typeof type !== "string" || !(serviceTypes as readonly string[]).includes(type)) {
    return [notSupported("spec.type", type ?? null, serviceTypes)];
  }
  if (type === "ExternalName") {
    return isUnset(spec["externalName"]) ? [required("spec.externalName")] : [];
  }
  const ports = objectItems(spec, "ports");
  return ports.length === 0 && !isHeadless(spec) ? [required("spec.ports")] : [];
}

function validateService(object: KubeObject): readonly StatusCause[] {
  const spec = objectField(object, "spec") ?? {};
  const ports = objectItems(spec, "ports");
  const affinity = spec["sessionAffinity"];
  return [
    ...validateServiceShape(spec),
    ...ports.flatMap((port, position) => validateServicePort(port, index("spec.ports", position), spec)),
    ...validatePortNames(ports),
    ...(affinity === "None" || affinity === "ClientIP"
      ? []
      : [notSupported("spec.sessionAffinity", affinity ?? null, ["ClientIP", "None"])]),
  ];
}

function clusterIPList(spec: ServiceSpec): readonly string[] {
  return (listField(spec, "clusterIPs") ?? []).filter((ip): ip is string => typeof ip === "string");
}

/** ValidateServiceUpdate: an allocated primary cluster IP cannot change. */
function validateServiceUpdate(object: KubeObject, old: KubeObject): readonly StatusCause[] {
  const spec = objectField(object, "spec") ?? {};
  const oldSpec = objectField(old, "spec") ?? {};
  if (!needsClusterIP(spec) || !needsClusterIP(oldSpec)) return [];
  const ips = clusterIPList(spec);
  const oldIPs = clusterIPList(oldSpec);
  if (oldIPs.length === 0 || ips[0] === oldIPs[0]) return [];
  return [invalid("spec.clusterIPs[0]", { goLiteral: goStringSlice(ips) }, "may not change once set")];
}

export const serviceStrategy: KindStrategy = defineStrategy({
  gvk: { group: "", version: "v1", kind: "Service" },
  tracksGeneration: false,
  hasStatus: true,
  // Service names become DNS names of the form NAME.NAMESPACE.svc, so they must be DNS-1035 labels.
  nameValidator: isDNS1035Label,
  prepare: prepareService,
  initialStatus: () => ({ loadBalancer: {} }),
  validateSpec: validateService,
  validateUpdate: validateServiceUpdate,
});
