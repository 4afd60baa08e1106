/**
 * Leader election among `kubedrift watch` replicas on a `coordination.k8s.io/v1` Lease, as
 * client-go's leaderelection package does it (leaderelection.go with resourcelock's LeaseLock):
 * a candidate takes the Lease when it does not exist or when its record has not changed for
 * `leaseDurationSeconds` as observed by the candidate's own clock, renews it every retry period
 * while it leads, and stops leading when no renewal succeeded within the renew deadline. Every
 * write carries the resourceVersion it was based on, so of two candidates racing for the same
 * record one gets 409 Conflict and stays a follower.
 */
import type { ClusterWriter, ServedResource, WriteOutcome } from "../cluster/types.js";
import type { KubeObject } from "../kube/value/json.js";
import { isRecord, stringOf } from "../kube/value/json.js";
import type { Clock } from "./informer.js";

export interface LeaderElectionOptions {
  readonly writer: ClusterWriter;
  readonly lease: { readonly namespace: string; readonly name: string };
  /** Unique per replica (hostname + a random suffix): two replicas with one identity both lead. */
  readonly identity: string;
  /** How long followers wait without seeing the record change before they take it (default 15000). */
  readonly leaseDurationMs: number;
  /** How long the leader keeps leading without a successful renewal (default 10000). */
  readonly renewDeadlineMs: number;
  /** Between two attempts to acquire or renew (default 2000). */
  readonly retryPeriodMs: number;
  readonly clock: Clock;
  /** Called when this replica starts leading (again, after it lost the lease). */
  readonly onStartedLeading: () => void;
  /** Called when this replica stops leading: a renewal missed its deadline, another took it, or stop(). */
  readonly onStoppedLeading: () => void;
  /** Called with each new holder this replica observes (itself included); never with "no holder". */
  readonly onNewLeader?: (identity: string) => void;
  /** In [0, 1): the jitter of acquisition retries (client-go's JitterFactor 1.2). Default Math.random. */
  readonly random?: () => number;
  /** Why an attempt failed (a refused write, an unreachable server), one line each. */
  readonly log?: (line: string) => void;
}

export interface LeaderElection {
  /** True while this replica holds the Lease and its last successful renewal is within the renew deadline. */
  isLeader(): boolean;
  /** The holder this replica last observed (itself when leading), undefined when the Lease is free. */
  leader(): string | undefined;
  /** Ends the election; releases the Lease when held (holderIdentity cleared, as ReleaseOnCancel). */
  stop(): Promise<void>;
}

export const defaultLeaderElectionTiming = {
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
} as const;

export const leaseResource: ServedResource = {
  group: "coordination.k8s.io",
  version: "v1",
  kind: "Lease",
  resource: "leases",
  namespaced: true,
  verbs: ["get", "create", "update"],
};

/** client-go's JitterFactor for acquisition retries: many followers do not poll in step. */
const jitterFactor = 1.2;
const fieldManager = "kubedrift-leader-election";

/** The Lease spec fields the election reads and writes, in a fixed order so that it compares as text. */
interface LeaseRecord {
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime: string;
  readonly renewTime: string;
  readonly leaseTransitions: number;
}

/** The Lease as last read or written, and when (by this replica's clock) its record last changed. */
interface Observation {
  readonly lease: KubeObject;
  readonly record: LeaseRecord;
  readonly raw: string;
  readonly observedAt: number;
}

/** What one attempt learned: whether it holds the Lease now, and the Lease as it saw it. */
interface AttemptResult {
  readonly acquired: boolean;
  readonly observation: Observation | undefined;
}

/** MicroTime: RFC 3339 with microseconds, as kube-apiserver writes acquireTime and renewTime. */
export function microTime(ms: number): string {
  const micros = Math.floor((ms * 1000) % 1000);
  return new Date(Math.floor(ms)).toISOString().replace("Z", `${String(micros).padStart(3, "0")}Z`);
}

function numberOf(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

function recordOf(lease: KubeObject): LeaseRecord {
  const spec = isRecord(lease["spec"]) ? lease["spec"] : {};
  return {
    holderIdentity: stringOf(spec["holderIdentity"]),
    leaseDurationSeconds: numberOf(spec["leaseDurationSeconds"]),
    acquireTime: stringOf(spec["acquireTime"]),
    renewTime: stringOf(spec["renewTime"]),
    leaseTransitions: numberOf(spec["leaseTransitions"]),
  };
}

/**
 * client-go compares the record alone; the resourceVersion is compared too, so that a rewrite of an
 * identical record (two renewals within one clock tick) still counts as the holder being alive.
 */
function observe(lease: KubeObject, observedAt: number): Observation {
  const record = recordOf(lease);
  const metadata = isRecord(lease["metadata"]) ? lease["metadata"] : {};
  return { lease, record, raw: JSON.stringify([stringOf(metadata["resourceVersion"]), record]), observedAt };
}

function validateTiming(options: LeaderElectionOptions): void {
  const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = options;
  if (!(retryPeriodMs > 0))
    throw new Error(`leader election: retry period must be positive, got ${retryPeriodMs} ms`);
  // A leader must give up before any follower may take over, or both would lead for a while.
  if (!(leaseDurationMs > renewDeadlineMs))
    throw new Error(
      `leader election: lease duration (${leaseDurationMs} ms) must be longer than the renew deadline (${renewDeadlineMs} ms)`,
    );
  if (!(renewDeadlineMs > jitterFactor * retryPeriodMs))
    throw new Error(
      `leader election: renew deadline (${renewDeadlineMs} ms) must be longer than ${jitterFactor} × the retry period (${retryPeriodMs} ms)`,
    );
  if (options.identity === "") throw new Error("leader election: identity must not be empty");
}

function refusalLine(action: string, outcome: Extract<WriteOutcome, { ok: false }>): string {
  return `${action}: ${outcome.code === 0 ? "" : `${outcome.code} `}${outcome.reason} ${outcome.message}`.trim();
}

/** Writes the Lease (create or update); the reads and decisions are the Elector's. */
class LeaseLock {
  constructor(
    private readonly options: LeaderElectionOptions,
    private readonly update: NonNullable<ClusterWriter["update"]>,
    private readonly create: NonNullable<ClusterWriter["create"]>,
  ) {}

  get(): Promise<KubeObject | undefined> {
    const { namespace, name } = this.options.lease;
    return this.options.writer.get(leaseResource, namespace, name);
  }

  async createLease(record: LeaseRecord): Promise<WriteOutcome> {
    const { namespace, name } = this.options.lease;
    const lease: KubeObject = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name, namespace },
      spec: { ...record },
    };
    return this.create(leaseResource, lease, { fieldManager });
  }

  /** PUT with the resourceVersion of `base`: 409 when anyone wrote the Lease since it was read. */
  async updateLease(base: KubeObject, record: LeaseRecord): Promise<WriteOutcome> {
    const spec = isRecord(base["spec"]) ? base["spec"] : {};
    const lease: KubeObject = { ...base, spec: { ...spec, ...record } };
    return this.update(leaseResource, lease, { fieldManager });
  }
}

class Elector {
  readonly #options: LeaderElectionOptions;
  readonly #lock: LeaseLock;
  readonly #abort = new AbortController();
  #observation: Observation | undefined;
  #leading = false;
  /** Until when the leader may believe it leads: the start of its last successful renewal + renew deadline. */
  #validUntil = Number.NEGATIVE_INFINITY;
  #reported: string | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: LeaderElectionOptions, lock: LeaseLock) {
    this.#options = options;
    this.#lock = lock;
  }

  start(): void {
    this.#loop = this.#run();
  }

  isLeader(): boolean {
    return this.#leading && this.#options.clock.now() < this.#validUntil;
  }

  leader(): string | undefined {
    const holder = this.#observation?.record.holderIdentity ?? "";
    return holder === "" ? undefined : holder;
  }

  async stop(): Promise<void> {
    if (this.#abort.signal.aborted) return this.#loop;
    this.#abort.abort();
    await this.#loop;
    if (!this.#leading) return;
    this.#stopLeading();
    await this.#release();
  }

  async #run(): Promise<void> {
    const { clock } = this.#options;
    while (!this.#abort.signal.aborted) {
      if (this.#leading) await this.#renewOnce();
      else await this.#acquireOnce();
      if (this.#abort.signal.aborted) return;
      await clock.sleep(this.#pause(), this.#abort.signal);
    }
  }

  /** A leader retries at the retry period, but wakes at its deadline to give up on time. */
  #pause(): number {
    const { retryPeriodMs, clock } = this.#options;
    if (this.#leading) return Math.max(0, Math.min(retryPeriodMs, this.#validUntil - clock.now()));
    return retryPeriodMs * (1 + jitterFactor * (this.#options.random ?? Math.random)());
  }

  async #acquireOnce(): Promise<void> {
    const started = this.#options.clock.now();
    // Bounded too, so that a hung request neither stalls the campaign nor stop(); an abandoned
    // attempt that still lands shows this replica as holder, which its next read takes up again.
    const result = await this.#within(this.#attempt(started), started + this.#options.renewDeadlineMs, {
      endOnStop: true,
    });
    if (result === undefined)
      return this.#options.log?.(`leader election: acquiring ${this.#leaseName()} timed out`);
    if (this.#abort.signal.aborted && !result.acquired) return;
    this.#accept(result.observation);
    if (!result.acquired) return;
    this.#leading = true;
    this.#validUntil = started + this.#options.renewDeadlineMs;
    this.#notify("onStartedLeading", () => this.#options.onStartedLeading());
  }

  async #renewOnce(): Promise<void> {
    const { clock } = this.#options;
    const started = clock.now();
    if (started >= this.#validUntil) return this.#lose("renewal did not succeed within the renew deadline");
    const result = await this.#within(this.#attempt(started), this.#validUntil, { endOnStop: false });
    // A renewal still unanswered at the deadline is abandoned: its answer, if any, comes too late to count.
    if (result === undefined) return this.#lose("renewal did not succeed within the renew deadline");
    this.#accept(result.observation);
    if (result.acquired) {
      this.#validUntil = started + this.#options.renewDeadlineMs;
      return;
    }
    const holder = result.observation?.record.holderIdentity ?? "";
    if (holder !== "" && holder !== this.#options.identity) this.#lose(`the lease is held by ${holder}`);
    else if (clock.now() >= this.#validUntil) this.#lose("renewal did not succeed within the renew deadline");
  }

  /**
   * The attempt, or undefined when `until` (by this replica's clock) comes first: the request may
   * hang. A renewal is not ended by stop(): stopping waits for it (at most to the deadline), so that
   * the release that follows is based on the Lease as last written.
   */
  async #within(
    attempt: Promise<AttemptResult>,
    until: number,
    options: { readonly endOnStop: boolean },
  ): Promise<AttemptResult | undefined> {
    const { clock } = this.#options;
    const timer = new AbortController();
    const onStop = (): void => timer.abort();
    if (options.endOnStop) this.#abort.signal.addEventListener("abort", onStop, { once: true });
    const deadline = clock.sleep(Math.max(0, until - clock.now()), timer.signal).then(() => undefined);
    try {
      return await Promise.race([attempt, deadline]);
    } finally {
      timer.abort();
      this.#abort.signal.removeEventListener("abort", onStop);
    }
  }

  #lose(why: string): void {
    this.#options.log?.(
      `leader election: ${this.#options.identity} stops leading ${this.#leaseName()}: ${why}`,
    );
    this.#stopLeading();
  }

  #stopLeading(): void {
    this.#leading = false;
    this.#validUntil = Number.NEGATIVE_INFINITY;
    this.#notify("onStoppedLeading", () => this.#options.onStoppedLeading());
  }

  /** A callback that throws must not end the campaign (nobody awaits the loop until stop()). */
  #notify(name: string, callback: () => void): void {
    try {
      callback();
    } catch (error: unknown) {
      this.#options.log?.(
        `leader election: ${name} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  #accept(observation: Observation | undefined): void {
    if (observation === undefined) return;
    this.#observation = observation;
    const holder = observation.record.holderIdentity;
    if (holder === "") this.#reported = undefined;
    if (holder === "" || holder === this.#reported) return;
    this.#reported = holder;
    this.#notify("onNewLeader", () => this.#options.onNewLeader?.(holder));
  }

  /** client-go's tryAcquireOrRenew; never throws (a failure is "not acquired"). */
  async #attempt(now: number): Promise<AttemptResult> {
    try {
      return await this.#tryAcquireOrRenew(now);
    } catch (error: unknown) {
      this.#options.log?.(
        `leader election: reading ${this.#leaseName()}: ${error instanceof Error ? error.message : String(error)}`,
      );
      return { acquired: false, observation: undefined };
    }
  }

  async #tryAcquireOrRenew(now: number): Promise<AttemptResult> {
    const fast = await this.#renewHeld(now);
    if (fast !== undefined) return fast;
    const lease = await this.#lock.get();
    if (lease === undefined)
      return this.#written(await this.#lock.createLease(this.#record(now, undefined)), "creating");
    const seen = this.#seen(lease);
    const held = seen.record.holderIdentity;
    // Someone else holds a record that changed less than its lease duration ago (by our clock): wait.
    if (held !== "" && held !== this.#options.identity && this.#fresh(seen))
      return { acquired: false, observation: seen };
    const outcome = await this.#lock.updateLease(lease, this.#record(now, seen.record));
    return this.#written(outcome, "updating", seen);
  }

  /** The leader's fast path: update the Lease it last wrote, without reading it first. */
  async #renewHeld(now: number): Promise<AttemptResult | undefined> {
    const observation = this.#observation;
    if (!this.#leading || observation === undefined || !this.#fresh(observation)) return undefined;
    if (observation.record.holderIdentity !== this.#options.identity) return undefined;
    const outcome = await this.#lock.updateLease(observation.lease, this.#record(now, observation.record));
    if (!outcome.ok) {
      // Someone wrote the Lease since (409): read it and decide as any candidate would.
      this.#options.log?.(`leader election: ${refusalLine(`renewing ${this.#leaseName()}`, outcome)}`);
      return undefined;
    }
    return { acquired: true, observation: observe(outcome.object, this.#options.clock.now()) };
  }

  /** The Lease as read; its observation time moves only when its record changed. */
  #seen(lease: KubeObject): Observation {
    const fresh = observe(lease, this.#options.clock.now());
    const previous = this.#observation;
    if (previous !== undefined && previous.raw === fresh.raw)
      return { ...fresh, observedAt: previous.observedAt };
    return fresh;
  }

  #fresh(observation: Observation): boolean {
    const expires = observation.observedAt + observation.record.leaseDurationSeconds * 1000;
    return this.#options.clock.now() < expires;
  }

  /** The record to write: a takeover counts a transition and a new acquireTime; a renewal keeps both. */
  #record(now: number, previous: LeaseRecord | undefined): LeaseRecord {
    const mine = previous?.holderIdentity === this.#options.identity;
    const transitions = previous?.leaseTransitions ?? 0;
    return {
      holderIdentity: this.#options.identity,
      leaseDurationSeconds: Math.ceil(this.#options.leaseDurationMs / 1000),
      acquireTime: mine ? previous.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: previous === undefined || mine ? transitions : transitions + 1,
    };
  }

  #written(outcome: WriteOutcome, action: string, seen?: Observation): AttemptResult {
    if (outcome.ok)
      return { acquired: true, observation: observe(outcome.object, this.#options.clock.now()) };
    // 409: another candidate wrote first (or created the Lease first); it leads, not us.
    this.#options.log?.(`leader election: ${refusalLine(`${action} ${this.#leaseName()}`, outcome)}`);
    return { acquired: false, observation: seen };
  }

  /** ReleaseOnCancel: a free record with a one-second duration lets a follower take over at its next try. */
  async #release(): Promise<void> {
    const observation = this.#observation;
    if (observation === undefined) return;
    const now = this.#options.clock.now();
    const record: LeaseRecord = {
      holderIdentity: "",
      leaseDurationSeconds: 1,
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: observation.record.leaseTransitions,
    };
    try {
      const outcome = await this.#lock.updateLease(observation.lease, record);
      if (outcome.ok) this.#observation = observe(outcome.object, this.#options.clock.now());
      else this.#options.log?.(`leader election: ${refusalLine(`releasing ${this.#leaseName()}`, outcome)}`);
    } catch (error: unknown) {
      this.#options.log?.(`leader election: releasing ${this.#leaseName()}: ${String(error)}`);
    }
  }

  #leaseName(): string {
    return `lease ${this.#options.lease.namespace}/${this.#options.lease.name}`;
  }
}

/**
 * Starts campaigning at once; the loop runs until stop(). Callbacks are called synchronously from
 * the loop: onStartedLeading and onStoppedLeading alternate, starting with onStartedLeading.
 */
export function startLeaderElection(options: LeaderElectionOptions): LeaderElection {
  validateTiming(options);
  const { writer } = options;
  if (writer.update === undefined || writer.create === undefined)
    throw new Error("leader election needs a cluster that can create and update Leases");
  const lock = new LeaseLock(options, writer.update.bind(writer), writer.create.bind(writer));
  const elector = new Elector(options, lock);
  elector.start();
  return {
    isLeader: () => elector.isLeader(),
    leader: () => elector.leader(),
    stop: () => elector.stop(),
  };
}
