/**
 * The watch loop reloaded with new sources, against a real sandbox: an episode the new sources end
 * (the live value is desired now; the object is no longer declared) closes as `sourceChanged`; a
 * namespace the new sources add is listed and watched from then on.
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
import type { WatchTarget } from "./watch.js";
import { startWatch } from "./watch.js";

function desired(namespace: string, name: string, value: string): DesiredObject {
  const object: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace, labels: { test: "informer" } },
    data: { v: value },
  };
  return { ref: refOf(object), object, source: { file: "cm.yaml", line: 1 } };
}

let sandbox: RunningSandbox;
let directory: string;
let cluster: Cluster;
let store: HistoryStore;
const writer = new Writer(() => sandbox);

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), "kubedrift-watch-reload-"));
  sandbox = await startSandbox({ kubeconfigPath: join(directory, "kubeconfig") });
  cluster = connectCluster({ kubeconfig: sandbox.kubeconfigPath, retry: { attempts: 1 } });
  store = await openStore("sqlite::memory:");
});

afterAll(async () => {
  await store.close();
  await sandbox.stop();
  rmSync(directory, { recursive: true, force: true });
});

function target(objects: readonly DesiredObject[], namespaces: readonly string[]): WatchTarget {
  return {
    desired: objects,
    cluster,
    served: new Map([["/ConfigMap", configMaps]]),
    schema: builtinSchema,
    config: defaultEngineConfig,
    scope: { kinds: ["/ConfigMap"], namespaces },
    labelSelector: testLabel,
  };
}

describe("watch reload", () => {
  it("closes what the new sources end as sourceChanged and follows a namespace they add", async () => {
    for (const namespace of ["reload-a", "reload-b"]) await writer.namespace(namespace);
    await writer.create("reload-a", "kept", "1");
    await writer.create("reload-a", "dropped", "1");
    await writer.create("reload-b", "added", "1");
    const watch = await startWatch({
      target: target([desired("reload-a", "kept", "0"), desired("reload-a", "dropped", "0")], ["reload-a"]),
      store,
      clock: systemClock,
    });
    try {
      await watch.synced;
      expect((await store.query({ openOnly: true })).map((episode) => episode.resource.name).sort()).toEqual([
        "dropped",
        "kept",
      ]);
      await watch.reload({
        target: target(
          [desired("reload-a", "kept", "1"), desired("reload-b", "added", "0")],
          ["reload-a", "reload-b"],
        ),
      });
      const episodes = await store.query({});
      const ends = Object.fromEntries(
        episodes.map((episode) => [episode.resource.name, episode.endedBy ?? "open"]),
      );
      expect(ends).toEqual({ kept: "sourceChanged", dropped: "sourceChanged", added: "open" });
      // The new namespace is watched: a change there is seen.
      await writer.modify("reload-b", "added", "0");
      await until(async () => (await store.query({ openOnly: true })).length === 0, "the added one in sync");
      expect(watch.state().statuses.size).toBe(3);
    } finally {
      await watch.stop();
    }
  }, 60_000);
});
