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
  /**
   * The changes already waited for (object, path, live value, time): seen again without a record,
   * they do not wait again — a drift that no record names does not slow each later event.
   */
  readonly waited: Set<string>;
}

/** Enough for the drifted fields of a large scope; beyond it, waiting is forgotten and may repeat once. */
const maxWaited = 100_000;

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

interface JoinContext {
  readonly writes: WriteLog;
  readonly object: WrittenObject;
  readonly resourceVersion?: string;
  /** When the event showing the change arrived (ms): the write's time where managedFields has none. */
  readonly arrivedAt?: number;
}

/** A drift, with who made it where a record tells; `settled` unless a later record may name someone else. */
interface Joined {
  readonly drift: ObservedDrift;
  readonly settled: boolean;
}

/*
 * managedFields has no time for `subresource: scale` entries (kube-apiserver's ScaleHandler drops
 * it), so a `kubectl scale` is joined by the resourceVersion it left, else by when its event arrived.
 * A join by time to a record that carries resourceVersions (audit at RequestResponse) is not
 * settled: the record of the write that left this resourceVersion may still be on its way, and an
 * earlier write in the same second must not take its place.
 */
function wantedWrite(drift: ObservedDrift, context: JoinContext): DriftedWrite {
  const changedAt = drift.attribution?.changedAt;
  return {
    object: context.object,
    ...(drift.path === missingObjectPath ? { deleted: true } : {}),
    ...(changedAt === undefined ? {} : { changedAt }),
    ...(context.arrivedAt === undefined ? {} : { seenAt: context.arrivedAt }),
    ...(drift.attribution?.manager === undefined ? {} : { manager: drift.attribution.manager }),
    ...(context.resourceVersion === undefined ? {} : { resourceVersion: context.resourceVersion }),
  };
}

function withIdentity(drift: ObservedDrift, context: JoinContext): Joined {
  if (drift.user !== undefined) return { drift, settled: true };
  const found = context.writes.findWrite(wantedWrite(drift, context));
  if (found === undefined) return { drift, settled: false };
  const settled =
    found.byResourceVersion ||
    found.record.resourceVersion === undefined ||
    context.resourceVersion === undefined;
  return { drift: { ...drift, ...found.record.identity }, settled };
}

function signature(object: WrittenObject, drift: ObservedDrift): string {
  return [
    object.namespace,
    object.resource,
    object.name,
    drift.path,
    JSON.stringify(drift.live ?? null),
    drift.attribution?.changedAt ?? "",
  ].join("\u0000");
}

/** Not settled, recent enough that its record may still be on its way, and not waited for before. */
function awaited(joined: Joined, context: { readonly arrivedAt: number; readonly seen: boolean }): boolean {
  const { drift } = joined;
  if (joined.settled || context.seen) return false;
  if (drift.path === missingObjectPath) return true;
  const changedAt = Date.parse(drift.attribution?.changedAt ?? "");
  // No time (a /scale write): the event that just arrived is the change.
  return !Number.isFinite(changedAt) || context.arrivedAt - changedAt <= freshMs;
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
  const { writes, clock, waited } = identification;
  const object = writtenObject(seen.ref, identification.served);
  if (object === undefined) return seen.drifts;
  const context: JoinContext = {
    writes,
    object,
    ...(seen.resourceVersion === undefined ? {} : { resourceVersion: seen.resourceVersion }),
    ...(seen.arrivedAt === undefined ? {} : { arrivedAt: seen.arrivedAt }),
  };
  const join = (): readonly Joined[] => seen.drifts.map((drift) => withIdentity(drift, context));
  let joined = join();
  const arrivedAt = seen.arrivedAt;
  if (arrivedAt === undefined) return joined.map((one) => one.drift);
  const pending = (): readonly Joined[] =>
    joined.filter((one) => awaited(one, { arrivedAt, seen: waited.has(signature(object, one.drift)) }));
  const deadline = arrivedAt + identification.waitMs;
  while (clock.now() < deadline && !identification.signal.aborted && pending().length > 0) {
    await writes.waitFor(object, deadline, {
      sleep: (ms, signal) => clock.sleep(ms, signal),
      signal: identification.signal,
    });
    joined = join();
  }
  if (waited.size > maxWaited) waited.clear();
  for (const drift of seen.drifts) waited.add(signature(object, drift));
  return joined.map((one) => one.drift);
}
