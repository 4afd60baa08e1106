/**
 * Issue 12, item 1: `kubedrift watch` reads its sources again when they change. Editing the file
 * so that the live value is desired closes the open episode as `sourceChanged`; a file saved
 * half-written keeps the previous sources and says so; with `--git-ref main --git-poll`, a commit
 * on main does the same as the edit. Every wait polls with a bound.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kubectlOk } from "../support/kubectl.js";
import { until, untilSynced, useWatchProcesses } from "../support/watch.js";
import type { RunningWatch } from "../support/watch.js";

import { useSandbox } from "../support/sandbox.js";

const fixture = useSandbox();
const startWatch = useWatchProcesses();

function configMap(namespace: string, value: string): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: ${namespace}
data:
  mode: "${value}"
`;
}

function git(cwd: string, ...args: string[]): void {
  execFileSync("git", ["-c", "user.name=kubedrift", "-c", "user.email=kubedrift@example.com", ...args], {
    cwd,
    stdio: "ignore",
  });
}

async function closedAs(watch: RunningWatch, count: number): Promise<string> {
  const closed = await until(() => {
    const lines = watch.lines().filter((line) => line["msg"] === "drift closed");
    return lines.length >= count ? lines[count - 1] : undefined;
  }, `drift closed #${count} (stderr: ${watch.stderr()})`);
  return String(closed["how"]);
}

async function opened(watch: RunningWatch, count: number): Promise<void> {
  await until(
    () => watch.lines().filter((line) => line["msg"] === "drift opened").length >= count,
    `drift opened #${count} (stderr: ${watch.stderr()})`,
  );
}

describe("kubedrift watch follows its sources", () => {
  it("reloads an edited file, keeps the previous sources through a broken one", async () => {
    const sandbox = fixture.sandbox();
    const directory = join(fixture.directory(), "edited");
    const namespace = "watch-reload";
    const deploy = join(directory, "deploy");
    mkdirSync(deploy, { recursive: true });
    const file = join(deploy, "settings.yaml");
    writeFileSync(file, configMap(namespace, "blue"));
    await kubectlOk(sandbox, ["create", "namespace", namespace]);
    await kubectlOk(sandbox, ["apply", "-f", file]);
    const args = ["-f", "deploy", "--kubeconfig", sandbox.kubeconfigPath, "--listen", "127.0.0.1:0"];
    const watch = startWatch([...args, "--store", `sqlite:${join(directory, "h.db")}`], directory);
    await untilSynced(watch, 60_000);

    const patch = JSON.stringify({ data: { mode: "green" } });
    await kubectlOk(sandbox, ["patch", "configmap", "settings", "-n", namespace, "-p", patch]);
    await opened(watch, 1);
    writeFileSync(file, "apiVersion: v1\nkind: ConfigMap\nmetadata: [\n");
    const failed = await until(
      () => watch.lines().find((line) => String(line["msg"]).startsWith("reload failed")),
      "the failed reload",
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; stderr: ${watch.stderr()}`);
    });
    expect(String(failed["error"])).toContain("settings.yaml");
    writeFileSync(file, configMap(namespace, "green"));
    expect(await closedAs(watch, 1)).toBe("sourceChanged");
    expect(watch.child.exitCode).toBeNull();
    watch.child.kill("SIGTERM");
    expect(await watch.exited).toBe(0);
  }, 120_000);

  it("with --git-ref main --git-poll, reloads when main moves", async () => {
    const sandbox = fixture.sandbox();
    const directory = join(fixture.directory(), "git");
    const namespace = "watch-reload-git";
    mkdirSync(join(directory, "deploy"), { recursive: true });
    const file = join(directory, "deploy", "settings.yaml");
    writeFileSync(file, configMap(namespace, "blue"));
    git(directory, "init", "-q", "-b", "main");
    git(directory, "add", "deploy");
    git(directory, "commit", "-q", "-m", "blue");
    await kubectlOk(sandbox, ["create", "namespace", namespace]);
    await kubectlOk(sandbox, ["apply", "-f", file]);
    const watch = startWatch(
      [
        "-f",
        "deploy",
        "--git-ref",
        "main",
        "--git-poll",
        "1s",
        "--kubeconfig",
        sandbox.kubeconfigPath,
        "--listen",
        "127.0.0.1:0",
        "--store",
        `sqlite:${join(directory, "h.db")}`,
      ],
      directory,
    );
    await untilSynced(watch, 60_000);
    const patch = JSON.stringify({ data: { mode: "green" } });
    await kubectlOk(sandbox, ["patch", "configmap", "settings", "-n", namespace, "-p", patch]);
    await opened(watch, 1);
    writeFileSync(file, configMap(namespace, "green"));
    git(directory, "commit", "-q", "-am", "green");
    const reload = await until(
      () => watch.lines().find((line) => line["msg"] === "sources changed: reloading"),
      "the reload",
    );
    expect(String(reload["why"])).toMatch(/^main moved to [0-9a-f]{7}/);
    expect(await closedAs(watch, 1)).toBe("sourceChanged");
    watch.child.kill("SIGTERM");
    expect(await watch.exited).toBe(0);
  }, 120_000);
});
