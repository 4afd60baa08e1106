/**
 * The ranges kube-apiserver allocates Service values from: `--service-cluster-ip-range` (an IPv4
 * CIDR here) and `--service-node-port-range`.
 */

/** An IPv4 service CIDR: the usable addresses are those between the network and broadcast addresses. */
export interface ServiceCIDR {
  /** As kube prints it in messages: `10.96.0.0/12`. */
  readonly text: string;
  /** The network address as an unsigned 32-bit number. */
  readonly network: number;
  readonly prefixLength: number;
  /** Usable addresses: 2^(32-prefix) - 2 (network and broadcast are never handed out). */
  readonly size: number;
}

export interface PortRange {
  /** As kube prints it in messages: `30000-32767`. */
  readonly text: string;
  readonly base: number;
  readonly size: number;
}

/** kube-apiserver's defaults. */
export const DEFAULT_SERVICE_CIDR = "10.96.0.0/12";
export const DEFAULT_NODE_PORT_RANGE = "30000-32767";

/** Dotted-quad IPv4 to an unsigned number; undefined for anything else (IPv6, names, leading zeros). */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function formatIPv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}

/**
 * Parses `--service-cluster-ip-range`. kube-apiserver refuses ranges larger than a /12 for IPv4
 * (its bitmap would be too big); a /31 or /32 leaves no usable address.
 */
export function parseServiceCIDR(text: string): ServiceCIDR {
  const [address = "", prefix, ...rest] = text.split("/");
  const ip = parseIPv4(address);
  if (ip === undefined || prefix === undefined || rest.length > 0 || !/^[0-9]{1,2}$/.test(prefix)) {
    const family = address.includes(":") ? " (only IPv4 ranges are supported)" : "";
    throw new Error(`invalid CIDR "${text}"${family}`);
  }
  const prefixLength = Number(prefix);
  if (prefixLength > 32) throw new Error(`invalid CIDR "${text}"`);
  if (prefixLength < 12) {
    throw new Error(`specified range ${text} is too large; for 32-bit addresses, the mask must be >= 12`);
  }
  if (prefixLength > 30) throw new Error(`specified range ${text} has no usable addresses`);
  const hostBits = 32 - prefixLength;
  // Host bits set in the address are dropped, as net.ParseCIDR does.
  const network = Math.floor(ip / 2 ** hostBits) * 2 ** hostBits;
  return {
    text: `${formatIPv4(network)}/${prefixLength}`,
    network,
    prefixLength,
    size: 2 ** hostBits - 2,
  };
}

/** Parses `--service-node-port-range`: `FROM-TO`, as kube's net.PortRange (`30000-32767`). */
export function parsePortRange(text: string): PortRange {
  const match = /^([0-9]{1,5})-([0-9]{1,5})$/.exec(text.trim());
  const from = Number(match?.[1]);
  const to = Number(match?.[2]);
  if (match === null || from < 1 || to > 65535 || from > to) {
    throw new Error(`invalid port range "${text}" (expected FROM-TO within 1-65535)`);
  }
  return { text: `${from}-${to}`, base: from, size: to - from + 1 };
}

/**
 * kube's calculateRangeOffset (KEP-3070): the low band of the range, min(max(16, size/16), 256)
 * addresses, is left to static allocations; dynamic ones start above it.
 */
export function staticBandSize(cidr: ServiceCIDR): number {
  const rangeSize = cidr.size + 2;
  if (rangeSize <= 16) return 0;
  return Math.min(Math.max(16, Math.floor(rangeSize / 16)), 256);
}
