import type { KindStrategy } from "./types.js";
import { defineStrategy } from "./define.js";

/** Leases have no defaults and no status: holders rewrite the spec on every renewal. */
export const leaseStrategy: KindStrategy = defineStrategy({
  gvk: { group: "coordination.k8s.io", version: "v1", kind: "Lease" },
  tracksGeneration: false,
  hasStatus: false,
});
