/**
 * Issue 11, item 5: `kubedrift diff --help | head -1` ends quietly. The reader closes the pipe while
 * kubedrift may still be writing; Node then reports EPIPE, which must end the process with exit 0
 * and nothing on stderr (no stack trace), for every command. The race is real (it showed in 4 runs
 * of 10), so each case runs 10 times; `| true` closes the pipe before anything is read at all.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { kubedriftBinary } from "../support/kubedrift.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Runs `kubedrift ARGS | READER` in bash; kubedrift's own exit status and its stderr. */
function piped(args: string, reader: string): { readonly code: number; readonly stderr: string } {
  const script = `"${kubedriftBinary}" ${args} 2>"$ERR" | ${reader} >/dev/null; echo "\${PIPESTATUS[0]}"; cat "$ERR"`;
  const result = spawnSync("bash", ["-c", `ERR=$(mktemp); ${script} >&2; rm -f "$ERR"`], {
    cwd: root,
    encoding: "utf8",
    env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: root, TZ: "UTC" },
  });
  const [status = "", ...stderr] = result.stderr.split("\n");
  return { code: Number(status), stderr: stderr.join("\n").trim() };
}

beforeAll(() => {
  if (!existsSync(`${root}dist/cli/main.js`))
    throw new Error("dist/cli/main.js is missing: run `npm run build`");
});

describe("a closed stdout pipe", () => {
  it("kubedrift diff --help | head -1 ends with exit 0 and nothing on stderr, 10 runs of 10", () => {
    for (let run = 0; run < 10; run += 1) {
      const result = piped("diff --help", "head -1");
      expect(result.stderr).not.toMatch(/EPIPE|Error|at .*\.js:\d+/);
      expect(result).toEqual({ code: 0, stderr: "" });
    }
  });

  it.each([
    "diff --help",
    "plan --help",
    "apply --help",
    "adopt --help",
    "version --client",
    "version --help",
    "completion bash",
    "completion fish",
    "sandbox --help",
    "--help",
  ])("kubedrift %s into a reader that reads nothing ends quietly", (args) => {
    for (let run = 0; run < 10; run += 1) {
      const result = piped(args, "true");
      expect(result.stderr).not.toMatch(/EPIPE|Error|at .*\.js:\d+/);
      expect(result).toEqual({ code: 0, stderr: "" });
    }
  });
});
