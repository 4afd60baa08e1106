/**
 * `--shard` below the CLI: the jobs of a shard (its namespaces' LISTs and WATCHes, cluster-scoped
 * kinds on shard 0), and a cluster-wide informer that drops another shard's objects before caching
 * them, against a real sandbox: what it lists, what it is told by its watch, and what it delivers.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cluster, ServedResource } from "../cluster/index.js";
import { connectCluster } from "../cluster/index.js";
import { listJobs } from "../inspect/index.js";
import type { RunningSandbox } from "../sandbox/index.js";
import { startSandbox } from "../sandbox/index.js";
import { createInformer } from "./informer.js";
import { EventLog, Writer, configMaps, testClock, testLabel, until } from "./informer.test-helper.js";
import { namespaceInShard } from "./shard.js";
import { shardJobs } from "./watch.js";

const clusterRoles: ServedResource = {
  group: "rbac.authorization.k8s.io",
  version: "v1",
  kind: "ClusterRole",
  resource: "clusterroles",
  namespaced: false,
  verbs: ["list", "watch"],
};

const served = new Map([
  ["/ConfigMap", configMaps],
  ["rbac.authorization.k8s.io/ClusterRole", clusterRoles],
]);

function described(jobs: ReturnType<typeof listJobs>): string[] {
  return jobs.map((job) => `${job.resource.kind}@${job.namespace ?? "*"}`);
}

describe("shardJobs", () => {
  const kinds = ["/ConfigMap", "rbac.authorization.k8s.io/ClusterRole"];
  // ns-00, ns-02 are shard 1 of 2; ns-01, ns-03 shard 0 (shard.test.ts writes the hash out).
  const scope = { kinds, namespaces: ["ns-00", "ns-01", "ns-02", "ns-03"] };

  it("lists a shard's own namespaces, and cluster-scoped kinds on shard 0 only", () => {
    const jobs = listJobs(scope, served);
    expect(described(shardJobs(jobs, { index: 0, count: 2 }))).toEqual([
      "ConfigMap@ns-01",
      "ConfigMap@ns-03",
      "ClusterRole@*",
    ]);
    expect(described(shardJobs(jobs, { index: 1, count: 2 }))).toEqual([
      "ConfigMap@ns-00",
      "ConfigMap@ns-02",
    ]);
    expect(shardJobs(jobs, undefined)).toBe(jobs);
  });

  it("never widens a shard without namespaces of its own to every namespace", () => {
    const jobs = listJobs({ kinds, namespaces: ["ns-01"] }, served);
    expect(described(shardJobs(jobs, { index: 1, count: 2 }))).toEqual([]);
  });

  it("keeps one cluster-wide job per namespaced kind with -A", () => {
    const jobs = listJobs({ kinds, namespaces: [] }, served);
    expect(described(shardJobs(jobs, { index: 1, count: 2 }))).toEqual(["ConfigMap@*"]);
    expect(described(shardJobs(jobs, { index: 0, count: 2 }))).toEqual(["ConfigMap@*", "ClusterRole@*"]);
  });
});

describe("an informer across all namespaces with accept", () => {
  let sandbox: RunningSandbox;
  let directory: string;
  let cluster: Cluster;
  const writer = new Writer(() => sandbox);

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), "kubedrift-shard-informer-"));
    sandbox = await startSandbox({ kubeconfigPath: join(directory, "kubeconfig"), bookmarkIntervalMs: 200 });
    cluster = connectCluster({ kubeconfig: sandbox.kubeconfigPath, retry: { attempts: 1 }, pageSize: 2 });
  });

  afterAll(async () => {
    await sandbox.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it("never caches nor delivers another shard's objects, listed or watched", async () => {
    const shard = { index: 0, count: 2 };
    const ours = ["ns-01", "ns-03"];
    const theirs = ["ns-00", "ns-02"];
    for (const namespace of [...ours, ...theirs]) {
      expect(namespaceInShard(namespace, shard)).toBe(ours.includes(namespace));
      await writer.namespace(namespace);
      await writer.create(namespace, "listed", "0");
    }
    const log = new EventLog();
    const errors: string[] = [];
    const informer = createInformer({
      cluster,
      resource: configMaps,
      labelSelector: testLabel,
      accept: (object) => namespaceInShard(object.ref.namespace, shard),
      clock: testClock().clock,
      random: () => 0.5,
      backoff: { initialMs: 100, maxMs: 800 },
      onEvent: log.record,
      onError: (error) => errors.push(error.message),
    });
    try {
      await informer.synced;
      for (const namespace of [...theirs, ...ours]) {
        await writer.create(namespace, "watched", "0");
        await writer.modify(namespace, "listed", "1");
      }
      await writer.remove("ns-00", "listed");
      await writer.remove("ns-01", "listed");
      // The last write is ours: once it is delivered, every earlier one was seen (or dropped).
      await writer.modify("ns-03", "watched", "2");
      await until(
        () => log.statesOf("ns-03/watched").length === 2,
        "the last change in the shard's namespaces",
      );
      expect(log.problems).toEqual([]);
      expect(errors).toEqual([]);
      expect(
        informer
          .list()
          .map((object) => `${object.ref.namespace}/${object.ref.name}`)
          .sort(),
      ).toEqual(["ns-01/watched", "ns-03/listed", "ns-03/watched"]);
      expect(
        [...new Set(log.events.map((event) => event.object.ref.namespace))].sort(),
        "namespaces of the delivered events",
      ).toEqual(ours);
    } finally {
      await informer.stop();
    }
  });
});
