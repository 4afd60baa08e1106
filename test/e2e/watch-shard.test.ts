/**
 * Issue 17, part 4: `watch --shard I/N` splits one cluster's namespaces across replicas. Eight
 * namespaces, each with a ConfigMap that a real `kubectl patch` drifted, and one drifted
 * ClusterRole; two built `kubedrift watch` processes, `--shard 0/2` and `--shard 1/2`, on the same
 * manifests, each with its own store and `--leader-elect`. Every namespace's drift is reported (the
 * "drift opened" log line, the store) by exactly one of them, the one the stable hash names;
 * together they cover all eight; the cluster-scoped ClusterRole is shard 0's; each takes its own
 * Lease. The same with `-A` (one cluster-wide watch per kind, the other shard's objects dropped).
 * Every wait polls with a bound; no duration is asserted.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { namespaceInShard, shardOf } from "../../src/controller/shard.js";
import type { Episode } from "../../src/store/index.js";
import { openStore } from "../../src/store/index.js";
import type { TestPostgres } from "../../src/store/postgres.test-helper.js";
import { startPostgres } from "../../src/store/postgres.test-helper.js";
import { kubectlJson, kubectlOk, writeManifest } from "../support/kubectl.js";
import { useSandbox } from "../support/sandbox.js";
import type { RunningWatch } from "../support/watch.js";
import { until, useWatchProcesses } from "../support/watch.js";

const fixture = useSandbox();
const startWatch = useWatchProcesses();

const namespaces = Array.from({ length: 8 }, (_, index) => `ns-${String(index).padStart(2, "0")}`);
const leaseNamespace = "kubedrift";
const clusterRole = "shard-e2e-reader";
const token = "shard-e2e-token-0123456789abcdef";

function manifestOf(): string {
  const configMaps = namespaces.map(
    (namespace) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: ${namespace}
data:
  mode: blue
`,
  );
  const role = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ${clusterRole}
rules:
  - apiGroups: [""]
    resources: [configmaps]
    verbs: [get]
`;
  return [...configMaps, role].join("---\n");
}

let file = "";

beforeAll(async () => {
  const sandbox = fixture.sandbox();
  file = writeManifest(fixture.directory(), "sharded.yaml", manifestOf());
  for (const namespace of [...namespaces, leaseNamespace])
    await kubectlOk(sandbox, ["create", "namespace", namespace]);
  await kubectlOk(sandbox, ["apply", "-f", file]);
  // Out of band, with kubectl: every namespace's ConfigMap, and the ClusterRole.
  for (const namespace of namespaces)
    await kubectlOk(sandbox, [
      "patch",
      "configmap",
      "settings",
      "-n",
      namespace,
      "--type=merge",
      "-p",
      '{"data":{"mode":"green"}}',
    ]);
  await kubectlOk(sandbox, [
    "patch",
    "clusterrole",
    clusterRole,
    "--type=json",
    "-p",
    '[{"op":"replace","path":"/rules/0/verbs","value":["get","list"]}]',
  ]);
}, 120_000);

function opened(watch: RunningWatch): Record<string, unknown>[] {
  return watch.lines().filter((line) => line["msg"] === "drift opened");
}

/** `Kind namespace/name` of what a watch logged as opened, sorted. */
function openedResources(watch: RunningWatch): string[] {
  return opened(watch)
    .map((line) => `${line["kind"] as string} ${line["namespace"] as string}/${line["name"] as string}`)
    .sort();
}

async function episodesOf(storeUrl: string): Promise<readonly Episode[]> {
  const store = await openStore(storeUrl);
  try {
    return await store.query({ openOnly: true });
  } finally {
    await store.close();
  }
}

async function holderOf(name: string): Promise<string | undefined> {
  const lease = await kubectlJson(fixture.sandbox(), ["get", "lease", name, "-n", leaseNamespace]);
  return (lease["spec"] as { holderIdentity?: string } | undefined)?.holderIdentity;
}

/** What shard `index` of 2 must report: its namespaces' ConfigMaps, and the ClusterRole on shard 0. */
function expectedOf(index: number): string[] {
  const configMaps = namespaces
    .filter((namespace) => namespaceInShard(namespace, { index, count: 2 }))
    .map((namespace) => `ConfigMap ${namespace}/settings`);
  return [...configMaps, ...(index === 0 ? [`ClusterRole /${clusterRole}`] : [])].sort();
}

describe("kubedrift watch --shard I/N: a sharded pair covers every namespace exactly once", () => {
  it("the stable hash gives each shard of the pair some of the eight namespaces", () => {
    // Written out: which replica owns which namespace is part of the contract (docs/fleet.md).
    expect(namespaces.map((namespace) => shardOf(namespace, 2))).toEqual([1, 0, 1, 0, 1, 0, 1, 0]);
  });

  it.each([
    ["the namespaces of the manifests", [] as string[], "kubedrift"],
    ["-A", ["-A"], "kubedrift-all"],
  ])(
    "with %s: each shard reports its own namespaces' drift, takes its own Lease",
    async (_, more, lease) => {
      const sandbox = fixture.sandbox();
      const directory = fixture.directory();
      const suffix = more.length === 0 ? "ns" : "all";
      const tokenFile = writeManifest(directory, "ui-token", token);
      const argsFor = (index: number): string[] => [
        "-f",
        file,
        ...more,
        "--kubeconfig",
        sandbox.kubeconfigPath,
        "--store",
        `sqlite:${join(directory, `shard-${suffix}-${index}.db`)}`,
        "--listen",
        "127.0.0.1:0",
        "--no-events",
        "--ui-token-file",
        tokenFile,
        "--shard",
        `${index}/2`,
        "--leader-elect",
        "--leader-elect-resource-name",
        lease,
        "--leader-elect-lease-duration",
        "6s",
        "--leader-elect-renew-deadline",
        "4s",
        "--leader-elect-retry-period",
        "1s",
      ];
      const shards = [startWatch(argsFor(0), directory), startWatch(argsFor(1), directory)];
      for (const [index, watch] of shards.entries())
        await until(
          () => openedResources(watch).length >= expectedOf(index).length,
          `shard ${index}/2's drift (stderr: ${watch.stderr()})`,
          60_000,
        );
      const reported = shards.map(openedResources);
      expect(reported[0]).toEqual(expectedOf(0));
      expect(reported[1]).toEqual(expectedOf(1));
      // Exactly once: no resource in both, and together every namespace.
      expect(reported[0].filter((resource) => reported[1].includes(resource))).toEqual([]);
      expect(
        [...reported[0], ...reported[1]]
          .filter((resource) => resource.startsWith("ConfigMap "))
          .map((resource) => resource.slice("ConfigMap ".length).split("/")[0])
          .sort(),
      ).toEqual(namespaces);
      // Every line names the shard; the stores hold each shard's episodes only.
      for (const [index, watch] of shards.entries()) {
        expect(new Set(watch.lines().map((line) => line["shard"]))).toEqual(new Set([`${index}/2`]));
        const episodes = await episodesOf(`sqlite:${join(directory, `shard-${suffix}-${index}.db`)}`);
        expect(
          episodes.map(({ resource }) => `${resource.kind} ${resource.namespace}/${resource.name}`).sort(),
        ).toEqual(expectedOf(index));
      }
      // /metrics: the shard, and the drift of its own namespaces only.
      for (const [index, watch] of shards.entries()) {
        const url = watch.lines().find((line) => line["msg"] === "listening")?.["url"] as string;
        const body = await (await fetch(`${url}/metrics`)).text();
        expect(body).toContain(`kubedrift_watch_shard_info{shard="${index}",shards="2"} 1`);
        const drifted = body
          .split("\n")
          .filter((line) => line.startsWith('kubedrift_resource_drifted{kind="ConfigMap"'))
          .map((line) => /namespace="([^"]+)"/.exec(line)?.[1])
          .sort();
        expect(drifted).toEqual(namespaces.filter((namespace) => shardOf(namespace, 2) === index));
      }
      // The dashboard's API: the shard's own resources, drifted or not.
      for (const [index, watch] of shards.entries()) {
        const url = watch.lines().find((line) => line["msg"] === "listening")?.["url"] as string;
        const answer = await fetch(`${url}/api/resources?kind=ConfigMap`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(answer.status).toBe(200);
        const body = (await answer.json()) as { resources: { namespace: string; status: string }[] };
        expect(body.resources.map((resource) => `${resource.namespace} ${resource.status}`).sort()).toEqual(
          namespaces
            .filter((namespace) => shardOf(namespace, 2) === index)
            .map((namespace) => `${namespace} Drifted`),
        );
      }
      // Each shard elected its own leader, in a Lease of its own.
      const holders = await until(async () => {
        const both = [await holderOf(`${lease}-shard-0-of-2`), await holderOf(`${lease}-shard-1-of-2`)];
        return both.every((holder) => holder !== undefined && holder !== "") ? both : undefined;
      }, "both shards' Leases held");
      expect(holders[0]).not.toBe(holders[1]);
      for (const [index, watch] of shards.entries())
        expect(watch.lines().find((line) => line["msg"] === "leading")?.["lease"]).toBe(
          `${leaseNamespace}/${lease}-shard-${index}-of-2`,
        );
      for (const watch of shards) watch.child.kill("SIGTERM");
      expect(await Promise.all(shards.map((watch) => watch.exited))).toEqual([0, 0]);
    },
    180_000,
  );
});

describe("kubedrift watch --shard I/N: the shards of one cluster into one PostgreSQL store", () => {
  let postgres: TestPostgres | undefined;

  beforeAll(async () => {
    postgres = await startPostgres();
  });

  afterAll(async () => {
    await postgres?.stop();
  });

  it("one open episode per resource under one --cluster-name; each shard's dashboard shows its own", async () => {
    const sandbox = fixture.sandbox();
    const directory = fixture.directory();
    const storeUrl = await postgres!.createDatabase();
    const tokenFile = writeManifest(directory, "ui-token-pg", token);
    const argsFor = (index: number): string[] => [
      "-f",
      file,
      "--kubeconfig",
      sandbox.kubeconfigPath,
      "--store",
      storeUrl,
      "--cluster-name",
      "big",
      "--listen",
      "127.0.0.1:0",
      "--no-events",
      "--ui-token-file",
      tokenFile,
      "--shard",
      `${index}/2`,
      "--leader-elect",
      "--leader-elect-resource-name",
      "kubedrift-pg",
    ];
    const shards = [startWatch(argsFor(0), directory), startWatch(argsFor(1), directory)];
    for (const [index, watch] of shards.entries())
      await until(
        () => openedResources(watch).length >= expectedOf(index).length,
        `shard ${index}/2's drift (stderr: ${watch.stderr()})`,
        60_000,
      );
    const episodes = await episodesOf(storeUrl);
    expect(episodes.map(({ cluster }) => cluster)).toEqual(episodes.map(() => "big"));
    expect(
      episodes.map(({ resource }) => `${resource.kind} ${resource.namespace}/${resource.name}`).sort(),
    ).toEqual([...expectedOf(0), ...expectedOf(1)].sort());
    for (const [index, watch] of shards.entries()) {
      const url = watch.lines().find((line) => line["msg"] === "listening")?.["url"] as string;
      const answer = await fetch(`${url}/api/episodes?open=true`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(answer.status).toBe(200);
      const body = (await answer.json()) as { episodes: Pick<Episode, "resource">[] };
      expect(
        body.episodes.map(({ resource }) => `${resource.kind} ${resource.namespace}/${resource.name}`).sort(),
      ).toEqual(expectedOf(index));
    }
    for (const watch of shards) watch.child.kill("SIGTERM");
    expect(await Promise.all(shards.map((watch) => watch.exited))).toEqual([0, 0]);
  }, 180_000);
});

describe("kubedrift watch --shard: refused with several contexts, and malformed", () => {
  it("says so in one line", async () => {
    const sandbox = fixture.sandbox();
    const directory = fixture.directory();
    const bad = startWatch(["-f", file, "--kubeconfig", sandbox.kubeconfigPath, "--shard", "2/2"], directory);
    expect(await bad.exited).toBe(1);
    expect(bad.stderr().trim()).toMatch(/--shard: expected I\/N with 0 ≤ I < N, as 0\/3, got "2\/2"$/);
  });

  it("refuses --shard with several contexts: one cluster is sharded, not a fleet", async () => {
    const directory = fixture.directory();
    const args = ["-f", file, "--context", "one", "--context", "two", "--shard", "0/2"];
    const several = startWatch(args, directory);
    expect(await several.exited).toBe(1);
    expect(several.stderr().trim().split("\n")).toHaveLength(1);
    expect(several.stderr()).toContain(
      "watch: --shard works with one cluster: run one watch per cluster for it (docs/fleet.md)",
    );
  });
});
