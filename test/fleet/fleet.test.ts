/**
 * Issue 17, the fleet: two clusters (two sandboxes, their contexts named east and west), one real
 * PostgreSQL store. One `kubedrift watch` per cluster (the built CLI, `--store postgres://…`), as
 * docs/fleet.md lays out; the same drift made with the real kubectl in both clusters (web scaled to
 * 5) and another in east only (a ConfigMap's value). `kubedrift history -o json` reports each
 * drift once with its cluster, `--group-clusters` shows the shared one with both clusters, and the
 * dashboard API of either watch lists every cluster's drift once with its cluster. Then one
 * `watch --context east --context west` over a merged kubeconfig (`KUBECONFIG=a:b`, as kubectl)
 * does the same from one process, with one /metrics labelled by cluster and one page (in Chromium: a
 * Cluster column and filter); `--all-contexts --leader-elect` takes a Lease in each cluster; and
 * `diff --context east --context west --store` records each cluster's drift under its name.
 */
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Locator } from "playwright-core";
import { parse as parseYaml, stringify } from "yaml";
import { startSandbox } from "../../src/sandbox/index.js";
import type { RunningSandbox } from "../../src/sandbox/index.js";
import type { TestPostgres } from "../../src/store/postgres.test-helper.js";
import { startPostgres } from "../../src/store/postgres.test-helper.js";
import type { SandboxConnection } from "../support/kubectl.js";
import { kubectlJson, kubectlOk, writeManifest } from "../support/kubectl.js";
import { launchChromium } from "../support/chromium.js";
import { kubedriftBinary, runKubedrift } from "../support/kubedrift.js";
import type { RunningWatch } from "../support/watch.js";
import { until, untilSynced, useWatchProcesses, webDeployment } from "../support/watch.js";

const startWatch = useWatchProcesses();
const spawned: ChildProcessWithoutNullStreams[] = [];

/** `kubedrift watch` (the built CLI) with an environment of its own: the processes of `useWatchProcesses` have none. */
function watchWithEnv(args: readonly string[], env: Readonly<Record<string, string>>): RunningWatch {
  const child = spawn(kubedriftBinary, ["watch", ...args], {
    cwd: directory,
    env: {
      PATH: process.env["PATH"] ?? "/usr/bin:/bin",
      HOME: directory,
      TZ: "UTC",
      KUBEDRIFT_REDACTION_KEY: "kubedrift-tests-0123456789abcdef0123456789",
      ...env,
    },
  });
  spawned.push(child);
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  const exited = new Promise<number | null>((done) => child.on("close", (code) => done(code)));
  const lines = (): Record<string, unknown>[] =>
    stderr
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { child, lines, stderr: () => stderr, exited };
}
const uiToken = "ui-token-0123456789abcdef";
const clusters = ["east", "west"] as const;
type Name = (typeof clusters)[number];

let directory = "";
let postgres: TestPostgres | undefined;
const sandboxes = new Map<Name, RunningSandbox>();

/** The sandbox's kubeconfig with its context, cluster and user named after the cluster: merged, they stay apart. */
function rename(path: string, name: Name): void {
  const config = parseYaml(readFileSync(path, "utf8")) as {
    clusters: { name: string }[];
    users: { name: string }[];
    contexts: { name: string; context: { cluster: string; user: string } }[];
    "current-context": string;
  };
  config.clusters[0].name = `${name}-cluster`;
  config.users[0].name = `${name}-admin`;
  config.contexts[0] = {
    ...config.contexts[0],
    name,
    context: { ...config.contexts[0].context, cluster: `${name}-cluster`, user: `${name}-admin` },
  };
  config["current-context"] = name;
  writeFileSync(path, stringify(config));
}

function sandbox(name: Name): SandboxConnection {
  const running = sandboxes.get(name);
  if (running === undefined) throw new Error(`no sandbox ${name}`);
  return running;
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), "kubedrift-fleet-"));
  postgres = await startPostgres();
  for (const name of clusters) {
    const kubeconfigPath = join(directory, `${name}.kubeconfig`);
    sandboxes.set(name, await startSandbox({ kubeconfigPath }));
    rename(kubeconfigPath, name);
  }
}, 120_000);

afterAll(async () => {
  for (const child of spawned) if (child.exitCode === null) child.kill("SIGKILL");
  for (const running of sandboxes.values()) await running.stop();
  await postgres?.stop();
  rmSync(directory, { recursive: true, force: true });
});

const settings = (namespace: string): string => `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: ${namespace}
data:
  mode: blue
`;

/** The sources in both clusters, as the fleet deploys them. */
async function deploy(namespace: string): Promise<string> {
  const file = writeManifest(
    directory,
    `${namespace}.yaml`,
    `${webDeployment(namespace)}---\n${settings(namespace)}`,
  );
  for (const name of clusters) {
    await kubectlOk(sandbox(name), ["create", "namespace", namespace]);
    await kubectlOk(sandbox(name), ["apply", "-f", file]);
  }
  return file;
}

/** The same drift in both clusters, and one of east's own. */
async function drift(namespace: string): Promise<void> {
  for (const name of clusters)
    await kubectlOk(sandbox(name), ["scale", "deployment", "web", "-n", namespace, "--replicas=5"]);
  await kubectlOk(sandbox("east"), [
    "patch",
    "configmap",
    "settings",
    "-n",
    namespace,
    "-p",
    '{"data":{"mode":"green"}}',
  ]);
}

async function listeningUrl(watch: RunningWatch): Promise<string> {
  return await until(
    () => watch.lines().find((line) => line["msg"] === "listening")?.["url"] as string | undefined,
    `the listening line (stderr: ${watch.stderr()})`,
    60_000,
  );
}

interface HistoryEpisode {
  readonly cluster: string;
  readonly resource: { readonly kind: string; readonly namespace: string; readonly name: string };
  readonly endedAt: string | null;
  readonly changes: readonly { readonly path: string; readonly live?: unknown }[];
}

interface History {
  readonly episodes: readonly HistoryEpisode[];
  readonly groups?: readonly {
    readonly resource: { readonly name: string };
    readonly clusters: readonly string[];
  }[];
}

async function history(store: string, namespace: string, ...more: readonly string[]): Promise<History> {
  const result = await runKubedrift(["history", "--store", store, "-n", namespace, "-o", "json", ...more], {
    cwd: directory,
  });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as History;
}

/** The store's open episodes once all three drifts are in it, each with its changes. */
function threeOpenEpisodes(store: string, namespace: string, what: string): Promise<History> {
  return until(
    async () => {
      const answer = await history(store, namespace, "--open");
      return answer.episodes.length >= 3 && answer.episodes.every((episode) => episode.changes.length > 0)
        ? answer
        : undefined;
    },
    what,
    60_000,
  );
}

const described = (episodes: readonly HistoryEpisode[]): readonly string[] =>
  episodes
    .map(
      (episode) =>
        `${episode.cluster} ${episode.resource.kind}/${episode.resource.name} ${episode.changes.map((change) => `${change.path}=${JSON.stringify(change.live)}`).join(" ")}`,
    )
    .sort();

/** Each drift once, with its cluster: `prefix` is what the watches name the clusters with (`--cluster-name`). */
const expected = (prefix = ""): readonly string[] => [
  `${prefix}east ConfigMap/settings /data/mode="green"`,
  `${prefix}east Deployment/web /spec/replicas=5`,
  `${prefix}west Deployment/web /spec/replicas=5`,
];

async function apiResources(url: string): Promise<readonly string[]> {
  const response = await fetch(`${url}/api/resources?status=Drifted`, {
    headers: { authorization: `Bearer ${uiToken}` },
  });
  const body = (await response.json()) as {
    resources: readonly { cluster: string; kind: string; name: string }[];
  };
  return body.resources.map((resource) => `${resource.cluster} ${resource.kind}/${resource.name}`).sort();
}

const apiExpected = (prefix = ""): readonly string[] => [
  `${prefix}east ConfigMap/settings`,
  `${prefix}east Deployment/web`,
  `${prefix}west Deployment/web`,
];

/** The page in Chromium: a Cluster column and filter, and another cluster's resource page. */
async function dashboardShowsClusters(url: string): Promise<void> {
  const context = await launchChromium();
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${url}/`);
    await page.waitForURL(`${url}/login`);
    await page.fill("input[name=token]", uiToken);
    await Promise.all([page.waitForURL(`${url}/`), page.click("button[type=submit]")]);
    const webIn = (cluster: string): Locator =>
      page.locator(`tr[data-cluster="${cluster}"][data-key$="/Deployment/fleet-one-process/web"]`);
    await webIn("west").getByText("Drifted").waitFor({ timeout: 30_000 });
    await webIn("east").getByText("Drifted").waitFor({ timeout: 30_000 });
    await expect(page.locator("table.resources thead th").first().textContent()).resolves.toBe("Cluster");
    await page.selectOption("#filter-cluster", "west");
    await webIn("east").waitFor({ state: "detached", timeout: 30_000 });
    await expect(page.locator("table.resources tbody tr[data-cluster=east]").count()).resolves.toBe(0);
    await webIn("west").locator("a").click();
    await page.waitForURL(/#\/resource\/apps\/Deployment\/fleet-one-process\/web\?cluster=west$/);
    await expect(page.locator("dd.cluster").textContent({ timeout: 30_000 })).resolves.toBe("west");
    await page.getByText("spec.replicas").first().waitFor({ timeout: 30_000 });
  } finally {
    await context.close();
  }
}

describe("a fleet: one watch per cluster, one PostgreSQL store", () => {
  it("reports each cluster's drift once with its cluster, groups the shared one, in history and in either dashboard's API", async () => {
    const namespace = "fleet-one-each";
    const file = await deploy(namespace);
    const store = await postgres!.createDatabase();
    const tokenFile = writeManifest(directory, "ui-token", `${uiToken}\n`);
    const watches = new Map<Name, RunningWatch>();
    for (const name of clusters)
      watches.set(
        name,
        startWatch(
          [
            "-f",
            file,
            "--kubeconfig",
            sandbox(name).kubeconfigPath,
            // As in a pod, where every cluster's context is in-cluster: the name it is recorded under.
            "--cluster-name",
            `prod-${name}`,
            "--store",
            store,
            "--listen",
            "127.0.0.1:0",
            "--ui-token-file",
            tokenFile,
            "--resync",
            "1h",
          ],
          directory,
        ),
      );
    for (const watch of watches.values()) await untilSynced(watch);
    await drift(namespace);

    const found = await threeOpenEpisodes(store, namespace, "three open episodes in the shared store");
    expect(described(found.episodes)).toEqual(expected("prod-"));

    const grouped = await history(store, namespace, "--open", "--group-clusters");
    expect(grouped.groups?.map((group) => [group.resource.name, group.clusters])).toEqual([
      ["web", ["prod-east", "prod-west"]],
      ["settings", ["prod-east"]],
    ]);
    const east = await runKubedrift(
      ["history", "--store", store, "-n", namespace, "--cluster", "prod-east", "-o", "json"],
      { cwd: directory },
    );
    expect(
      described((JSON.parse(east.stdout) as History).episodes).every((line) => line.startsWith("prod-east ")),
    ).toBe(true);

    // Text names the cluster of each episode in a store of several, even where one cluster's are shown.
    const text = await runKubedrift(
      ["history", "--store", store, "--resource", `ConfigMap/${namespace}/settings`],
      { cwd: directory },
    );
    expect(text.stdout).toContain(`[prod-east] ConfigMap ${namespace}/settings  drifted`);

    for (const watch of watches.values()) {
      const url = await listeningUrl(watch);
      expect(
        await until(async () => {
          const listed = await apiResources(url);
          return listed.length === 3 ? listed : undefined;
        }, "both clusters' drift in the API"),
      ).toEqual(apiExpected("prod-"));
    }
    for (const watch of watches.values()) {
      watch.child.kill("SIGTERM");
      expect(await watch.exited).toBe(0);
    }
  }, 240_000);

  it("does the same from one watch of both contexts of a merged kubeconfig", async () => {
    const namespace = "fleet-one-process";
    const file = await deploy(namespace);
    const store = await postgres!.createDatabase();
    const tokenFile = writeManifest(directory, "ui-token", `${uiToken}\n`);
    const kubeconfig = clusters.map((name) => sandbox(name).kubeconfigPath).join(":");
    // KUBECONFIG=a:b, as kubectl merges it; the watch process is spawned with it.
    const watch = watchWithEnv(
      [
        "-f",
        file,
        "--context",
        "east",
        "--context",
        "west",
        "--store",
        store,
        "--listen",
        "127.0.0.1:0",
        "--ui-token-file",
        tokenFile,
        "--resync",
        "1h",
      ],
      { KUBECONFIG: kubeconfig },
    );
    await until(
      () =>
        watch
          .lines()
          .filter((line) => line["msg"] === "synced")
          .map((line) => line["cluster"])
          .sort()
          .join() === "east,west",
      `both clusters synced (stderr: ${watch.stderr()})`,
      60_000,
    );
    await drift(namespace);
    const found = await threeOpenEpisodes(store, namespace, "three open episodes from one watch");
    expect(described(found.episodes)).toEqual(expected());
    const url = await listeningUrl(watch);
    expect(
      await until(async () => {
        const listed = await apiResources(url);
        return listed.length === 3 ? listed : undefined;
      }, "both clusters' drift in the one dashboard"),
    ).toEqual(apiExpected());
    await dashboardShowsClusters(url);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/kubedrift_resources\{[^}]*cluster="east"/);
    expect(metrics).toMatch(/kubedrift_resources\{[^}]*cluster="west"/);
    watch.child.kill("SIGTERM");
    expect(await watch.exited).toBe(0);
  }, 240_000);

  it("takes a Lease in each cluster with --all-contexts --leader-elect, and diff --store records each cluster's drift under its name", async () => {
    const namespace = "fleet-leases";
    const file = await deploy(namespace);
    for (const name of clusters) await kubectlOk(sandbox(name), ["create", "namespace", "kubedrift"]);
    const store = await postgres!.createDatabase();
    const kubeconfig = clusters.map((name) => sandbox(name).kubeconfigPath).join(":");
    const watch = watchWithEnv(
      ["-f", file, "--all-contexts", "--leader-elect", "--store", store, "--listen", "127.0.0.1:0"],
      { KUBECONFIG: kubeconfig },
    );
    const leading = await until(
      () => {
        const lines = watch.lines().filter((line) => line["msg"] === "leading");
        return lines.length === 2 ? lines : undefined;
      },
      `both clusters led (stderr: ${watch.stderr()})`,
      60_000,
    );
    expect(leading.map((line) => line["cluster"]).sort()).toEqual(["east", "west"]);
    for (const name of clusters) {
      const lease = await kubectlJson(sandbox(name), ["get", "lease", "kubedrift", "-n", "kubedrift"]);
      expect(String((lease["spec"] as Record<string, unknown>)["holderIdentity"])).not.toBe("");
    }
    watch.child.kill("SIGTERM");
    expect(await watch.exited).toBe(0);

    // A scheduled diff of both contexts records as the watches do, each resource under its cluster.
    await drift(namespace);
    const diffStore = await postgres!.createDatabase();
    const diffed = await runKubedrift(
      ["diff", "-f", file, "--context", "east", "--context", "west", "--store", diffStore, "-o", "json"],
      { cwd: directory, env: { KUBECONFIG: kubeconfig } },
    );
    expect(diffed.code, diffed.stderr).toBe(2);
    expect(described((await history(diffStore, namespace, "--open")).episodes)).toEqual(expected());
  }, 240_000);

  it("refuses in one line, exit 1: an unknown context (naming it), --all-contexts with --context, a one-cluster flag with several", async () => {
    const file = writeManifest(directory, "refusals.yaml", settings("refusals"));
    const kubeconfig = clusters.map((name) => sandbox(name).kubeconfigPath).join(":");
    const run = (args: readonly string[]): Promise<{ code: number; stderr: string }> =>
      runKubedrift(["watch", "-f", file, "--store", `sqlite:${join(directory, "refused.db")}`, ...args], {
        cwd: directory,
        env: { KUBECONFIG: kubeconfig },
      });
    const unknown = await run(["--context", "east", "--context", "nowhere"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/context "nowhere"/);
    const twice = await run(["--all-contexts", "--context", "east"]);
    expect(twice.code).toBe(1);
    expect(twice.stderr.trim()).toBe(
      "error: --all-contexts and --context name the clusters twice: give one of them",
    );
    const named = await run(["--all-contexts", "--cluster-name", "prod"]);
    expect(named.code).toBe(1);
    expect(named.stderr.trim()).toBe(
      "error: watch: --cluster-name works with one cluster: run one watch per cluster for it (docs/fleet.md)",
    );
    for (const refused of [unknown, twice, named]) expect(refused.stderr.trim().split("\n")).toHaveLength(1);
  }, 120_000);
});
