import { execFileSync } from "node:child_process";
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  renameSync,
  symlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setImmediate as nextTurn, setTimeout as sleep } from "node:timers/promises";

import { afterAll, afterEach, describe, expect, it } from "vitest";

import type { SourceChangeOptions, SourceChanges } from "./changes.js";
import { watchSourceChanges } from "./changes.js";

const scratch = realpathSync(mkdtempSync(path.join(tmpdir(), "kubedrift-changes-")));
const opened: SourceChanges[] = [];
let cases = 0;

afterEach(async () => {
  await Promise.all(opened.splice(0).map((changes) => changes.close()));
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A fresh directory holding `files` (relative name → content). */
function directory(files: Readonly<Record<string, string>> = {}): string {
  const root = path.join(scratch, `case-${++cases}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  mkdirSync(root, { recursive: true });
  return root;
}

interface Recorded {
  readonly calls: string[];
  readonly errors: Error[];
  readonly changes: SourceChanges;
}

function record(options: Partial<SourceChangeOptions>): Recorded {
  const calls: string[] = [];
  const errors: Error[] = [];
  const changes = watchSourceChanges({
    paths: [],
    debounceMs: 30,
    onChange: (why) => void calls.push(why),
    onError: (error) => void errors.push(error),
    ...options,
  });
  opened.push(changes);
  return { calls, errors, changes };
}

/** Polls `check` until it holds; the deadline is only there to fail rather than hang. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function git(repository: string, ...args: string[]): string {
  return execFileSync(
    "git",
    ["-c", "user.name=nobody", "-c", "user.email=dev@example.com", "-c", "commit.gpgsign=false", ...args],
    { cwd: repository, encoding: "utf8", env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", HOME: scratch } },
  ).trim();
}

function repository(): string {
  const root = directory({ "deploy/web.yaml": "replicas: 1\n" });
  git(root, "init", "--quiet", "--initial-branch=main");
  git(root, "add", "--all");
  git(root, "commit", "--quiet", "--message", "first");
  return root;
}

/** Commits a change of deploy/web.yaml; returns the new commit's short hash. */
function commit(root: string, replicas: number): string {
  writeFileSync(path.join(root, "deploy/web.yaml"), `replicas: ${replicas}\n`);
  git(root, "commit", "--quiet", "--all", "--message", `replicas ${replicas}`);
  return git(root, "rev-parse", "HEAD").slice(0, 7);
}

describe("watchSourceChanges: files and directories", () => {
  it("makes one call of several quick writes to a file", async () => {
    const root = directory({ "a.yaml": "a: 0\n", "b.yaml": "b: 0\n" });
    const a = path.join(root, "a.yaml");
    const b = path.join(root, "b.yaml");
    const { calls, changes } = record({ paths: [a, b], debounceMs: 150 });
    await changes.ready;

    for (let i = 1; i <= 5; i++) {
      writeFileSync(a, `a: ${i}\n`);
      await nextTurn();
    }
    await until(() => calls.length >= 1, "the first call");
    // b's change marks the end: a second call for a's writes would come before it or be merged into it.
    writeFileSync(b, "b: 1\n");
    await until(() => calls.length >= 2, "the second call");

    expect(calls).toEqual([`${a} changed`, `${b} changed`]);
  });

  it("hears a file replaced by rename, and edits of the new file after it", async () => {
    const root = directory({ "a.yaml": "a: 0\n" });
    const a = path.join(root, "a.yaml");
    const { calls, changes } = record({ paths: [a] });
    await changes.ready;

    writeFileSync(path.join(root, ".a.yaml.tmp"), "a: 1\n");
    renameSync(path.join(root, ".a.yaml.tmp"), a);
    await until(() => calls.length >= 1, "the call for the rename");
    appendFileSync(a, "b: 2\n");
    await until(() => calls.length >= 2, "the call for the edit");

    expect(calls).toEqual([`${a} changed`, `${a} changed`]);
  });

  it("hears a mounted ConfigMap's file when the kubelet swaps its ..data link", async () => {
    // The kubelet's layout: kubedrift.yaml -> ..data/kubedrift.yaml, ..data -> ..<timestamp>.
    const root = directory({
      "..2026_12_02_1/kubedrift.yaml": "a: 0\n",
      "..2026_12_02_2/kubedrift.yaml": "a: 1\n",
    });
    symlinkSync("..2026_12_02_1", path.join(root, "..data"));
    symlinkSync(path.join("..data", "kubedrift.yaml"), path.join(root, "kubedrift.yaml"));
    const file = path.join(root, "kubedrift.yaml");
    const { calls, changes } = record({ paths: [file] });
    await changes.ready;

    symlinkSync("..2026_12_02_2", path.join(root, "..data_tmp"));
    renameSync(path.join(root, "..data_tmp"), path.join(root, "..data"));
    await until(() => calls.length >= 1, "the call for the swap");
    expect(calls).toEqual([`${file} changed`]);
  });

  it("hears a file replaced by rename in a watched directory, and edits of the new file after it", async () => {
    const root = directory({ "base/a.yaml": "a: 0\n" });
    const a = path.join(root, "base/a.yaml");
    const { calls, changes } = record({ paths: [root] });
    await changes.ready;

    writeFileSync(path.join(root, "a.yaml.tmp"), "a: 1\n");
    renameSync(path.join(root, "a.yaml.tmp"), a);
    await until(() => calls.length >= 1, "the call for the rename");
    appendFileSync(a, "b: 2\n");
    await until(() => calls.length >= 2, "the call for the edit");

    expect(calls[0]).toBe(`${root}/a.yaml.tmp changed, ${a} changed`);
    expect(calls[1]).toBe(`${a} changed`);
  });

  it("hears new files and new directories in a watched directory", async () => {
    const root = directory({ "base/kustomization.yaml": "resources: []\n" });
    const { calls, changes } = record({ paths: [root] });
    await changes.ready;

    writeFileSync(path.join(root, "new.yaml"), "a: 1\n");
    await until(() => calls.length >= 1, "the call for the new file");
    mkdirSync(path.join(root, "base/overlay"));
    await until(() => calls.length >= 2, "the call for the new directory");
    writeFileSync(path.join(root, "base/overlay/deep.yaml"), "a: 1\n");
    await until(() => calls.length >= 3, "the call for the file in the new directory");

    expect(calls).toEqual([
      `${root}/new.yaml changed`,
      `${root}/base/overlay changed`,
      `${root}/base/overlay/deep.yaml changed`,
    ]);
  });

  it("names the first three changes of a call and counts the others", async () => {
    const root = directory();
    const { calls, changes } = record({ paths: [root] });
    await changes.ready;

    for (const name of ["a", "b", "c", "d", "e"]) writeFileSync(path.join(root, `${name}.yaml`), "x: 1\n");
    await until(() => calls.length >= 1, "the call");

    expect(calls).toEqual([
      `${root}/a.yaml changed, ${root}/b.yaml changed, ${root}/c.yaml changed and 2 more`,
    ]);
  });

  it("ignores .git/ and editors' scratch files", async () => {
    const root = directory({ ".git/HEAD": "ref: refs/heads/main\n", "sub/a.yaml": "a: 0\n" });
    const { calls, errors, changes } = record({ paths: [root] });
    await changes.ready;

    writeFileSync(path.join(root, ".git/HEAD"), "ref: refs/heads/other\n");
    mkdirSync(path.join(root, ".git/refs"));
    writeFileSync(path.join(root, ".git/refs/x"), "x\n");
    mkdirSync(path.join(root, "sub/.git"));
    writeFileSync(path.join(root, "sub/.a.yaml.swp"), "swap\n");
    writeFileSync(path.join(root, "sub/a.yaml~"), "backup\n");
    writeFileSync(path.join(root, "sub/.#a.yaml"), "lock\n");
    await nextTurn();
    // The one change that counts marks the end: the others would be merged into its call or come before it.
    writeFileSync(path.join(root, "sub/b.yaml"), "b: 1\n");
    await until(() => calls.length >= 1, "the call for sub/b.yaml");

    expect(calls).toEqual([`${root}/sub/b.yaml changed`]);
    expect(errors).toEqual([]);
  });

  it("reports a path that does not exist to onError and watches the others; skips stdin", async () => {
    const root = directory({ "a.yaml": "a: 0\n" });
    const missing = path.join(root, "missing.yaml");
    const { calls, errors, changes } = record({ paths: [missing, "-", path.join(root, "a.yaml")] });
    await changes.ready;

    expect(errors.map((error) => error.message)).toEqual([
      `cannot watch ${missing}: no such file or directory`,
    ]);
    writeFileSync(path.join(root, "a.yaml"), "a: 1\n");
    await until(() => calls.length >= 1, "the call for a.yaml");
    expect(calls).toEqual([`${root}/a.yaml changed`]);
  });
});

describe("watchSourceChanges: a polled Git ref", () => {
  it("calls when the ref moves, with the new short hash, and not for other branches", async () => {
    const root = repository();
    const { calls, errors, changes } = record({ git: { ref: "main", cwd: root, pollMs: 20 } });
    await changes.ready;

    git(root, "switch", "--quiet", "--create", "other");
    commit(root, 2);
    git(root, "switch", "--quiet", "main");
    const moved = commit(root, 3);
    await until(() => calls.length >= 1, "the call for main's commit");

    expect(calls).toEqual([`main moved to ${moved}`]);
    expect(errors).toEqual([]);
  });

  it("fetches a remote's ref before reading it", async () => {
    const upstream = repository();
    const clone = path.join(scratch, `case-${++cases}`);
    git(scratch, "clone", "--quiet", upstream, clone);
    const { calls, errors, changes } = record({ git: { ref: "origin/main", cwd: clone, pollMs: 20 } });
    await changes.ready;

    const moved = commit(upstream, 2);
    await until(() => calls.length >= 1, "the call for upstream's commit");

    expect(calls).toEqual([`origin/main moved to ${moved}`]);
    expect(errors).toEqual([]);
  });

  it("reports a failing fetch once and goes on polling", async () => {
    const root = repository();
    git(root, "remote", "add", "broken", path.join(scratch, "no-such-repository"));
    const { calls, errors, changes } = record({ git: { ref: "main", cwd: root, pollMs: 20 } });
    await changes.ready;
    await until(() => errors.length >= 1, "the fetch error");

    const first = commit(root, 2);
    await until(() => calls.length >= 1, "the call for the first commit");
    const second = commit(root, 3);
    await until(() => calls.length >= 2, "the call for the second commit");

    expect(calls).toEqual([`main moved to ${first}`, `main moved to ${second}`]);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/^git fetch in .* failed: /);
  });

  it("reports a ref that names no commit", async () => {
    const root = repository();
    const { errors, changes } = record({ git: { ref: "nope", cwd: root, pollMs: 20 } });
    await changes.ready;

    expect(errors.map((error) => error.message)).toEqual([`nope names no commit in ${root}`]);
  });
});

describe("watchSourceChanges: calls and close", () => {
  it("never runs onChange concurrently; a change during a call brings one more call", async () => {
    const root = directory({ "a.yaml": "", "b.yaml": "", "c.yaml": "", "d.yaml": "" });
    const calls: string[] = [];
    let running = 0;
    let most = 0;
    const changes = watchSourceChanges({
      paths: [root],
      debounceMs: 10,
      onChange: async (why) => {
        most = Math.max(most, ++running);
        calls.push(why);
        if (calls.length === 1) {
          writeFileSync(path.join(root, "b.yaml"), "b: 1\n");
          writeFileSync(path.join(root, "c.yaml"), "c: 1\n");
          // Holds the call open so that b's and c's changes settle while it runs.
          await sleep(300);
        }
        running--;
      },
    });
    opened.push(changes);
    await changes.ready;

    writeFileSync(path.join(root, "a.yaml"), "a: 1\n");
    await until(() => calls.length >= 2, "the call after the running one");
    writeFileSync(path.join(root, "d.yaml"), "d: 1\n");
    await until(() => calls.length >= 3, "the call for d.yaml");

    expect(most).toBe(1);
    expect(calls).toEqual([
      `${root}/a.yaml changed`,
      `${root}/b.yaml changed, ${root}/c.yaml changed`,
      `${root}/d.yaml changed`,
    ]);
  });

  it("close() waits for the running onChange, and nothing is called after it", async () => {
    const root = repository();
    const web = path.join(root, "deploy/web.yaml");
    const git = { ref: "main", cwd: root, pollMs: 20 };
    const calls: string[] = [];
    let release = (): void => {};
    let returned = false;
    const changes = watchSourceChanges({
      paths: [web],
      git,
      debounceMs: 10,
      onChange: async (why) => {
        calls.push(why);
        await new Promise<void>((resolve) => (release = resolve));
        returned = true;
      },
    });
    opened.push(changes);
    await changes.ready;
    writeFileSync(web, "replicas: 5\n");
    await until(() => calls.length >= 1, "the first call");

    let closed = false;
    const closing = changes.close().then(() => (closed = true));
    for (let turn = 0; turn < 5; turn++) await nextTurn();
    expect(closed).toBe(false);
    release();
    await closing;
    expect(returned).toBe(true);

    // Second watchers of the same sources are the witnesses: when they have heard the changes, so would the first.
    const files = record({ paths: [web], debounceMs: 10 });
    const polled = record({ git, debounceMs: 10 });
    await Promise.all([files.changes.ready, polled.changes.ready]);
    const moved = commit(root, 6);
    await until(() => files.calls.length >= 1, "the file witness's call");
    await until(() => polled.calls.length >= 1, "the Git witness's call");
    expect(files.calls).toEqual([`${web} changed`]);
    expect(polled.calls).toEqual([`main moved to ${moved}`]);
    expect(calls).toEqual([`${web} changed`]);
  });
});
