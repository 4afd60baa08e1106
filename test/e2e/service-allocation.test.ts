/**
 * `kubedrift sandbox --service-cluster-ip-range … --service-node-port-range …` with the real
 * kubectl: `kubectl create service` until the range is full, kube-apiserver's errors as kubectl
 * prints them, and a deleted Service's address handed out again.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { kubectlOk, runKubectl, type SandboxConnection } from "../support/kubectl.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const directory = mkdtempSync(join(tmpdir(), "kubedrift-service-allocation-"));
const children: ChildProcessWithoutNullStreams[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(directory, { recursive: true, force: true });
});

function runCli(args: readonly string[]): { child: ChildProcessWithoutNullStreams; stderr: () => string } {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "sandbox", ...args], {
    cwd: root,
    env: { ...process.env, NO_COLOR: "1" },
  });
  children.push(child);
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, stderr: () => stderr };
}

async function startSandbox(flags: readonly string[]): Promise<SandboxConnection> {
  const kubeconfigPath = join(directory, "kubeconfig");
  const { child, stderr } = runCli(["--port", "0", "--kubeconfig", kubeconfigPath, ...flags]);
  for await (const line of createInterface({ input: child.stdout })) {
    if (!line.startsWith("{")) continue;
    const config = parse(readFileSync(kubeconfigPath, "utf8")) as { users: { user: { token: string } }[] };
    const { server } = JSON.parse(line) as { server: string };
    return { url: server, kubeconfigPath, token: config.users[0]?.user.token ?? "" };
  }
  throw new Error(`the sandbox did not start: ${stderr()}`);
}

async function clusterIP(sandbox: SandboxConnection, name: string): Promise<string> {
  const result = await kubectlOk(sandbox, ["get", "service", name, "-o", "jsonpath={.spec.clusterIP}"]);
  return result.stdout;
}

describe("kubedrift sandbox --service-cluster-ip-range 10.0.0.0/29", () => {
  let sandbox: SandboxConnection;
  beforeAll(async () => {
    sandbox = await startSandbox([
      "--service-cluster-ip-range",
      "10.0.0.0/29",
      "--service-node-port-range",
      "30000-30002",
    ]);
  }, 60_000);

  it("gives kubectl's Services the range's addresses until it is full, then kube's error", async () => {
    expect(await clusterIP(sandbox, "kubernetes")).toBe("10.0.0.1");
    for (const name of ["a", "b", "c", "d", "e"])
      await kubectlOk(sandbox, ["create", "service", "clusterip", name, "--tcp", "80:8080"]);
    const ips = await kubectlOk(sandbox, [
      "get",
      "services",
      "-o",
      "jsonpath={range .items[*]}{.metadata.name}={.spec.clusterIP} {end}",
    ]);
    expect(ips.stdout).toBe("a=10.0.0.2 b=10.0.0.3 c=10.0.0.4 d=10.0.0.5 e=10.0.0.6 kubernetes=10.0.0.1 ");
    const full = await runKubectl(sandbox, ["create", "service", "clusterip", "f", "--tcp", "80:8080"]);
    expect(full.code).toBe(1);
    expect(full.stderr).toBe(
      "error: failed to create ClusterIP service: Internal error occurred: failed to allocate a serviceIP: range is full\n",
    );
    await kubectlOk(sandbox, ["delete", "service", "c"]);
    await kubectlOk(sandbox, ["create", "service", "clusterip", "f", "--tcp", "80:8080"]);
    expect(await clusterIP(sandbox, "f")).toBe("10.0.0.4");
  }, 60_000);

  it("refuses a requested address outside the range or in use with kube's 422", async () => {
    const outside = await runKubectl(sandbox, [
      "create",
      "service",
      "clusterip",
      "static",
      "--clusterip",
      "10.96.0.10",
      "--tcp",
      "80:8080",
    ]);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toBe(
      'error: failed to create ClusterIP service: Service "static" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: the provided IP (10.96.0.10) is not in the valid range. The range of valid IPs is 10.0.0.0/29\n',
    );
    await kubectlOk(sandbox, ["delete", "service", "a"]);
    const taken = await runKubectl(sandbox, [
      "create",
      "service",
      "clusterip",
      "static",
      "--clusterip",
      "10.0.0.3",
      "--tcp",
      "80:8080",
    ]);
    expect(taken.stderr).toBe(
      'error: failed to create ClusterIP service: Service "static" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.3"}: failed to allocate IP 10.0.0.3: provided IP is already allocated\n',
    );
    await kubectlOk(sandbox, [
      "create",
      "service",
      "clusterip",
      "static",
      "--clusterip",
      "10.0.0.2",
      "--tcp",
      "80",
    ]);
    expect(await clusterIP(sandbox, "static")).toBe("10.0.0.2");
  }, 60_000);

  it("refuses a node port in use, and the next one once the node port range is full", async () => {
    await kubectlOk(sandbox, ["delete", "service", "b", "d", "e"]);
    await kubectlOk(sandbox, [
      "create",
      "service",
      "nodeport",
      "np-a",
      "--tcp",
      "80:8080",
      "--node-port",
      "30001",
    ]);
    const taken = await runKubectl(sandbox, [
      "create",
      "service",
      "nodeport",
      "np-b",
      "--tcp",
      "80:8080",
      "--node-port",
      "30001",
    ]);
    expect(taken.stderr).toBe(
      'error: failed to create NodePort service: Service "np-b" is invalid: spec.ports[0].nodePort: Invalid value: 30001: provided port is already allocated\n',
    );
    await kubectlOk(sandbox, ["create", "service", "nodeport", "np-b", "--tcp", "80:8080"]);
    await kubectlOk(sandbox, ["create", "service", "nodeport", "np-c", "--tcp", "80:8080"]);
    const ports = await kubectlOk(sandbox, [
      "get",
      "services",
      "np-a",
      "np-b",
      "np-c",
      "-o",
      "jsonpath={.items[*].spec.ports[0].nodePort}",
    ]);
    expect(ports.stdout).toBe("30001 30000 30002");
    const full = await runKubectl(sandbox, ["create", "service", "clusterip", "x", "--tcp", "80"]);
    // The address range is full again: b, d and e freed three, the np Services took them.
    expect(full.stderr).toContain("failed to allocate a serviceIP: range is full");
    await kubectlOk(sandbox, ["delete", "service", "f"]);
    const noPort = await runKubectl(sandbox, ["create", "service", "nodeport", "np-d", "--tcp", "80:8080"]);
    expect(noPort.stderr).toBe(
      "error: failed to create NodePort service: Internal error occurred: failed to allocate a nodePort: range is full\n",
    );
  }, 60_000);
});

describe("kubedrift sandbox's Service range flags", () => {
  it("refuse an IPv6 or malformed range in one line naming the flag (exit 1)", async () => {
    for (const [flag, value, message] of [
      [
        "--service-cluster-ip-range",
        "fd00::/108",
        'error: --service-cluster-ip-range: invalid CIDR "fd00::/108" (only IPv4 ranges are supported)',
      ],
      [
        "--service-node-port-range",
        "32767-30000",
        'error: --service-node-port-range: invalid port range "32767-30000" (expected FROM-TO within 1-65535)',
      ],
    ] as const) {
      const { child, stderr } = runCli(["--port", "0", flag, value]);
      const code = await new Promise((resolve) => child.once("close", resolve));
      expect(code).toBe(1);
      expect(stderr()).toBe(`${message}\n`);
    }
  }, 60_000);
});
