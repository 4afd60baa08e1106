import { execFile } from "node:child_process";

export interface GitOptions {
  readonly cwd: string;
  readonly gitPath?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export type GitResult =
  | { readonly ok: true; readonly stdout: string }
  | { readonly ok: false; readonly missing: boolean; readonly stderr: string };

export function runGit(args: readonly string[], options: GitOptions): Promise<GitResult> {
  // Messages are parsed and shown: keep them in English whatever the user's locale.
  const env = { ...(options.env ?? process.env), LC_ALL: "C", LANGUAGE: "" };
  return new Promise((resolve) => {
    execFile(
      options.gitPath ?? "git",
      [...args],
      { cwd: options.cwd, env, maxBuffer: 1024 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error === null) return resolve({ ok: true, stdout });
        const missing = "code" in error && error.code === "ENOENT";
        resolve({ ok: false, missing, stderr });
      },
    );
  });
}

export function firstLine(stderr: string): string {
  const line = stderr.split("\n").find((text) => text.trim() !== "") ?? "git failed";
  return line.replace(/^(fatal|error):\s*/, "");
}
