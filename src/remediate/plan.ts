import type { DesiredObject, Drift, LiveObject, ResourceDrift } from "../model/index.js";
import { DriftTypes, ResourceStatuses, refKey, unreachable } from "../model/index.js";
import { compareRefs } from "../engine/index.js";
import type { Schema } from "../kube/schema/types.js";
import { onlySelector } from "./only.js";
import { fieldManager } from "./execute.js";
import { ownedByManager } from "./owned.js";
import { sparseBody } from "./sparse.js";
import type {
  DryRunVerdict,
  JsonPatchOperation,
  Plan,
  PlanOptions,
  PlannedChange,
  Withheld,
} from "./types.js";
import type { KubeObject } from "../kube/value/json.js";
import { pointerTokens, valueAtPointer } from "../kube/value/pointer.js";
import type { ObjectRef } from "../kube/object.js";
import { metadataOf, resourceVersionOf } from "../kube/object.js";

export interface PlanInput {
  readonly report: { readonly cluster: string; readonly resources: readonly ResourceDrift[] };
  readonly desired: readonly DesiredObject[];
  readonly live: readonly LiveObject[];
  readonly schema: Schema;
  readonly options: PlanOptions;
}

export function isNamespace(ref: ObjectRef): boolean {
  return ref.group === "" && ref.kind === "Namespace";
}

export function isCRD(ref: ObjectRef): boolean {
  return ref.group === "apiextensions.k8s.io" && ref.kind === "CustomResourceDefinition";
}

/** Later list items first, so that removing one does not shift the index of the next. */
function compareForRemoval(a: string, b: string): number {
  const left = pointerTokens(a);
  const right = pointerTokens(b);
  for (let index = 0; index < Math.min(left.length, right.length); index += 1) {
    const x = left[index] ?? "";
    const y = right[index] ?? "";
    if (x === y) continue;
    const numeric = /^\d+$/.test(x) && /^\d+$/.test(y);
    return numeric ? Number(y) - Number(x) : x < y ? -1 : 1;
  }
  return right.length - left.length;
}

/** `test` the live value, then `remove` it: a field changed again since the plan is not removed blindly. */
export function removalPatch(live: KubeObject, drifts: readonly Drift[]): readonly JsonPatchOperation[] {
  const pointers = [
    ...new Set(drifts.filter((drift) => drift.type === DriftTypes.added).map((drift) => drift.path)),
  ];
  const outermost = pointers.filter(
    (pointer) => !pointers.some((other) => other !== pointer && pointer.startsWith(`${other}/`)),
  );
  return outermost.sort(compareForRemoval).flatMap((path): JsonPatchOperation[] => {
    const value = valueAtPointer(live, path);
    return value === undefined
      ? []
      : [
          { op: "test", path, value },
          { op: "remove", path },
        ];
  });
}

/**
 * The fields of items whose key changed (rule 5), put back where the live object has them, each
 * guarded by a `test` of its live value. An apply of the desired item would add it next to the
 * renamed one (two ports named `http`), and removing the renamed one first could leave a list the
 * server refuses empty (`spec.ports: Required value`): the item is corrected in place.
 */
export function restorePatch(drifts: readonly Drift[]): readonly JsonPatchOperation[] {
  return drifts.flatMap((drift): JsonPatchOperation[] => {
    const { livePath, desired } = drift;
    if (livePath === undefined || desired === undefined || drift.type === DriftTypes.added) return [];
    if (drift.live === undefined) return [{ op: "add", path: livePath, value: desired }];
    return [
      { op: "test", path: livePath, value: drift.live },
      { op: "replace", path: livePath, value: desired },
    ];
  });
}

/** The whole desired object as a create: status is the server's, the namespace is the resolved one. */
function creationBody(desired: DesiredObject): KubeObject {
  const { status: _status, ...object } = desired.object;
  const metadata = metadataOf(object);
  return {
    ...object,
    metadata: {
      ...metadata,
      name: desired.ref.name,
      ...(desired.ref.namespace === "" ? {} : { namespace: desired.ref.namespace }),
    },
  };
}

export interface Counterparts {
  readonly desired: DesiredObject | undefined;
  readonly live: LiveObject | undefined;
}

function driftedChange(
  schema: Schema,
  resource: ResourceDrift,
  desired: DesiredObject,
  live: LiveObject,
): PlannedChange | undefined {
  const pointers = resource.drifts
    .filter((drift) => drift.type !== DriftTypes.added && drift.livePath === undefined)
    .map((drift) => drift.path);
  const removals = [...restorePatch(resource.drifts), ...removalPatch(live.object, resource.drifts)];
  const resourceVersion = resourceVersionOf(live.object);
  if (pointers.length === 0) {
    return removals.length === 0
      ? undefined
      : { action: "remove", ref: resource.ref, resourceVersion, patch: removals, desired };
  }
  const ownership = ownedByManager(desired.object, live.object, fieldManager);
  const { body, fields } = sparseBody(schema, desired.ref, desired.object, {
    drifted: pointers,
    kept: ownership.kept,
  });
  return {
    action: "apply",
    ref: resource.ref,
    resourceVersion,
    body,
    fields,
    removals,
    desired,
    live: live.object,
    ...(ownership.released.length === 0 ? {} : { released: ownership.released }),
  };
}

function deletion(
  resource: ResourceDrift,
  live: LiveObject | undefined,
  options: PlanOptions,
): PlannedChange | Withheld {
  if (!options.prune) return { ref: resource.ref, reason: "extra: not deleted without --prune" };
  if (isNamespace(resource.ref) && !options.pruneNamespaces)
    return { ref: resource.ref, reason: "extra Namespace: not deleted without --prune-namespaces" };
  if (isCRD(resource.ref) && !options.pruneCRDs)
    return { ref: resource.ref, reason: "extra CustomResourceDefinition: not deleted without --prune-crds" };
  if (live === undefined) return { ref: resource.ref, reason: "extra, but its live object was not listed" };
  return { action: "delete", ref: resource.ref, resourceVersion: resourceVersionOf(live.object) };
}

/** The change for one compared resource: undefined when it is in sync, Withheld when it is left alone on purpose. */
export function changeFor(
  schema: Schema,
  resource: ResourceDrift,
  counterparts: Counterparts,
  options: PlanOptions,
): PlannedChange | Withheld | undefined {
  const { desired, live } = counterparts;
  switch (resource.status) {
    case ResourceStatuses.inSync:
      return undefined;
    case ResourceStatuses.error:
      return { ref: resource.ref, reason: `not evaluated: ${resource.error}` };
    case ResourceStatuses.extra:
      return deletion(resource, live, options);
    case ResourceStatuses.missing:
      return desired === undefined
        ? { ref: resource.ref, reason: "missing, but its desired object is unknown" }
        : { action: "create", ref: resource.ref, body: creationBody(desired), desired };
    case ResourceStatuses.drifted:
      if (desired === undefined || live === undefined)
        return { ref: resource.ref, reason: "drifted, but its desired or live object is unknown" };
      return driftedChange(schema, resource, desired, live);
    default:
      return unreachable(resource);
  }
}

/**
 * Execution order: Namespaces, then CRDs are created before what lives in them; deletes come last,
 * CRDs and then Namespaces last of all, so their contents go first.
 */
export function phaseOf(change: PlannedChange): number {
  if (change.action === "create") return isNamespace(change.ref) ? 0 : isCRD(change.ref) ? 1 : 2;
  if (change.action === "delete") return isCRD(change.ref) ? 4 : isNamespace(change.ref) ? 5 : 3;
  return 2;
}

export function orderChanges(changes: readonly PlannedChange[]): readonly PlannedChange[] {
  return [...changes].sort((a, b) => phaseOf(a) - phaseOf(b) || compareRefs(a.ref, b.ref));
}

function isChange(value: PlannedChange | Withheld): value is PlannedChange {
  return "action" in value;
}

/** The plan (pure): what apply would write for each drifted, missing and (with prune) extra resource. */
export function buildPlan(input: PlanInput): Plan {
  const desired = new Map(input.desired.map((object) => [refKey(object.ref), object]));
  const live = new Map(input.live.map((object) => [refKey(object.ref), object]));
  const selected = onlySelector(input.options.only);
  const changes: PlannedChange[] = [];
  const withheld: Withheld[] = [];
  for (const resource of input.report.resources) {
    if (!selected(resource.ref)) continue;
    const key = refKey(resource.ref);
    const change = changeFor(
      input.schema,
      resource,
      { desired: desired.get(key), live: live.get(key) },
      input.options,
    );
    if (change === undefined) continue;
    if (isChange(change)) changes.push(change);
    else withheld.push(change);
  }
  return { cluster: input.report.cluster, changes: orderChanges(changes), withheld, validated: false };
}

/** The server's dry run refused it: apply leaves it out, plan fails on it, and it counts once, as rejected. */
export function isRejected(
  change: PlannedChange,
): change is PlannedChange & { readonly verdict: Extract<DryRunVerdict, { ok: false }> } {
  return change.verdict?.ok === false;
}

export function rejectedChanges(plan: Plan): readonly PlannedChange[] {
  return plan.changes.filter(isRejected);
}

/** Exit status of plan: 1 when the server would refuse a change, else 2 with changes, 0 without. */
export function planExitCode(plan: Plan): number {
  if (rejectedChanges(plan).length > 0) return 1;
  return plan.changes.length === 0 ? 0 : 2;
}
