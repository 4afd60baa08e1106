import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { KubeObject } from "../../kube/value/json.js";
import { JOURNAL_FILE, LOCK_FILE, SNAPSHOT_FILE } from "./file-persistence.js";
import { openStore } from "./open-store.js";
import type { ObjectKey } from "./types.js";

const directories: string[] = [];

function dataDir(): string {
  const directory = mkdtempSync(join(tmpdir(), "kubedrift-store-"));
  directories.push(directory);
  return directory;
}

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function key(name: string): ObjectKey {
  return { group: "", resource: "configmaps", namespace: "default", name };
}

function configMap(name: string, value: string): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { namespace: "default", name }, data: { value } };
}

let deadPid: string | undefined;

/** What a kill -9 leaves: the lock file naming a process that no longer runs. */
function leaveLockOfDeadProcess(directory: string): void {
  deadPid ??= spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  }).stdout;
  writeFileSync(join(directory, LOCK_FILE), `${deadPid}\n`);
}

function journalLines(directory: string): string[] {
  return readFileSync(join(directory, JOURNAL_FILE), "utf8")
    .split("\n")
    .filter((line) => line !== "");
}

describe("openStore with a data directory", () => {
  it("keeps objects and the resourceVersion across a restart, deletes included", () => {
    const directory = dataDir();
    const store = openStore({ dataDir: directory });
    store.create(key("a"), configMap("a", "1"));
    store.create(key("b"), configMap("b", "1"));
    store.update(key("a"), configMap("a", "2"));
    store.delete(key("b"));
    store.close();

    const reopened = openStore({ dataDir: directory });
    expect(reopened.resourceVersion).toBe(4);
    expect(reopened.get(key("a"))).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { namespace: "default", name: "a", resourceVersion: "3" },
      data: { value: "2" },
    });
    expect(reopened.get(key("b"))).toBeUndefined();
    expect(reopened.create(key("c"), configMap("c", "1"))["metadata"]).toEqual({
      namespace: "default",
      name: "c",
      resourceVersion: "5",
    });
    reopened.close();
  });

  it("journals every write before acknowledging it, so a crash without close loses nothing", () => {
    const directory = dataDir();
    const store = openStore({ dataDir: directory });
    store.create(key("a"), configMap("a", "1"));
    store.delete(key("a"));
    // No close(): the process "crashes" here, leaving its lock behind.
    leaveLockOfDeadProcess(directory);
    expect(
      journalLines(directory).map((line) => (JSON.parse(line) as { op: string; rv: number }).op),
    ).toEqual(["put", "delete"]);
    const reopened = openStore({ dataDir: directory });
    expect(reopened.resourceVersion).toBe(2);
    expect(reopened.get(key("a"))).toBeUndefined();
    reopened.close();
  });

  it("ignores a torn final journal line and appends cleanly after it", () => {
    const directory = dataDir();
    const store = openStore({ dataDir: directory });
    store.create(key("a"), configMap("a", "1"));
    store.create(key("b"), configMap("b", "1"));
    appendFileSync(join(directory, JOURNAL_FILE), '{"op":"put","rv":3,"key":{"group":"","reso');
    leaveLockOfDeadProcess(directory);

    const reopened = openStore({ dataDir: directory });
    expect(reopened.resourceVersion).toBe(2);
    expect(reopened.list({ group: "", resource: "configmaps" }).items.length).toBe(2);
    reopened.create(key("c"), configMap("c", "1"));
    expect(journalLines(directory).length).toBe(3);
    leaveLockOfDeadProcess(directory);
    const again = openStore({ dataDir: directory });
    expect(again.resourceVersion).toBe(3);
    expect(again.get(key("c"))).toBeDefined();
    again.close();
  });

  it("refuses to open a journal with a corrupt line before the last one", () => {
    const directory = dataDir();
    writeFileSync(
      join(directory, JOURNAL_FILE),
      'not json\n{"op":"delete","rv":2,"key":{"group":"","resource":"configmaps","namespace":"default","name":"a"}}\n',
    );
    expect(() => openStore({ dataDir: directory })).toThrow(SyntaxError);
  });

  it("compacts into a snapshot every N writes and on close, emptying the journal", () => {
    const directory = dataDir();
    const store = openStore({ dataDir: directory, compactEvery: 3 });
    store.create(key("a"), configMap("a", "1"));
    store.create(key("b"), configMap("b", "1"));
    expect(existsSync(join(directory, SNAPSHOT_FILE))).toBe(false);
    store.create(key("c"), configMap("c", "1"));
    expect(existsSync(join(directory, SNAPSHOT_FILE))).toBe(true);
    expect(journalLines(directory)).toEqual([]);
    store.delete(key("a"));
    expect(journalLines(directory).length).toBe(1);
    store.close();
    expect(journalLines(directory)).toEqual([]);
    expect(existsSync(join(directory, `${SNAPSHOT_FILE}.tmp`))).toBe(false);
    const snapshot = JSON.parse(readFileSync(join(directory, SNAPSHOT_FILE), "utf8")) as {
      resourceVersion: number;
      objects: unknown[];
    };
    expect(snapshot.resourceVersion).toBe(4);
    expect(snapshot.objects.length).toBe(2);

    const reopened = openStore({ dataDir: directory });
    expect(reopened.resourceVersion).toBe(4);
    expect(
      reopened
        .list({ group: "", resource: "configmaps" })
        .items.map((item) => (item["metadata"] as { name: string }).name),
    ).toEqual(["b", "c"]);
    reopened.close();
  });

  it("skips journal records already in the snapshot (a crash between snapshot and truncation)", () => {
    const directory = dataDir();
    const store = openStore({ dataDir: directory });
    store.create(key("a"), configMap("a", "1"));
    store.close();
    // Re-append a record the snapshot already contains, as if the truncation had not happened.
    appendFileSync(
      join(directory, JOURNAL_FILE),
      `${JSON.stringify({ op: "delete", rv: 1, key: key("a") })}\n`,
    );
    const reopened = openStore({ dataDir: directory });
    expect(reopened.get(key("a"))).toBeDefined();
    expect(reopened.resourceVersion).toBe(1);
    reopened.close();
  });

  it("expires watches from before the restart: their events are not retained", () => {
    const directory = dataDir();
    const store = openStore({ dataDir: directory });
    store.create(key("a"), configMap("a", "1"));
    store.create(key("b"), configMap("b", "1"));
    store.close();
    const reopened = openStore({ dataDir: directory });
    expect(() =>
      reopened.watch({ resource: key("a"), sinceResourceVersion: 1, onEvent: () => undefined }),
    ).toThrow("too old resource version: 1 (2)");
    reopened.close();
  });
});

describe("openStore without a data directory", () => {
  it("is a plain memory store", () => {
    const store = openStore({ historySize: 5 });
    store.create(key("a"), configMap("a", "1"));
    expect(store.resourceVersion).toBe(1);
    store.close();
    expect(() => store.create(key("b"), configMap("b", "1"))).toThrow("the store is closed");
  });
});

// Rule (issue 9): one data directory, one sandbox; a lock left by a dead process is taken over.
describe("openStore's lock on the data directory", () => {
  it("refuses a second store on the same directory, naming the holder's pid, until the first closes", () => {
    const directory = dataDir();
    const first = openStore({ dataDir: directory });
    expect(readFileSync(join(directory, LOCK_FILE), "utf8")).toBe(`${process.pid}\n`);
    expect(() => openStore({ dataDir: directory })).toThrow(
      `${directory} is in use by another sandbox (pid ${process.pid})`,
    );
    first.create(key("a"), configMap("a", "1"));
    first.close();
    expect(existsSync(join(directory, LOCK_FILE))).toBe(false);
    const second = openStore({ dataDir: directory });
    expect(second.get(key("a"))).toBeDefined();
    second.close();
  });

  it("takes over a lock whose process is dead", () => {
    const directory = dataDir();
    leaveLockOfDeadProcess(directory);
    const store = openStore({ dataDir: directory });
    expect(readFileSync(join(directory, LOCK_FILE), "utf8")).toBe(`${process.pid}\n`);
    store.close();
  });

  it("releases the lock when the directory cannot be loaded", () => {
    const directory = dataDir();
    writeFileSync(join(directory, JOURNAL_FILE), "not json\n{}\n");
    expect(() => openStore({ dataDir: directory })).toThrow(SyntaxError);
    expect(existsSync(join(directory, LOCK_FILE))).toBe(false);
  });
});
