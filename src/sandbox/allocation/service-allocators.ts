import type { JsonObject, JsonValue, KubeObject } from "../../kube/value/json.js";
import { isJsonObject, textOf } from "../../kube/value/json.js";
import type { Allocation } from "../kinds/types.js";
import type { MemoryObjectStore } from "../store/memory-store.js";
import { WatchEventTypes, type StoreEvent } from "../store/types.js";
import { OffsetBitmap } from "./bitmap.js";
import {
  DEFAULT_NODE_PORT_RANGE,
  DEFAULT_SERVICE_CIDR,
  formatIPv4,
  parseIPv4,
  parsePortRange,
  parseServiceCIDR,
  staticBandSize,
  type PortRange,
  type ServiceCIDR,
} from "./ranges.js";

export interface ServiceAllocatorOptions {
  /** kube-apiserver's `--service-cluster-ip-range` (IPv4 only); 10.96.0.0/12 by default. */
  readonly serviceClusterIPRange?: string;
  /** kube-apiserver's `--service-node-port-range`; 30000-32767 by default. */
  readonly serviceNodePortRange?: string;
}

/** The Service IP and node port allocators of the sandbox, kept in step with the stored Services. */
export interface ServiceAllocators {
  readonly cidr: ServiceCIDR;
  readonly nodePorts: PortRange;
  /** The first usable address of the range: the `kubernetes` Service's, as in kube-apiserver. */
  readonly firstIP: string;
  /** The next free address, or `requested` when it is in range and free. */
  readonly allocateClusterIP: (requested?: string) => Allocation<string>;
  readonly allocateNodePort: (requested?: number) => Allocation<number>;
}

const services = { group: "", resource: "services" } as const;

interface Held {
  readonly ips: readonly number[];
  readonly ports: readonly number[];
}

const nothingHeld: Held = { ips: [], ports: [] };

function stringsOf(value: JsonValue | undefined): readonly string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

/**
 * kube-apiserver's allocators are bitmaps that its storage updates on each create, update and
 * delete (and a repair loop rebuilds from etcd). Here the bitmaps follow the store's Service
 * events, and are built from the store once when the sandbox starts (persisted `--data`). A value
 * handed to a write is reserved: the write's event hands it to the stored Service, and a write
 * refused or dry-run lets it go once answered (a microtask later).
 */
export function createServiceAllocators(
  store: MemoryObjectStore,
  options: ServiceAllocatorOptions = {},
): ServiceAllocators {
  const cidr = parseServiceCIDR(options.serviceClusterIPRange ?? DEFAULT_SERVICE_CIDR);
  const nodePorts = parsePortRange(options.serviceNodePortRange ?? DEFAULT_NODE_PORT_RANGE);
  const ips = new OffsetBitmap(cidr.size, staticBandSize(cidr));
  const ports = new OffsetBitmap(nodePorts.size);
  const held = new Map<string, Held>();
  // Values held for writes in flight; each is free (hence reserved once) when it is handed out.
  const reservedIPs = new Set<number>();
  const reservedPorts = new Set<number>();
  let flushQueued = false;

  const ipOffset = (text: string): number | undefined => {
    const ip = parseIPv4(text);
    if (ip === undefined) return undefined;
    const offset = ip - cidr.network - 1;
    return offset >= 0 && offset < cidr.size ? offset : undefined;
  };
  const portOffset = (port: number): number | undefined => {
    const offset = port - nodePorts.base;
    return Number.isInteger(offset) && offset >= 0 && offset < nodePorts.size ? offset : undefined;
  };

  const heldIPs = (spec: JsonObject): readonly number[] => {
    const plural = stringsOf(spec["clusterIPs"]);
    const addresses = plural.length > 0 ? plural : stringsOf([spec["clusterIP"] ?? null]);
    const offsets = new Set<number>();
    for (const address of addresses) {
      const offset = ipOffset(address);
      if (offset !== undefined) offsets.add(offset);
    }
    return [...offsets];
  };
  const heldPorts = (spec: JsonObject): readonly number[] => {
    const ports = Array.isArray(spec["ports"]) ? spec["ports"] : [];
    const numbers = ports.map((port) => (isJsonObject(port) ? port["nodePort"] : undefined));
    const offsets = new Set<number>();
    for (const number of [...numbers, spec["healthCheckNodePort"]]) {
      const offset = typeof number === "number" ? portOffset(number) : undefined;
      if (offset !== undefined) offsets.add(offset);
    }
    return [...offsets];
  };
  const heldBy = (service: KubeObject): Held => {
    const spec = service["spec"];
    if (!isJsonObject(spec)) return nothingHeld;
    const held = { ips: heldIPs(spec), ports: heldPorts(spec) };
    return held.ips.length === 0 && held.ports.length === 0 ? nothingHeld : held;
  };

  const track = (key: string, service: KubeObject | undefined): void => {
    const before = held.get(key) ?? nothingHeld;
    const after = service === undefined ? nothingHeld : heldBy(service);
    // Hold the new values before letting go of the old ones: a value kept stays held throughout.
    // A value reserved for this write becomes the Service's: its reservation is not released again.
    for (const offset of after.ips) if (!reservedIPs.delete(offset)) ips.hold(offset);
    for (const offset of after.ports) if (!reservedPorts.delete(offset)) ports.hold(offset);
    for (const offset of before.ips) ips.release(offset);
    for (const offset of before.ports) ports.release(offset);
    if (after === nothingHeld) held.delete(key);
    else held.set(key, after);
  };

  for (const service of store.list(services).items) {
    const metadata = service["metadata"];
    if (isJsonObject(metadata))
      track(`${textOf(metadata["namespace"])}/${textOf(metadata["name"])}`, service);
  }
  store.watch({
    resource: services,
    onEvent: (event: StoreEvent) => {
      const key = `${event.key.namespace}/${event.key.name}`;
      track(key, event.type === WatchEventTypes.deleted ? undefined : event.object);
    },
  });

  const flush = (): void => {
    flushQueued = false;
    for (const offset of reservedIPs) ips.release(offset);
    for (const offset of reservedPorts) ports.release(offset);
    reservedIPs.clear();
    reservedPorts.clear();
  };
  /** Remembers a value held for a write in flight, to let go of once its events are delivered. */
  const reserve = (reserved: Set<number>, offset: number): void => {
    reserved.add(offset);
    if (!flushQueued) {
      flushQueued = true;
      queueMicrotask(flush);
    }
  };

  return {
    cidr,
    nodePorts,
    firstIP: formatIPv4(cidr.network + 1),
    allocateClusterIP: (requested) => {
      if (requested === undefined) {
        const offset = ips.holdNext();
        if (offset === undefined) return { status: "full" };
        reserve(reservedIPs, offset);
        return { status: "allocated", value: formatIPv4(cidr.network + 1 + offset) };
      }
      const offset = ipOffset(requested);
      if (offset === undefined) {
        return {
          status: "refused",
          reason: `the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${cidr.text}`,
        };
      }
      if (ips.has(offset)) return { status: "refused", reason: "provided IP is already allocated" };
      ips.hold(offset);
      reserve(reservedIPs, offset);
      return { status: "allocated", value: requested };
    },
    allocateNodePort: (requested) => {
      if (requested === undefined) {
        const offset = ports.holdNext();
        if (offset === undefined) return { status: "full" };
        reserve(reservedPorts, offset);
        return { status: "allocated", value: nodePorts.base + offset };
      }
      const offset = portOffset(requested);
      if (offset === undefined) {
        return {
          status: "refused",
          reason: `provided port is not in the valid range. The range of valid ports is ${nodePorts.text}`,
        };
      }
      if (ports.has(offset)) return { status: "refused", reason: "provided port is already allocated" };
      ports.hold(offset);
      reserve(reservedPorts, offset);
      return { status: "allocated", value: requested };
    },
  };
}
