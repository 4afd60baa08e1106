import type { Attribution } from "../model/index.js";
import type { Path } from "../kube/fieldpath/index.js";
import { FieldSet, fieldPath } from "../kube/fieldpath/index.js";
import type { JsonValue, KubeObject } from "../kube/value/json.js";
import { isJsonObject } from "../kube/value/json.js";
import { childOf } from "./json.js";
import type { ManagedFields } from "./managed.js";
import { lastAppliedAnnotation } from "./normalize.js";
import { matchesAnyName } from "./patterns.js";

/** The annotation's own field: its Update owner is doing a client-side apply (rule 4). */
export const lastAppliedPath: Path = fieldPath("metadata", "annotations", lastAppliedAnnotation);

/**
 * What `kubectl apply` (client-side) last applied: the configuration it keeps in the annotation and
 * merges three ways on the next apply, deleting what left it. Unreadable text is no record.
 */
export function lastAppliedConfiguration(live: KubeObject): KubeObject | undefined {
  const metadata = childOf(live, "metadata");
  const annotations = isJsonObject(metadata) ? childOf(metadata, "annotations") : undefined;
  const text = isJsonObject(annotations) ? childOf(annotations, lastAppliedAnnotation) : undefined;
  if (typeof text !== "string") return undefined;
  try {
    const parsed = JSON.parse(text) as JsonValue;
    return isJsonObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

interface Candidate {
  /** The manager, when managedFields tell; a live file without them still has its annotation. */
  readonly manager: string | undefined;
  readonly changedAt: string | undefined;
  /** What its next apply removes when the sources leave it out. */
  readonly record: FieldSet;
  /** What it applied, for telling the deployer from a one-off applier. */
  readonly applied: FieldSet;
}

/** Ties go to the latest apply: that is the deployer still at work. */
function moreOverlap(desired: FieldSet): (best: Candidate, next: Candidate) => Candidate {
  const overlap = (candidate: Candidate): number => candidate.applied.intersection(desired).size;
  return (best, next) => {
    const difference = overlap(next) - overlap(best);
    if (difference !== 0) return difference > 0 ? next : best;
    return (next.changedAt ?? "") > (best.changedAt ?? "") ? next : best;
  };
}

/**
 * Server-side apply removes a field the applier leaves out only when nobody else owns it: what
 * another manager also owns stays after the deployer's next apply, so it is not in its record.
 */
function soleOwned(managed: ManagedFields, applier: Attribution, fields: FieldSet): FieldSet {
  let owned = fields;
  for (const other of managed.owners((attribution) => attribution !== applier)) {
    owned = owned.difference(other.fields);
  }
  return owned;
}

/** A server-side apply of the object itself (a status or scale apply is not a deployment). */
export function isServerSideApply(attribution: Attribution): boolean {
  return attribution.operation === "Apply" && attribution.subresource === undefined;
}

function serverSideAppliers(managed: ManagedFields): readonly Candidate[] {
  const appliers = managed.owners(isServerSideApply);
  return appliers.map(({ attribution, fields }) => ({
    manager: attribution.manager,
    changedAt: attribution.changedAt,
    record: soleOwned(managed, attribution, fields),
    applied: fields,
  }));
}

/** Client-side apply: kubectl's three-way merge deletes whatever left the annotation, whoever else owns it. */
function clientSideApplier(managed: ManagedFields, lastApplied: FieldSet): Candidate {
  const owner = managed.exactOwner(lastAppliedPath);
  return { manager: owner?.manager, changedAt: owner?.changedAt, record: lastApplied, applied: lastApplied };
}

export interface DeployerRecordInput {
  readonly managed: ManagedFields;
  /** The fields the desired object sets, typed as managedFields are. */
  readonly desired: FieldSet;
  /** The fields of the last-applied-configuration, typed the same way; undefined without one. */
  readonly lastApplied: FieldSet | undefined;
  /** `deployers:` of kubedrift.yaml; empty: whoever applied most of the desired object. */
  readonly deployers: readonly string[];
}

/**
 * Rule 4b: the deployer's record of its last apply, as fields — the last-applied-configuration of a
 * client-side apply, or what a server-side deployer alone owns. The deployer is the one
 * `deployers:` names, else the applier whose fields overlap the desired object most (a GitOps
 * controller applies the whole manifest; a one-off `kubectl apply --server-side` of a patch owns a
 * few fields). Empty without a record.
 */
export function deployerRecord(input: DeployerRecordInput): FieldSet {
  const { managed, deployers } = input;
  const candidates = [
    ...(input.lastApplied === undefined ? [] : [clientSideApplier(managed, input.lastApplied)]),
    ...serverSideAppliers(managed),
  ].filter(
    (candidate) =>
      deployers.length === 0 ||
      candidate.manager === undefined ||
      matchesAnyName(deployers, candidate.manager),
  );
  return candidates.length === 0 ? FieldSet.empty : candidates.reduce(moreOverlap(input.desired)).record;
}
