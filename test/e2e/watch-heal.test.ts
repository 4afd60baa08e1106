/**
 * Issue 12, item 4: `kubedrift watch --heal` as a process against the sandbox. A real `kubectl
 * scale` is put back and counted (`kubedrift_heals_total`), the episode ends as `healed` and the
 * Deployment is in sync again with nothing else lost; then a second process that keeps scaling it
 * is a fight loop after `--fight-flips`: healing that field stops, the episode is contested, the
 * ignore rule that would end it is proposed in the log, `history` and a `DriftContested` Event,
 * while the object's other drifted fields are still healed. Every wait polls with a bound.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kubectlOk, writeManifest } from "../support/kubectl.js";
import { runKubedrift } from "../support/kubedrift.js";
import { useSandbox } from "../support/sandbox.js";
import { until, untilSynced, useWatchProcesses, webDeployment } from "../support/watch.js";

const fixture = useSandbox();
const namespace = "watch-heal";
const startWatch = useWatchProcesses();

interface HistoryEpisode {
  readonly endedBy: string | null;
  readonly contestedBy?: string | null;
  readonly changes: readonly { readonly path: string }[];
}

describe("kubedrift watch --heal", () => {
  it("heals a kubectl scale, then stops healing a field another process keeps flipping", async () => {
    const sandbox = fixture.sandbox();
    const directory = fixture.directory();
    const file = writeManifest(directory, "web.yaml", webDeployment(namespace));
    await kubectlOk(sandbox, ["create", "namespace", namespace]);
    await kubectlOk(sandbox, ["apply", "-f", file]);
    const store = `sqlite:${join(directory, "kubedrift.db")}`;
    const replicas = async (): Promise<string> =>
      (
        await kubectlOk(sandbox, [
          "get",
          "deployment",
          "web",
          "-n",
          namespace,
          "-o",
          "jsonpath={.spec.replicas}",
        ])
      ).stdout;

    const watch = startWatch(
      [
        "-f",
        file,
        "--kubeconfig",
        sandbox.kubeconfigPath,
        "--store",
        store,
        "--listen",
        "127.0.0.1:0",
        "--heal",
        "--heal-after",
        "0s",
        "--fight-flips",
        "3",
      ],
      directory,
    );
    const url = await until(
      () => watch.lines().find((line) => line["msg"] === "listening")?.["url"] as string | undefined,
      `the listening line (stderr: ${watch.stderr()})`,
      60_000,
    );
    await untilSynced(watch, 60_000);

    // 1. Healed: back to 2 replicas, counted, the episode ends as healed, and diff finds nothing.
    await kubectlOk(sandbox, ["scale", "deployment", "web", "-n", namespace, "--replicas=5"]);
    await until(async () => (await replicas()) === "2", "replicas healed back to 2");
    const history = async (): Promise<HistoryEpisode[]> =>
      JSON.parse((await runKubedrift(["history", "--store", store, "-o", "json"], { cwd: directory })).stdout)
        .episodes as HistoryEpisode[];
    await until(
      async () => ((await history())[0]?.endedBy === "healed" ? true : undefined),
      "a healed episode",
    );
    expect((await history())[0]?.changes.map((change) => change.path)).toEqual(["/spec/replicas"]);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('kubedrift_heals_total{result="succeeded"} 1');
    const diff = await runKubedrift(["diff", "-f", file, "--kubeconfig", sandbox.kubeconfigPath], {
      cwd: directory,
    });
    expect(diff.code, diff.stdout + diff.stderr).toBe(0);

    // 2. A second process keeps scaling it: after 3 flips, healing /spec/replicas stops.
    const flipper = spawn(
      "bash",
      [
        "-c",
        `while true; do kubectl --kubeconfig "${sandbox.kubeconfigPath}" scale deployment web -n ${namespace} --replicas=7 >/dev/null; sleep 0.2; done`,
      ],
      { stdio: "ignore" },
    );
    try {
      const contested = await until(
        () => watch.lines().find((line) => String(line["msg"]).startsWith("drift contested")),
        `the contest (stderr: ${watch.stderr()})`,
        60_000,
      );
      expect(contested).toMatchObject({
        level: "warn",
        field: "/spec/replicas",
        by: "kubectl",
        flips: 3,
        ignoreRule: `{path: /spec/replicas, kinds: [apps/Deployment], namespaces: [${namespace}], names: [web]}`,
      });
    } finally {
      flipper.kill("SIGKILL");
    }
    await until(async () => ((await replicas()) === "7" ? true : undefined), "the last flip to stand");

    // 3. Other fields are still healed; the contested one is left as the other manager set it.
    await kubectlOk(sandbox, ["annotate", "deployment", "web", "-n", namespace, "hotfix=yes"]);
    await until(async () => {
      const annotations = (
        await kubectlOk(sandbox, [
          "get",
          "deployment",
          "web",
          "-n",
          namespace,
          "-o",
          "jsonpath={.metadata.annotations.hotfix}",
        ])
      ).stdout;
      return annotations === "" ? true : undefined;
    }, "the hotfix annotation healed away");
    expect(await replicas()).toBe("7");

    const [open] = await history();
    expect(open).toMatchObject({ endedBy: null, contestedBy: "kubectl" });
    const text = await runKubedrift(["history", "--store", store, "--open"], { cwd: directory });
    expect(text.stdout).toContain(
      `to end the fight, add to kubedrift.yaml: ignore: [{path: /spec/replicas, kinds: [apps/Deployment], namespaces: [${namespace}], names: [web]}]`,
    );
    const events = await kubectlOk(sandbox, [
      "get",
      "events",
      "-n",
      namespace,
      "--field-selector",
      "reason=DriftContested",
      "-o",
      "jsonpath={.items[*].message}",
    ]);
    expect(events.stdout).toContain("spec.replicas is contested by kubectl: healing it stopped");

    watch.child.kill("SIGTERM");
    expect(await watch.exited).toBe(0);
  }, 180_000);
});
