import type { JsonObject, JsonValue, KubeObject } from "../../kube/value/json.js";
import { isJsonObject } from "../../kube/value/json.js";
import { ApiError, StatusReasons, badRequest } from "../api/status.js";
import type { StatusCause } from "../api/status.js";
import type { GroupVersionKind, Schema, SchemaType } from "../../kube/schema/types.js";
import { FieldSet } from "../../kube/fieldpath/set.js";
import { displayPath, fieldPath, goJson } from "../../kube/fieldpath/element.js";
import type { Path } from "../../kube/fieldpath/element.js";
import type { Comparison } from "../../kube/fieldpath/typed.js";
import {
  TypedValueError,
  compareObjects,
  ensureNamedFieldsAreMembers,
  fieldSetOfObject,
} from "../../kube/fieldpath/typed.js";
import { mergeObjects, removeItems } from "../../kube/fieldpath/merge.js";
import type { ManagedFields, ManagerEntry } from "../../kube/fieldpath/managed.js";
import {
  Operations,
  capUpdateManagers,
  decodeManagedFields,
  encodeManagedFields,
  managerIdentifier,
} from "../../kube/fieldpath/managed.js";
import { zeroObject } from "./zero.js";
import { jsonEqual } from "../../kube/value/equal.js";
import { metadataOf } from "../../kube/object.js";

export interface FieldManagerContext {
  readonly schema: Schema;
  /** The kind's root type in `schema`. */
  readonly type: SchemaType;
  readonly gvk: GroupVersionKind;
  /** Whether the kind has a status subresource (then the main resource never owns `status`). */
  readonly hasStatus: boolean;
  /**
   * The strategy's reset fields for this write target, when they differ from the default of
   * `resetFieldsFor` (GetResetFields of pkg/registry/…/strategy.go).
   */
  readonly resetFields?: FieldSet;
}

export type Subresource = "status" | "scale";

export interface FieldManagerRequest {
  readonly manager: string;
  readonly operation: "Apply" | "Update";
  readonly subresource?: Subresource;
  /** group/version of the request, e.g. "apps/v1" or "v1". */
  readonly apiVersion: string;
  /** RFC 3339 with seconds precision: "2026-11-22T11:58:03Z". */
  readonly time: string;
  /** `force=true` of an apply patch. */
  readonly force?: boolean;
}

const statusPath = fieldPath("status");

/**
 * The fields a write to `target` must not own: the main resource of a kind with a status
 * subresource never owns `status`; `/status` never owns `spec` nor `metadata.labels` (the
 * status strategies of apps/batch kinds); `/scale` only ever owns `spec.replicas`.
 */
export function resetFieldsFor(subresource: Subresource | undefined, hasStatus: boolean): FieldSet {
  if (subresource === "status") return FieldSet.of([fieldPath("spec"), fieldPath("metadata", "labels")]);
  if (subresource === undefined) return hasStatus ? FieldSet.of([statusPath]) : FieldSet.empty;
  return FieldSet.empty;
}

/** stripmeta.go: server-owned metadata and type fields are never owned by anyone. */
const strippedFields = FieldSet.of([
  fieldPath("apiVersion"),
  fieldPath("kind"),
  fieldPath("metadata"),
  fieldPath("metadata", "name"),
  fieldPath("metadata", "namespace"),
  fieldPath("metadata", "creationTimestamp"),
  fieldPath("metadata", "selfLink"),
  fieldPath("metadata", "uid"),
  fieldPath("metadata", "clusterName"),
  fieldPath("metadata", "generation"),
  fieldPath("metadata", "managedFields"),
  fieldPath("metadata", "resourceVersion"),
]);

const scaleReplicas = FieldSet.of([fieldPath("spec", "replicas")]);

interface Target {
  readonly context: FieldManagerContext;
  readonly request: FieldManagerRequest;
}

/** Narrows a comparison to what the write target may own. */
function filterComparison(target: Target, comparison: Comparison): Comparison {
  if (target.request.subresource === "scale") {
    return {
      added: comparison.added.intersection(scaleReplicas),
      modified: comparison.modified.intersection(scaleReplicas),
      removed: comparison.removed.intersection(scaleReplicas),
    };
  }
  const reset =
    target.context.resetFields ?? resetFieldsFor(target.request.subresource, target.context.hasStatus);
  return {
    added: comparison.added.recursiveDifference(reset),
    modified: comparison.modified.recursiveDifference(reset),
    removed: comparison.removed.recursiveDifference(reset),
  };
}

function filterOwned(target: Target, set: FieldSet): FieldSet {
  if (target.request.subresource === "scale") return set.intersection(scaleReplicas);
  return set.recursiveDifference(
    target.context.resetFields ?? resetFieldsFor(target.request.subresource, target.context.hasStatus),
  );
}

function withoutManagedFields(object: KubeObject): KubeObject {
  const metadata = metadataOf(object);
  if (!Object.hasOwn(metadata, "managedFields")) return object;
  const rest = Object.fromEntries(Object.entries(metadata).filter(([key]) => key !== "managedFields"));
  return { ...object, metadata: rest };
}

function withManagedFields(object: KubeObject, managed: ManagedFields): KubeObject {
  const base = withoutManagedFields(object);
  const encoded = encodeManagedFields(managed);
  if (encoded === undefined) return base;
  return { ...base, metadata: { ...metadataOf(base), managedFields: encoded } };
}

/** A conflict: a field the write changes that another manager owns. */
interface ManagerConflict {
  readonly managerId: string;
  readonly path: Path;
}

/** SMD Updater.update: other managers lose what this write changed or removed. */
function reconcileOthers(
  comparison: Comparison,
  managed: ManagedFields,
  self: string,
): { readonly managed: Map<string, ManagerEntry>; readonly conflicts: readonly ManagerConflict[] } {
  const changed = comparison.modified.union(comparison.added);
  const out = new Map<string, ManagerEntry>();
  const conflicts: ManagerConflict[] = [];
  for (const [id, entry] of managed) {
    if (id === self) {
      out.set(id, entry);
      continue;
    }
    const lost = entry.fields.intersection(changed);
    for (const path of lost) conflicts.push({ managerId: id, path });
    const fields = entry.fields.difference(lost).difference(comparison.removed);
    if (!fields.isEmpty()) out.set(id, { ...entry, fields });
  }
  return { managed: out, conflicts };
}

function stripMeta(managed: ReadonlyMap<string, ManagerEntry>): Map<string, ManagerEntry> {
  const out = new Map<string, ManagerEntry>();
  for (const [id, entry] of managed) {
    const fields = entry.fields.difference(strippedFields);
    if (!fields.isEmpty()) out.set(id, { ...entry, fields });
  }
  return out;
}

function isResetManagedFields(raw: JsonValue | undefined): boolean {
  if (!Array.isArray(raw)) return false;
  const list = raw as readonly JsonValue[];
  if (list.length === 0) return true;
  return list.length === 1 && isJsonObject(list[0]) && Object.keys(list[0]).length === 0;
}

function safeDecode(raw: JsonValue | undefined): Map<string, ManagerEntry> {
  try {
    return decodeManagedFields(raw);
  } catch {
    return new Map();
  }
}

/**
 * decodeLiveOrNew: a subresource write keeps the live entries; `[]` or `[{}]` in the request
 * resets them; other request-provided entries are taken as they are (how kubectl's
 * client-side→server-side apply upgrade rewrites ownership); absent or undecodable ones
 * fall back to the live object's.
 */
function decodeLiveOrNew(
  live: KubeObject | undefined,
  updated: KubeObject,
  isSubresource: boolean,
): Map<string, ManagerEntry> {
  const liveRaw = live === undefined ? undefined : metadataOf(live)["managedFields"];
  if (isSubresource) return safeDecode(liveRaw);
  const requested = metadataOf(updated)["managedFields"];
  if (isResetManagedFields(requested)) return new Map();
  try {
    const decoded = decodeManagedFields(requested);
    if (decoded.size > 0) return decoded;
  } catch {
    // Undecodable request entries fall back to the live object's, as kube-apiserver does.
  }
  return safeDecode(liveRaw);
}

function typedOrThrow<T>(compute: () => T): T | undefined {
  try {
    return compute();
  } catch (error) {
    if (error instanceof TypedValueError) return undefined;
    throw error;
  }
}

/**
 * Records ownership for a non-apply write (POST, PUT, JSON/merge/strategic patch) and returns
 * `updated` with its new `metadata.managedFields`. Call it with the decoded and defaulted
 * object, before admission and validation; `live` is undefined on create.
 */
export function updateManagedFields(
  context: FieldManagerContext,
  live: KubeObject | undefined,
  updated: KubeObject,
  request: FieldManagerRequest,
): KubeObject {
  const target: Target = { context, request };
  const managed = decodeLiveOrNew(live, updated, request.subresource !== undefined);
  const stripped = withoutManagedFields(updated);
  // skipnonapplied.go: an existing object that tracks nothing stays untracked until an apply.
  if (managed.size === 0 && live !== undefined) return stripped;
  const old = live ?? zeroObject(context.gvk.group, context.gvk.kind);
  const comparison = typedOrThrow(() =>
    compareObjects(context.schema, context.type, withoutManagedFields(old), stripped),
  );
  // UpdateNoErrors: an object SMD cannot type loses its managedFields rather than failing the write.
  if (comparison === undefined) return stripped;
  const next = recordUpdate(target, comparison, managed);
  return withManagedFields(stripped, capUpdateManagers(next));
}

const currentOperation = "current-operation";

function recordUpdate(target: Target, rawComparison: Comparison, managed: ManagedFields): ManagedFields {
  const comparison = filterComparison(target, rawComparison);
  const { managed: others } = reconcileOthers(comparison, managed, currentOperation);
  const taken = filterOwned(target, comparison.modified.union(comparison.added));
  const request = target.request;
  const entry = {
    manager: request.manager,
    operation: Operations.update,
    apiVersion: request.apiVersion,
    subresource: request.subresource ?? "",
  };
  const withSelf = new Map(others);
  withSelf.set(currentOperation, { ...entry, time: request.time, fields: taken });
  const stripped = stripMeta(withSelf);
  const current = stripped.get(currentOperation);
  stripped.delete(currentOperation);
  if (current === undefined) return stripped;
  // managedfieldsupdater.go: only a write that took fields refreshes the entry's time.
  const id = managerIdentifier(entry);
  const previous = stripped.get(id);
  // A /scale write never records a time. kube-apiserver runs the field manager on the Scale object
  // (managedfieldsupdater.go stamps the time there), then ScaleHandler.ToParent (apimachinery
  // pkg/util/managedfields/scalehandler.go) rebuilds the parent's entries and gives each scale
  // manager `decodedParentEntries.Times()[manager]`: the parent's time under the Scale-side manager
  // identifier, whose apiVersion (autoscaling/v1, part of an Update's identifier) no parent entry
  // has, so the lookup is nil, even when the parent's own entry of that manager had a time.
  // Published `kubectl get -o yaml --show-managed-fields` outputs after `kubectl scale` or an HPA's
  // scaling show `subresource: scale` entries without `time`.
  const time = request.subresource === "scale" ? undefined : request.time;
  stripped.set(id, { ...entry, time, fields: current.fields.union(previous?.fields ?? FieldSet.empty) });
  return stripped;
}

function printManager(managerId: string): string {
  const entry = JSON.parse(managerId) as {
    manager?: string;
    operation?: string;
    apiVersion?: string;
    subresource?: string;
  };
  let text = JSON.stringify(entry.manager ?? "");
  if (entry.subresource !== undefined && entry.subresource !== "")
    text += ` with subresource ${JSON.stringify(entry.subresource)}`;
  if (entry.operation === Operations.update) text += ` using ${entry.apiVersion ?? ""}`;
  return text;
}

function conflictMessage(conflicts: readonly ManagerConflict[]): string {
  if (conflicts.length === 1) {
    return `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].managerId)}: ${displayPath(conflicts[0].path)}`;
  }
  const managers = [...new Set(conflicts.map((conflict) => conflict.managerId))].sort();
  const lines = managers.flatMap((id) => [
    `conflicts with ${printManager(id)}:`,
    ...conflicts
      .filter((conflict) => conflict.managerId === id)
      .map((conflict) => `- ${displayPath(conflict.path)}`),
  ]);
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
}

/** NewConflictError of kube-apiserver: 409 Conflict with one FieldManagerConflict cause per field. */
export function conflictError(conflicts: readonly ManagerConflict[]): ApiError {
  const causes: StatusCause[] = conflicts.map((conflict) => ({
    reason: "FieldManagerConflict",
    message: `conflict with ${printManager(conflict.managerId)}`,
    field: displayPath(conflict.path),
  }));
  return new ApiError(409, StatusReasons.conflict, conflictMessage(conflicts), { causes });
}

function gvkString(gvk: GroupVersionKind): string {
  return `${gvk.group === "" ? "" : gvk.group}/${gvk.version}, Kind=${gvk.kind}`;
}

function checkAppliedObject(context: FieldManagerContext, applied: KubeObject): void {
  const apiVersion = typeof applied["apiVersion"] === "string" ? applied["apiVersion"] : "";
  const kind = typeof applied["kind"] === "string" ? applied["kind"] : "";
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/", 2) : ["", apiVersion];
  if (group !== context.gvk.group || version !== context.gvk.version || kind !== context.gvk.kind) {
    throw badRequest(`invalid object type: ${gvkString({ group, version, kind })}`);
  }
  if (Object.hasOwn(metadataOf(applied), "managedFields"))
    throw badRequest("metadata.managedFields must be nil");
}

function typedPatchError(
  applied: KubeObject,
  context: FieldManagerContext,
  error: TypedValueError,
): ApiError {
  const metadata = metadataOf(applied);
  const namespace = typeof metadata["namespace"] === "string" ? metadata["namespace"] : "";
  const name = typeof metadata["name"] === "string" ? metadata["name"] : "";
  const gv = context.gvk.group === "" ? context.gvk.version : `${context.gvk.group}/${context.gvk.version}`;
  const message = `failed to create typed patch object (${namespace}/${name}; ${gv}, Kind=${context.gvk.kind}): ${error.message}`;
  return new ApiError(500, StatusReasons.internalError, message);
}

/** Result of a server-side apply before defaulting. */
export interface ApplyResult {
  /** The merged object with its new managedFields; default it, validate it, store it. */
  readonly object: KubeObject;
  /** False when the apply changed nothing but ownership (the applier's time is then kept). */
  readonly changed: boolean;
}

/**
 * Server-side apply (`application/apply-patch+yaml`): merges `applied` into `live` (the
 * stored object, or undefined to create), removes what the applier stopped applying and
 * nobody else owns, and records the applier's ownership. Throws ApiError 409 on conflicts
 * unless `force`, 400 for a malformed configuration.
 */
export function applyConfiguration(
  context: FieldManagerContext,
  live: KubeObject | undefined,
  applied: KubeObject,
  request: FieldManagerRequest,
): ApplyResult {
  checkAppliedObject(context, applied);
  const target: Target = { context, request };
  const base =
    live === undefined ? zeroObject(context.gvk.group, context.gvk.kind) : withoutManagedFields(live);
  const managed =
    live === undefined ? new Map<string, ManagerEntry>() : safeDecode(metadataOf(live)["managedFields"]);
  let configSet: FieldSet;
  try {
    configSet = fieldSetOfObject(context.schema, context.type, applied, { rejectDuplicates: true });
  } catch (error) {
    if (error instanceof TypedValueError) throw typedPatchError(applied, context, error);
    throw error;
  }
  const outcome = runApply(target, { base, applied, managed, configSet });
  const merged = live === undefined ? dropZeroNulls(outcome.object, applied) : outcome.object;
  return {
    object: syncLastApplied(withManagedFields(merged, outcome.managed), live, applied, request.manager),
    changed: outcome.changed,
  };
}

interface ApplyInput {
  readonly base: KubeObject;
  readonly applied: KubeObject;
  readonly managed: ManagedFields;
  readonly configSet: FieldSet;
}

function runApply(
  target: Target,
  input: ApplyInput,
): { object: KubeObject; managed: ManagedFields; changed: boolean } {
  const { schema, type } = target.context;
  const request = target.request;
  const entry = {
    manager: request.manager,
    operation: Operations.apply,
    apiVersion: request.apiVersion,
    subresource: request.subresource ?? "",
  };
  const id = managerIdentifier(entry);
  const lastSet = input.managed.get(id)?.fields;
  const merged = (mergeObjects(schema, type, input.base, input.applied) ?? {}) as KubeObject;
  const previousTime = input.managed.get(id)?.time;
  const withApplier = new Map(input.managed);
  withApplier.set(id, { ...entry, time: previousTime, fields: filterOwned(target, input.configSet) });
  const pruned = prune(target, merged, withApplier, lastSet);
  const comparison = filterComparison(target, compareObjects(schema, type, input.base, pruned));
  const { managed, conflicts } = reconcileOthers(comparison, withApplier, id);
  if (conflicts.length > 0 && request.force !== true) throw conflictError(sortConflicts(conflicts));
  const changed = !jsonEqual(input.base, pruned);
  const final = stripMeta(managed);
  const self = final.get(id);
  // managedfieldsupdater.go: an apply that leaves the object as it was keeps the old time.
  if (self !== undefined && changed) final.set(id, { ...self, time: request.time });
  return { object: pruned, managed: capUpdateManagers(final), changed };
}

function sortConflicts(conflicts: readonly ManagerConflict[]): readonly ManagerConflict[] {
  // Go iterates managers in random order; sorting by identifier keeps our output stable.
  return [...conflicts].sort((a, b) => (a.managerId < b.managerId ? -1 : a.managerId > b.managerId ? 1 : 0));
}

/**
 * SMD Updater.prune: fields the applier owned last time and no longer applies are removed,
 * unless another manager owns them (addBackOwnedItems) or they were not the applier's
 * (addBackDanglingItems).
 */
function prune(
  target: Target,
  merged: KubeObject,
  managed: ManagedFields,
  lastSet: FieldSet | undefined,
): KubeObject {
  if (lastSet === undefined || lastSet.isEmpty()) return merged;
  const { schema, type } = target.context;
  const ensure = (set: FieldSet): FieldSet => ensureNamedFieldsAreMembers(schema, type, set);
  const remove = (value: KubeObject, set: FieldSet): KubeObject =>
    removeItems(schema, type, value, set) as KubeObject;
  const fieldsOf = (value: KubeObject): FieldSet => ensure(fieldSetOfObject(schema, type, value));
  let pruned = remove(merged, ensure(lastSet));
  let owned = FieldSet.empty;
  for (const entry of managed.values()) owned = owned.union(entry.fields);
  const mergedSet = fieldsOf(merged);
  pruned = remove(merged, mergedSet.difference(fieldsOf(pruned).union(ensure(owned))));
  return remove(merged, mergedSet.difference(fieldsOf(pruned)).intersection(ensure(lastSet)));
}

/** An apply-create merges into the Go zero value; its nulls are not part of the object. */
function dropZeroNulls(object: KubeObject, applied: JsonObject): KubeObject {
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(object)) {
    const appliedValue = applied[key];
    if (value === null && appliedValue === undefined) continue;
    out[key] = isJsonObject(value)
      ? dropZeroNulls(value, isJsonObject(appliedValue) ? appliedValue : {})
      : value;
  }
  return out;
}

const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

/**
 * lastappliedupdater.go: when kubectl (manager "kubectl") applies server-side to an object
 * that carries the client-side apply annotation, the annotation follows the applied
 * configuration so that a later client-side apply still computes correct deletions.
 */
function syncLastApplied(
  object: KubeObject,
  live: KubeObject | undefined,
  applied: KubeObject,
  manager: string,
): KubeObject {
  if (manager !== "kubectl" || live === undefined) return object;
  const liveAnnotations = metadataOf(live)["annotations"];
  if (!isJsonObject(liveAnnotations) || !Object.hasOwn(liveAnnotations, lastAppliedAnnotation)) return object;
  const appliedMetadata = metadataOf(applied);
  const appliedAnnotations = isJsonObject(appliedMetadata["annotations"])
    ? appliedMetadata["annotations"]
    : {};
  const remaining = Object.fromEntries(
    Object.entries(appliedAnnotations).filter(([key]) => key !== lastAppliedAnnotation),
  );
  const metadataRest = Object.fromEntries(
    Object.entries(appliedMetadata).filter(([key]) => key !== "annotations"),
  );
  const cleanMetadata =
    Object.keys(remaining).length === 0 ? metadataRest : { ...metadataRest, annotations: remaining };
  // runtime.Encode with the unstructured JSON scheme: sorted keys and a trailing newline.
  const value = `${goJson({ ...applied, metadata: cleanMetadata })}\n`;
  const metadata = metadataOf(object);
  const annotations = isJsonObject(metadata["annotations"]) ? metadata["annotations"] : {};
  return {
    ...object,
    metadata: { ...metadata, annotations: { ...annotations, [lastAppliedAnnotation]: value } },
  };
}
