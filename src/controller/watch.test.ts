/**
 * The watch loop against a scripted cluster (LIST answers and watch events handed in by the test)
 * and a real SQLite store in memory: each event re-evaluates its object only, episodes open,
 * extend and close, a deletion is Missing, a restart continues the open episode, a resync
 * re-evaluates everything on the injected clock.
 */
import { afterEach, describe, expect, it } from "vitest";
import type {
  Cluster,
  ListSnapshot,
  ServedResource,
  WatchEnd,
  WatchEvent,
  WatchOptions,
} from "../cluster/index.js";
import { defaultEngineConfig } from "../engine/index.js";
import { refOf } from "../kube/object.js";
import { builtinSchema } from "../kube/schema/builtin.js";
import type { KubeObject } from "../kube/value/json.js";
import type { DesiredObject, LiveObject } from "../model/index.js";
import type { Episode, HistoryStore } from "../store/index.js";
import { openStore } from "../store/index.js";
import type { Clock } from "./informer.js";
import { until } from "./informer.test-helper.js";
import type { Watch, WatchListener, WatchTarget } from "./watch.js";
import { changeTime, combineListeners, startWatch } from "./watch.js";

const configMaps: ServedResource = {
  group: "",
  version: "v1",
  kind: "ConfigMap",
  resource: "configmaps",
  namespaced: true,
  verbs: ["list", "watch"],
};

const start = Date.UTC(2026, 11, 2, 7, 0, 0);

function configMap(name: string, value: string, changed?: { manager: string; time: string }): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name,
      namespace: "shop",
      ...(changed === undefined
        ? {}
        : {
            managedFields: [
              {
                manager: changed.manager,
                operation: "Update",
                apiVersion: "v1",
                time: changed.time,
                fieldsType: "FieldsV1",
                fieldsV1: { "f:data": { "f:v": {} } },
              },
            ],
          }),
    },
    data: { v: value },
  };
}

function desired(name: string, value: string): DesiredObject {
  const object = configMap(name, value);
  return { ref: refOf(object), object, source: { file: "cm.yaml", line: 1 } };
}

/** A cluster whose LISTs answer `objects` and whose watches get what `emit` sends. */
class ScriptedCluster implements Cluster {
  readonly name = "scripted";
  readonly namespace = "shop";
  readonly objects = new Map<string, KubeObject>();
  #version = 1;
  readonly #watchers = new Set<{ send: (event: WatchEvent) => void; end: (end: WatchEnd) => void }>();

  resources(): Promise<readonly ServedResource[]> {
    return Promise.resolve([configMaps]);
  }

  async list(): Promise<readonly LiveObject[]> {
    return (await this.listSnapshot()).items;
  }

  listSnapshot(): Promise<ListSnapshot> {
    const items = [...this.objects.values()].map((object) => ({ ref: refOf(object), object }));
    return Promise.resolve({ items, resourceVersion: String(this.#version) });
  }

  watch(
    _resource: ServedResource,
    options: WatchOptions,
    onEvent: (event: WatchEvent) => void,
  ): Promise<WatchEnd> {
    return new Promise((resolve) => {
      const watcher = {
        send: onEvent,
        end: (end: WatchEnd) => {
          this.#watchers.delete(watcher);
          resolve(end);
        },
      };
      this.#watchers.add(watcher);
      options.signal?.addEventListener("abort", () => watcher.end({ kind: "aborted" }));
    });
  }

  schema(): Promise<typeof builtinSchema> {
    return Promise.resolve(builtinSchema);
  }

  get watching(): number {
    return this.#watchers.size;
  }

  /** Stores the object and sends its event to every watch. */
  put(object: KubeObject, type: "ADDED" | "MODIFIED" = "MODIFIED"): void {
    const stored = this.#stamp(object);
    this.objects.set(refOf(stored).name, stored);
    for (const watcher of this.#watchers)
      watcher.send({ type, object: { ref: refOf(stored), object: stored } });
  }

  remove(name: string): void {
    const object = this.objects.get(name);
    if (object === undefined) return;
    this.objects.delete(name);
    const gone = this.#stamp(object);
    for (const watcher of this.#watchers)
      watcher.send({ type: "DELETED", object: { ref: refOf(gone), object: gone } });
  }

  /** Ends every watch stream as the server would at its timeout. */
  closeWatches(): void {
    for (const watcher of [...this.#watchers]) watcher.end({ kind: "closed" });
  }

  #stamp(object: KubeObject): KubeObject {
    this.#version += 1;
    const metadata = object["metadata"] as Record<string, unknown>;
    return { ...object, metadata: { ...metadata, resourceVersion: String(this.#version) } };
  }
}

/** Time moves only when told; the resync's sleeps wait for `resync()`, every other sleep ends at once. */
class ManualClock implements Clock {
  time = start;
  #resyncs: (() => void)[] = [];

  constructor(private readonly resyncMs: number) {}

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (ms !== this.resyncMs) return new Promise((resolve) => setTimeout(resolve, 1));
    return new Promise((resolve) => {
      this.#resyncs.push(resolve);
      signal.addEventListener("abort", () => resolve());
    });
  }

  get waiting(): number {
    return this.#resyncs.length;
  }

  resync(): void {
    const waiting = this.#resyncs.splice(0);
    for (const resolve of waiting) resolve();
  }
}

interface Recorded {
  readonly opened: Episode[];
  readonly continued: Episode[];
  readonly extended: { episode: Episode; paths: readonly string[] }[];
  readonly closed: Episode[];
  readonly latencies: number[];
  readonly syncs: boolean[];
  readonly errors: string[];
  readonly restarts: WatchEnd[];
}

function recorder(): { recorded: Recorded; listener: WatchListener } {
  const recorded: Recorded = {
    opened: [],
    continued: [],
    extended: [],
    closed: [],
    latencies: [],
    syncs: [],
    errors: [],
    restarts: [],
  };
  return {
    recorded,
    listener: {
      onEpisodeOpened: (episode) => recorded.opened.push(episode),
      onEpisodeContinued: (episode) => recorded.continued.push(episode),
      onEpisodeExtended: (episode, paths) => recorded.extended.push({ episode, paths }),
      onEpisodeClosed: (episode) => recorded.closed.push(episode),
      onDetectionLatency: (seconds) => recorded.latencies.push(seconds),
      onFullSync: (_seconds, first) => recorded.syncs.push(first),
      onError: (error) => recorded.errors.push(error.message),
      onWatchRestart: (end) => recorded.restarts.push(end),
    },
  };
}

const resyncMs = 60_000;
const stores: HistoryStore[] = [];
const watches: Watch[] = [];

afterEach(async () => {
  await Promise.all(watches.splice(0).map((watch) => watch.stop()));
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

async function setUp(): Promise<{
  cluster: ScriptedCluster;
  clock: ManualClock;
  store: HistoryStore;
  target: WatchTarget;
}> {
  const cluster = new ScriptedCluster();
  const clock = new ManualClock(resyncMs);
  const store = await openStore("sqlite::memory:");
  stores.push(store);
  const target: WatchTarget = {
    desired: [desired("same", "1"), desired("edited", "1"), desired("absent", "1")],
    cluster,
    served: new Map([["/ConfigMap", configMaps]]),
    schema: builtinSchema,
    config: defaultEngineConfig,
    scope: { kinds: ["/ConfigMap"], namespaces: ["shop"] },
  };
  return { cluster, clock, store, target };
}

async function watching(
  parts: { clock: ManualClock; store: HistoryStore; target: WatchTarget },
  listener: WatchListener,
): Promise<Watch> {
  const watch = await startWatch({ ...parts, resyncMs, listener, random: () => 0 });
  watches.push(watch);
  await watch.synced;
  return watch;
}

async function openEpisodes(store: HistoryStore): Promise<Record<string, string[]>> {
  const open = await store.query({ openOnly: true });
  return Object.fromEntries(
    open.map((episode) => [episode.resource.name, episode.changes.map((change) => change.path)]),
  );
}

describe("watch", () => {
  it("with --shard, watches, caches and records only its own namespaces' objects, after a reload too", async () => {
    const parts = await setUp();
    // payments is shard 0 of 2 and shop shard 1 (shard.test.ts writes the hash out).
    const moved = (object: KubeObject, namespace: string): KubeObject => ({
      ...object,
      metadata: { ...(object["metadata"] as Record<string, unknown>), namespace },
    });
    const declared = (name: string): DesiredObject => {
      const object = moved(configMap(name, "1"), "payments");
      return { ref: refOf(object), object, source: { file: "cm.yaml", line: 1 } };
    };
    parts.cluster.put(moved(configMap("paid", "2"), "payments"), "ADDED");
    parts.cluster.put(moved(configMap("stray", "1"), "payments"), "ADDED");
    parts.cluster.put(configMap("edited", "2"), "ADDED");
    // -A: one watch across every namespace, whose objects of shop are dropped.
    const scope = { kinds: ["/ConfigMap"], namespaces: [] };
    const target = { ...parts.target, desired: [declared("paid"), ...parts.target.desired], scope };
    const { recorded, listener } = recorder();
    const watch = await startWatch({
      ...parts,
      target,
      resyncMs,
      listener,
      random: () => 0,
      shard: { index: 0, count: 2 },
    });
    watches.push(watch);
    await watch.synced;
    const keys = (): string[] => [...watch.state().statuses.keys()].sort();
    expect(keys()).toEqual(["/ConfigMap/payments/paid", "/ConfigMap/payments/stray"]);
    expect(watch.state().counts).toEqual({ InSync: 0, Drifted: 1, Missing: 0, Extra: 1, Error: 0 });
    expect(await openEpisodes(parts.store)).toEqual({ paid: ["/data/v"] });
    parts.cluster.put(configMap("same", "9"));
    parts.cluster.put(moved(configMap("paid", "3"), "payments"));
    await until(
      () => watch.resources().get("/ConfigMap/payments/paid")?.drifts[0]?.live === "3",
      "the change in the shard's namespace",
    );
    expect(keys()).toEqual(["/ConfigMap/payments/paid", "/ConfigMap/payments/stray"]);
    await watch.reload({
      target: { desired: [...target.desired, declared("fresh")], config: target.config, scope },
    });
    expect(keys()).toEqual([
      "/ConfigMap/payments/fresh",
      "/ConfigMap/payments/paid",
      "/ConfigMap/payments/stray",
    ]);
    expect(Object.keys(await openEpisodes(parts.store)).sort()).toEqual(["fresh", "paid"]);
    expect(recorded.errors).toEqual([]);
  });

  it("evaluates everything once at the first sync, Missing objects included, then is ready", async () => {
    const parts = await setUp();
    parts.cluster.put(configMap("same", "1"), "ADDED");
    parts.cluster.put(configMap("edited", "2"), "ADDED");
    const { recorded, listener } = recorder();
    const watch = await watching(parts, listener);
    const state = watch.state();
    expect(state.ready).toBe(true);
    expect(state.counts).toEqual({ InSync: 1, Drifted: 1, Missing: 1, Extra: 0, Error: 0 });
    expect(state.episodesOpened).toBe(2);
    expect(await openEpisodes(parts.store)).toEqual({ absent: [""], edited: ["/data/v"] });
    expect(recorded.syncs).toEqual([true]);
    // Drifts found by the LIST are not detection latencies: their change came before watching.
    expect(recorded.latencies).toEqual([]);
    expect(recorded.errors).toEqual([]);
  });

  it("keeps the latest verdict of each object for the API, drifted values included", async () => {
    const parts = await setUp();
    parts.cluster.put(configMap("same", "1"), "ADDED");
    parts.cluster.put(configMap("edited", "2"), "ADDED");
    const watch = await watching(parts, recorder().listener);
    const resources = watch.resources();
    expect([...resources.values()].map((result) => [result.ref.name, result.status]).sort()).toEqual([
      ["absent", "Missing"],
      ["edited", "Drifted"],
      ["same", "InSync"],
    ]);
    expect(resources.get("/ConfigMap/shop/edited")?.drifts).toMatchObject([
      { path: "/data/v", type: "Changed", desired: "1", live: "2" },
    ]);
    // The snapshot given out does not change; the next one has the new value.
    parts.cluster.put(configMap("edited", "3"));
    await until(
      () => watch.resources().get("/ConfigMap/shop/edited")?.drifts[0]?.live === "3",
      "the new value",
    );
    expect(resources.get("/ConfigMap/shop/edited")?.drifts[0]?.live).toBe("2");
  });

  it("re-evaluates the object of each event: opens, extends and closes its episode", async () => {
    const parts = await setUp();
    parts.cluster.put(configMap("same", "1"), "ADDED");
    parts.cluster.put(configMap("edited", "1"), "ADDED");
    parts.cluster.put(configMap("absent", "1"), "ADDED");
    const { recorded, listener } = recorder();
    const watch = await watching(parts, listener);
    expect(watch.state().counts.InSync).toBe(3);

    // An edit half a second after the (whole-second) managedFields time of the change.
    parts.clock.time = start + 500;
    parts.cluster.put(configMap("edited", "2", { manager: "kubectl-edit", time: "2026-12-02T07:00:00Z" }));
    await until(() => recorded.opened.length === 1, "the episode to open");
    expect(recorded.opened[0]?.resource.name).toBe("edited");
    expect(recorded.opened[0]?.changes.map((change) => [change.path, change.manager])).toEqual([
      ["/data/v", "kubectl-edit"],
    ]);
    expect(recorded.latencies).toEqual([0.5]);

    // Deleted while drifted: the same episode goes on, the whole object now missing.
    parts.cluster.remove("edited");
    await until(() => recorded.extended.length === 1, "the episode to be extended");
    expect(recorded.extended[0]?.paths).toEqual([""]);
    expect(watch.state().counts.Missing).toBe(1);

    parts.cluster.put(configMap("edited", "1"), "ADDED");
    await until(() => recorded.closed.length === 1, "the episode to close");
    expect(recorded.closed[0]?.endedBy).toBe("reverted");
    expect(await openEpisodes(parts.store)).toEqual({});
    const all = await parts.store.query();
    expect(all).toHaveLength(1);
    expect(watch.state().episodesOpened).toBe(1);
  });

  it("repeated events of the same drift extend one episode; a restart continues it", async () => {
    const parts = await setUp();
    parts.cluster.put(configMap("same", "1"), "ADDED");
    parts.cluster.put(configMap("edited", "2"), "ADDED");
    const first = recorder();
    const watch = await watching(parts, first.listener);
    parts.cluster.put(configMap("edited", "2"));
    parts.cluster.put(configMap("edited", "2"));
    await until(() => watch.state().counts.Drifted === 1, "the evaluations");
    await watch.stop();

    const second = recorder();
    const again = await watching(parts, second.listener);
    expect(again.state().episodesOpened).toBe(0);
    expect(second.recorded.opened).toEqual([]);
    expect(second.recorded.continued.map((episode) => episode.resource.name).sort()).toEqual([
      "absent",
      "edited",
    ]);
    const episodes = await parts.store.query({
      resource: { group: "", kind: "ConfigMap", namespace: "shop", name: "edited" },
    });
    expect(episodes).toHaveLength(1);
  });

  it("resyncs everything on the injected clock, and counts watch restarts", async () => {
    const parts = await setUp();
    parts.cluster.put(configMap("same", "1"), "ADDED");
    const { recorded, listener } = recorder();
    const watch = await watching(parts, listener);
    await until(() => parts.clock.waiting === 1, "the resync to wait");
    parts.clock.resync();
    await until(() => recorded.syncs.length === 2, "the resync");
    expect(recorded.syncs).toEqual([true, false]);

    await until(() => parts.cluster.watching === 1, "the watch");
    parts.cluster.closeWatches();
    await until(() => watch.state().watchRestarts === 1, "the restart to be counted");
    expect(recorded.restarts).toEqual([{ kind: "closed" }]);
  });

  it("counts an undeclared object in scope as Extra, records no episode for it, forgets it when deleted", async () => {
    const parts = await setUp();
    parts.cluster.put(configMap("stray", "1"), "ADDED");
    const { recorded, listener } = recorder();
    const watch = await watching(parts, listener);
    expect(watch.state().counts).toMatchObject({ Extra: 1, Missing: 3 });
    expect(await openEpisodes(parts.store)).toEqual({ absent: [""], edited: [""], same: [""] });
    parts.cluster.remove("stray");
    await until(() => watch.state().counts.Extra === 0, "the Extra object to be forgotten");
    expect([...watch.state().statuses.keys()].some((key) => key.endsWith("/stray"))).toBe(false);
    expect(recorded.errors).toEqual([]);
  });

  it("tells every listener; one that throws is reported, not fatal", async () => {
    const parts = await setUp();
    const { recorded, listener } = recorder();
    const throwing: WatchListener = {
      onStatus: () => {
        throw new Error("listener failed");
      },
    };
    const watch = await watching(parts, combineListeners(listener, throwing));
    expect(watch.state().counts.Missing).toBe(3);
    expect(recorded.errors).toContain("listener failed");
  });
});

describe("changeTime", () => {
  const drift = (changedAt?: string) => ({
    path: "/data/v",
    type: "Changed" as const,
    ...(changedAt === undefined
      ? {}
      : { attribution: { manager: "m", operation: "Update" as const, changedAt } }),
  });

  it("is the latest managedFields time, else the arrival; never after the arrival", () => {
    const arrived = Date.parse("2026-12-02T07:00:10.300Z");
    expect(changeTime([drift("2026-12-02T07:00:09Z"), drift("2026-12-02T07:00:10Z")], arrived)).toBe(
      Date.parse("2026-12-02T07:00:10Z"),
    );
    expect(changeTime([drift()], arrived)).toBe(arrived);
    expect(changeTime([drift("2026-12-02T07:00:11Z")], arrived)).toBe(arrived);
  });
});
