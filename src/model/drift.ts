/**
 * kubedrift's core types: what the sources produce, what the cluster answers, and the drift report
 * the engine returns. Everything is immutable data; nothing here does I/O.
 */

import type { ObjectRef } from "../kube/object.js";
import type { JsonValue, KubeObject } from "../kube/value/json.js";

/** A place in a source file; lines are 1-based. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

/** Where a desired object came from, beyond its file: the tool that declares it. */
export type DesiredOrigin =
  | { readonly kind: "terraform"; readonly address: string }
  | {
      readonly kind: "helm";
      readonly release: string;
      readonly namespace: string;
      readonly revision: number;
      readonly chart: string;
      readonly chartVersion: string;
    };

/** An object as the desired state declares it, with where each of its fields was written. */
export interface DesiredObject {
  readonly ref: ObjectRef;
  readonly object: KubeObject;
  /** Where the object starts. */
  readonly source: SourceLocation;
  /** Line of each field, by JSON Pointer (RFC 6901) into `object`; absent when the source has no positions. */
  readonly fieldLines?: ReadonlyMap<string, number>;
  /** Pointers of fields the source could not evaluate (a Terraform expression): left out of the comparison. */
  readonly unevaluated?: readonly string[];
  readonly origin?: DesiredOrigin;
}

/** Something in the sources that could not be turned into a desired object (an unsupported Terraform type). */
export interface SkippedSource {
  readonly source: SourceLocation;
  /** What was skipped: `kubernetes_persistent_volume.data`. */
  readonly what: string;
  readonly reason: string;
}

/** The Git revision the sources were read at (`--git-ref`). */
export interface SourceRevision {
  readonly ref: string;
  readonly commit: string;
}

/** An object as the cluster (or a live file) has it, managedFields included. */
export interface LiveObject {
  readonly ref: ObjectRef;
  readonly object: KubeObject;
}

export const DriftTypes = {
  /** Set in desired, a different value live. */
  changed: "Changed",
  /** Set in desired, absent live. */
  removed: "Removed",
  /** Not set in desired, set live: out of band (rule 4), or deleted from the sources (rule 4b). */
  added: "Added",
} as const;
export type DriftType = (typeof DriftTypes)[keyof typeof DriftTypes];

/** Why an Added field is drift. */
export const AddedReasons = {
  /** Written by a manager that is not trusted (rule 4). */
  outOfBand: "outOfBand",
  /** In the deployer's record of its last apply, no longer in the sources (rule 4b): the next apply removes it. */
  undeclared: "undeclared",
} as const;
export type AddedReason = (typeof AddedReasons)[keyof typeof AddedReasons];

/** Who last wrote a field, from managedFields. */
export interface Attribution {
  readonly manager: string;
  readonly operation: "Apply" | "Update";
  /** RFC 3339, when managedFields records it. */
  readonly changedAt?: string;
  readonly subresource?: string;
}

/** One drifted field. Values are omitted (and `redacted` set) for Secrets and redaction rules (rule 7). */
export interface Drift {
  /** JSON Pointer into the desired object (into the live object for Added). */
  readonly path: string;
  readonly type: DriftType;
  readonly desired?: JsonValue;
  readonly live?: JsonValue;
  /**
   * Where the field is in the live object, when that is not `path`: a field of a keyed-list item
   * whose key changed (`kubectl edit` of a port from 80 to 8080), which the live object may hold
   * at another index. Remediation writes there.
   */
  readonly livePath?: string;
  /** Why an Added field is drift; set on Added only. */
  readonly reason?: AddedReason;
  /** Set when values were withheld: a keyed hash (HMAC-SHA-256, 16 hex digits) of each side instead, when a redaction key is set. */
  readonly redacted?: { readonly desired?: string; readonly live?: string };
  readonly source?: SourceLocation;
  readonly attribution?: Attribution;
  /** The commit that last changed the source line (`--blame`). */
  readonly blame?: Blame;
}

/** `git blame` of a source line. */
export interface Blame {
  readonly commit: string;
  readonly author: string;
  /** RFC 3339. */
  readonly date: string;
  readonly summary: string;
}

export const ResourceStatuses = {
  inSync: "InSync",
  drifted: "Drifted",
  missing: "Missing",
  extra: "Extra",
  error: "Error",
} as const;
export type ResourceStatus = (typeof ResourceStatuses)[keyof typeof ResourceStatuses];

interface ResourceVerdict {
  readonly ref: ObjectRef;
  /** The cluster (kubeconfig context) it was compared in, in a report of several clusters only. */
  readonly cluster?: string;
  readonly source?: SourceLocation;
  readonly drifts: readonly Drift[];
  readonly origin?: DesiredOrigin;
}

/** An object that was compared: in sync, drifted, missing from the cluster or extra in it. */
export interface ResourceEvaluated extends ResourceVerdict {
  readonly status: Exclude<ResourceStatus, typeof ResourceStatuses.error>;
}

/** An object that could not be evaluated, and why: the error is always there, so no reader invents one. */
export interface ResourceError extends ResourceVerdict {
  readonly status: typeof ResourceStatuses.error;
  readonly error: string;
}

/**
 * The verdict for one object, tagged by `status`. A resource that could not be evaluated is a result
 * with an error, not an exception.
 */
export type ResourceDrift = ResourceEvaluated | ResourceError;

export interface DriftSummary {
  readonly total: number;
  readonly inSync: number;
  readonly drifted: number;
  readonly missing: number;
  readonly extra: number;
  readonly errors: number;
}

export interface DriftReport {
  /** RFC 3339. */
  readonly generatedAt: string;
  /** The kubeconfig context, or the live file's name. */
  readonly cluster: string;
  readonly summary: DriftSummary;
  readonly resources: readonly ResourceDrift[];
  /** Source entries that were not evaluated, and why. */
  readonly skipped?: readonly SkippedSource[];
  /** The Git revision the sources were read at. */
  readonly revision?: SourceRevision;
  /** A report of several clusters: each one's name and summary (`summary` is their total). */
  readonly clusters?: readonly ClusterSummary[];
}

export interface ClusterSummary {
  readonly name: string;
  readonly summary: DriftSummary;
}

/** `Deployment shop/web`, `Namespace shop`, `Widget.example.com default/w1`. */
export function describeRef(ref: ObjectRef): string {
  const kind =
    ref.group === "" ||
    ref.group.endsWith(".k8s.io") ||
    ["apps", "batch", "autoscaling", "policy"].includes(ref.group)
      ? ref.kind
      : `${ref.kind}.${ref.group}`;
  return `${kind} ${ref.namespace === "" ? "" : `${ref.namespace}/`}${ref.name}`;
}

/** A stable key for maps: identity only (rule 1), the version left out. */
/** Where a field is declared: its own line, else its nearest declared ancestor's, else the object's. */
export function fieldSource(desired: DesiredObject, path: string): SourceLocation {
  const lines = desired.fieldLines;
  for (let pointer = path; lines !== undefined; pointer = pointer.slice(0, pointer.lastIndexOf("/"))) {
    const line = lines.get(pointer);
    if (line !== undefined) return { file: desired.source.file, line };
    if (pointer === "") break;
  }
  return desired.source;
}

export function refKey(ref: ObjectRef): string {
  return `${ref.group}/${ref.kind}/${ref.namespace}/${ref.name}`;
}

/**
 * What is printed in place of a withheld value (rule 7): its keyed hash when there is one. The
 * engine's redaction, plan, apply, adopt and the report's renderers all print this text.
 */
export function withheldMarker(hash: string | undefined): string {
  return hash === undefined ? "(value hidden)" : `(redacted ${hash})`;
}

/** For the `default` of an exhaustive switch: a status (or other tag) that the types say cannot occur. */
export function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}

export function summarize(resources: readonly ResourceDrift[]): DriftSummary {
  const count = (status: ResourceStatus): number =>
    resources.filter((resource) => resource.status === status).length;
  return {
    total: resources.length,
    inSync: count(ResourceStatuses.inSync),
    drifted: count(ResourceStatuses.drifted),
    missing: count(ResourceStatuses.missing),
    extra: count(ResourceStatuses.extra),
    errors: count(ResourceStatuses.error),
  };
}
