/**
 * The informer against a real sandbox and its fault injection: every change seen once and in
 * order, dropped watches resumed without loss, 410 Gone relisted into synthetic events, 5xx
 * bursts waited out with bounded backoff (asserted on the sleeps asked of the injected clock).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import type { Cluster, WatchEnd, WatchEvent } from "../cluster/index.js";
import { connectCluster, openLiveFile } from "../cluster/index.js";
import type { RunningSandbox } from "../sandbox/index.js";
import { startSandbox } from "../sandbox/index.js";
import { kubectlOk } from "../../test/support/kubectl.js";
import type { Informer, InformerOptions } from "./informer.js";
import { createInformer } from "./informer.js";
import type { TestClock } from "./informer.test-helper.js";
import {
  EventLog,
  Writer,
  configMaps,
  converged,
  testClock,
  testLabel,
  truth,
  until,
} from "./informer.test-helper.js";

let sandbox: RunningSandbox;
let directory: string;
let cluster: Cluster;
const writer = new Writer(() => sandbox);
const running: Informer[] = [];

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), "kubedrift-informer-"));
  sandbox = await startSandbox({ kubeconfigPath: join(directory, "kubeconfig"), bookmarkIntervalMs: 200 });
  // One try per request: the informer's backoff, not the transport's retries, is under test.
  cluster = connectCluster({ kubeconfig: sandbox.kubeconfigPath, retry: { attempts: 1 }, pageSize: 2 });
});

afterEach(async () => {
  sandbox.faults.set({});
  await Promise.all(running.splice(0).map((informer) => informer.stop()));
});

afterAll(async () => {
  await sandbox.stop();
  rmSync(directory, { recursive: true, force: true });
});

function start(
  namespace: string,
  clock: TestClock,
  more: Partial<InformerOptions> = {},
): { informer: Informer; log: EventLog; errors: string[] } {
  const log = new EventLog();
  const errors: string[] = [];
  const informer = createInformer({
    cluster,
    resource: configMaps,
    namespace,
    labelSelector: testLabel,
    clock: clock.clock,
    random: () => 0.5,
    backoff: { initialMs: 100, maxMs: 800 },
    onEvent: log.record,
    onError: (error) => errors.push(error.message),
    ...more,
  });
  running.push(informer);
  return { informer, log, errors };
}

function liveFile(): Promise<Cluster> {
  const path = join(directory, "live.yaml");
  writeFileSync(
    path,
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one, namespace: default}\ndata: {v: '1'}\n",
  );
  return openLiveFile(path, { namespace: "default" });
}

describe("cluster.watch", () => {
  it("streams ADDED, MODIFIED, DELETED and BOOKMARK events from a resourceVersion and ends when aborted", async () => {
    await writer.namespace("watch-raw");
    const snapshot = await cluster.listSnapshot(configMaps, "watch-raw");
    expect(snapshot.resourceVersion).toMatch(/^\d+$/);
    const events: WatchEvent[] = [];
    const abort = new AbortController();
    const ended = cluster.watch(
      configMaps,
      {
        namespace: "watch-raw",
        resourceVersion: snapshot.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: 60,
        signal: abort.signal,
      },
      (event) => events.push(event),
    );
    await writer.create("watch-raw", "one", "1");
    await writer.modify("watch-raw", "one", "2");
    await writer.remove("watch-raw", "one");
    await until(() => events.some((event) => event.type === "BOOKMARK"), "a bookmark");
    await until(() => events.filter((event) => event.type !== "BOOKMARK").length === 3, "three events");
    abort.abort();
    expect(await ended).toEqual({ kind: "aborted" });
    expect(events.filter((event) => event.type !== "BOOKMARK").map((event) => event.type)).toEqual([
      "ADDED",
      "MODIFIED",
      "DELETED",
    ]);
  });

  it("ends as closed when the server drops the watch, with an ERROR 410 when the history is compacted", async () => {
    await writer.namespace("watch-raw-410");
    const old = await cluster.listSnapshot(configMaps, "watch-raw-410");
    await writer.create("watch-raw-410", "one", "1");
    sandbox.faults.expireWatchHistory();
    const events: WatchEvent[] = [];
    const end = await cluster.watch(
      configMaps,
      {
        namespace: "watch-raw-410",
        resourceVersion: old.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: 60,
      },
      (event) => events.push(event),
    );
    expect(end).toEqual({ kind: "closed" });
    expect(events).toMatchObject([{ type: "ERROR", status: { code: 410, reason: "Expired" } }]);
  });

  it("answers unsupported for a live file", async () => {
    const file = await liveFile();
    const end: WatchEnd = await file.watch(
      configMaps,
      { resourceVersion: "", allowWatchBookmarks: true, timeoutSeconds: 1 },
      () => undefined,
    );
    expect(end.kind).toBe("unsupported");
  });
});

describe("the informer", () => {
  it("sees each change made with kubectl exactly once, in order per object", async () => {
    const namespace = "informer-kubectl";
    await writer.namespace(namespace);
    const before = await writer.create(namespace, "before", "0");
    const clock = testClock();
    const { informer, log } = start(namespace, clock);
    await informer.synced;
    expect(log.summary()).toEqual([`add ${namespace}/before list`]);
    const kubectl = (...args: string[]): Promise<unknown> => kubectlOk(sandbox, ["-n", namespace, ...args]);
    const manifest = (name: string): string =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, labels: {test: informer}}\ndata: {v: "1"}\n`;
    await kubectlOk(sandbox, ["-n", namespace, "create", "-f", "-"], { input: manifest("web") });
    await kubectlOk(sandbox, ["-n", namespace, "create", "-f", "-"], { input: manifest("db") });
    await kubectl("patch", "configmap", "web", "--type=merge", "-p", '{"data":{"v":"2"}}');
    await kubectl("label", "configmap", "db", "tier=data");
    await kubectl("delete", "configmap", "web");
    await kubectl("annotate", "configmap", "before", "note=x");
    await converged(informer, log, () => truth(cluster, namespace));
    expect(log.summary("watch")).toEqual([
      `add ${namespace}/web watch`,
      `add ${namespace}/db watch`,
      `update ${namespace}/web watch`,
      `update ${namespace}/db watch`,
      `delete ${namespace}/web watch`,
      `update ${namespace}/before watch`,
    ]);
    expect(log.statesOf(`${namespace}/before`)[0]).toBe(before);
    expect(informer.get(`${namespace}/db`)?.object["metadata"]).toMatchObject({ labels: { tier: "data" } });
    expect(informer.get(`${namespace}/web`)).toBeUndefined();
    expect(clock.sleeps).toEqual([]);
  });

  it("resumes dropped watches from the last resourceVersion: nothing lost, nothing twice", async () => {
    const namespace = "informer-drops";
    await writer.namespace(namespace);
    for (const name of ["a", "b", "c"]) await writer.create(namespace, name, "0");
    const clock = testClock();
    const ends: WatchEnd[] = [];
    const { informer, log } = start(namespace, clock, { onWatchEnd: (end) => ends.push(end) });
    await informer.synced;
    for (let round = 1; round <= 6; round += 1) {
      expect(sandbox.faults.dropWatches()).toBeGreaterThanOrEqual(0);
      // Writes while the informer reconnects: they must come with the resumed watch.
      await writer.modify(namespace, "a", String(round));
      await writer.create(namespace, `new-${round}`, "1");
      if (round % 2 === 0) await writer.remove(namespace, `new-${round - 1}`);
    }
    // And watches that keep being cut after a few milliseconds while writes go on.
    sandbox.faults.set({ dropWatchesAfterMs: 15 });
    for (let round = 1; round <= 6; round += 1) {
      await writer.modify(namespace, "b", String(round));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    sandbox.faults.set({});
    await converged(informer, log, () => truth(cluster, namespace));
    expect(ends.length).toBeGreaterThan(1);
    // Without a 410 the watch resumes exactly: every state written is delivered once, in order.
    expect(log.summary("list")).toEqual(["a", "b", "c"].map((name) => `add ${namespace}/${name} list`));
    for (const [key, states] of writer.written) {
      if (!key.startsWith(`${namespace}/`)) continue;
      expect([key, log.statesOf(key)]).toEqual([key, states]);
    }
  });

  it("relists on 410 Gone and delivers what changed in the gap as synthetic events, the unchanged not again", async () => {
    const namespace = "informer-expired";
    await writer.namespace(namespace);
    for (const name of ["same", "changed", "gone"]) await writer.create(namespace, name, "0");
    const clock = testClock();
    const ends: WatchEnd[] = [];
    const { informer, log } = start(namespace, clock, { onWatchEnd: (end) => ends.push(end) });
    await informer.synced;
    await writer.modify(namespace, "changed", "1");
    await until(() => log.statesOf(`${namespace}/changed`).length === 2, "the first change");
    // Keep the informer away (its watches fail and it waits in a held backoff) while history moves on.
    clock.hold();
    sandbox.faults.set({ errorRate: { watch: 1 } });
    sandbox.faults.dropWatches();
    await until(() => clock.sleeps.length > 0, "the informer to back off");
    const changed = await writer.modify(namespace, "changed", "2");
    await writer.remove(namespace, "gone");
    const added = await writer.create(namespace, "added", "0");
    sandbox.faults.expireWatchHistory();
    sandbox.faults.set({});
    const before = log.events.length;
    clock.release();
    await converged(informer, log, () => truth(cluster, namespace));
    expect(
      log.events.slice(before).map((event) => `${event.type} ${event.object.ref.name} ${event.origin}`),
    ).toEqual(["add added list", "update changed list", "delete gone list"]);
    expect(log.statesOf(`${namespace}/changed`).at(-1)).toBe(changed);
    expect(log.statesOf(`${namespace}/added`)).toEqual([added]);
    expect(log.statesOf(`${namespace}/same`)).toHaveLength(1);
    expect(ends.some((end) => end.kind === "closed")).toBe(true);
  });

  it("backs off 5xx bursts on LIST and WATCH exponentially with full jitter, bounded, and recovers", async () => {
    const namespace = "informer-5xx";
    await writer.namespace(namespace);
    await writer.create(namespace, "one", "0");
    const clock = testClock();
    sandbox.faults.set({ errorRate: { list: 1 } });
    clock.onSleep = (count) => {
      if (count === 6) sandbox.faults.set({});
    };
    const { informer, log, errors } = start(namespace, clock);
    await informer.synced;
    // random() is 0.5: half of 100, 200, 400, then the 800 ms bound.
    expect(clock.sleeps).toEqual([50, 100, 200, 400, 400, 400]);
    expect(errors).toHaveLength(6);
    expect(errors[0]).toMatch(/500/);
    // A healthy watch (it delivered an event) resets the backoff.
    await writer.modify(namespace, "one", "1");
    await until(() => log.statesOf(`${namespace}/one`).length === 2, "the change");
    clock.sleeps.length = 0;
    sandbox.faults.set({ errorRate: { watch: 1 }, errorStatus: 503 });
    clock.onSleep = (count) => {
      if (count === 3) sandbox.faults.set({});
    };
    sandbox.faults.dropWatches();
    await until(() => clock.sleeps.length >= 3, "three retries");
    await writer.modify(namespace, "one", "2");
    await converged(informer, log, () => truth(cluster, namespace));
    expect(clock.sleeps).toEqual([50, 100, 200]);
    expect(errors.at(-1)).toMatch(/503/);
  });

  it("honours Retry-After of a 429 within the bound", async () => {
    const namespace = "informer-429";
    await writer.namespace(namespace);
    const clock = testClock();
    sandbox.faults.set({ errorRate: { list: 1 }, errorStatus: 429 });
    clock.onSleep = (count) => {
      if (count === 2) sandbox.faults.set({});
    };
    const { informer } = start(namespace, clock);
    await informer.synced;
    // The sandbox says Retry-After: 1 (1000 ms), above the 800 ms bound.
    expect(clock.sleeps).toEqual([800, 800]);
  });

  it("stops: synced rejects when stopped before the first LIST, nothing is delivered after stop()", async () => {
    const clock = testClock();
    sandbox.faults.set({ errorRate: { list: 1 } });
    const { informer, log } = start("informer-stop", clock);
    await until(() => clock.sleeps.length > 0, "a failed LIST");
    await informer.stop();
    await expect(informer.synced).rejects.toThrow(/stopped before its first LIST/);
    expect(log.events).toEqual([]);
  });

  it("reports a cluster that cannot be watched and stops", async () => {
    const file = await liveFile();
    const errors: string[] = [];
    const informer = createInformer({
      cluster: file,
      resource: configMaps,
      clock: testClock().clock,
      random: () => 0.5,
      backoff: { initialMs: 1, maxMs: 2 },
      onError: (error) => errors.push(error.message),
    });
    running.push(informer);
    await informer.synced;
    expect(informer.list().map((object) => object.ref.name)).toEqual(["one"]);
    await until(() => errors.length > 0, "the unsupported watch");
    expect(errors[0]).toMatch(/cannot be watched/);
  });
});
