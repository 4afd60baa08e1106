/**
 * The watch loop against a real sandbox while its watches are cut and its LISTs and WATCHes fail
 * in bursts: once the faults stop, the open episodes in the store are exactly the objects that
 * differ from the desired state, no object has more episodes than times it left sync, and the
 * restarts were counted.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cluster } from "../cluster/index.js";
import { connectCluster } from "../cluster/index.js";
import { defaultEngineConfig } from "../engine/index.js";
import { refOf } from "../kube/object.js";
import { builtinSchema } from "../kube/schema/builtin.js";
import type { KubeObject } from "../kube/value/json.js";
import type { DesiredObject } from "../model/index.js";
import type { RunningSandbox } from "../sandbox/index.js";
import { startSandbox } from "../sandbox/index.js";
import type { HistoryStore } from "../store/index.js";
import { openStore } from "../store/index.js";
import { systemClock } from "./informer.js";
import { Writer, configMaps, testLabel, until } from "./informer.test-helper.js";
import { startWatch } from "./watch.js";

const namespace = "watch-faults";
const names = ["a", "b", "c"];

function desired(name: string): DesiredObject {
  const object: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace, labels: { test: "informer" } },
    data: { v: "0" },
  };
  return { ref: refOf(object), object, source: { file: "cm.yaml", line: 1 } };
}

let sandbox: RunningSandbox;
let directory: string;
let cluster: Cluster;
let store: HistoryStore;
const writer = new Writer(() => sandbox);

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), "kubedrift-watch-faults-"));
  sandbox = await startSandbox({ kubeconfigPath: join(directory, "kubeconfig"), bookmarkIntervalMs: 100 });
  cluster = connectCluster({ kubeconfig: sandbox.kubeconfigPath, retry: { attempts: 1 } });
  store = await openStore("sqlite::memory:");
});

afterAll(async () => {
  await store.close();
  await sandbox.stop();
  rmSync(directory, { recursive: true, force: true });
});

/** name → value now on the server ("gone" when deleted). */
async function liveValues(): Promise<Map<string, string>> {
  const items = await cluster.list(configMaps, namespace, { labelSelector: testLabel });
  const values = new Map(names.map((name) => [name, "gone"]));
  for (const item of items) {
    const data = item.object["data"] as Record<string, string> | undefined;
    values.set(item.ref.name, data?.["v"] ?? "");
  }
  return values;
}

describe("watch under faults", () => {
  it("ends with the store's open episodes equal to the truth, no duplicates", async () => {
    await writer.namespace(namespace);
    for (const name of names) await writer.create(namespace, name, "0");
    const errors: string[] = [];
    const watch = await startWatch({
      target: {
        desired: names.map(desired),
        cluster,
        served: new Map([["/ConfigMap", configMaps]]),
        schema: builtinSchema,
        config: defaultEngineConfig,
        scope: { kinds: ["/ConfigMap"], namespaces: [namespace] },
        labelSelector: testLabel,
      },
      store,
      clock: systemClock,
      backoff: { initialMs: 10, maxMs: 100 },
      listener: { onError: (error) => errors.push(error.message) },
    });
    try {
      await watch.synced;
      expect(watch.state().counts.InSync).toBe(3);
      sandbox.faults.set({ dropWatchesAfterMs: 150, errorRate: { list: 0.3, watch: 0.3 } });
      // Each object leaves sync at most `left` times: the episodes can be no more.
      const left = new Map(names.map((name) => [name, 0]));
      const steps: [string, string][] = [
        ["a", "1"],
        ["b", "1"],
        ["a", "0"],
        ["c", "2"],
        ["a", "3"],
        ["b", "0"],
        ["c", "gone"],
        ["b", "4"],
      ];
      for (const [index, [name, value]] of steps.entries()) {
        // Every third write waits for a watch to be cut first: writes land in the gaps too.
        if (index % 3 === 0) {
          const restarts = watch.state().watchRestarts;
          await until(() => watch.state().watchRestarts > restarts, "a watch to be cut");
        }
        if (value === "gone") await writer.remove(namespace, name);
        else await writer.modify(namespace, name, value);
        if (value !== "0") left.set(name, (left.get(name) ?? 0) + 1);
      }
      sandbox.faults.set({});
      const truth = await liveValues();
      const expected = names.filter((name) => truth.get(name) !== "0").sort();
      await until(
        async () => {
          const open = await store.query({ openOnly: true, namespace });
          const drifted = open.map((episode) => episode.resource.name).sort();
          return JSON.stringify(drifted) === JSON.stringify(expected);
        },
        `open episodes of ${expected.join(", ")}`,
      );
      expect(expected).toEqual(["a", "b", "c"]);
      const all = await store.query({ namespace });
      for (const name of names) {
        const episodes = all.filter((episode) => episode.resource.name === name);
        expect(episodes.length).toBeLessThanOrEqual(left.get(name) ?? 0);
        expect(episodes.filter((episode) => episode.endedAt === null)).toHaveLength(1);
      }
      const c = all.find((episode) => episode.resource.name === "c" && episode.endedAt === null);
      expect(c?.changes.map((change) => change.path)).toContain("");
      expect(watch.state().counts).toMatchObject({ Drifted: 2, Missing: 1 });
      expect(watch.state().watchRestarts).toBeGreaterThan(0);
    } finally {
      sandbox.faults.set({});
      await watch.stop();
    }
  }, 120_000);
});
