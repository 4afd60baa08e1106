/**
 * Issue 12, item 5: `kubedrift watch` as a process (the built CLI) notifying a test HTTP server on
 * 127.0.0.1 that is both a generic JSON webhook and a Slack-compatible one. A real `kubectl scale`
 * → one DriftDetected naming the manager and the subresource, delivered once although the server
 * answers 503 twice first, and one Slack message; scaling back → DriftResolved; a Secret changed
 * out of band → only hashes in what is received. Every wait polls with a bound.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kubectlOk, writeManifest } from "../support/kubectl.js";
import { runKubedrift } from "../support/kubedrift.js";
import { useSandbox } from "../support/sandbox.js";
import { dbSecret, until, untilSynced, useWatchProcesses, webDeployment } from "../support/watch.js";
import type { Received } from "../support/webhook-server.js";
import { webhookServer } from "../support/webhook-server.js";

const fixture = useSandbox();
const namespace = "notify-e2e";
const password = "s3cret-notify-4711";
const changedPassword = "s3cret-notify-0815";
const withheld = [password, changedPassword].flatMap((value) => [
  value,
  Buffer.from(value).toString("base64"),
]);

const manifest = `${webDeployment(namespace)}---\n${dbSecret(namespace, password)}`;

const startWatch = useWatchProcesses();

interface Notification {
  readonly event: string;
  readonly resource: { readonly kind: string; readonly name: string };
  readonly drifts: readonly Record<string, unknown>[];
  readonly episode: Record<string, unknown>;
}

function delivered(received: readonly Received[], event: string, kind: string): Notification[] {
  return received
    .filter((one) => one.path === "/hook" && one.status === 200)
    .map((one) => JSON.parse(one.body) as Notification)
    .filter((one) => one.event === event && one.resource.kind === kind);
}

function slackTexts(received: readonly Received[]): string[] {
  return received
    .filter((one) => one.path === "/slack")
    .map((one) => (JSON.parse(one.body) as { text: string }).text);
}

describe("kubedrift watch --webhook --slack-webhook", () => {
  it("notifies a kubectl scale once despite two 503s, its revert, and a Secret's change with hashes only", async () => {
    const sandbox = fixture.sandbox();
    const directory = fixture.directory();
    const file = writeManifest(directory, "app.yaml", manifest);
    // `warn`: record, signal and notify (the default, `detect`, notifies nobody).
    writeManifest(
      directory,
      "kubedrift.yaml",
      "apiVersion: kubedrift.dev/v1\nkind: Config\npolicies:\n  - mode: warn\n",
    );
    await kubectlOk(sandbox, ["create", "namespace", namespace]);
    await kubectlOk(sandbox, ["apply", "-f", file]);
    const server = await webhookServer();
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const watch = startWatch(
        [
          "-f",
          file,
          "--kubeconfig",
          sandbox.kubeconfigPath,
          "--store",
          `sqlite:${join(directory, "kubedrift.db")}`,
          "--listen",
          "127.0.0.1:0",
          "--webhook",
          `${base}/hook`,
          "--slack-webhook",
          `${base}/slack`,
        ],
        directory,
      );
      await untilSynced(watch, 60_000);
      expect(server.received).toEqual([]);

      server.failures.push(503, 503);
      await kubectlOk(sandbox, ["scale", "deployment", "web", "-n", namespace, "--replicas=5"]);
      const [detected] = await until(() => {
        const found = delivered(server.received, "DriftDetected", "Deployment");
        return found.length > 0 ? found : undefined;
      }, "the DriftDetected notification");
      expect(detected).toMatchObject({
        apiVersion: "kubedrift.dev/v1",
        kind: "DriftNotification",
        resource: { apiVersion: "apps/v1", kind: "Deployment", namespace, name: "web" },
        drifts: [
          expect.objectContaining({
            path: "/spec/replicas",
            type: "Changed",
            desired: 2,
            live: 5,
            manager: "kubectl",
            subresource: "scale",
          }),
        ],
      });
      // The same body three times (503, 503, 200): delivered once.
      const hooks = server.received.filter((one) => one.path === "/hook");
      expect(hooks.map((one) => one.status)).toEqual([503, 503, 200]);
      expect(new Set(hooks.map((one) => one.body)).size).toBe(1);
      const [opened] = await until(() => {
        const texts = slackTexts(server.received);
        return texts.length > 0 ? texts : undefined;
      }, "the Slack message");
      expect(opened).toContain("Drift detected on Deployment notify-e2e/web by kubectl");
      expect(slackTexts(server.received)).toHaveLength(1);

      await kubectlOk(sandbox, ["scale", "deployment", "web", "-n", namespace, "--replicas=2"]);
      const [resolved] = await until(() => {
        const found = delivered(server.received, "DriftResolved", "Deployment");
        return found.length > 0 ? found : undefined;
      }, "the DriftResolved notification");
      expect(resolved?.episode).toMatchObject({ endedBy: "reverted" });
      expect(resolved?.episode["duration"]).toMatch(/^\d+s$|^\d+m\d+s$/);
      await until(
        () =>
          slackTexts(server.received).some((text) => text.includes("back in sync after")) ? true : undefined,
        "the Slack message of the revert",
      );

      const secret = JSON.stringify({ data: { password: Buffer.from(changedPassword).toString("base64") } });
      await kubectlOk(sandbox, ["-n", namespace, "patch", "secret", "db", "--type=merge", "-p", secret]);
      const [secretDrift] = await until(() => {
        const found = delivered(server.received, "DriftDetected", "Secret");
        return found.length > 0 ? found : undefined;
      }, "the Secret's DriftDetected notification");
      expect(secretDrift?.drifts).toEqual([
        expect.objectContaining({
          path: "/stringData/password",
          manager: "kubectl-patch",
          redacted: expect.any(Object) as unknown,
        }),
      ]);
      await until(
        () => (slackTexts(server.received).some((text) => text.includes("Secret")) ? true : undefined),
        "the Slack message of the Secret",
      );
      const everything = server.received.map((one) => one.body).join("\n");
      for (const value of withheld) expect(everything).not.toContain(value);

      watch.child.kill("SIGTERM");
      expect(await watch.exited).toBe(0);
      // No webhook's path in the logs (a Slack webhook's path is its secret).
      expect(watch.stderr()).not.toContain("/slack");
      expect(watch.stderr()).not.toContain("/hook");
      expect(watch.lines().filter((line) => String(line["msg"]).startsWith("notification"))).toEqual([]);
    } finally {
      await server.close();
    }
  }, 180_000);

  it("refuses a plain http:// webhook to another host in one line, its path masked", async () => {
    const directory = fixture.directory();
    const file = writeManifest(directory, "web-refused.yaml", manifest);
    const refused = await runKubedrift(
      ["watch", "-f", file, "--slack-webhook", "http://hooks.example.com/services/T0/B0/SECRETTOKEN"],
      { cwd: directory },
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      "error: --slack-webhook: http://hooks.example.com/*** must use https:// (plain http:// only to a loopback host)\n",
    );
  });
});
