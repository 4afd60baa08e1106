/**
 * Issue 12: `kubedrift watch` as a process (the built CLI) against the sandbox. A real
 * `kubectl scale` opens an episode in the SQLite store naming the manager and the subresource, and
 * `/metrics` shows the object drifted; scaling back closes it (`reverted`); `/readyz` answers 503
 * before the first sync and 200 after; SIGTERM ends it with exit status 0. Every wait polls with a
 * bound; no duration is asserted.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunningSandbox } from "../../src/sandbox/index.js";
import type { Episode } from "../../src/store/index.js";
import { openStore } from "../../src/store/index.js";
import { kubectlOk, writeManifest } from "../support/kubectl.js";
import { runKubedrift } from "../support/kubedrift.js";
import { useSandbox } from "../support/sandbox.js";
import { until, untilSynced, useWatchProcesses, webDeployment } from "../support/watch.js";

const fixture = useSandbox();
const namespace = "watch-e2e";

const manifest = webDeployment(namespace);

/** useSandbox's sandbox is a running one: its fault injection, for holding the first sync back. */
function faultsOf(sandbox: object): RunningSandbox["faults"] {
  if (!("faults" in sandbox)) throw new Error("the sandbox has no fault injection");
  return sandbox.faults as RunningSandbox["faults"];
}

const startWatch = useWatchProcesses();

async function fetchText(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
}

function driftedLine(body: string): string | undefined {
  return body
    .split("\n")
    .find((line) => line.startsWith("kubedrift_resource_drifted{") && line.includes('name="web"'));
}

async function episodesOf(storeUrl: string): Promise<readonly Episode[]> {
  // Read only: `query` takes no write lock, while the watch process writes on.
  const store = await openStore(storeUrl);
  try {
    return await store.query({ kind: "Deployment", namespace });
  } finally {
    await store.close();
  }
}

describe("kubedrift watch", () => {
  it("records a kubectl scale as an episode and in /metrics, closes it when scaled back, stops on SIGTERM", async () => {
    const sandbox = fixture.sandbox();
    const directory = fixture.directory();
    const file = writeManifest(directory, "web.yaml", manifest);
    await kubectlOk(sandbox, ["create", "namespace", namespace]);
    await kubectlOk(sandbox, ["apply", "-f", file]);
    const storeUrl = `sqlite:${join(directory, "kubedrift.db")}`;

    // Every request is slowed while the watch starts, so that /readyz can be seen before the first sync.
    const faults = faultsOf(sandbox);
    faults.set({ latencyMs: 3000 });
    const watch = startWatch(
      ["-f", file, "--kubeconfig", sandbox.kubeconfigPath, "--store", storeUrl, "--listen", "127.0.0.1:0"],
      directory,
    );
    const url = await until(
      () =>
        Promise.resolve(
          watch.lines().find((line) => line["msg"] === "listening")?.["url"] as string | undefined,
        ),
      `the listening line (stderr: ${watch.stderr()})`,
      60_000,
    );
    expect((await fetchText(`${url}/readyz`)).status).toBe(503);
    expect((await fetchText(`${url}/healthz`)).status).toBe(200);
    faults.set({});
    await until(async () => ((await fetchText(`${url}/readyz`)).status === 200 ? true : undefined), "ready");
    expect(driftedLine((await fetchText(`${url}/metrics`)).body)).toBe(
      `kubedrift_resource_drifted{kind="Deployment",namespace="${namespace}",name="web"} 0`,
    );

    await kubectlOk(sandbox, ["scale", "deployment", "web", "-n", namespace, "--replicas=5"]);
    const opened = await until(async () => {
      const [episode] = await episodesOf(storeUrl);
      return episode !== undefined && episode.endedAt === null ? episode : undefined;
    }, "the open episode in the store");
    expect(opened.resource).toEqual({ group: "apps", kind: "Deployment", namespace, name: "web" });
    expect(opened.changes).toEqual([
      expect.objectContaining({
        path: "/spec/replicas",
        type: "Changed",
        desired: 2,
        live: 5,
        manager: "kubectl",
        subresource: "scale",
      }),
    ]);
    await until(
      async () =>
        driftedLine((await fetchText(`${url}/metrics`)).body)?.endsWith(" 1") === true ? true : undefined,
      "the drifted metric",
    );
    expect(watch.lines().filter((line) => line["msg"] === "drift opened")).toEqual([
      expect.objectContaining({ name: "web", fields: ["/spec/replicas"], managers: ["kubectl"] }),
    ]);

    await kubectlOk(sandbox, ["scale", "deployment", "web", "-n", namespace, "--replicas=2"]);
    const closed = await until(async () => {
      const [episode] = await episodesOf(storeUrl);
      return episode?.endedAt !== null ? episode : undefined;
    }, "the episode to close");
    expect(closed.id).toBe(opened.id);
    expect(closed.endedBy).toBe("reverted");
    expect(await episodesOf(storeUrl)).toHaveLength(1);
    const metrics = (await fetchText(`${url}/metrics`)).body;
    expect(driftedLine(metrics)).toBe(
      `kubedrift_resource_drifted{kind="Deployment",namespace="${namespace}",name="web"} 0`,
    );
    expect(metrics).toContain(`kubedrift_drift_episodes_total{kind="Deployment",namespace="${namespace}"} 1`);
    // The scale came as a watch event: one detection latency observed (its value is not asserted).
    expect(metrics).toContain("kubedrift_detection_latency_seconds_count 1");
    expect(watch.lines().filter((line) => line["msg"] === "drift closed")).toEqual([
      expect.objectContaining({ name: "web", how: "reverted" }),
    ]);

    watch.child.kill("SIGTERM");
    expect(await watch.exited).toBe(0);
    expect(watch.lines().filter((line) => line["msg"] === "error")).toEqual([]);
  }, 180_000);

  it("stops on SIGINT with exit status 0 once running", async () => {
    const sandbox = fixture.sandbox();
    const directory = fixture.directory();
    const file = writeManifest(directory, "web-sigint.yaml", manifest);
    const storeUrl = `sqlite:${join(directory, "sigint.db")}`;
    const watch = startWatch(
      ["-f", file, "--kubeconfig", sandbox.kubeconfigPath, "--store", storeUrl, "--listen", "127.0.0.1:0"],
      directory,
    );
    await untilSynced(watch, 30_000);
    watch.child.kill("SIGINT");
    expect(await watch.exited).toBe(0);
    expect(watch.lines().find((line) => line["msg"] === "stopping")).toMatchObject({ signal: "SIGINT" });
  }, 60_000);

  it("refuses a live file and a malformed --listen in one line, exit status 1", async () => {
    const directory = fixture.directory();
    const file = writeManifest(directory, "web-live.yaml", manifest);
    const live = await runKubedrift(["watch", "-f", file, "--live-file", file], { cwd: directory });
    expect(live.code).toBe(1);
    expect(live.stderr).toBe("error: watch: --live-file cannot be watched: give a cluster\n");
    const taken = await runKubedrift(["watch", "-f", file, "--listen", "127.0.0.1"], { cwd: directory });
    expect(taken.code).toBe(1);
    expect(taken.stderr).toBe('error: --listen: expected HOST:PORT (127.0.0.1:9090), got "127.0.0.1"\n');
  });
});
