/**
 * `kubedrift watch`'s loop (issue 12, items 1 and 2): one informer per kind and namespace in scope;
 * each event re-evaluates only the object it names, and what that finds goes to the history store
 * (drifts open or extend an episode, in sync closes it as `reverted`). A periodic resync
 * re-evaluates every object from the informers' caches as a safety net. Time is injected.
 */
import type { Cluster, ServedResource, WatchEnd } from "../cluster/index.js";
import type { EngineConfig, Scope } from "../engine/index.js";
import { listJobs } from "../inspect/index.js";
import type { ObjectRef } from "../kube/object.js";
import type { Schema } from "../kube/schema/types.js";
import type { DesiredObject, LiveObject, ResourceDrift, ResourceStatus } from "../model/index.js";
import { ResourceStatuses, refKey } from "../model/index.js";
import type { Episode, EpisodeEnd, HistoryStore, ObservedDrift, ResourceKey } from "../store/index.js";
import { EpisodeEnds } from "../store/index.js";
import type { EvaluationContext } from "./evaluate.js";
import { evaluateObject, observedDrifts } from "./evaluate.js";
import type { Clock, Informer, InformerEvent, InformerOptions } from "./informer.js";
import { createInformer } from "./informer.js";
import type { Contest, HealOutcome, HealSettings } from "./heal.js";
import { defaultHealSettings } from "./heal.js";
import { Healer } from "./healer.js";
import type { ManualHeal } from "./healer.js";
import type { Policies } from "./policy.js";
import { detectOnly, proposedIgnoreRule } from "./policy.js";
import { identifyDrifts } from "./identify.js";
import type { WriteLog } from "./writes.js";
import { resourceVersionOf } from "../kube/object.js";
import type { Shard } from "./shard.js";
import { inShard, namespaceInShard } from "./shard.js";

/** What is watched: the desired objects (loaded once) and what the engine compares them with. */
export interface WatchTarget {
  readonly desired: readonly DesiredObject[];
  readonly cluster: Cluster;
  /**
   * The name the cluster is recorded under (the store, the reports, notifications): `--cluster-name`,
   * else the kubeconfig context's (`in-cluster` in a pod, the same in every cluster of a fleet).
   */
  readonly clusterName?: string;
  /** Discovery, by `group/kind`. */
  readonly served: ReadonlyMap<string, ServedResource>;
  readonly schema: Schema;
  readonly config: EngineConfig;
  /** The kinds and namespaces of the desired set, as `diff` lists them (no namespaces: all). */
  readonly scope: Scope;
  readonly labelSelector?: string;
}

/** What the loop tells the outside (metrics, logs); every method optional, none may throw into it. */
export interface WatchListener {
  /**
   * The status of an object, or its number of drifted fields, changed; status undefined when it is
   * no longer tracked (an Extra object deleted).
   */
  readonly onStatus?: (ref: ObjectRef, status: ResourceStatus | undefined, drifts: number) => void;
  readonly onEpisodeOpened?: (episode: Episode) => void;
  /** An episode left open by an earlier run (read from the store at the start) goes on. */
  readonly onEpisodeContinued?: (episode: Episode) => void;
  /** Fields joined the open episode (not on its opening). */
  readonly onEpisodeExtended?: (episode: Episode, paths: readonly string[]) => void;
  readonly onEpisodeClosed?: (episode: Episode) => void;
  /** A heal was tried (or put off by the rate limit). */
  readonly onHeal?: (episode: Episode, outcome: HealOutcome) => void;
  /** A fight loop: `contest.field` is no longer healed; `rule` is the ignore rule that would end it. */
  readonly onEpisodeContested?: (episode: Episode, contest: Contest & { readonly rule: string }) => void;
  /** A watch stream ended other than by `stop()`: the informer watches again (or relists). */
  readonly onWatchRestart?: (end: WatchEnd) => void;
  /** From the change (managedFields time, else the event's arrival) to its drift recorded. */
  readonly onDetectionLatency?: (seconds: number) => void;
  /** A full evaluation of everything (the first sync, then each resync) and how long it took. */
  readonly onFullSync?: (seconds: number, first: boolean) => void;
  readonly onError?: (error: Error) => void;
}

export interface WatchOptions {
  readonly target: WatchTarget;
  readonly store: HistoryStore;
  readonly clock: Clock;
  /** `--resync`: every this long, everything is evaluated again (default 10 minutes). */
  readonly resyncMs?: number;
  readonly listener?: WatchListener;
  readonly random?: () => number;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** What is done about each drifted field; detect only unless told. */
  readonly policies?: Policies;
  /**
   * With several replicas: whether this one leads now. Followers evaluate (their caches and
   * metrics stay warm) but write no episode, heal nothing and notify no one. Asked at each write.
   */
  readonly leadership?: { readonly isLeader: () => boolean };
  /** Who made each change, from audit events and admission requests (issue 13); none unless told. */
  readonly writes?: { readonly log: WriteLog; readonly waitMs: number };
  readonly heal?: HealSettings;
  /**
   * `--shard I/N`: only the desired and live objects of this shard's namespaces (cluster-scoped
   * ones on shard 0) are watched, cached, evaluated and recorded; every object without.
   */
  readonly shard?: Shard;
}

export interface WatchState {
  /** The first full sync is done: every object evaluated and recorded once. */
  readonly ready: boolean;
  /** The status of every tracked object, by `refKey`. */
  readonly statuses: ReadonlyMap<string, { readonly ref: ObjectRef; readonly status: ResourceStatus }>;
  readonly counts: Readonly<Record<ResourceStatus, number>>;
  readonly episodesOpened: number;
  readonly watchRestarts: number;
}

/** What a reload replaces: the sources' objects, the engine's config and scope, the policies. */
export interface WatchReload {
  readonly target: Pick<WatchTarget, "desired" | "config" | "scope">;
  readonly policies?: Policies;
}

export interface Watch {
  /** Resolves once the first full sync is done; rejects when a kind cannot be watched at all. */
  readonly synced: Promise<void>;
  state(): WatchState;
  /**
   * The latest evaluation of every tracked object, by `refKey` (the dashboard's API reads its drifts;
   * withheld values are only hashes, as the engine redacted them). A snapshot: later events do not
   * change it.
   */
  resources(): ReadonlyMap<string, ResourceDrift>;
  /**
   * The sources changed: watch what they declare now (informers started and stopped as the kinds
   * and namespaces in scope change) and evaluate everything again; an open episode that the new
   * sources end (the live state is desired now, or the object is no longer declared) ends as
   * `sourceChanged`. Resolves once every object is evaluated.
   */
  reload(next: WatchReload): Promise<void>;
  /**
   * This replica became the leader: the episodes the previous one left open are read from the
   * store and continued, and everything is evaluated again, so that what changed meanwhile is
   * recorded once.
   */
  lead(): Promise<void>;
  /**
   * Heals the drifted fields of one declared object now, as `user` asked (the dashboard's `Heal`):
   * the heal policy's write without its wait, rate limit or policy, never of a contested field. The
   * episode ends `healed` by `user` when the next evaluation finds the object in sync.
   */
  healNow(resource: ResourceKey, user: string): Promise<ManualHeal>;
  /** Stops the informers and the resync, and waits for the evaluations under way to be recorded. */
  stop(): Promise<void>;
}

/** Why an object is evaluated: the arrival time of the event (for the latency), and where it came from. */
interface Cause {
  readonly arrivedAt: number;
  readonly origin: InformerEvent["origin"] | "sync" | "heal";
}

/** What is known of an object's open episode: its id and the paths it has recorded. */
interface OpenEpisode {
  readonly id: string;
  readonly paths: ReadonlySet<string>;
}

export const defaultResyncMs = 10 * 60_000;

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** The latest managedFields time of the drifts, when it is not after the event's arrival. */
export function changeTime(drifts: readonly ObservedDrift[], arrivedAt: number): number {
  const times = drifts
    .map((drift) => Date.parse(drift.attribution?.changedAt ?? ""))
    .filter((time) => Number.isFinite(time) && time <= arrivedAt);
  return times.length === 0 ? arrivedAt : Math.max(...times);
}

class RunningWatch implements Watch {
  readonly synced: Promise<void>;
  readonly #options: WatchOptions;
  #context: EvaluationContext;
  #policies: Policies;
  /** Evaluated since the sources changed: an episode that ends now ends as `sourceChanged`. */
  readonly #reloaded = new Set<string>();
  readonly #abort = new AbortController();
  readonly #desired = new Map<string, DesiredObject>();
  readonly #live = new Map<string, LiveObject>();
  readonly #statuses = new Map<string, { ref: ObjectRef; status: ResourceStatus; drifts: number }>();
  /** Beside `#statuses`, which keeps what the metrics need: the whole verdict, for the API. */
  readonly #results = new Map<string, ResourceDrift>();
  readonly #episodes = new Map<string, OpenEpisode>();
  readonly #pending = new Map<string, Cause>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #healer: Healer | undefined;
  readonly #startedAt: number;
  /** The changes whose write record was waited for (identify.ts). */
  readonly #waited = new Set<string>();
  /** With leader election: `lead()` has read the store since this replica last became leader. */
  #caughtUp = false;
  /** By job: `group/kind` and the namespace ("" for all, or cluster-scoped). */
  readonly #informers = new Map<string, { readonly job: Job; readonly informer: Informer }>();
  #resync: Promise<void> = Promise.resolve();
  #ready = false;
  #episodesOpened = 0;
  #watchRestarts = 0;

  constructor(options: WatchOptions, open: readonly Episode[]) {
    this.#options = options;
    this.#policies = options.policies ?? detectOnly;
    this.#startedAt = options.clock.now();
    const { target } = options;
    this.#context = {
      scope: target.scope,
      schema: target.schema,
      config: target.config,
      cluster: clusterNameOf(target),
    };
    for (const object of inShard(target.desired, options.shard))
      this.#desired.set(refKey(object.ref), object);
    this.#healer = this.#createHealer();
    this.#continueEpisodes(open);
    for (const episode of open) this.#tell(() => options.listener?.onEpisodeContinued?.(episode));
    for (const job of this.#jobs(target.scope))
      this.#informers.set(jobKey(job), { job, informer: this.#inform(job) });
    this.synced = Promise.all([...this.#informers.values()].map(({ informer }) => informer.synced)).then(() =>
      this.#firstSync(),
    );
    this.synced.catch(() => undefined);
  }

  /** No healer when the cluster cannot be written; `startWatch` has refused heal policies then. */
  #createHealer(): Healer | undefined {
    const { target, clock } = this.#options;
    const writer = target.cluster.writer;
    if (writer === undefined) return undefined;
    return new Healer({
      context: {
        writer,
        resourceFor: (ref) => target.served.get(`${ref.group}/${ref.kind}`),
        schema: target.schema,
        clock,
        signal: this.#abort.signal,
      },
      policies: () => this.#policies,
      settings: this.#options.heal ?? defaultHealSettings,
      wake: (key) => this.#schedule(key, { arrivedAt: clock.now(), origin: "heal" }),
      tell: (episode, outcome) => this.#tell(() => this.#options.listener?.onHeal?.(episode, outcome)),
    });
  }

  state(): WatchState {
    const counts: Record<ResourceStatus, number> = { InSync: 0, Drifted: 0, Missing: 0, Extra: 0, Error: 0 };
    for (const { status } of this.#statuses.values()) counts[status] += 1;
    return {
      ready: this.#ready,
      statuses: new Map(this.#statuses),
      counts,
      episodesOpened: this.#episodesOpened,
      watchRestarts: this.#watchRestarts,
    };
  }

  resources(): ReadonlyMap<string, ResourceDrift> {
    return new Map(this.#results);
  }

  async healNow(resource: ResourceKey, user: string): Promise<ManualHeal> {
    const key = refKey({ ...resource, version: "" });
    // After the evaluation under way: it may have found the object in sync already.
    await this.#idle([key]);
    const desired = this.#desired.get(key);
    const result = this.#results.get(key);
    if (desired === undefined || result === undefined) return { result: "notFound" };
    if (this.#healer === undefined || !this.#leads())
      return {
        result: "failed",
        fields: [],
        error: "this watch cannot heal (no writable cluster, or not the leader)",
      };
    const drifts = observedDrifts(result) ?? [];
    const [episode] = await this.#options.store.query({ resource, openOnly: true });
    if (drifts.length === 0 || episode === undefined) return { result: "inSync" };
    const live = this.#live.get(key);
    return this.#healer.healNow(key, { desired, live, result, drifts, episode }, user);
  }

  async lead(): Promise<void> {
    // Nothing is recorded until the open episodes are read: an event meanwhile would open one again.
    this.#caughtUp = false;
    const open = await this.#options.store.query({ openOnly: true });
    this.#episodes.clear();
    this.#continueEpisodes(open);
    this.#caughtUp = true;
    await this.#fullSync(false);
  }

  /** The open episodes of declared objects, as the store has them, go on from here. */
  #continueEpisodes(open: readonly Episode[]): void {
    for (const episode of open) {
      const key = refKey({ ...episode.resource, version: "" });
      if (!this.#desired.has(key)) continue;
      this.#episodes.set(key, {
        id: episode.id,
        paths: new Set(episode.changes.map((change) => change.path)),
      });
      this.#healer?.continueEpisode(key, episode);
    }
  }

  /** Leads, and has caught up with what the previous leader left in the store. */
  #leads(): boolean {
    const leadership = this.#options.leadership;
    if (leadership === undefined) return true;
    if (!leadership.isLeader()) this.#caughtUp = false;
    return this.#caughtUp;
  }

  async reload(next: WatchReload): Promise<void> {
    const before = [...this.#desired.keys()];
    const { target } = next;
    this.#context = { ...this.#context, scope: target.scope, config: target.config };
    this.#policies = next.policies ?? this.#policies;
    this.#desired.clear();
    for (const object of inShard(target.desired, this.#options.shard))
      this.#desired.set(refKey(object.ref), object);
    await this.#follow(target.scope);
    const keys = [
      ...new Set([...before, ...this.#desired.keys(), ...this.#live.keys(), ...this.#statuses.keys()]),
    ];
    for (const key of keys) this.#reloaded.add(key);
    const at = this.#options.clock.now();
    for (const key of keys) this.#schedule(key, { arrivedAt: at, origin: "sync" });
    await this.#idle(keys);
  }

  /** Starts the informers the scope needs now and stops those it no longer does, with what they had listed. */
  async #follow(scope: Scope): Promise<void> {
    const jobs = new Map(this.#jobs(scope).map((job) => [jobKey(job), job]));
    for (const [key, { job, informer }] of this.#informers) {
      if (jobs.has(key)) continue;
      this.#informers.delete(key);
      await informer.stop();
      for (const [liveKey, object] of this.#live) if (listedBy(job, object.ref)) this.#live.delete(liveKey);
    }
    const started = [...jobs].flatMap(([key, job]) => {
      if (this.#informers.has(key)) return [];
      const informer = this.#inform(job);
      this.#informers.set(key, { job, informer });
      return [informer.synced];
    });
    await Promise.all(started);
  }

  /** The scope's LISTs and WATCHes, of this shard's namespaces only. */
  #jobs(scope: Scope): readonly Job[] {
    return shardJobs(listJobs(scope, this.#options.target.served), this.#options.shard);
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await Promise.all([...this.#informers.values()].map(({ informer }) => informer.stop()));
    await this.#resync;
    await this.#idle([...this.#running.keys()]);
  }

  #inform(job: Job): Informer {
    const { target, clock } = this.#options;
    return createInformer({
      cluster: target.cluster,
      resource: job.resource,
      ...(job.namespace === undefined ? {} : { namespace: job.namespace }),
      ...(target.labelSelector === undefined ? {} : { labelSelector: target.labelSelector }),
      ...acceptOf(job, this.#options.shard),
      clock,
      random: this.#options.random ?? Math.random,
      backoff: this.#options.backoff ?? { initialMs: 800, maxMs: 30_000 },
      onEvent: (event) => this.#onEvent(event),
      onError: (error) => this.#report(error),
      onWatchEnd: (end) => {
        if (end.kind === "aborted" || this.#abort.signal.aborted) return;
        this.#watchRestarts += 1;
        this.#tell(() => this.#options.listener?.onWatchRestart?.(end));
      },
    });
  }

  #onEvent(event: InformerEvent): void {
    const key = refKey(event.object.ref);
    if (event.type === "delete") this.#live.delete(key);
    else this.#live.set(key, event.object);
    this.#schedule(key, { arrivedAt: this.#options.clock.now(), origin: event.origin });
  }

  /** Every informer has listed: evaluate what no event named (Missing objects), then report ready. */
  async #firstSync(): Promise<void> {
    await this.#fullSync(true);
    this.#ready = true;
    if (!this.#abort.signal.aborted) this.#resync = this.#resyncLoop();
  }

  async #resyncLoop(): Promise<void> {
    const { clock, resyncMs = defaultResyncMs } = this.#options;
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      await clock.sleep(resyncMs, signal);
      if (signal.aborted) return;
      await this.#fullSync(false);
    }
  }

  async #fullSync(first: boolean): Promise<void> {
    // The first sync counts from the start: the informers' LISTs and their evaluations are its work.
    const started = first ? this.#startedAt : this.#options.clock.now();
    const keys = [...new Set([...this.#desired.keys(), ...this.#live.keys(), ...this.#statuses.keys()])];
    // The first time, what the informers' LISTs named is being evaluated already: only the rest (Missing).
    const due = first ? keys.filter((key) => !this.#seen(key)) : keys;
    for (const key of due) this.#schedule(key, { arrivedAt: started, origin: "sync" });
    await this.#idle(keys);
    const seconds = (this.#options.clock.now() - started) / 1000;
    this.#tell(() => this.#options.listener?.onFullSync?.(seconds, first));
  }

  /** Evaluated, or about to be. */
  #seen(key: string): boolean {
    return this.#statuses.has(key) || this.#pending.has(key) || this.#running.has(key);
  }

  /** Waits until none of `keys` is being evaluated. */
  async #idle(keys: readonly string[]): Promise<void> {
    for (;;) {
      const running = keys.flatMap((key) => this.#running.get(key) ?? []);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  /**
   * One evaluation at a time per object, in order; events that arrive meanwhile are folded into the
   * next one (which reads the latest live object), keeping the earliest arrival for the latency.
   */
  #schedule(key: string, cause: Cause): void {
    if (this.#abort.signal.aborted) return;
    this.#pending.set(key, this.#pending.get(key) ?? cause);
    if (!this.#running.has(key)) this.#running.set(key, this.#drain(key));
  }

  async #drain(key: string): Promise<void> {
    await Promise.resolve();
    for (let cause = this.#take(key); cause !== undefined; cause = this.#take(key)) {
      try {
        await this.#evaluate(key, cause);
      } catch (error: unknown) {
        this.#report(asError(error));
      }
    }
    // Synchronously after the last take: an event cannot slip in between.
    this.#running.delete(key);
  }

  #take(key: string): Cause | undefined {
    const cause = this.#pending.get(key);
    this.#pending.delete(key);
    return cause;
  }

  async #evaluate(key: string, cause: Cause): Promise<void> {
    const desired = this.#desired.get(key);
    const live = this.#live.get(key);
    const result = evaluateObject(this.#context, desired, live);
    const reloaded = this.#reloaded.delete(key);
    const ref = desired?.ref ?? live?.ref ?? this.#statuses.get(key)?.ref;
    this.#keepResult(key, result);
    this.#setStatus(key, ref, result);
    if (desired === undefined) {
      if (reloaded) await this.#undeclared(key, ref);
      return;
    }
    await this.#recordAndHeal(key, { desired, live, result }, { cause, reloaded });
  }

  async #recordAndHeal(
    key: string,
    evaluated: {
      readonly desired: DesiredObject;
      readonly live: LiveObject | undefined;
      readonly result: ResourceDrift | undefined;
    },
    why: { readonly cause: Cause; readonly reloaded: boolean },
  ): Promise<void> {
    const { desired, live, result } = evaluated;
    const drifts = this.#recordable(key, result);
    if (drifts === undefined || result === undefined || !this.#leads()) return;
    const episode = await this.#record(key, desired.ref, { drifts, ...why });
    if (episode !== null) await this.#healer?.consider(key, { desired, live, result, drifts, episode });
  }

  /** What the store is told of a declared object's evaluation; undefined for nothing (an error is reported). */
  #recordable(key: string, result: ResourceDrift | undefined): readonly ObservedDrift[] | undefined {
    if (result?.status === ResourceStatuses.error) {
      this.#report(new Error(`${key}: ${result.error}`));
      return undefined;
    }
    return result === undefined ? undefined : observedDrifts(result);
  }

  /** No longer declared after a reload: what was drift of it is not any more. */
  async #undeclared(key: string, ref: ObjectRef | undefined): Promise<void> {
    if (this.#episodes.has(key) && ref !== undefined && this.#leads())
      await this.#close(key, ref, { at: this.#now(), how: EpisodeEnds.sourceChanged });
  }

  /** Kept even when the status is the same: the drifted values may have changed. */
  #keepResult(key: string, result: ResourceDrift | undefined): void {
    if (result === undefined) this.#results.delete(key);
    else this.#results.set(key, result);
  }

  /** `ref` is undefined for an Extra object that is gone: its last status names it. */
  #setStatus(key: string, ref: ObjectRef | undefined, result: ResourceDrift | undefined): void {
    const known = this.#statuses.get(key) ?? { ref, status: undefined, drifts: 0 };
    const status = result?.status;
    const drifts = result?.drifts.length ?? 0;
    if (known.status === status && known.drifts === drifts) return;
    const named = ref ?? known.ref;
    if (named === undefined) return;
    if (status === undefined) this.#statuses.delete(key);
    else this.#statuses.set(key, { ref: named, status, drifts });
    this.#tell(() => this.#options.listener?.onStatus?.(named, status, drifts));
  }

  async #record(
    key: string,
    ref: ObjectRef,
    seen: { readonly drifts: readonly ObservedDrift[]; readonly cause: Cause; readonly reloaded: boolean },
  ): Promise<Episode | null> {
    const known = this.#episodes.get(key);
    if (seen.drifts.length === 0) {
      // In sync: only an episode known to be open needs a write.
      if (known !== undefined) await this.#close(key, ref, { at: this.#now(), how: this.#endOf(key, seen) });
      return null;
    }
    const drifts = await this.#identify(key, ref, seen);
    const episode = await this.#options.store.recordObservation(ref, drifts, this.#now());
    if (episode === null) return null;
    const opened = known?.id !== episode.id;
    const before = opened ? new Set<string>() : (known?.paths ?? new Set<string>());
    this.#episodes.set(key, { id: episode.id, paths: new Set(episode.changes.map((change) => change.path)) });
    const fresh = seen.drifts.filter((drift) => !before.has(drift.path));
    this.#announce(episode, { opened, fresh: fresh.map((drift) => drift.path) });
    if (fresh.length > 0 && seen.cause.origin === "watch") this.#latency(fresh, seen.cause);
    return this.#contest(key, ref, { episode, drifts: seen.drifts });
  }

  /** The drifts with who made them, where audit events or admission requests tell. */
  async #identify(
    key: string,
    ref: ObjectRef,
    seen: { readonly drifts: readonly ObservedDrift[]; readonly cause: Cause },
  ): Promise<readonly ObservedDrift[]> {
    const writes = this.#options.writes;
    if (writes === undefined) return seen.drifts;
    const live = this.#live.get(key);
    const { clock, target } = this.#options;
    return identifyDrifts(
      {
        writes: writes.log,
        waitMs: writes.waitMs,
        served: target.served,
        clock,
        signal: this.#abort.signal,
        waited: this.#waited,
      },
      {
        ref,
        drifts: seen.drifts,
        ...(live === undefined ? {} : { resourceVersion: resourceVersionOf(live.object) }),
        ...(seen.cause.origin === "watch" ? { arrivedAt: seen.cause.arrivedAt } : {}),
      },
    );
  }

  /** How an episode found in sync ended: the sources changed, kubedrift healed it, or someone put it back. */
  #endOf(key: string, seen: { readonly reloaded: boolean }): EpisodeEnd {
    if (seen.reloaded) return EpisodeEnds.sourceChanged;
    return this.#healer?.endedBy(key) ?? EpisodeEnds.reverted;
  }

  #latency(fresh: readonly ObservedDrift[], cause: Cause): void {
    const { clock, listener } = this.#options;
    const seconds = Math.max(0, clock.now() - changeTime(fresh, cause.arrivedAt)) / 1000;
    this.#tell(() => listener?.onDetectionLatency?.(seconds));
  }

  /** Marks the fields of fight loops these drifts reach as contested, in the store and to the listener. */
  async #contest(
    key: string,
    ref: ObjectRef,
    seen: { readonly episode: Episode; readonly drifts: readonly ObservedDrift[] },
  ): Promise<Episode> {
    let episode = seen.episode;
    for (const contest of this.#healer?.flips(key, seen.drifts) ?? []) {
      episode = (await this.#options.store.markContested(ref, contest.field, contest.manager)) ?? episode;
      const told = { ...contest, rule: proposedIgnoreRule(episode.resource, contest.field) };
      const current = episode;
      this.#tell(() => this.#options.listener?.onEpisodeContested?.(current, told));
    }
    return episode;
  }

  #now(): string {
    return new Date(this.#options.clock.now()).toISOString();
  }

  async #close(
    key: string,
    ref: ObjectRef,
    end: { readonly at: string; readonly how: EpisodeEnd },
  ): Promise<void> {
    const healedBy = this.#healer?.healedBy(key);
    const closed = await this.#options.store.recordObservation(ref, [], end.at, {
      endedBy: end.how,
      ...(healedBy === undefined ? {} : { healedBy }),
    });
    this.#healer?.closed(key, end.how);
    this.#episodes.delete(key);
    if (closed !== null) this.#tell(() => this.#options.listener?.onEpisodeClosed?.(closed));
  }

  #announce(episode: Episode, news: { readonly opened: boolean; readonly fresh: readonly string[] }): void {
    const listener = this.#options.listener;
    if (news.opened) {
      this.#episodesOpened += 1;
      this.#tell(() => listener?.onEpisodeOpened?.(episode));
    } else if (news.fresh.length > 0) {
      this.#tell(() => listener?.onEpisodeExtended?.(episode, news.fresh));
    }
  }

  /** A listener's exception is reported, never allowed to stop the loop. */
  #tell(call: () => void): void {
    try {
      call();
    } catch (error: unknown) {
      this.#report(asError(error));
    }
  }

  #report(error: Error): void {
    try {
      this.#options.listener?.onError?.(error);
    } catch {
      // Nothing else to tell.
    }
  }
}

/** The name the target's cluster is recorded under. */
export function clusterNameOf(target: Pick<WatchTarget, "cluster" | "clusterName">): string {
  return target.clusterName ?? target.cluster.name;
}

/**
 * Starts watching: reads which episodes are open (so that a restart continues them), then starts
 * the informers. `synced` tells when the first full sync is done.
 */
export async function startWatch(options: WatchOptions): Promise<Watch> {
  const open = await options.store.query({ openOnly: true });
  const keys = new Set(inShard(options.target.desired, options.shard).map((object) => refKey(object.ref)));
  const ours = open.filter((episode) => keys.has(refKey({ ...episode.resource, version: "" })));
  return new RunningWatch(options, ours);
}

/** One informer's LIST and WATCH: a resource, in one namespace or all (and cluster-scoped ones). */
export interface Job {
  readonly resource: ServedResource;
  readonly namespace: string | undefined;
}

/**
 * A shard's jobs: of a namespace scope, its own namespaces; of cluster-scoped kinds, shard 0 only.
 * A job across all namespaces (`-A`) stays one cluster-wide watch, whose objects of other shards
 * the informer drops (`acceptOf`).
 */
export function shardJobs(jobs: readonly Job[], shard: Shard | undefined): readonly Job[] {
  if (shard === undefined) return jobs;
  return jobs.filter((job) =>
    job.resource.namespaced
      ? job.namespace === undefined || namespaceInShard(job.namespace, shard)
      : shard.index === 0,
  );
}

/** A sharded watch across all namespaces keeps the objects of its own namespaces only. */
function acceptOf(job: Job, shard: Shard | undefined): Pick<InformerOptions, "accept"> {
  if (shard === undefined || job.namespace !== undefined || !job.resource.namespaced) return {};
  return { accept: (object) => namespaceInShard(object.ref.namespace, shard) };
}

function jobKey(job: Job): string {
  return `${job.resource.group}/${job.resource.kind}@${job.namespace ?? ""}`;
}

function listedBy(job: Job, ref: ObjectRef): boolean {
  const { group, kind } = job.resource;
  return (
    ref.group === group &&
    ref.kind === kind &&
    (job.namespace === undefined || ref.namespace === job.namespace)
  );
}

/** One listener that calls each of `listeners` in turn. */
export function combineListeners(...listeners: readonly WatchListener[]): WatchListener {
  const each =
    <K extends keyof WatchListener>(name: K) =>
    (...args: Parameters<NonNullable<WatchListener[K]>>): void => {
      for (const listener of listeners)
        (listener[name] as ((...a: typeof args) => void) | undefined)?.(...args);
    };
  return {
    onStatus: each("onStatus"),
    onEpisodeOpened: each("onEpisodeOpened"),
    onEpisodeContinued: each("onEpisodeContinued"),
    onEpisodeExtended: each("onEpisodeExtended"),
    onEpisodeClosed: each("onEpisodeClosed"),
    onHeal: each("onHeal"),
    onEpisodeContested: each("onEpisodeContested"),
    onWatchRestart: each("onWatchRestart"),
    onDetectionLatency: each("onDetectionLatency"),
    onFullSync: each("onFullSync"),
    onError: each("onError"),
  };
}
