/**
 * A heal someone asked for (`Watch.healNow`, the dashboard's `Heal`) against a real sandbox: under
 * a `detect` policy (no heal of its own), nothing to do while in sync; a field edited out of band is
 * put back at once (no `--heal-after`), and the episode ends `healed` with the user who asked.
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

const namespace = "heal-now";
const resource = { group: "", kind: "ConfigMap", namespace, name: "settings" };

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
  directory = mkdtempSync(join(tmpdir(), "kubedrift-heal-now-"));
  sandbox = await startSandbox({ kubeconfigPath: join(directory, "kubeconfig") });
  cluster = connectCluster({ kubeconfig: sandbox.kubeconfigPath, retry: { attempts: 1 } });
  store = await openStore("sqlite::memory:");
  await writer.namespace(namespace);
}, 60_000);

afterAll(async () => {
  await store.close();
  await sandbox.stop();
  rmSync(directory, { recursive: true, force: true });
});

async function dataOf(name: string): Promise<Record<string, string>> {
  const items = await cluster.list(configMaps, namespace, { labelSelector: testLabel });
  const item = items.find((candidate) => candidate.ref.name === name);
  return (item?.object["data"] as Record<string, string> | undefined) ?? {};
}

describe("healNow", () => {
  it("puts the drifted field back under a detect policy and ends the episode healed by the user", async () => {
    await writer.create(namespace, "settings", "0");
    const watch = await startWatch({
      target: {
        desired: [desired("settings", { v: "0" })],
        cluster,
        served: new Map([["/ConfigMap", configMaps]]),
        schema: builtinSchema,
        config: defaultEngineConfig,
        scope: { kinds: ["/ConfigMap"], namespaces: [namespace] },
        labelSelector: testLabel,
      },
      store,
      clock: systemClock,
      policies: { rules: [], fallback: "detect" },
    });
    try {
      await watch.synced;
      expect(await watch.healNow(resource, "alice")).toEqual({ result: "inSync" });
      expect(await watch.healNow({ ...resource, name: "nope" }, "alice")).toEqual({ result: "notFound" });
      const outcome = await cluster.writer?.jsonPatch(
        configMaps,
        { namespace, name: "settings" },
        [{ op: "replace", path: "/data/v", value: "9" }],
        { fieldManager: "kubectl-edit", dryRun: false },
      );
      expect(outcome?.ok).toBe(true);
      await until(
        async () => (await store.query({ resource, openOnly: true })).length === 1,
        "drift recorded",
      );
      expect(await watch.healNow(resource, "alice")).toEqual({ result: "healed", fields: ["/data/v"] });
      expect(await dataOf("settings")).toEqual({ v: "0" });
      await until(async () => (await store.query({ resource }))[0]?.endedAt !== null, "the episode closed");
      const [episode] = await store.query({ resource });
      expect(episode).toMatchObject({ endedBy: "healed", healedBy: "alice" });
    } finally {
      await watch.stop();
    }
  }, 60_000);
});
