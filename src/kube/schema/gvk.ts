import type { GroupVersionKind } from "./types.js";

/** "apps/v1/Deployment"; the core group gives "/v1/Pod". A map key, not an apiVersion. */
export type GvkKey = string;

export function gvkKey(gvk: GroupVersionKind): GvkKey {
  return `${gvk.group}/${gvk.version}/${gvk.kind}`;
}

/** "apps/v1" or "v1" for the core group, as `apiVersion` spells it. */
export function apiVersionOf(gvk: Pick<GroupVersionKind, "group" | "version">): string {
  return gvk.group === "" ? gvk.version : `${gvk.group}/${gvk.version}`;
}
