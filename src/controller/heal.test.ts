/**
 * Healing: the rate limit and the fight-loop count on their own; then the watch loop against a real
 * sandbox with `heal` policies — a drifted field is put back and the episode ends as `healed`, a
 * field of another manager is left as it is, a field under `detect` is not healed, and a manager
 * that keeps flipping a field back is a fight loop: healing it stops and the episode is contested.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cluster } from "../cluster/index.js";
import { connectCluster } from "../cluster/index.js";
import { defaultEngineConfig } from "../engine/index.js";
import type { PolicyRule } from "../engine/index.js";
import { refOf } from "../kube/object.js";
import { builtinSchema } from "../kube/schema/builtin.js";
import type { KubeObject } from "../kube/value/json.js";
import type { DesiredObject } from "../model/index.js";
import { DriftTypes } from "../model/index.js";
import type { RunningSandbox } from "../sandbox/index.js";
import { startSandbox } from "../sandbox/index.js";
import type { HistoryStore } from "../store/index.js";
import { openStore } from "../store/index.js";
import { FightTracker, HealLimiter } from "./heal.js";
import type { HealOutcome } from "./heal.js";
import { systemClock } from "./informer.js";
import { Writer, configMaps, testLabel, until } from "./informer.test-helper.js";
import type { Watch } from "./watch.js";
import { startWatch } from "./watch.js";

describe("HealLimiter", () => {
  it("lets a burst of perMinute through, then one per 60/perMinute seconds", () => {
    const limiter = new HealLimiter(2);
    expect(limiter.take(0)).toBe(0);
    expect(limiter.take(0)).toBe(0);
    expect(limiter.take(0)).toBe(30_000);
    expect(limiter.take(10_000)).toBe(20_000);
    expect(limiter.take(30_000)).toBe(0);
  });
});

describe("FightTracker", () => {
  const flip = (manager: string) => ({
    path: "/spec/replicas",
    type: DriftTypes.changed,
    attribution: { manager, operation: "Update" as const },
  });

  it("counts one flip per heal, by manager, and reaches the limit on the third", () => {
    const fights = new FightTracker({ fightFlips: 3, fightWindowMs: 600_000 });
    expect(fights.drifted("web", flip("hpa"), 0)).toBeUndefined();
    fights.healed("web", ["/spec/replicas"]);
    expect(fights.drifted("web", flip("hpa"), 1000)).toBeUndefined();
    // The same drift seen again before the next heal is not another flip.
    expect(fights.drifted("web", flip("hpa"), 1500)).toBeUndefined();
    fights.healed("web", ["/spec/replicas"]);
    expect(fights.drifted("web", flip("other"), 2000)).toBeUndefined();
    fights.healed("web", ["/spec/replicas"]);
    expect(fights.drifted("web", flip("hpa"), 3000)).toBeUndefined();
    fights.healed("web", ["/spec/replicas"]);
    expect(fights.drifted("web", flip("hpa"), 4000)).toEqual({
      field: "/spec/replicas",
      manager: "hpa",
      flips: 3,
    });
  });

  it("forgets flips older than the window, and kubedrift's own writes", () => {
    const fights = new FightTracker({ fightFlips: 2, fightWindowMs: 1000 });
    fights.healed("web", ["/spec/replicas"]);
    expect(fights.drifted("web", flip("hpa"), 0)).toBeUndefined();
    fights.healed("web", ["/spec/replicas"]);
    expect(fights.drifted("web", flip("hpa"), 5000)).toBeUndefined();
    fights.healed("web", ["/spec/replicas"]);
    expect(fights.drifted("web", flip("kubedrift"), 5100)).toBeUndefined();
    expect(fights.drifted("web", flip("hpa"), 5200)).toMatchObject({ flips: 2 });
  });
});

const namespace = "watch-heal";

function desired(name: string, data: Record<string, string>): DesiredObject {
  const object: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace, labels: { test: "informer" } },
    data,
  };
  return { ref: refOf(object), object, source: { file: "cm.yaml", line: 1 } };
}

let sandbox: RunningSandbox;
let directory: string;
let cluster: Cluster;
let store: HistoryStore;
const writer = new Writer(() => sandbox);

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), "kubedrift-watch-heal-"));
  sandbox = await startSandbox({ kubeconfigPath: join(directory, "kubeconfig") });
  cluster = connectCluster({ kubeconfig: sandbox.kubeconfigPath, retry: { attempts: 1 } });
  store = await openStore("sqlite::memory:");
  await writer.namespace(namespace);
});

afterAll(async () => {
  await store.close();
  await sandbox.stop();
  rmSync(directory, { recursive: true, force: true });
});

/** Writes `data` keys of a ConfigMap as `manager` would (a JSON merge patch, an Update). */
async function write(name: string, data: Record<string, string>, manager: string): Promise<void> {
  const outcome = await cluster.writer?.jsonPatch(
    configMaps,
    { namespace, name },
    Object.entries(data).map(([key, value]) => ({ op: "add", path: `/data/${key}`, value })),
    { fieldManager: manager, dryRun: false },
  );
  expect(outcome?.ok, JSON.stringify(outcome)).toBe(true);
}

async function dataOf(name: string): Promise<Record<string, string>> {
  const items = await cluster.list(configMaps, namespace, { labelSelector: testLabel });
  const item = items.find((candidate) => candidate.ref.name === name);
  return (item?.object["data"] as Record<string, string> | undefined) ?? {};
}

async function watchWith(
  objects: readonly DesiredObject[],
  rules: readonly PolicyRule[],
  heals: HealOutcome[],
): Promise<Watch> {
  const watch = await startWatch({
    target: {
      desired: objects,
      cluster,
      served: new Map([["/ConfigMap", configMaps]]),
      schema: builtinSchema,
      config: defaultEngineConfig,
      scope: { kinds: ["/ConfigMap"], namespaces: [namespace] },
      labelSelector: testLabel,
    },
    store,
    clock: systemClock,
    policies: { rules, fallback: "detect" },
    heal: { afterMs: 0, perMinute: 600, fightFlips: 3, fightWindowMs: 600_000 },
    listener: { onHeal: (_result, outcome) => heals.push(outcome) },
  });
  await watch.synced;
  return watch;
}

describe("watch heals", () => {
  it("puts back the heal fields only, keeps others' fields, and ends the episode as healed", async () => {
    await writer.create(namespace, "settings", "0");
    const heals: HealOutcome[] = [];
    const watch = await watchWith(
      [desired("settings", { v: "0", w: "1" })],
      [
        { mode: "heal", names: ["settings"] },
        { mode: "detect", path: "/data/w" },
      ],
      heals,
    );
    try {
      // A controller's field is not drift: healing leaves it. w is drifted (Removed) but under detect.
      await write("settings", { extra: "kept" }, "kube-controller-manager");
      await write("settings", { v: "9" }, "kubectl-edit");
      await until(async () => (await dataOf("settings"))["v"] === "0", "v healed back to 0");
      const data = await dataOf("settings");
      expect(data).toEqual({ v: "0", extra: "kept" });
      expect(heals.filter((heal) => heal.result === "succeeded").map((heal) => heal.fields)).toContainEqual([
        "/data/v",
      ]);
      // w is still missing (detect): the episode stays open; adding it ends the episode as reverted.
      await write("settings", { w: "1" }, "kubectl-edit");
      await until(async () => {
        const [episode] = await store.query({ namespace, resource: settingsKey });
        return episode !== undefined && episode.endedAt !== null;
      }, "the episode closed");
      const [episode] = await store.query({ namespace, resource: settingsKey });
      expect(episode?.endedBy).toBe("reverted");
    } finally {
      await watch.stop();
    }
  }, 60_000);

  it("ends as healed when the heal put back every drifted field", async () => {
    await writer.create(namespace, "flags", "0");
    const heals: HealOutcome[] = [];
    const watch = await watchWith([desired("flags", { v: "0" })], [{ mode: "heal" }], heals);
    try {
      await write("flags", { v: "1" }, "kubectl-edit");
      await until(async () => {
        const [episode] = await store.query({ namespace, resource: { ...settingsKey, name: "flags" } });
        return episode !== undefined && episode.endedAt !== null;
      }, "the episode closed");
      const [episode] = await store.query({ namespace, resource: { ...settingsKey, name: "flags" } });
      expect(episode?.endedBy).toBe("healed");
      expect(await dataOf("flags")).toEqual({ v: "0" });
    } finally {
      await watch.stop();
    }
  }, 60_000);

  it("stops healing a field another manager keeps flipping back, and marks the episode contested", async () => {
    await writer.create(namespace, "scaled", "0");
    const heals: HealOutcome[] = [];
    const contests: string[] = [];
    const watch = await startWatchContested(contests, heals);
    try {
      for (let flip = 1; flip <= 4; flip += 1) {
        await until(async () => (await dataOf("scaled"))["v"] === "0", `v back to 0 before flip ${flip}`);
        await write("scaled", { v: String(flip) }, "hpa-bot");
      }
      await until(() => contests.length > 0, "a contest");
      expect(contests[0]).toBe(
        "/data/v by hpa-bot after 3 flips: {path: /data/v, kinds: [ConfigMap], namespaces: [watch-heal], names: [scaled]}",
      );
      const [episode] = await store.query({ namespace, resource: { ...settingsKey, name: "scaled" } });
      expect(episode).toMatchObject({
        endedAt: null,
        contested: true,
        contestedBy: "hpa-bot",
        contestedField: "/data/v",
      });
      // Healing stopped: the fourth flip stays.
      expect(await dataOf("scaled")).toEqual({ v: "4" });
      expect(heals.filter((heal) => heal.result === "succeeded")).toHaveLength(3);
    } finally {
      await watch.stop();
    }
  }, 60_000);
});

const settingsKey = { group: "", kind: "ConfigMap", namespace, name: "settings" };

async function startWatchContested(contests: string[], heals: HealOutcome[]): Promise<Watch> {
  const watch = await startWatch({
    target: {
      desired: [desired("scaled", { v: "0" })],
      cluster,
      served: new Map([["/ConfigMap", configMaps]]),
      schema: builtinSchema,
      config: defaultEngineConfig,
      scope: { kinds: ["/ConfigMap"], namespaces: [namespace] },
      labelSelector: testLabel,
    },
    store,
    clock: systemClock,
    policies: { rules: [], fallback: "heal" },
    heal: { afterMs: 0, perMinute: 600, fightFlips: 3, fightWindowMs: 600_000 },
    listener: {
      onHeal: (_result, outcome) => heals.push(outcome),
      onEpisodeContested: (_episode, contest) =>
        contests.push(`${contest.field} by ${contest.manager} after ${contest.flips} flips: ${contest.rule}`),
    },
  });
  await watch.synced;
  return watch;
}
