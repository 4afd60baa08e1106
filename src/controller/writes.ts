/**
 * Who made a write (issue 13, items 2 and 3): `managedFields` names the tool, an audit event or an
 * admission request names the person. Records of recent writes, from either, are kept here for a
 * while and joined to the drifts `watch` finds: by the object, then by the resourceVersion the
 * write left (exact, when the audit level includes the response), else by time.
 */
import type { WriteIdentity } from "../store/index.js";

/** The object a write was made to, as the API names it: the plural resource, not the kind. */
export interface WrittenObject {
  readonly group: string;
  readonly resource: string;
  readonly namespace: string;
  readonly name: string;
}

export interface WriteRecord {
  readonly object: WrittenObject;
  /** `scale` for `deployments/scale`; absent for the object itself. */
  readonly subresource?: string;
  readonly verb: string;
  /** When the server handled it (ms). */
  readonly at: number;
  /** The resourceVersion the write left the object at, where the record tells (audit at RequestResponse). */
  readonly resourceVersion?: string;
  readonly identity: Required<Pick<WriteIdentity, "user">> & WriteIdentity;
  readonly via: "audit" | "admission";
}

/** What a drift tells of the write that made it. */
export interface DriftedWrite {
  readonly object: WrittenObject;
  /** managedFields' time of the change (RFC 3339, truncated to the second). */
  readonly changedAt?: string;
  /** When the event showing the change arrived (ms), where managedFields has no time (`/scale` writes). */
  readonly seenAt?: number;
  /** The object's resourceVersion when the drift was seen: the write's own when it was the latest. */
  readonly resourceVersion?: string;
  readonly manager?: string;
  /** The object is gone: the latest delete of it is the write. */
  readonly deleted?: boolean;
}

export interface WriteLogOptions {
  /** Records kept at most (the oldest go first). */
  readonly capacity?: number;
  /** Records older than this are forgotten (ms). */
  readonly retentionMs?: number;
  readonly now: () => number;
}

function objectKey(object: WrittenObject): string {
  return [object.group, object.resource, object.namespace, object.name].join("\u0000");
}

/**
 * managedFields' times are truncated to the second and come from the API server's clock, as do
 * the audit timestamps: a write at 12:00:00.900 is `12:00:00Z` in managedFields, and its audit
 * event's stageTimestamp (the response's completion) a little later, never earlier.
 */
const timeSlackMs = 1500;

/** The times a write's record may have, from what the drift tells of its change. */
function timeWindow(drift: DriftedWrite): { readonly from: number; readonly to: number } | undefined {
  const changedAt = Date.parse(drift.changedAt ?? "");
  if (Number.isFinite(changedAt)) return { from: changedAt, to: changedAt + 1000 + timeSlackMs };
  // The event arrives after the write was stored, maybe before its response completed.
  if (drift.seenAt !== undefined) return { from: drift.seenAt - timeSlackMs, to: drift.seenAt + timeSlackMs };
  return undefined;
}

/** How a drift was joined to its write: by the resourceVersion the write left, or by time only. */
export interface FoundWrite {
  readonly record: WriteRecord;
  readonly byResourceVersion: boolean;
}

/** The manager a client's user agent gives (`kubectl/v1.32.0 (linux/amd64) …` → `kubectl`), as kube-apiserver derives it. */
export function managerOfUserAgent(userAgent: string | undefined): string | undefined {
  const name = userAgent?.split("/")[0]?.trim();
  return name === undefined || name === "" ? undefined : name;
}

function byManager(records: readonly WriteRecord[], manager: string | undefined): readonly WriteRecord[] {
  if (manager === undefined) return records;
  const matching = records.filter((record) => {
    const tool = managerOfUserAgent(record.identity.userAgent);
    return tool !== undefined && manager.startsWith(tool);
  });
  return matching.length === 0 ? records : matching;
}

export class WriteLog {
  readonly #options: Required<WriteLogOptions>;
  /** By object, oldest first. */
  readonly #records = new Map<string, WriteRecord[]>();
  readonly #waiters = new Map<string, Set<() => void>>();
  #count = 0;
  #sweptAt = Number.NEGATIVE_INFINITY;

  constructor(options: WriteLogOptions) {
    this.#options = { capacity: 10_000, retentionMs: 60 * 60_000, ...options };
  }

  get size(): number {
    return this.#count;
  }

  add(record: WriteRecord): void {
    const key = objectKey(record.object);
    const list = this.#records.get(key) ?? [];
    list.push(record);
    list.sort((a, b) => a.at - b.at);
    this.#records.set(key, list);
    this.#count += 1;
    // The sweep reads every record: once a second is enough for a retention of minutes.
    if (this.#count > this.#options.capacity || this.#options.now() - this.#sweptAt >= 1000) this.#forget();
    for (const wake of this.#waiters.get(key) ?? []) wake();
  }

  /**
   * The write that made a drift: the one that left the object at the drift's resourceVersion,
   * else the latest write to the object at most `timeSlackMs` from the change's time (by a tool
   * that matches the manager, when several do), else none.
   */
  find(drift: DriftedWrite): WriteRecord | undefined {
    return this.findWrite(drift)?.record;
  }

  /** As `find`, saying whether the resourceVersion joined them (else time, a guess a later record may beat). */
  findWrite(drift: DriftedWrite): FoundWrite | undefined {
    const records = this.#records.get(objectKey(drift.object)) ?? [];
    if (drift.deleted === true) {
      const deleted = records.findLast((record) => record.verb === "delete");
      return deleted === undefined ? undefined : { record: deleted, byResourceVersion: false };
    }
    if (drift.resourceVersion !== undefined) {
      const exact = records.find((record) => record.resourceVersion === drift.resourceVersion);
      if (exact !== undefined) return { record: exact, byResourceVersion: true };
    }
    const window = timeWindow(drift);
    if (window === undefined) return undefined;
    const near = records.filter((record) => record.at >= window.from && record.at <= window.to);
    const record = byManager(near, drift.manager).at(-1);
    return record === undefined ? undefined : { record, byResourceVersion: false };
  }

  /** Resolves when a record of `object` arrives, at `deadline` (ms) at the latest, or when `signal` aborts. */
  async waitFor(
    object: WrittenObject,
    deadline: number,
    wait: {
      readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
      readonly signal: AbortSignal;
    },
  ): Promise<void> {
    const key = objectKey(object);
    const stop = new AbortController();
    const abort = (): void => stop.abort();
    wait.signal.addEventListener("abort", abort, { once: true });
    const waiters = this.#waiters.get(key) ?? new Set<() => void>();
    waiters.add(abort);
    this.#waiters.set(key, waiters);
    try {
      await wait.sleep(Math.max(0, deadline - this.#options.now()), stop.signal);
    } finally {
      waiters.delete(abort);
      if (waiters.size === 0) this.#waiters.delete(key);
      wait.signal.removeEventListener("abort", abort);
    }
  }

  #forget(): void {
    this.#sweptAt = this.#options.now();
    const oldest = this.#options.now() - this.#options.retentionMs;
    for (const [key, list] of this.#records) {
      const kept = list.filter((record) => record.at >= oldest);
      this.#count -= list.length - kept.length;
      if (kept.length === 0) this.#records.delete(key);
      else this.#records.set(key, kept);
    }
    while (this.#count > this.#options.capacity) this.#dropOldest();
  }

  #dropOldest(): void {
    let oldestKey: string | undefined;
    let oldestAt = Number.POSITIVE_INFINITY;
    for (const [key, list] of this.#records) {
      const first = list[0];
      if (first !== undefined && first.at < oldestAt) [oldestKey, oldestAt] = [key, first.at];
    }
    if (oldestKey === undefined) return;
    const list = this.#records.get(oldestKey) ?? [];
    list.shift();
    this.#count -= 1;
    if (list.length === 0) this.#records.delete(oldestKey);
  }
}
