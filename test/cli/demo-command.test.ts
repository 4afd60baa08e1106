/**
 * `kubedrift demo` leaves nothing behind: its kubeconfig (the sandbox's bearer token) and the
 * directory around it go when the demo ends, however it ends. Runs the built bin/kubedrift with
 * TMPDIR set to a fresh directory and looks into it afterwards. Node's compile cache (which also
 * lives under TMPDIR, by design and with no secret in it) is turned off so that "empty" means empty.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { kubedriftBinary } from "../support/kubedrift.js";
import { runKubectl } from "../support/kubectl.js";

const distMain = new URL("../../dist/cli/main.js", import.meta.url);

/** The test's own directories (TMPDIR, HOME, cwd of each run), removed at the end. */
const made: string[] = [];
function madeDirectory(prefix: string): string {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  made.push(directory);
  return directory;
}
afterAll(() => {
  for (const directory of made) rmSync(directory, { recursive: true, force: true });
});

interface Demo {
  readonly child: ChildProcessWithoutNullStreams;
  readonly temporary: string;
  readonly stdout: () => string;
  /** Resolves with the output so far once a line containing `text` is printed. */
  readonly printed: (text: string) => Promise<string>;
  /** Exit code (128 + n when killed by signal n without a handler) once the streams are drained. */
  readonly closed: Promise<number>;
}

function startDemo(args: readonly string[], cwd?: string): Demo {
  if (!existsSync(distMain)) throw new Error("dist/cli/main.js is missing: run `npm run build` first");
  const temporary = madeDirectory("kubedrift-demo-test-");
  const home = madeDirectory("kubedrift-demo-home-");
  const child = spawn(kubedriftBinary, ["demo", ...args], {
    cwd: cwd ?? process.cwd(),
    env: {
      PATH: process.env["PATH"] ?? "/usr/bin:/bin",
      HOME: home,
      TMPDIR: temporary,
      NODE_DISABLE_COMPILE_CACHE: "1",
      NO_COLOR: "1",
      KUBEDRIFT_REDACTION_KEY: "kubedrift-tests-0123456789abcdef0123456789",
    },
  });
  child.stdin.end();
  let stdout = "";
  let stderr = "";
  const waiters: { text: string; resolve: (output: string) => void }[] = [];
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const waiter of waiters.splice(0)) {
      if (stdout.includes(waiter.text)) waiter.resolve(stdout);
      else waiters.push(waiter);
    }
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const closed = new Promise<number>((resolve) =>
    child.once("close", (code, signal) => resolve(code ?? (signal === null ? -1 : 128))),
  );
  const printed = (text: string): Promise<string> =>
    stdout.includes(text)
      ? Promise.resolve(stdout)
      : Promise.race([
          new Promise<string>((resolve) => waiters.push({ text, resolve })),
          closed.then((code) => {
            throw new Error(`demo exited ${code} before printing "${text}":\n${stdout}\n${stderr}`);
          }),
        ]);
  return { child, temporary, stdout: () => stdout, printed, closed };
}

/** The kubeconfig path of the demo's first line: `Started … (kubeconfig: PATH)`. */
function kubeconfigOf(output: string): string {
  const match = /\(kubeconfig: ([^)]+)\)/.exec(output);
  if (match?.[1] === undefined) throw new Error(`no kubeconfig in:\n${output}`);
  return match[1];
}

describe("kubedrift demo leaves no kubeconfig behind", () => {
  it("removes its kubeconfig and directory at the normal end", async () => {
    const demo = startDemo([]);
    expect(await demo.closed).toBe(0);
    const output = demo.stdout();
    expect(kubeconfigOf(output).startsWith(`${demo.temporary}/kubedrift-sandbox-`)).toBe(true);
    expect(output).toContain(
      "4 resources in sandbox: 1 drifted, 3 in sync\n- desired (Git)  + live (cluster)\n",
    );
    expect(readdirSync(demo.temporary)).toEqual([]);
  });

  it("removes them when the demo fails", async () => {
    const cwd = madeDirectory("kubedrift-demo-cwd-");
    // A configuration the inspection refuses: the demo fails after the sandbox started.
    writeFileSync(
      join(cwd, "kubedrift.yaml"),
      "apiVersion: kubedrift.dev/v1\nkind: Config\nredactionSalt: x\n",
    );
    const demo = startDemo([], cwd);
    await demo.printed("Started the kubedrift sandbox");
    expect(await demo.closed).toBe(1);
    expect(readdirSync(demo.temporary)).toEqual([]);
  });

  it("with --keep, keeps the kubeconfig while the sandbox runs (kubectl works) and removes it on SIGINT", async () => {
    const demo = startDemo(["--keep"]);
    const output = await demo.printed("Stop it with Ctrl-C");
    const kubeconfigPath = kubeconfigOf(output);
    expect(existsSync(kubeconfigPath)).toBe(true);
    expect(readdirSync(demo.temporary)).toEqual([
      kubeconfigPath.slice(demo.temporary.length + 1, -"/kubeconfig".length),
    ]);
    const replicas = await runKubectl({ url: "", token: "", kubeconfigPath }, [
      "-n",
      "shop",
      "get",
      "deployment/web",
      "-o",
      "jsonpath={.spec.replicas}",
    ]);
    expect(replicas).toEqual({ code: 0, stdout: "5", stderr: "" });
    demo.child.kill("SIGINT");
    // Ctrl-C is how --keep is meant to end: a normal end, exit 0.
    expect(await demo.closed).toBe(0);
    expect(existsSync(dirname(kubeconfigPath))).toBe(false);
    expect(readdirSync(demo.temporary)).toEqual([]);
  });

  it("with --keep, removes them on SIGTERM too", async () => {
    const demo = startDemo(["--keep"]);
    await demo.printed("Stop it with Ctrl-C");
    demo.child.kill("SIGTERM");
    expect(await demo.closed).toBe(0);
    expect(readdirSync(demo.temporary)).toEqual([]);
  });

  it("removes them when interrupted while it works", async () => {
    const demo = startDemo(["--keep"]);
    await demo.printed("Started the kubedrift sandbox");
    demo.child.kill("SIGTERM");
    const code = await demo.closed;
    // Almost always mid-way (exit 128 + 15, as a shell reports a SIGTERM); should the demo have
    // reached its --keep wait first, the signal ends that wait instead, normally.
    expect(code).toBe(demo.stdout().includes("Stop it with Ctrl-C") ? 0 : 143);
    expect(readdirSync(demo.temporary)).toEqual([]);
  });
});
