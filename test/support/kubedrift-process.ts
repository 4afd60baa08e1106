/**
 * The built CLI as long-running processes the tests talk to (`kubedrift sandbox` with extra flags,
 * `kubedrift guard`), each killed after the file, and a free loopback port for a server that must
 * be named before it starts (an audit or admission webhook the sandbox calls).
 */
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll } from "vitest";
import { parse as parseYaml } from "yaml";
import type { SandboxConnection } from "./kubectl.js";
import { kubedriftBinary } from "./kubedrift.js";

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface KubedriftProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stderr: () => string;
}

export interface KubedriftProcesses {
  spawn(args: readonly string[], cwd: string): KubedriftProcess;
  /** `kubedrift sandbox` with these extra flags; resolves with its connection once it serves. */
  startSandbox(directory: string, flags: readonly string[]): Promise<SandboxConnection>;
}

/** Call at the top of a test file: its processes are killed after the file. */
export function useKubedriftProcesses(): KubedriftProcesses {
  const children: ChildProcessWithoutNullStreams[] = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  });
  const spawnKubedrift = (args: readonly string[], cwd: string): KubedriftProcess => {
    const child = spawn(kubedriftBinary, [...args], {
      cwd,
      env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: cwd },
    });
    children.push(child);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    return { child, stderr: () => stderr };
  };
  return {
    spawn: spawnKubedrift,
    startSandbox: async (directory, flags) => {
      const kubeconfigPath = join(directory, "kubeconfig");
      const { child, stderr } = spawnKubedrift(
        ["sandbox", "--port", "0", "--kubeconfig", kubeconfigPath, ...flags],
        directory,
      );
      for await (const line of createInterface({ input: child.stdout })) {
        if (!line.startsWith("{")) continue;
        const { server } = JSON.parse(line) as { server: string };
        const config = parseYaml(readFileSync(kubeconfigPath, "utf8")) as {
          users: { user: { token: string } }[];
        };
        return { url: server, kubeconfigPath, token: config.users[0]?.user.token ?? "" };
      }
      throw new Error(`the sandbox did not start: ${stderr()}`);
    },
  };
}
