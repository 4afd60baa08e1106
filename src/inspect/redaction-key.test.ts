import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultEngineConfig } from "../engine/config.js";
import { redactionKeyPath, resolveRedactionKey, withRedactionKey } from "./redaction-key.js";

let scratch: string;
let notes: string[];

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "kubedrift-key-"));
  notes = [];
});
afterEach(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** Never the real home: XDG_CONFIG_HOME and HOME both point into the scratch directory. */
function environment(extra: NodeJS.ProcessEnv = {}) {
  return {
    env: { XDG_CONFIG_HOME: join(scratch, "config"), HOME: join(scratch, "home"), ...extra },
    note: (line: string) => notes.push(line),
  };
}

describe("the installation's redaction key", () => {
  it("is made on first use: 32 random bytes as hex, mode 0600 in a 0700 directory, then reused", () => {
    const key = resolveRedactionKey(undefined, environment());
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const path = join(scratch, "config", "kubedrift", "redaction.key");
    expect(redactionKeyPath(environment().env)).toBe(path);
    expect(readFileSync(path, "utf8")).toBe(`${key}\n`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(scratch, "config", "kubedrift")).mode & 0o777).toBe(0o700);
    expect(resolveRedactionKey(undefined, environment())).toBe(key);
    // No temporary file is left beside it.
    expect(readdirSync(join(scratch, "config", "kubedrift"))).toEqual(["redaction.key"]);
    expect(notes).toEqual([]);
  });

  it("lives under ~/.config without XDG_CONFIG_HOME, or with a relative one", () => {
    const home = join(scratch, "home");
    expect(redactionKeyPath({ HOME: home })).toBe(join(home, ".config", "kubedrift", "redaction.key"));
    expect(redactionKeyPath({ HOME: home, XDG_CONFIG_HOME: "relative" })).toBe(
      join(home, ".config", "kubedrift", "redaction.key"),
    );
  });

  it("differs between installations", () => {
    const first = resolveRedactionKey(undefined, environment());
    const second = resolveRedactionKey(undefined, environment({ XDG_CONFIG_HOME: join(scratch, "other") }));
    expect(first).not.toBe(second);
  });

  it("comes from KUBEDRIFT_REDACTION_KEY first, then kubedrift.yaml, and then no file is made", () => {
    const fromEnv = "e".repeat(40);
    const configured = "c".repeat(40);
    expect(resolveRedactionKey(configured, environment({ KUBEDRIFT_REDACTION_KEY: `${fromEnv}\n` }))).toBe(
      fromEnv,
    );
    expect(resolveRedactionKey(configured, environment())).toBe(configured);
    expect(withRedactionKey(defaultEngineConfig, environment({ KUBEDRIFT_REDACTION_KEY: fromEnv }))).toEqual({
      ...defaultEngineConfig,
      redactionKey: fromEnv,
    });
    expect(() => readdirSync(join(scratch, "config"))).toThrow(/ENOENT/);
  });

  it("refuses a short key from the environment without repeating it", () => {
    expect(() => resolveRedactionKey(undefined, environment({ KUBEDRIFT_REDACTION_KEY: "hunter2" }))).toThrow(
      "KUBEDRIFT_REDACTION_KEY must be at least 32 characters (for example the output of `openssl rand -hex 32`)",
    );
  });

  it("warns when others can read the key file, and refuses a file that is not a key", () => {
    const path = redactionKeyPath(environment().env);
    mkdirSync(join(scratch, "config", "kubedrift"), { recursive: true });
    writeFileSync(path, `${"a".repeat(64)}\n`, { mode: 0o644 });
    expect(resolveRedactionKey(undefined, environment())).toBe("a".repeat(64));
    expect(notes).toEqual([`kubedrift: ${path} can be read by other users; run: chmod 600 ${path}`]);
    writeFileSync(path, "short-secret\n");
    expect(() => resolveRedactionKey(undefined, environment())).toThrow(
      `redaction key ${path}: not a kubedrift key (too short); remove it to have a new one made`,
    );
  });

  it("still hides values when the key cannot be stored, with a one-line note", () => {
    // A file where the directory should be: unwritable even for root, unlike a chmod.
    writeFileSync(join(scratch, "config"), "");
    const key = resolveRedactionKey(undefined, environment());
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^kubedrift: cannot store a redaction key at .*redaction\.key \(ENOTDIR\)/);
  });
});
