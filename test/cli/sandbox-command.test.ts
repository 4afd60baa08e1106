import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { answered, call } from "../../src/sandbox/https-client.test-helper.js";
import { runKubectl } from "../support/kubectl.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  readonly ready: { readonly server: string; readonly kubeconfig: string };
  readonly stderr: () => string;
}

function runCli(args: readonly string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    cwd: root,
    env: { ...process.env, NO_COLOR: "1" },
  });
}

async function startCli(args: readonly string[]): Promise<Running> {
  const child = runCli(["sandbox", ...args]);
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("\n")) resolve(stdout.split("\n")[0] ?? "");
    });
    child.once("exit", (code) => reject(new Error(`exited with ${String(code)}: ${stderr}`)));
  });
  return { child, ready: JSON.parse(line) as Running["ready"], stderr: () => stderr };
}

function exitOf(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/** The exit code once the process has exited and its output streams are drained. */
function closeOf(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => child.once("close", (code) => resolve(code)));
}

function connection(ready: Running["ready"]): { url: string; kubeconfigPath: string; token: string } {
  const config = parse(readFileSync(ready.kubeconfig, "utf8")) as { users: { user: { token: string } }[] };
  return { url: ready.server, kubeconfigPath: ready.kubeconfig, token: config.users[0]?.user.token ?? "" };
}

/** What the https client of the sandbox's tests needs: URL, token and CA, from the kubeconfig. */
function target(ready: Running["ready"]): { url: string; token: string; certificateAuthority: string } {
  const config = parse(readFileSync(ready.kubeconfig, "utf8")) as {
    clusters: { cluster: Record<string, string> }[];
    users: { user: { token: string } }[];
  };
  return {
    url: ready.server,
    token: config.users[0]?.user.token ?? "",
    certificateAuthority: Buffer.from(
      config.clusters[0]?.cluster["certificate-authority-data"] ?? "",
      "base64",
    ).toString(),
  };
}

async function stop(running: Running): Promise<number | null> {
  const exited = exitOf(running.child);
  running.child.kill("SIGTERM");
  return exited;
}

const scratchDirectories: string[] = [];

/** A temporary directory removed after the file's tests. */
function scratch(prefix: string): string {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  scratchDirectories.push(directory);
  return directory;
}

afterAll(() => {
  for (const directory of scratchDirectories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describe("kubedrift sandbox", () => {
  it("prints one JSON line when ready, writes an owner-only kubeconfig, and stops cleanly on SIGTERM", async () => {
    const kubeconfig = join(scratch("kubedrift-cli-"), "kubeconfig");
    const running = await startCli(["--kubeconfig", kubeconfig]);
    expect(running.ready).toEqual({
      server: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/) as unknown,
      kubeconfig,
    });
    expect(statSync(kubeconfig).mode & 0o777).toBe(0o600);
    const namespaces = await runKubectl(connection(running.ready), ["get", "namespaces", "-o", "name"]);
    expect(namespaces.stdout).toBe(
      "namespace/default\nnamespace/kube-node-lease\nnamespace/kube-public\nnamespace/kube-system\n",
    );
    const exited = exitOf(running.child);
    running.child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(running.stderr()).toBe("");
  });

  it("removes a kubeconfig of its own making (it holds the token) when it stops; a given one stays", async () => {
    const running = await startCli([]);
    const own = running.ready.kubeconfig;
    expect(existsSync(own)).toBe(true);
    expect(await stop(running)).toBe(0);
    expect(existsSync(dirname(own))).toBe(false);

    const given = join(scratch("kubedrift-cli-"), "kubeconfig");
    const second = await startCli(["--kubeconfig", given]);
    expect(await stop(second)).toBe(0);
    expect(existsSync(given)).toBe(true);
  });

  it("keeps the state under --data across a restart, with resourceVersions that never go back", async () => {
    const directory = scratch("kubedrift-data-");
    const kubeconfig = join(directory, "kubeconfig");
    const first = await startCli(["--kubeconfig", kubeconfig, "--data", join(directory, "state")]);
    await runKubectl(connection(first.ready), ["create", "configmap", "kept", "--from-literal=a=1"]);
    const before = JSON.parse(
      (await runKubectl(connection(first.ready), ["get", "configmap", "kept", "-o", "json"])).stdout,
    ) as {
      metadata: { uid: string; resourceVersion: string };
    };
    const firstIdentity = target(first.ready);
    const stopped = exitOf(first.child);
    first.child.kill("SIGINT");
    expect(await stopped).toBe(0);

    const second = await startCli(["--kubeconfig", kubeconfig, "--data", join(directory, "state")]);
    // The certificate and the token are kept with the data, as a cluster keeps them across restarts:
    // clients (a kubeconfig, a running watch) reconnect without being told anything new.
    const secondIdentity = target(second.ready);
    expect(secondIdentity.token).toBe(firstIdentity.token);
    expect(secondIdentity.certificateAuthority).toBe(firstIdentity.certificateAuthority);
    expect(statSync(join(directory, "state", "identity.json")).mode & 0o777).toBe(0o600);
    const after = JSON.parse(
      (await runKubectl(connection(second.ready), ["get", "configmap", "kept", "-o", "json"])).stdout,
    ) as {
      metadata: { uid: string; resourceVersion: string };
      data: Record<string, string>;
    };
    expect(after.metadata.uid).toBe(before.metadata.uid);
    expect(after.data).toEqual({ a: "1" });
    // kube-root-ca.crt holds the serving certificate, as the publisher controller keeps it.
    const rootCA = JSON.parse(
      (await runKubectl(connection(second.ready), ["get", "configmap", "kube-root-ca.crt", "-o", "json"]))
        .stdout,
    ) as {
      data: Record<string, string>;
    };
    const config = parse(readFileSync(kubeconfig, "utf8")) as {
      clusters: { cluster: Record<string, string> }[];
    };
    const authority = Buffer.from(
      config.clusters[0]?.cluster["certificate-authority-data"] ?? "",
      "base64",
    ).toString();
    expect(rootCA.data["ca.crt"]).toBe(authority);
    await runKubectl(connection(second.ready), ["label", "configmap", "kept", "again=yes"]);
    const relabelled = JSON.parse(
      (await runKubectl(connection(second.ready), ["get", "configmap", "kept", "-o", "json"])).stdout,
    ) as {
      metadata: { resourceVersion: string };
    };
    expect(Number(relabelled.metadata.resourceVersion)).toBeGreaterThan(
      Number(before.metadata.resourceVersion),
    );
    const exited = exitOf(second.child);
    second.child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("loses no acknowledged write when killed with SIGKILL", async () => {
    const directory = scratch("kubedrift-crash-");
    const kubeconfig = join(directory, "kubeconfig");
    const first = await startCli(["--kubeconfig", kubeconfig, "--data", join(directory, "state")]);
    for (const name of ["one", "two", "three"]) {
      await runKubectl(connection(first.ready), ["create", "configmap", name, "--from-literal=k=v"]);
    }
    const killed = exitOf(first.child);
    first.child.kill("SIGKILL");
    await killed;
    const second = await startCli(["--kubeconfig", kubeconfig, "--data", join(directory, "state")]);
    const names = await runKubectl(connection(second.ready), ["get", "configmaps", "-o", "name"]);
    expect(names.stdout).toBe("configmap/kube-root-ca.crt\nconfigmap/one\nconfigmap/three\nconfigmap/two\n");
    const exited = exitOf(second.child);
    second.child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("--fault-lose-responses handles a create but answers it with a reset", async () => {
    const running = await startCli(["--fault-lose-responses", "create=1"]);
    const path = "/api/v1/namespaces/default/configmaps";
    const created = await call(target(running.ready), path, {
      method: "POST",
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "unanswered" } },
    });
    expect(created).toEqual({ kind: "error", code: "ECONNRESET", message: "socket hang up" });
    expect((await answered(target(running.ready), `${path}/unanswered`)).status).toBe(200);
    expect(await stop(running)).toBe(0);
  });

  // Rule (issue 9): two sandboxes on one --data directory would interleave their journals.
  it("refuses a second sandbox on the same --data directory, with one line and exit status 1", async () => {
    const state = join(scratch("kubedrift-lock-"), "state");
    const first = await startCli(["--data", state]);
    const second = runCli(["sandbox", "--data", state]);
    try {
      let stderr = "";
      second.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      expect(await exitOf(second)).toBe(1);
      expect(stderr).toBe(
        `error: sandbox: cannot start: ${state} is in use by another sandbox (pid ${String(first.child.pid)})\n`,
      );
      // The first one is unaffected, and stopping it releases the directory.
      expect((await answered(target(first.ready), "/api/v1/namespaces")).status).toBe(200);
    } finally {
      second.kill("SIGKILL");
      expect(await stop(first)).toBe(0);
    }
    const third = await startCli(["--data", state]);
    expect(await stop(third)).toBe(0);
  });

  // Rule (issue 11): a sandbox reachable from other machines is said so; a kubeconfig that cannot be
  // written stops the start (a sandbox nobody can reach is no use) and leaves nothing behind.
  it("warns on stderr when --host is not a loopback address", async () => {
    const running = await startCli(["--host", "0.0.0.0"]);
    expect(running.ready.server).toMatch(/^https:\/\/0\.0\.0\.0:\d+$/);
    const closed = closeOf(running.child);
    running.child.kill("SIGTERM");
    expect(await closed).toBe(0);
    expect(running.stderr()).toBe(
      "warning: --host 0.0.0.0 is not a loopback address: the sandbox's API is reachable from other machines, and its token gives full access\n",
    );
  });

  it("exits 1 with one line naming a --kubeconfig that is a directory, and writes nothing", async () => {
    const parent = scratch("kubedrift-kubeconfig-");
    const directory = join(parent, "config");
    mkdirSync(directory);
    const child = runCli(["sandbox", "--kubeconfig", directory, "--data", join(parent, "state")]);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await closeOf(child)).toBe(1);
    expect(stderr).toBe(
      `error: sandbox: cannot start: cannot write the kubeconfig ${directory} (it is a directory)\n`,
    );
    expect(readdirSync(parent).sort()).toEqual(["config", "state"]);
    expect(readdirSync(directory)).toEqual([]);
    // The data directory was released: another sandbox can use it.
    expect(readdirSync(join(parent, "state"))).not.toContain("sandbox.lock");
  });

  it("exits 1 with one line naming a --kubeconfig that cannot be written", async () => {
    const path = "/proc/kubedrift-sandbox.kubeconfig";
    const child = runCli(["sandbox", "--kubeconfig", path]);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await closeOf(child)).toBe(1);
    expect(stderr).toMatch(
      /^error: sandbox: cannot start: cannot write the kubeconfig \/proc\/kubedrift-sandbox\.kubeconfig \([^)\n]+\)\n$/,
    );
  });

  it("rejects a bad --fault-lose-responses with one line naming the flag", async () => {
    const child = runCli(["sandbox", "--fault-lose-responses", "patch=half"]);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await exitOf(child)).toBe(1);
    expect(stderr).toBe(
      'error: --fault-lose-responses: lost-response rate for patch must be between 0 and 1, got "half"\n',
    );
  });

  it("rejects a bad flag value with one line on stderr and exit status 1", async () => {
    const child = runCli(["sandbox", "--port", "99999"]);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await exitOf(child)).toBe(1);
    expect(stderr).toBe('error: --port: invalid port "99999"\n');
  });
});

describe("kubedrift demo", () => {
  it("deploys the example, makes an out-of-band change and says who made it", async () => {
    const child = runCli(["demo"]);
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    expect(await exitOf(child)).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(
      /^Started the kubedrift sandbox at https:\/\/127\.0\.0\.1:\d+ \(kubeconfig: .+\)$/,
    );
    expect(lines.slice(1, 6)).toEqual([
      "Deploying the example application from examples/shop:",
      '  applied Namespace shop (server-side apply, field manager "kubedrift-demo")',
      '  applied Deployment shop/web (server-side apply, field manager "kubedrift-demo")',
      '  applied Service shop/web (server-side apply, field manager "kubedrift-demo")',
      '  applied ConfigMap shop/web-config (server-side apply, field manager "kubedrift-demo")',
    ]);
    expect(lines[6]).toBe(
      'Out-of-band change: "kubectl-edit" set Deployment shop/web spec.replicas from 2 to 5.',
    );
    expect(lines[7]).toMatch(
      /^The cluster now records that change in managedFields: spec\.replicas is owned by "kubectl-edit" \(Update\) since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\.$/,
    );
    // It ends with the drift report of that change.
    expect(lines[9]).toBe("");
    expect(lines[10]).toMatch(/^\$ kubedrift diff -f examples\/shop --kubeconfig .+$/);
    // managedFields times have whole seconds, so the age reads "just now" or "1s ago".
    const report = lines.slice(11).map((line) => line.replace(/(just now|\d+s ago)$/, "<age>"));
    expect(report).toEqual([
      "4 resources in sandbox: 1 drifted, 3 in sync",
      "- desired (Git)  + live (cluster)",
      "",
      "Deployment shop/web  examples/shop/web.yaml:2  Drifted",
      "  - spec.replicas: 2",
      "  + spec.replicas: 5",
      "    examples/shop/web.yaml:10, changed by kubectl-edit (Update) <age>",
      "(exit status 2: drift found)",
    ]);
  });
});
