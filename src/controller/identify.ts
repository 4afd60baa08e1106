/**
 * Naming the person behind each drift (issue 13): the drifts of one evaluation joined to the write
 * records of the WriteLog. Audit batches and admission calls may arrive just after the watch event
 * that shows the change, so a fresh change without its record waits for it a little — only that
 * object's evaluation waits, and never longer than `waitMs`.
 */
import type { ServedResource } from "../cluster/index.js";
import type { ObjectRef } from "../kube/object.js";
import type { ObservedDrift } from "../store/index.js";
import { missingObjectPath } from "./evaluate.js";
import type { Clock } from "./informer.js";
import type { DriftedWrite, WriteLog, WrittenObject } from "./writes.js";

export interface Identification {
  readonly writes: WriteLog;
  /** How long a fresh change waits for its record (`--attribution-wait`). */
  readonly waitMs: number;
  readonly served: ReadonlyMap<string, ServedResource>;
  readonly clock: Clock;
  readonly signal: AbortSignal;
}

/** A change older than this when its event arrives is not waited for: its record came long ago or never will. */
const freshMs = 5000;

function writtenObject(
  ref: ObjectRef,
  served: ReadonlyMap<string, ServedResource>,
): WrittenObject | undefined {
  const resource = served.get(`${ref.group}/${ref.kind}`)?.resource;
  return resource === undefined
    ? undefined
    : { group: ref.group, resource, namespace: ref.namespace, name: ref.name };
}

function withIdentity(
  drift: ObservedDrift,
  context: { readonly writes: WriteLog; readonly object: WrittenObject; readonly resourceVersion?: string },
): ObservedDrift {
  if (drift.user !== undefined) return drift;
  const wanted: DriftedWrite = {
    object: context.object,
    ...(drift.path === missingObjectPath ? { deleted: true } : {}),
    ...(drift.attribution?.changedAt === undefined ? {} : { changedAt: drift.attribution.changedAt }),
    ...(drift.attribution?.manager === undefined ? {} : { manager: drift.attribution.manager }),
    ...(context.resourceVersion === undefined ? {} : { resourceVersion: context.resourceVersion }),
  };
  const record = context.writes.find(wanted);
  return record === undefined ? drift : { ...drift, ...record.identity };
}

/** Unnamed, and recent enough that its record may still be on its way. */
function awaited(drift: ObservedDrift, arrivedAt: number): boolean {
  if (drift.user !== undefined) return false;
  if (drift.path === missingObjectPath) return true;
  const changedAt = Date.parse(drift.attribution?.changedAt ?? "");
  return Number.isFinite(changedAt) && arrivedAt - changedAt <= freshMs;
}

/**
 * The drifts with who made them where a record tells. With `arrivedAt` (a watch event's, not a
 * resync's), waits until the records of its fresh changes have arrived or `waitMs` has passed.
 */
export async function identifyDrifts(
  identification: Identification,
  seen: {
    readonly ref: ObjectRef;
    readonly drifts: readonly ObservedDrift[];
    readonly resourceVersion?: string;
    readonly arrivedAt?: number;
  },
): Promise<readonly ObservedDrift[]> {
  const { writes, clock } = identification;
  const object = writtenObject(seen.ref, identification.served);
  if (object === undefined) return seen.drifts;
  const context = {
    writes,
    object,
    ...(seen.resourceVersion === undefined ? {} : { resourceVersion: seen.resourceVersion }),
  };
  let drifts = seen.drifts.map((drift) => withIdentity(drift, context));
  if (seen.arrivedAt === undefined) return drifts;
  const deadline = seen.arrivedAt + identification.waitMs;
  while (clock.now() < deadline && !identification.signal.aborted) {
    if (!drifts.some((drift) => awaited(drift, seen.arrivedAt ?? 0))) break;
    await writes.waitFor(object, deadline, {
      sleep: (ms, signal) => clock.sleep(ms, signal),
      signal: identification.signal,
    });
    drifts = drifts.map((drift) => withIdentity(drift, context));
  }
  return drifts;
}
