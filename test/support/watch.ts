/**
 * The built `kubedrift watch` as a process, as users run it: its stderr log lines read as they
 * come, and every process a test file started killed after the file.
 */
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { setTimeout as delay } from "node:timers/promises";
import { afterAll } from "vitest";
import { kubedriftBinary } from "./kubedrift.js";

export interface RunningWatch {
  readonly child: ChildProcessWithoutNullStreams;
  /** The JSON log lines written so far (stderr is not a terminal here). */
  readonly lines: () => Record<string, unknown>[];
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

/** Call at the top of a test file: returns `startWatch`, whose processes are killed after the file. */
export function useWatchProcesses(): (args: readonly string[], cwd: string) => RunningWatch {
  const children: ChildProcessWithoutNullStreams[] = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  });
  return (args, cwd) => {
    const child = spawn(kubedriftBinary, ["watch", ...args], {
      cwd,
      env: {
        PATH: process.env["PATH"] ?? "/usr/bin:/bin",
        HOME: cwd,
        TZ: "UTC",
        KUBEDRIFT_REDACTION_KEY: "kubedrift-tests-0123456789abcdef0123456789",
      },
    });
    children.push(child);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const lines = (): Record<string, unknown>[] =>
      stderr
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    return { child, lines, stderr: () => stderr, exited };
  };
}

/**
 * Polls `probe` until it answers: anything but undefined or false (a failed probe counts as no
 * answer); the test's own limit catches a hang.
 */
export async function until<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  ms = 30_000,
): Promise<T> {
  for (let waited = 0; waited < ms; waited += 50) {
    const found = await Promise.resolve()
      .then(probe)
      .catch(() => undefined);
    if (found !== undefined && found !== false) return found;
    await delay(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Waits for a watch's `synced` line (its first full sync), failing with what it wrote on stderr by
 * then, which is what explains a watch that never synced.
 */
export async function untilSynced(
  watch: Pick<RunningWatch, "lines" | "stderr">,
  ms = 60_000,
  what = "the first sync",
): Promise<void> {
  await until(() => watch.lines().some((line) => line["msg"] === "synced"), what, ms).catch(
    (error: unknown) => {
      throw new Error(
        `${error instanceof Error ? error.message : String(error)} (stderr: ${watch.stderr()})`,
      );
    },
  );
}

/** The Deployment the watch tests deploy and scale out of band. */
export function webDeployment(namespace: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${namespace}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
`;
}

/** A Secret whose value no output, Event or notification may show. */
export function dbSecret(namespace: string, password: string): string {
  return `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: ${namespace}
stringData:
  password: ${password}
`;
}
