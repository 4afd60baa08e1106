import type { MemoryObjectStore } from "../store/memory-store.js";
import type { ResourceRegistry } from "../registry/registry.js";
import type { Machinery } from "./machinery.js";

/** Everything a request handler may use; built once per sandbox. Time and identifiers are injectable. */
export interface ServerContext {
  readonly store: MemoryObjectStore;
  readonly registry: ResourceRegistry;
  readonly machinery: Machinery;
  readonly now: () => Date;
  readonly newUid: () => string;
  /** Five characters for generateName, from kube's alphabet without vowels. */
  readonly randomSuffix: () => string;
  /** The address clients reach the server at (for /api's serverAddressByClientCIDRs). */
  readonly serverAddress: () => string;
}

/** Response warnings (`Warning: 299 - "…"` headers), gathered while a request is handled. */
export interface RequestScope {
  readonly warnings: string[];
  readonly userAgent: string | undefined;
}
