import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import type { KubeObject } from "../../kube/value/json.js";
import { LOCK_FILE } from "./file-persistence.js";
import type { MemoryObjectStore } from "./memory-store.js";
import { openStore } from "./open-store.js";
import type { ObjectKey } from "./types.js";

// Rule (issue 8): no acknowledged write is ever lost, and no deleted object comes back, whatever
// the point at which the process dies, compactions (snapshot + journal truncation) included.

const directories: string[] = [];

function scratch(): string {
  const directory = mkdtempSync(join(tmpdir(), "kubedrift-crash-"));
  directories.push(directory);
  return directory;
}

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

type Op =
  | { readonly op: "create" | "update"; readonly name: string; readonly value: string }
  | { readonly op: "delete"; readonly name: string };

function key(name: string): ObjectKey {
  return { group: "", resource: "configmaps", namespace: "default", name };
}

function configMap(name: string, value: string): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { namespace: "default", name }, data: { value } };
}

/** Applies an op when it is valid for the model (create of an absent name, update/delete of a present one). */
function apply(store: MemoryObjectStore, model: Map<string, string>, step: Op): boolean {
  const present = model.has(step.name);
  if (step.op === "create" && !present) {
    store.create(key(step.name), configMap(step.name, step.value));
    model.set(step.name, step.value);
  } else if (step.op === "update" && present) {
    store.update(key(step.name), configMap(step.name, step.value));
    model.set(step.name, step.value);
  } else if (step.op === "delete" && present) {
    store.delete(key(step.name));
    model.delete(step.name);
  } else return false;
  return true;
}

function contents(store: MemoryObjectStore): Record<string, string> {
  const result: Record<string, string> = {};
  for (const item of store.list({ group: "", resource: "configmaps" }).items) {
    const name = (item["metadata"] as { name: string }).name;
    result[name] = (item["data"] as { value: string }).value;
  }
  return result;
}

/**
 * What a `kill -9` right now would leave: every write so far returned, so it is acknowledged;
 * the store is not closed (no final snapshot). The files are copied as they are on disk.
 */
function afterCrash(directory: string): { readonly store: MemoryObjectStore; readonly close: () => void } {
  const image = scratch();
  // The lock names this (live) process; a crashed one's would name a dead pid and be taken over.
  cpSync(directory, image, { recursive: true, filter: (source) => basename(source) !== LOCK_FILE });
  const store = openStore({ dataDir: image });
  return { store, close: () => store.close() };
}

function runAndCrashAfterEachWrite(ops: readonly Op[], compactEvery: number): void {
  const directory = scratch();
  const store = openStore({ dataDir: directory, compactEvery });
  const model = new Map<string, string>();
  try {
    for (const step of ops) {
      if (!apply(store, model, step)) continue;
      const crashed = afterCrash(directory);
      try {
        expect(contents(crashed.store)).toEqual(Object.fromEntries(model));
        expect(crashed.store.resourceVersion).toBe(store.resourceVersion);
      } finally {
        crashed.close();
      }
    }
  } finally {
    store.close();
  }
}

describe("a crash at a compaction boundary", () => {
  it("loses no create, update or delete, at every boundary (compaction every 3 records)", () => {
    const ops: Op[] = [];
    for (const name of ["a", "b", "c", "d"]) ops.push({ op: "create", name, value: `${name}1` });
    for (const name of ["a", "b", "c"]) ops.push({ op: "update", name, value: `${name}2` });
    for (const name of ["a", "d", "b"]) ops.push({ op: "delete", name });
    ops.push({ op: "create", name: "a", value: "a3" }, { op: "update", name: "c", value: "c3" });
    // 12 writes: compactions after the 3rd, 6th, 9th and 12th, each a create, update or delete.
    runAndCrashAfterEachWrite(ops, 3);
  });

  it("keeps the 1,000th write with the default interval (the reported loss)", () => {
    const directory = scratch();
    const store = openStore({ dataDir: directory });
    for (let index = 1; index <= 1400; index += 1)
      store.create(key(`cm-${index}`), configMap(`cm-${index}`, String(index)));
    const crashed = afterCrash(directory);
    try {
      expect(crashed.store.list({ group: "", resource: "configmaps" }).items.length).toBe(1400);
      expect(crashed.store.get(key("cm-1000"))?.["data"]).toEqual({ value: "1000" });
    } finally {
      crashed.close();
      store.close();
    }
  });

  it("loses nothing for any sequence of writes and any compaction interval", () => {
    const names = ["a", "b", "c"];
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        op: fc.constantFrom("create", "update"),
        name: fc.constantFrom(...names),
        value: fc.string(),
      }),
      fc.record({ op: fc.constant("delete"), name: fc.constantFrom(...names) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 25 }), fc.integer({ min: 1, max: 6 }), (ops, compactEvery) =>
        runAndCrashAfterEachWrite(ops, compactEvery),
      ),
      { numRuns: 40 },
    );
  });
});
