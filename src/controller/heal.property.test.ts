/**
 * Healing never goes beyond its policy, whatever the out-of-band writes (fast-check, against a real
 * sandbox): once it settles, the fields under `heal` hold their desired values and what others
 * added under `heal` is gone, while a field under `detect` keeps the last value written to it and a
 * controller's field (not drift) keeps its own.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
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
import { openStore } from "../store/index.js";
import { systemClock } from "./informer.js";
import { Writer, configMaps, testLabel, until } from "./informer.test-helper.js";
import { startWatch } from "./watch.js";

const namespace = "heal-property";
const desiredData = { a: "1", b: "2", c: "3" };

let sandbox: RunningSandbox;
let directory: string;
let cluster: Cluster;
const writer = new Writer(() => sandbox);

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), "kubedrift-heal-property-"));
  sandbox = await startSandbox({ kubeconfigPath: join(directory, "kubeconfig") });
  cluster = connectCluster({ kubeconfig: sandbox.kubeconfigPath, retry: { attempts: 1 } });
  await writer.namespace(namespace);
});

afterAll(async () => {
  await sandbox.stop();
  rmSync(directory, { recursive: true, force: true });
});

/** An out-of-band write (a person's `kubectl edit`) or a controller's (trusted: not drift). */
interface Write {
  readonly manager: "kubectl-edit" | "kube-controller-manager";
  readonly data: Readonly<Record<string, string>>;
}

const outOfBand = fc.record({
  manager: fc.constant("kubectl-edit" as const),
  data: fc.dictionary(fc.constantFrom("a", "b", "c", "x"), fc.constantFrom("7", "8", "9"), { minKeys: 1 }),
});
const controller = fc.record({
  manager: fc.constant("kube-controller-manager" as const),
  data: fc.record({ owned: fc.constantFrom("p", "q") }),
});

function desired(name: string): DesiredObject {
  const object: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace, labels: { test: "informer" } },
    data: desiredData,
  };
  return { ref: refOf(object), object, source: { file: "cm.yaml", line: 1 } };
}

async function write(name: string, { manager, data }: Write): Promise<void> {
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

/** What the object must hold once healing has settled after `writes`. */
function expected(writes: readonly Write[]): Record<string, string> {
  const last = (key: string): string | undefined =>
    writes.findLast((one) => one.data[key] !== undefined)?.data[key];
  const owned = last("owned");
  return { a: "1", b: "2", c: last("c") ?? "3", ...(owned === undefined ? {} : { owned }) };
}

let runs = 0;

describe("healing", () => {
  it("puts back the heal fields only and leaves detect fields and controllers' fields as written", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(outOfBand, controller), { minLength: 1, maxLength: 5 }),
        async (writes) => {
          runs += 1;
          const name = `cm-${runs}`;
          await writer.create(namespace, name, "unused");
          const store = await openStore("sqlite::memory:");
          // The object starts as declared, written by its deployer.
          const initial = await cluster.writer?.jsonPatch(
            configMaps,
            { namespace, name },
            [
              { op: "remove", path: "/data/v" },
              ...Object.entries(desiredData).map(([key, value]) => ({
                op: "add",
                path: `/data/${key}`,
                value,
              })),
            ],
            { fieldManager: "kubectl-client-side-apply", dryRun: false },
          );
          expect(initial?.ok).toBe(true);
          const watch = await startWatch({
            target: {
              desired: [desired(name)],
              cluster,
              served: new Map([["/ConfigMap", configMaps]]),
              schema: builtinSchema,
              config: defaultEngineConfig,
              scope: { kinds: ["/ConfigMap"], namespaces: [namespace] },
              labelSelector: testLabel,
            },
            store,
            clock: systemClock,
            policies: { rules: [{ mode: "heal" }, { mode: "detect", path: "/data/c" }], fallback: "detect" },
            heal: { afterMs: 0, perMinute: 6000, fightFlips: 1000, fightWindowMs: 60_000 },
          });
          try {
            await watch.synced;
            for (const one of writes) await write(name, one);
            const want = expected(writes);
            const settled = await until(
              async () => JSON.stringify(await dataOf(name)) === JSON.stringify(sorted(want)),
              `${name} to settle at ${JSON.stringify(want)}`,
            ).then(
              () => true,
              () => false,
            );
            expect(settled ? sorted(want) : await dataOf(name)).toEqual(sorted(want));
          } finally {
            await watch.stop();
            await store.close();
          }
        },
      ),
      { numRuns: 12 },
    );
  }, 180_000);
});

function sorted(data: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).sort(([x], [y]) => x.localeCompare(y)));
}
