import type { DesiredObject } from "../model/index.js";
import type { JsonObject, JsonValue, KubeObject } from "../kube/value/json.js";
import type { ObjectRef } from "../kube/object.js";

/**
 * One operation of an RFC 6902 JSON patch: a `test` guard, then the `remove` of a field the sources
 * do not declare, or the `replace` (`add` where live lacks it) of a field of an item whose key
 * changed, in place, so that the list is never sent without it.
 */
export type JsonPatchOperation =
  | { readonly op: "test"; readonly path: string; readonly value: JsonValue }
  | { readonly op: "replace" | "add"; readonly path: string; readonly value: JsonValue }
  | { readonly op: "remove"; readonly path: string };

/** What the server said about a change when it was tried with `dryRun=All`. */
export type DryRunVerdict =
  | {
      readonly ok: true;
      /** Fields that only `force` could take over (all of them drifted). */
      readonly takesOver: readonly string[];
      /** Why the server could not judge it (its Namespace is created by the same plan). */
      readonly note?: string;
    }
  | { readonly ok: false; readonly code: number; readonly message: string };

interface ChangeBase {
  readonly ref: ObjectRef;
  /** Set once the plan was validated with a server dry run. */
  readonly verdict?: DryRunVerdict;
}

/** A drifted object: server-side apply of only its drifted fields, then removal of fields others added. */
export interface ApplyChange extends ChangeBase {
  readonly action: "apply";
  readonly resourceVersion: string;
  /** Identity plus the drifted fields with their desired values (and the keys of the list items they are in). */
  readonly body: KubeObject;
  /**
   * The drifted fields the body sets, as the server names them in conflicts
   * (`.spec.template.spec.containers[name="web"].image`): the only ones `force` may take over.
   * The body also sends again every field kubedrift applied before, or the apply would remove them.
   */
  readonly fields: readonly string[];
  /** Fields kubedrift applied before that the desired state no longer sets: the apply gives them up. */
  readonly released?: readonly string[];
  /**
   * A JSON patch against the live object, sent first: fields of items whose key changed put back in
   * place, and Added fields removed; empty when there are none.
   */
  readonly removals: readonly JsonPatchOperation[];
  readonly desired: DesiredObject;
  /** The live object the change was planned against: the dry run reads what the apply takes over from it. */
  readonly live?: KubeObject;
}

/** A drifted object whose drift a JSON patch alone corrects: Added fields, fields of items whose key changed. */
export interface RemoveChange extends ChangeBase {
  readonly action: "remove";
  readonly resourceVersion: string;
  readonly patch: readonly JsonPatchOperation[];
  readonly desired: DesiredObject;
}

/** A missing object: server-side apply of the whole desired object. */
export interface CreateChange extends ChangeBase {
  readonly action: "create";
  readonly body: KubeObject;
  readonly desired: DesiredObject;
}

/** An extra object, only with prune: deleted if it is still at the planned resourceVersion. */
export interface DeleteChange extends ChangeBase {
  readonly action: "delete";
  readonly resourceVersion: string;
}

export type PlannedChange = ApplyChange | RemoveChange | CreateChange | DeleteChange;
export type ChangeAction = PlannedChange["action"];

/** A resource the plan leaves alone, and why (extra without prune, a protected kind, an engine error). */
export interface Withheld {
  readonly ref: ObjectRef;
  readonly reason: string;
}

export interface Plan {
  /** The report's cluster. */
  readonly cluster: string;
  /** In execution order: Namespace and CRD creates first, deletes last (Namespaces and CRDs last of all). */
  readonly changes: readonly PlannedChange[];
  readonly withheld: readonly Withheld[];
  /** Whether the changes carry dry-run verdicts. */
  readonly validated: boolean;
}

export interface PlanOptions {
  /** Delete extra objects. */
  readonly prune: boolean;
  /** With prune, Namespaces too. */
  readonly pruneNamespaces: boolean;
  /** With prune, CustomResourceDefinitions too. */
  readonly pruneCRDs: boolean;
  /** `KIND/NAMESPACE/NAME` or `KIND/NAME` (cluster-scoped): limit the plan to these; empty = everything. */
  readonly only: readonly string[];
}

export const defaultPlanOptions: PlanOptions = {
  prune: false,
  pruneNamespaces: false,
  pruneCRDs: false,
  only: [],
};

export const ApplyStatuses = {
  applied: "applied",
  /** The write changed nothing (the server already had it). */
  unchanged: "unchanged",
  /** Not written, and nothing is left to do: in sync by now, already gone, or not selected. */
  skipped: "skipped",
  /** Not written: the object changed since the plan and its plan now differs from the confirmed one. */
  stale: "stale",
  /** Not written: the server's dry run refused it when the plan was made. */
  rejected: "rejected",
  failed: "failed",
} as const;
export type ApplyStatus = (typeof ApplyStatuses)[keyof typeof ApplyStatuses];

export interface ChangeOutcome {
  readonly ref: ObjectRef;
  readonly action: ChangeAction;
  readonly status: ApplyStatus;
  /** The server's message (failed, rejected), why it was not written, or how an applied write was confirmed. */
  readonly message?: string;
  /** The object had changed since the plan and was planned again against its fresh state. */
  readonly replanned?: boolean;
  /** Fields taken over from other managers with `force` (all of them drifted fields). */
  readonly forced?: readonly string[];
}

export interface ApplySummary {
  readonly applied: number;
  readonly unchanged: number;
  readonly skipped: number;
  readonly stale: number;
  readonly rejected: number;
  readonly failed: number;
}

export interface ApplyResult {
  readonly dryRun: boolean;
  readonly outcomes: readonly ChangeOutcome[];
  readonly summary: ApplySummary;
}

export type { JsonObject };
