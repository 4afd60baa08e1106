/**
 * Issue 13, the first must-show: who made a change. The sandbox runs as kube-apiserver would, with
 * a static token file (user alice, groups devs and qa) and RBAC; alice scales a managed Deployment
 * with `kubectl --token`. (1) With the sandbox's audit webhook sending to `watch`'s `/audit`, the
 * episode in `history` and the webhook notification name alice, her groups and kubectl's user
 * agent. (2) With the audit webhook off and `watch`'s record-only admission webhook registered as a
 * ValidatingWebhookConfiguration, the same names alice and her groups.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createServingCertificate } from "../../src/sandbox/tls.js";
import { kubectlOk, runKubectl, writeManifest } from "../support/kubectl.js";
import type { SandboxConnection } from "../support/kubectl.js";
import { runKubedrift } from "../support/kubedrift.js";
import { auditWebhookFlags } from "../support/audit-webhook.js";
import { freePort, useKubedriftProcesses } from "../support/kubedrift-process.js";
import { scratchDirectory } from "../support/kubectl.js";
import type { RunningWatch } from "../support/watch.js";
import { until, untilSynced, useWatchProcesses, webDeployment } from "../support/watch.js";
import type { Received } from "../support/webhook-server.js";
import { webhookServer } from "../support/webhook-server.js";

const startWatch = useWatchProcesses();
const scratch = scratchDirectory();
const processes = useKubedriftProcesses();
afterAll(() => scratch.remove());

const aliceToken = "alice-token-0123456789abcdef";
const auditToken = "audit-token-0123456789abcdef";

/** The sandbox's users and who may do what: alice edits in the namespace. */
async function setUp(directory: string, namespace: string, sandbox: SandboxConnection): Promise<string> {
  const file = writeManifest(directory, "web.yaml", webDeployment(namespace));
  await kubectlOk(sandbox, ["create", "namespace", namespace]);
  await kubectlOk(sandbox, ["apply", "-f", file]);
  await kubectlOk(sandbox, [
    "create",
    "rolebinding",
    "alice-edit",
    "--clusterrole=edit",
    "--user=alice",
    "-n",
    namespace,
  ]);
  // Notified: the warn policy.
  writeManifest(
    directory,
    "kubedrift.yaml",
    "apiVersion: kubedrift.dev/v1\nkind: Config\npolicies:\n  - mode: warn\n",
  );
  return file;
}

function tokenFile(directory: string): string {
  return writeManifest(directory, "tokens.csv", `${aliceToken},alice,u-alice,"devs,qa"\n`);
}

interface HistoryChange {
  readonly path: string;
  readonly user?: string;
  readonly groups?: readonly string[];
  readonly userAgent?: string;
}

async function changeOf(directory: string, store: string): Promise<HistoryChange | undefined> {
  const history = await runKubedrift(["history", "--store", store, "-o", "json"], { cwd: directory });
  const { episodes } = JSON.parse(history.stdout) as { episodes: { changes: HistoryChange[] }[] };
  return episodes[0]?.changes.find((change) => change.path === "/spec/replicas");
}

/** The recorded change once it names its user, and the drift of the first notification. */
async function namedChange(context: {
  readonly directory: string;
  readonly store: string;
  readonly watch: RunningWatch;
  readonly receiver: { readonly received: readonly Received[] };
}): Promise<{ readonly change: HistoryChange; readonly notified: HistoryChange }> {
  const { directory, store, watch, receiver } = context;
  const change = await until(async () => {
    const found = await changeOf(directory, store);
    return found?.user === undefined ? undefined : found;
  }, `the episode naming its user (stderr: ${watch.stderr()})`);
  const notified = await until(() => {
    const hook = receiver.received.find((one) => one.path === "/hook");
    return hook === undefined ? undefined : (JSON.parse(hook.body) as { drifts: HistoryChange[] }).drifts[0];
  }, "the notification");
  return { change, notified };
}

async function aliceScales(sandbox: SandboxConnection, namespace: string): Promise<void> {
  const args = ["--token", aliceToken, "scale", "deployment", "web", "-n", namespace, "--replicas=5"];
  const scaled = await runKubectl(sandbox, args);
  expect(scaled.code, scaled.stderr).toBe(0);
}

describe("kubedrift watch names who made a change", () => {
  it("from the sandbox's audit webhook: history and the notification name alice, her groups and kubectl", async () => {
    const directory = join(scratch.path, "audit");
    mkdirSync(directory);
    const namespace = "who-audit";
    const port = await freePort();
    const tokenPath = writeManifest(directory, "audit-token", `${auditToken}\n`);
    const sandbox = await processes.startSandbox(directory, [
      "--token-auth-file",
      tokenFile(directory),
      ...auditWebhookFlags(
        directory,
        { port, token: auditToken },
        "[{group: apps, resources: [deployments, deployments/scale]}]",
      ),
    ]);
    const file = await setUp(directory, namespace, sandbox);
    const receiver = await webhookServer();
    const store = `sqlite:${join(directory, "who.db")}`;
    try {
      const watch = startWatch(
        [
          "-f",
          file,
          "--kubeconfig",
          sandbox.kubeconfigPath,
          "--store",
          store,
          "--listen",
          `127.0.0.1:${port}`,
          "--audit-token-file",
          tokenPath,
          "--attribution-wait",
          "5s",
          "--webhook",
          `http://127.0.0.1:${receiver.port}/hook`,
        ],
        directory,
      );
      await untilSynced(watch, 60_000);
      await aliceScales(sandbox, namespace);
      const { change, notified } = await namedChange({ directory, store, watch, receiver });
      for (const named of [change, notified]) {
        expect(named).toMatchObject({ user: "alice", groups: expect.arrayContaining(["devs", "qa"]) });
        expect(named.userAgent).toMatch(/^kubectl\/v1\.32/);
      }
      watch.child.kill("SIGTERM");
      expect(await watch.exited).toBe(0);
    } finally {
      await receiver.close();
    }
  }, 120_000);

  it("from a record-only admission webhook where there is no audit webhook", async () => {
    const directory = join(scratch.path, "admission");
    mkdirSync(directory);
    const namespace = "who-admission";
    const port = await freePort();
    const serving = await createServingCertificate(["127.0.0.1"], new Date());
    const cert = writeManifest(directory, "tls.crt", serving.certificatePem);
    const key = writeManifest(directory, "tls.key", serving.keyPem);
    const sandbox = await processes.startSandbox(directory, ["--token-auth-file", tokenFile(directory)]);
    const file = await setUp(directory, namespace, sandbox);
    const receiver = await webhookServer();
    const store = `sqlite:${join(directory, "who.db")}`;
    try {
      const emitted = await runKubedrift(
        [
          "watch",
          "-f",
          file,
          "--kubeconfig",
          sandbox.kubeconfigPath,
          "--emit-webhook-config",
          "--webhook-url",
          `https://127.0.0.1:${port}`,
          "--tls-ca",
          cert,
        ],
        { cwd: directory },
      );
      expect(emitted.code, emitted.stderr).toBe(0);
      const configuration = writeManifest(directory, "webhook.yaml", emitted.stdout);
      const watch = startWatch(
        [
          "-f",
          file,
          "--kubeconfig",
          sandbox.kubeconfigPath,
          "--store",
          store,
          "--listen",
          `127.0.0.1:${port}`,
          "--admission-record",
          "--tls-cert",
          cert,
          "--tls-key",
          key,
          "--attribution-wait",
          "5s",
          "--webhook",
          `http://127.0.0.1:${receiver.port}/hook`,
        ],
        directory,
      );
      await untilSynced(watch, 60_000);
      await kubectlOk(sandbox, ["apply", "-f", configuration]);
      await aliceScales(sandbox, namespace);
      const { change, notified } = await namedChange({ directory, store, watch, receiver });
      // An AdmissionReview names the user and groups, not the client's user agent.
      for (const named of [change, notified])
        expect(named).toMatchObject({ user: "alice", groups: expect.arrayContaining(["devs", "qa"]) });
      watch.child.kill("SIGTERM");
      expect(await watch.exited).toBe(0);
    } finally {
      await receiver.close();
    }
  }, 120_000);
});
