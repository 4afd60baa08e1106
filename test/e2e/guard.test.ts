/**
 * Issue 14, `kubedrift guard` as a process, registered in the sandbox with the configuration its
 * `--emit-config` prints, users from a token file: alice's `kubectl scale` of the managed Deployment
 * is denied with a message naming the field and Git's value; the deployer's passes; an unmanaged
 * ConfigMap is untouched; a `warn` object lets alice's change through with kubectl printing the
 * warning; a break-glass annotation passes and is logged with its reason.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createServingCertificate } from "../../src/sandbox/tls.js";
import type { SandboxConnection } from "../support/kubectl.js";
import { kubectlOk, runKubectl, scratchDirectory, writeManifest } from "../support/kubectl.js";
import { runKubedrift } from "../support/kubedrift.js";
import { auditWebhookFlags } from "../support/audit-webhook.js";
import { freePort, useKubedriftProcesses } from "../support/kubedrift-process.js";
import { until, untilSynced, useWatchProcesses, webDeployment } from "../support/watch.js";

const scratch = scratchDirectory();
const processes = useKubedriftProcesses();
const startWatch = useWatchProcesses();
afterAll(() => scratch.remove());

const namespace = "guard-e2e";
const tokens = { alice: "alice-token-0123456789abcdef", "ci-deployer": "deployer-token-0123456789abcd" };

async function startSandbox(directory: string, flags: readonly string[]): Promise<SandboxConnection> {
  const tokenFile = writeManifest(
    directory,
    "tokens.csv",
    `${tokens.alice},alice,u-alice,"devs"\n${tokens["ci-deployer"]},ci-deployer,u-ci,"deployers"\n`,
  );
  return processes.startSandbox(directory, ["--token-auth-file", tokenFile, ...flags]);
}

const auditToken = "audit-token-0123456789abcdef";

/** The sandbox's audit webhook sending the writes to managed kinds to `watch`'s /audit on `port`. */
function auditFlags(directory: string, port: number): readonly string[] {
  return auditWebhookFlags(
    directory,
    { port, token: auditToken },
    '[{group: apps, resources: [deployments, deployments/scale]}, {group: "", resources: [configmaps]}]',
  );
}

const guardConfig = `apiVersion: kubedrift.dev/v1
kind: Config
guard:
  default: warn
  allow:
    users: [ci-deployer]
  rules:
    - kinds: [apps/Deployment]
      action: deny
    - kinds: [ConfigMap]
      names: [limits]
      action: audit
`;

function configMap(name: string, mode: string): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${namespace}
data:
  mode: "${mode}"
`;
}

interface HistoryChange {
  readonly path: string;
  readonly user?: string;
  readonly breakGlass?: string;
}

/** A sandbox with the managed objects applied, an unmanaged ConfigMap, and alice and the deployer as editors. */
async function managedSandbox(directory: string, flags: readonly string[] = []): Promise<SandboxConnection> {
  mkdirSync(join(directory, "deploy"), { recursive: true });
  const sandbox = await startSandbox(directory, flags);
  writeManifest(join(directory, "deploy"), "web.yaml", webDeployment(namespace));
  writeManifest(join(directory, "deploy"), "settings.yaml", configMap("settings", "blue"));
  writeManifest(join(directory, "deploy"), "limits.yaml", configMap("limits", "low"));
  writeManifest(directory, "kubedrift.yaml", guardConfig);
  await kubectlOk(sandbox, ["create", "namespace", namespace]);
  await kubectlOk(sandbox, ["apply", "-f", join(directory, "deploy")]);
  await kubectlOk(sandbox, ["create", "configmap", "scratch", "-n", namespace, "--from-literal=a=1"]);
  for (const user of ["alice", "ci-deployer"])
    await kubectlOk(sandbox, [
      "create",
      "rolebinding",
      `${user}-edit`,
      "--clusterrole=edit",
      `--user=${user}`,
      "-n",
      namespace,
    ]);
  return sandbox;
}

function as(
  sandbox: SandboxConnection,
  who: keyof typeof tokens,
  ...args: string[]
): ReturnType<typeof runKubectl> {
  return runKubectl(sandbox, ["--token", tokens[who], "-n", namespace, ...args]);
}

describe("kubedrift guard", () => {
  it("denies, warns, audits, lets deployers and break-glass through (recorded with the user), and leaves the unmanaged alone", async () => {
    const directory = join(scratch.path, "guard");
    const sandbox = await managedSandbox(directory);
    const port = await freePort();
    const serving = await createServingCertificate(["127.0.0.1"], new Date());
    const cert = writeManifest(directory, "tls.crt", serving.certificatePem);
    const key = writeManifest(directory, "tls.key", serving.keyPem);
    const sources = ["-f", "deploy", "--kubeconfig", sandbox.kubeconfigPath];
    const guard = processes.spawn(
      [
        "guard",
        ...sources,
        "--listen",
        `127.0.0.1:${port}`,
        "--tls-cert",
        cert,
        "--tls-key",
        key,
        "--store",
        `sqlite:${join(directory, "guard.db")}`,
      ],
      directory,
    );
    await until(
      () => guard.stderr().includes('"msg":"listening"'),
      `the guard listening (${guard.stderr()})`,
      60_000,
    );
    const emitted = await runKubedrift(
      ["guard", ...sources, "--emit-config", "--webhook-url", `https://127.0.0.1:${port}`, "--tls-ca", cert],
      { cwd: directory },
    );
    expect(emitted.code, emitted.stderr).toBe(0);
    await kubectlOk(sandbox, ["apply", "-f", writeManifest(directory, "guard-webhook.yaml", emitted.stdout)]);

    const denied = await as(sandbox, "alice", "scale", "deployment", "web", "--replicas=5");
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain(
      'admission webhook "deployments.apps.guard.kubedrift.dev" denied the request: kubedrift: Deployment guard-e2e/web is managed from Git: spec.replicas: Git says 2, this write makes it 5.',
    );
    expect((await as(sandbox, "ci-deployer", "scale", "deployment", "web", "--replicas=3")).code).toBe(0);
    expect((await as(sandbox, "alice", "label", "configmap", "scratch", "team=x")).code).toBe(0);

    const warned = await as(
      sandbox,
      "alice",
      "patch",
      "configmap",
      "settings",
      "-p",
      JSON.stringify({ data: { mode: "green" } }),
    );
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stderr).toContain(
      'Warning: kubedrift: ConfigMap guard-e2e/settings: data.mode: Git says "blue"',
    );

    const glass = JSON.stringify({
      metadata: { annotations: { "kubedrift.dev/break-glass": "INC-4711 traffic spike" } },
      spec: { replicas: 6 },
    });
    const broken = await as(sandbox, "alice", "patch", "deployment", "web", "-p", glass);
    expect(broken.code, broken.stderr).toBe(0);
    await until(() => guard.stderr().includes("INC-4711 traffic spike"), "the break-glass logged");
    const lines = guard
      .stderr()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line["msg"])).toEqual(
      expect.arrayContaining(["denied", "warned", "allowed (break-glass)"]),
    );
    expect(lines.find((line) => line["msg"] === "denied")).toMatchObject({
      user: "alice",
      fields: ["/spec/replicas"],
    });

    const audited = await as(
      sandbox,
      "alice",
      "patch",
      "configmap",
      "limits",
      "-p",
      JSON.stringify({ data: { mode: "high" } }),
    );
    expect(audited.code, audited.stderr).toBe(0);
    expect(audited.stderr).not.toContain("Warning");
    guard.child.kill("SIGTERM");
    await new Promise((resolve) => guard.child.once("close", resolve));
    expect(guard.child.exitCode).toBe(0);
    // The guard is gone: the configuration --emit-config printed fails closed for the deny kind
    // (failurePolicy Fail) and open for the warn one.
    const unreachable = await as(sandbox, "alice", "scale", "deployment", "web", "--replicas=7");
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain("failed calling webhook");
    expect((await as(sandbox, "alice", "label", "configmap", "settings", "seen=yes")).code).toBe(0);
    // What the guard let through under audit and break-glass is in the history, with its user.
    const history = await runKubedrift(
      ["history", "--store", `sqlite:${join(directory, "guard.db")}`, "-o", "json"],
      {
        cwd: directory,
      },
    );
    const episodes = (
      JSON.parse(history.stdout) as { episodes: { resource: { name: string }; changes: HistoryChange[] }[] }
    ).episodes;
    const changesOf = (name: string): HistoryChange[] =>
      episodes.filter((episode) => episode.resource.name === name).flatMap((episode) => episode.changes);
    expect(changesOf("web")).toContainEqual(
      expect.objectContaining({
        path: "/spec/replicas",
        user: "alice",
        breakGlass: "INC-4711 traffic spike",
      }),
    );
    expect(changesOf("limits")).toEqual([expect.objectContaining({ path: "/data/mode", user: "alice" })]);
  }, 120_000);

  it("decides the same with the ValidatingAdmissionPolicies --emit-policy prints, evaluated by the sandbox; watch records audit and break-glass from the audit log", async () => {
    const directory = join(scratch.path, "policy");
    mkdirSync(directory, { recursive: true });
    const port = await freePort();
    const sandbox = await managedSandbox(directory, auditFlags(directory, port));
    const emitted = await runKubedrift(
      ["guard", "-f", "deploy", "--kubeconfig", sandbox.kubeconfigPath, "--emit-policy"],
      {
        cwd: directory,
      },
    );
    expect(emitted.code, emitted.stderr).toBe(0);
    await kubectlOk(sandbox, ["apply", "-f", writeManifest(directory, "policies.yaml", emitted.stdout)]);
    // No webhook in the request path: what Audit and break-glass let through reaches the history
    // through the API server's audit log, read by `watch`.
    const store = `sqlite:${join(directory, "policy.db")}`;
    const watch = startWatch(
      [
        "-f",
        "deploy",
        "--kubeconfig",
        sandbox.kubeconfigPath,
        "--store",
        store,
        "--listen",
        `127.0.0.1:${String(port)}`,
        "--audit-token-file",
        writeManifest(directory, "audit-token", `${auditToken}\n`),
        "--attribution-wait",
        "5s",
      ],
      directory,
    );
    await untilSynced(watch, 60_000);

    const denied = await as(sandbox, "alice", "scale", "deployment", "web", "--replicas=5");
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain(
      "kubedrift: Deployment guard-e2e/web is managed from Git: spec.replicas must be 2",
    );
    expect((await as(sandbox, "ci-deployer", "scale", "deployment", "web", "--replicas=2")).code).toBe(0);
    expect((await as(sandbox, "alice", "label", "configmap", "scratch", "team=x")).code).toBe(0);
    const warned = await as(
      sandbox,
      "alice",
      "patch",
      "configmap",
      "settings",
      "-p",
      JSON.stringify({ data: { mode: "green" } }),
    );
    expect(warned.code, warned.stderr).toBe(0);
    // The message names the value as JSON: "blue", quoted.
    expect(warned.stderr).toContain('data.mode must be "blue"');
    const glass = JSON.stringify({
      metadata: { annotations: { "kubedrift.dev/break-glass": "INC-4712" } },
      spec: { replicas: 6 },
    });
    expect((await as(sandbox, "alice", "patch", "deployment", "web", "-p", glass)).code).toBe(0);
    const audited = await as(
      sandbox,
      "alice",
      "patch",
      "configmap",
      "limits",
      "-p",
      JSON.stringify({ data: { mode: "high" } }),
    );
    expect(audited.code, audited.stderr).toBe(0);
    expect(audited.stderr).not.toContain("Warning");
    const recorded = await until(async () => {
      const history = await runKubedrift(["history", "--store", store, "-o", "json"], { cwd: directory });
      const changes = (
        JSON.parse(history.stdout) as { episodes: { resource: { name: string }; changes: HistoryChange[] }[] }
      ).episodes.flatMap((episode) =>
        episode.changes.map((change) => ({ ...change, name: episode.resource.name })),
      );
      const web = changes.find(
        (change) =>
          change.name === "web" && change.path === "/spec/replicas" && change.breakGlass !== undefined,
      );
      const limits = changes.find((change) => change.name === "limits" && change.user !== undefined);
      return web !== undefined && limits !== undefined ? { web, limits } : undefined;
    }, "the audited and break-glass changes in the history");
    expect(recorded.web).toMatchObject({ path: "/spec/replicas", user: "alice", breakGlass: "INC-4712" });
    expect(recorded.limits).toMatchObject({ path: "/data/mode", user: "alice" });
    watch.child.kill("SIGTERM");
    expect(await watch.exited).toBe(0);
  }, 120_000);
});
