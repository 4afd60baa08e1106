/**
 * An informer: a local cache of one collection kept equal to the server's by LIST then WATCH, as
 * client-go's Reflector and SharedInformer do, with time and randomness injected so that its
 * decisions (when to retry, how long to wait) can be tested without waiting.
 */
import { setTimeout as delay } from "node:timers/promises";
import type {
  ApiStatus,
  Cluster,
  ListSnapshot,
  ServedResource,
  WatchEnd,
  WatchEvent,
} from "../cluster/index.js";
import { ApiStatusError, ClusterError } from "../cluster/index.js";
import type { LiveObject } from "../model/index.js";
import { resourceVersionOf } from "../kube/object.js";

/** Time, injected: tests record the sleeps asked for instead of waiting them out. */
export interface Clock {
  /** Milliseconds since some fixed point. */
  now(): number;
  /** Resolves after `ms`, or early (without rejecting) when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined),
};

/** Where an event came from: a watch event, or the difference a LIST found against the cache. */
export type EventOrigin = "watch" | "list";

export type InformerEvent =
  | { readonly type: "add"; readonly object: LiveObject; readonly origin: EventOrigin }
  | {
      readonly type: "update";
      readonly previous: LiveObject;
      readonly object: LiveObject;
      readonly origin: EventOrigin;
    }
  /** `object` is the last state known: the DELETED event's, or the cache's when a relist found it gone. */
  | { readonly type: "delete"; readonly object: LiveObject; readonly origin: EventOrigin };

export interface InformerHandlers {
  readonly onEvent?: (event: InformerEvent) => void;
  readonly onAdd?: (object: LiveObject) => void;
  readonly onUpdate?: (previous: LiveObject, object: LiveObject) => void;
  readonly onDelete?: (object: LiveObject) => void;
  /** Once, after the first full LIST is in the cache (its add events delivered). */
  readonly onSynced?: () => void;
  /** A failed LIST or WATCH (the informer retries), an exception of a handler, or the end of watching. */
  readonly onError?: (error: Error) => void;
  /** Every end of a watch stream and why (for `kubedrift_watch_restarts_total`). */
  readonly onWatchEnd?: (end: WatchEnd) => void;
}

export interface InformerOptions extends InformerHandlers {
  readonly cluster: Cluster;
  readonly resource: ServedResource;
  /** One namespace, or all (undefined). */
  readonly namespace?: string;
  readonly labelSelector?: string;
  /**
   * Which listed or watched objects are kept (all without): the others are dropped before they are
   * cached or delivered, so that a sharded watch's memory scales with its shard (`--shard`).
   */
  readonly accept?: (object: LiveObject) => boolean;
  readonly clock: Clock;
  /** In [0, 1): the jitter of the backoff and of the watch timeout. */
  readonly random: () => number;
  /** Full-jitter exponential backoff: the n-th failure in a row waits random() × min(maxMs, initialMs × 2ⁿ⁻¹). */
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  /**
   * The shortest watch the server is asked for; each watch asks for it × (1 + random()), as
   * client-go's Reflector (5 minutes), so that many informers do not all reconnect at once.
   */
  readonly minWatchTimeoutSeconds?: number;
}

export interface Informer {
  /** Resolves after the first full LIST; rejects when the informer stops or cannot run before that. */
  readonly synced: Promise<void>;
  /** The cached object of `namespace/name` (`name` for cluster-scoped ones). */
  get(key: string): LiveObject | undefined;
  list(): readonly LiveObject[];
  /** The last resourceVersion seen (a List's, an event's or a bookmark's): where the next watch resumes. */
  readonly resourceVersion: string;
  /** Ends the watch and the loop; resolves once nothing more will be delivered. */
  stop(): Promise<void>;
}

/** client-go's MetaNamespaceKeyFunc: `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(object: LiveObject): string {
  return object.ref.namespace === "" ? object.ref.name : `${object.ref.namespace}/${object.ref.name}`;
}

/** What one step of the loop asks next: go on at once, wait out the backoff first, or stop. */
type Step =
  | { readonly next: "go" }
  | { readonly next: "backoff"; readonly retryAfterMs: number }
  | { readonly next: "stop" };

const go: Step = { next: "go" };

function backoffAfter(status: ApiStatus | undefined): Step {
  return { next: "backoff", retryAfterMs: (status?.retryAfterSeconds ?? 0) * 1000 };
}

/** A watch stream that ended by itself after this little time without any event is a failure, not a healthy end. */
const shortestHealthyWatchMs = 1000;

/** What a watch saw while it ran. */
interface WatchProgress {
  /** Any event or bookmark: the server answered and the resume point moved. */
  progressed: boolean;
  /** An ERROR event with 410: the resume point is older than the server's history. */
  expired: boolean;
  /** Another ERROR event. */
  error: ApiStatus | undefined;
}

function isExpired(status: ApiStatus): boolean {
  // 410 Gone with reason Expired (or Gone, from older servers): "too old resource version".
  return status.code === 410;
}

function describeStatus(status: ApiStatus): string {
  const said = status.message !== "" ? status.message : status.reason;
  return said === "" ? `${status.code}` : `${status.code} ${said}`;
}

class RunningInformer implements Informer {
  readonly synced: Promise<void>;
  readonly #options: InformerOptions;
  readonly #abort = new AbortController();
  readonly #loop: Promise<void>;
  #cache = new Map<string, LiveObject>();
  #resourceVersion = "";
  #needList = true;
  #justListed = false;
  #failures = 0;
  #settle: { resolve: () => void; reject: (error: Error) => void } | undefined;

  constructor(options: InformerOptions) {
    this.#options = options;
    this.synced = new Promise<void>((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    // The caller may never await `synced` (it may only use onSynced): its rejection must not go unhandled.
    this.synced.catch(() => undefined);
    this.#loop = this.#run();
  }

  get resourceVersion(): string {
    return this.#resourceVersion;
  }

  get(key: string): LiveObject | undefined {
    return this.#cache.get(key);
  }

  list(): readonly LiveObject[] {
    return [...this.#cache.values()];
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      const step = this.#needList ? await this.#relist() : await this.#watchOnce();
      if (step.next === "stop") break;
      if (step.next === "backoff") await this.#backoff(step.retryAfterMs);
    }
    this.#settleSynced(new ClusterError("the informer stopped before its first LIST"));
  }

  /** Full jitter (AWS, "Exponential Backoff And Jitter"): many clients do not retry in step after an outage. */
  async #backoff(retryAfterMs: number): Promise<void> {
    this.#failures = Math.min(this.#failures + 1, 32);
    const { initialMs, maxMs } = this.#options.backoff;
    const ceiling = Math.min(maxMs, initialMs * 2 ** (this.#failures - 1));
    // Retry-After (429) is the server's own estimate: waited for, but never beyond maxMs.
    const ms = Math.min(maxMs, Math.max(this.#options.random() * ceiling, retryAfterMs));
    await this.#options.clock.sleep(ms, this.#abort.signal);
  }

  #settleSynced(error?: Error): void {
    const settle = this.#settle;
    if (settle === undefined) return;
    this.#settle = undefined;
    if (error === undefined) settle.resolve();
    else settle.reject(error);
  }

  /** LIST, then make the cache equal to it, delivering the differences (relist after 410 Gone). */
  async #relist(): Promise<Step> {
    const { cluster, resource, namespace, labelSelector } = this.#options;
    let snapshot: ListSnapshot;
    try {
      snapshot = await cluster.listSnapshot(
        resource,
        namespace,
        labelSelector === undefined ? {} : { labelSelector },
      );
    } catch (error: unknown) {
      if (this.#abort.signal.aborted) return { next: "stop" };
      this.#report(error instanceof Error ? error : new Error(String(error)));
      return backoffAfter(error instanceof ApiStatusError ? error.status : undefined);
    }
    if (this.#abort.signal.aborted) return { next: "stop" };
    this.#replace(snapshot.items);
    this.#resourceVersion = snapshot.resourceVersion;
    this.#needList = false;
    this.#justListed = true;
    if (this.#settle !== undefined) {
      this.#settleSynced();
      this.#call(() => this.#options.onSynced?.());
    }
    return go;
  }

  /**
   * The cache becomes the list. What changed while nobody watched (the gap before a relist) is
   * delivered as add/update/delete; an object whose resourceVersion is unchanged is not delivered
   * again (resourceVersions are opaque: only equality is meaningful).
   */
  #replace(items: readonly LiveObject[]): void {
    const next = new Map<string, LiveObject>();
    const accept = this.#options.accept;
    for (const object of items)
      if (accept === undefined || accept(object)) next.set(objectKey(object), object);
    const previous = this.#cache;
    this.#cache = next;
    for (const [key, object] of next) {
      const old = previous.get(key);
      if (old === undefined) this.#deliver({ type: "add", object, origin: "list" });
      else if (resourceVersionOf(old.object) !== resourceVersionOf(object.object))
        this.#deliver({ type: "update", previous: old, object, origin: "list" });
    }
    for (const [key, object] of previous) {
      if (!next.has(key)) this.#deliver({ type: "delete", object, origin: "list" });
    }
  }

  async #watchOnce(): Promise<Step> {
    const { cluster, resource, namespace, labelSelector } = this.#options;
    const progress: WatchProgress = { progressed: false, expired: false, error: undefined };
    const started = this.#options.clock.now();
    const minimum = this.#options.minWatchTimeoutSeconds ?? 300;
    const end = await cluster.watch(
      resource,
      {
        ...(namespace === undefined ? {} : { namespace }),
        ...(labelSelector === undefined ? {} : { labelSelector }),
        resourceVersion: this.#resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: Math.round(minimum * (1 + this.#options.random())),
        signal: this.#abort.signal,
      },
      (event) => this.#onWatchEvent(event, progress),
    );
    const justListed = this.#justListed;
    this.#justListed = false;
    this.#call(() => this.#options.onWatchEnd?.(end));
    const lasted = this.#options.clock.now() - started;
    return this.#afterWatch(end, progress, { justListed, lasted });
  }

  #afterWatch(end: WatchEnd, progress: WatchProgress, run: { justListed: boolean; lasted: number }): Step {
    if (end.kind === "aborted" || this.#abort.signal.aborted) return { next: "stop" };
    if (end.kind === "unsupported") return this.#unsupported(end.message);
    if (progress.expired || (end.kind === "status" && isExpired(end.status)))
      return this.#expired(progress, run);
    if (progress.error !== undefined)
      return this.#failed(`watch error: ${describeStatus(progress.error)}`, progress.error);
    if (end.kind === "status")
      return this.#failed(`watch refused: ${describeStatus(end.status)}`, end.status);
    return this.#ended(end, progress, run.lasted);
  }

  /** The stream ended by itself or broke. */
  #ended(end: WatchEnd, progress: WatchProgress, lasted: number): Step {
    const healthy = progress.progressed || (end.kind === "closed" && lasted >= shortestHealthyWatchMs);
    if (!healthy)
      return this.#failed(end.kind === "dropped" ? end.message : "the watch ended at once", undefined);
    // A healthy watch resets the backoff; the next one resumes at once from the last resourceVersion.
    this.#failures = 0;
    return go;
  }

  #unsupported(message: string): Step {
    const error = new ClusterError(message);
    this.#report(error);
    this.#settleSynced(error);
    return { next: "stop" };
  }

  /**
   * 410 Gone: the server no longer has the events after our resourceVersion (compacted, or it
   * restarted). Only a new LIST can tell what happened in the gap. A watch that gets 410 at once
   * after a fresh LIST is a failure (so that it cannot loop without pause).
   */
  #expired(progress: WatchProgress, run: { justListed: boolean }): Step {
    this.#needList = true;
    if (run.justListed && !progress.progressed) {
      return this.#failed("the watch expired right after a LIST", undefined);
    }
    return go;
  }

  #failed(message: string, status: ApiStatus | undefined): Step {
    this.#report(new ClusterError(`watching ${this.#options.resource.resource} failed: ${message}`));
    return backoffAfter(status);
  }

  #onWatchEvent(event: WatchEvent, progress: WatchProgress): void {
    switch (event.type) {
      case "ERROR":
        if (isExpired(event.status)) progress.expired = true;
        else progress.error = event.status;
        return;
      case "BOOKMARK":
        // Watch bookmarks: no object, only a newer point to resume from.
        progress.progressed = true;
        if (event.resourceVersion !== "") this.#resourceVersion = event.resourceVersion;
        return;
      default:
        progress.progressed = true;
        this.#apply(event.type, event.object);
    }
  }

  #apply(type: "ADDED" | "MODIFIED" | "DELETED", object: LiveObject): void {
    const key = objectKey(object);
    const old = this.#cache.get(key);
    const resourceVersion = resourceVersionOf(object.object);
    if (resourceVersion !== "") this.#resourceVersion = resourceVersion;
    // Not ours (another shard's): the resume point moves on, the object is never kept.
    if (this.#options.accept?.(object) === false) return;
    if (type === "DELETED") {
      // A deletion of an object never seen (or already removed by a relist) is not delivered twice.
      if (old === undefined) return;
      this.#cache.delete(key);
      this.#deliver({ type: "delete", object, origin: "watch" });
      return;
    }
    // The same resourceVersion is the same state: already delivered (by a relist, say).
    if (old !== undefined && resourceVersionOf(old.object) === resourceVersion) return;
    this.#cache.set(key, object);
    // As client-go's processDeltas: an ADDED for a cached key is an update, a MODIFIED for an unknown one an add.
    this.#deliver(
      old === undefined
        ? { type: "add", object, origin: "watch" }
        : { type: "update", previous: old, object, origin: "watch" },
    );
  }

  #deliver(event: InformerEvent): void {
    const handlers = this.#options;
    this.#call(() => {
      handlers.onEvent?.(event);
      if (event.type === "add") handlers.onAdd?.(event.object);
      else if (event.type === "update") handlers.onUpdate?.(event.previous, event.object);
      else handlers.onDelete?.(event.object);
    });
  }

  /** A handler's exception is reported, never allowed to stop the informer. */
  #call(handler: () => void): void {
    try {
      handler();
    } catch (error: unknown) {
      this.#report(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #report(error: Error): void {
    try {
      this.#options.onError?.(error);
    } catch {
      // The error reporter failing leaves nothing else to tell.
    }
  }
}

/** Starts an informer at once: LIST, then WATCH from the List's resourceVersion, until `stop()`. */
export function createInformer(options: InformerOptions): Informer {
  return new RunningInformer(options);
}
