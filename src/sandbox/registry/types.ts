/** A served resource as discovery describes it (APIResource of /apis/GROUP/VERSION). */
export interface ResourceInfo {
  readonly group: string;
  /** The storage/served version; the sandbox serves one version per group, as kubectl's preferred. */
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  /** Plural, lower-case: "deployments". */
  readonly resource: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly verbs: readonly string[];
  /** "status", "scale" … */
  readonly subresources: readonly string[];
}

export const StandardVerbs = [
  "create",
  "delete",
  "deletecollection",
  "get",
  "list",
  "patch",
  "update",
  "watch",
] as const;
