/**
 * Issue 12, item 5: `kubedrift watch` (the built CLI, as a process) writes Kubernetes Events that
 * `kubectl get events` shows: a Warning `DriftDetected` on the Deployment a `kubectl scale` drifted,
 * naming the field and the manager; one Event for the whole episode (a further scale to another
 * value extends the episode and writes nothing new); a Normal `DriftResolved` when scaled back; the
 * same drift again updates the same Event (count 2), as client-go's EventRecorder dedupes. A Secret's
 * drift: the Event names the field, never the value. `--no-events` writes none. Every wait polls
 * with a bound.
 */
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../src/kube/value/json.js";
import { kubectlJson, kubectlOk, writeManifest } from "../support/kubectl.js";
import { useSandbox } from "../support/sandbox.js";
import { dbSecret, until, untilSynced, useWatchProcesses, webDeployment } from "../support/watch.js";

const fixture = useSandbox();
const namespace = "watch-events";
const secretValue = "hunter2-very-secret";

const manifest = `${webDeployment(namespace)}---\n${dbSecret(namespace, "initial-password")}`;

const startWatch = useWatchProcesses();

interface KubeEvent {
  readonly metadata: { readonly name: string };
  readonly involvedObject: Record<string, string>;
  readonly reason: string;
  readonly message: string;
  readonly type: string;
  readonly count: number;
  readonly source: Record<string, string>;
  readonly reportingComponent: string;
  readonly firstTimestamp: string;
  readonly lastTimestamp: string;
}

async function eventsOf(reason: string, kind: string, ns = namespace): Promise<readonly KubeEvent[]> {
  const list = await kubectlJson(fixture.sandbox(), [
    "get",
    "events",
    "-n",
    ns,
    "--field-selector",
    `reason=${reason},involvedObject.kind=${kind}`,
  ]);
  return (list["items"] as unknown as readonly KubeEvent[]).filter(
    (event) => event.source["component"] === "kubedrift",
  );
}

async function setUp(ns: string): Promise<{ file: string; directory: string }> {
  const sandbox = fixture.sandbox();
  const directory = fixture.directory();
  const file = writeManifest(directory, `${ns}.yaml`, manifest.replaceAll(namespace, ns));
  await kubectlOk(sandbox, ["create", "namespace", ns]);
  await kubectlOk(sandbox, ["apply", "-f", file]);
  return { file, directory };
}

describe("kubedrift watch: Kubernetes Events", () => {
  it("writes DriftDetected (deduplicated) and DriftResolved that kubectl shows, never a secret value", async () => {
    const sandbox = fixture.sandbox();
    const { file, directory } = await setUp(namespace);
    const deployment: JsonObject = await kubectlJson(sandbox, ["get", "deployment", "web", "-n", namespace]);
    const uid = (deployment["metadata"] as JsonObject)["uid"];
    const storeUrl = `sqlite:${join(directory, "events.db")}`;
    const watch = startWatch(
      ["-f", file, "--kubeconfig", sandbox.kubeconfigPath, "--store", storeUrl, "--listen", "127.0.0.1:0"],
      directory,
    );
    await untilSynced(watch, 30_000);

    await kubectlOk(sandbox, ["scale", "deployment", "web", "-n", namespace, "--replicas=5"]);
    const [detected] = await until(async () => {
      const found = await eventsOf("DriftDetected", "Deployment");
      return found.length > 0 ? found : undefined;
    }, "the DriftDetected Event");
    expect(detected).toMatchObject({
      type: "Warning",
      reason: "DriftDetected",
      message: "Drifted from the declared state: spec.replicas changed by kubectl (scale)",
      count: 1,
      source: { component: "kubedrift" },
      reportingComponent: "kubedrift",
      involvedObject: { apiVersion: "apps/v1", kind: "Deployment", namespace, name: "web", uid },
    });
    expect(detected?.metadata.name).toMatch(/^web\.[0-9a-f]+$/);
    expect(detected?.involvedObject["resourceVersion"]).toMatch(/^\d+$/);

    // Another value while still drifted: the same episode, so no new Event (and no count).
    await kubectlOk(sandbox, ["scale", "deployment", "web", "-n", namespace, "--replicas=7"]);
    await delay(1500);
    expect(await eventsOf("DriftDetected", "Deployment")).toEqual([detected]);

    await kubectlOk(sandbox, ["scale", "deployment", "web", "-n", namespace, "--replicas=2"]);
    const [resolved] = await until(async () => {
      const found = await eventsOf("DriftResolved", "Deployment");
      return found.length > 0 ? found : undefined;
    }, "the DriftResolved Event");
    expect(resolved).toMatchObject({ type: "Normal", count: 1, involvedObject: { name: "web", uid } });
    expect(resolved?.message).toMatch(/^Back in sync after \d+s \(put back out of band\)$/);

    // The same drift again: the same reason and message on the same object update that Event.
    await kubectlOk(sandbox, ["scale", "deployment", "web", "-n", namespace, "--replicas=5"]);
    const again = await until(async () => {
      const found = await eventsOf("DriftDetected", "Deployment");
      return found[0]?.count === 2 ? found : undefined;
    }, "the DriftDetected Event's count to grow");
    expect(again).toHaveLength(1);
    expect(again[0]?.metadata.name).toBe(detected?.metadata.name);
    expect(again[0]?.firstTimestamp).toBe(detected?.firstTimestamp);

    // A Secret's drift: the field is named, its value never.
    await kubectlOk(sandbox, [
      "patch",
      "secret",
      "db",
      "-n",
      namespace,
      "--type=merge",
      "-p",
      JSON.stringify({ stringData: { password: secretValue } }),
    ]);
    const [secret] = await until(async () => {
      const found = await eventsOf("DriftDetected", "Secret");
      return found.length > 0 ? found : undefined;
    }, "the Secret's DriftDetected Event");
    expect(secret?.message).toBe(
      // The engine names a stringData-declared key as it was declared.
      "Drifted from the declared state: stringData.password changed by kubectl-patch",
    );
    const everything = JSON.stringify(await kubectlJson(sandbox, ["get", "events", "-n", namespace]));
    for (const leak of [secretValue, Buffer.from(secretValue).toString("base64"), "initial-password"])
      expect(everything).not.toContain(leak);

    watch.child.kill("SIGTERM");
    expect(await watch.exited).toBe(0);
    expect(
      watch.lines().filter((line) => ["error", "event write failed"].includes(String(line["msg"]))),
    ).toEqual([]);
  }, 180_000);

  it("writes no Event with --no-events", async () => {
    const sandbox = fixture.sandbox();
    const ns = "watch-no-events";
    const { file, directory } = await setUp(ns);
    const watch = startWatch(
      [
        "-f",
        file,
        "--kubeconfig",
        sandbox.kubeconfigPath,
        "--store",
        `sqlite:${join(directory, "no-events.db")}`,
        "--listen",
        "127.0.0.1:0",
        "--no-events",
      ],
      directory,
    );
    await untilSynced(watch, 30_000);
    await kubectlOk(sandbox, ["scale", "deployment", "web", "-n", ns, "--replicas=5"]);
    await until(
      () => Promise.resolve(watch.lines().some((line) => line["msg"] === "drift opened") ? true : undefined),
      "the drift",
    );
    await delay(500);
    expect(await eventsOf("DriftDetected", "Deployment", ns)).toEqual([]);
    watch.child.kill("SIGTERM");
    expect(await watch.exited).toBe(0);
  }, 120_000);
});
