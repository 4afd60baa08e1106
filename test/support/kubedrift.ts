/**
 * Runs the built `kubedrift` (bin/kubedrift → dist/cli/main.js) as a process, as users and CI do.
 * `npm test` builds first; a missing build is a clear failure rather than a confusing one.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
export const kubedriftBinary = `${root}bin/kubedrift`;

export interface KubedriftResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runKubedrift(
  args: readonly string[],
  options: { readonly cwd: string; readonly input?: string; readonly env?: Readonly<Record<string, string>> },
): Promise<KubedriftResult> {
  if (!existsSync(`${root}dist/cli/main.js`)) {
    throw new Error("dist/cli/main.js is missing: run `npm run build` (npm test does it first)");
  }
  return new Promise((resolve, reject) => {
    const child = spawn(kubedriftBinary, [...args], {
      cwd: options.cwd,
      env: {
        PATH: process.env["PATH"] ?? "/usr/bin:/bin",
        HOME: options.cwd,
        TZ: "UTC",
        // A fixed redaction key: no key file is made under HOME (often a test's git repository), and
        // hashes are the same in every run. Tests of the key file itself set this to "".
        KUBEDRIFT_REDACTION_KEY: "kubedrift-tests-0123456789abcdef0123456789",
        ...options.env,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}
