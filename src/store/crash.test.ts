/**
 * An acknowledged write survives `kill -9`: a child process writes episodes in a loop and reports
 * each acknowledged write; it is killed with SIGKILL while writing, and the reopened store holds
 * every write it reported, on SQLite and on a real PostgreSQL server.
 */

import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestPostgres } from "./postgres.test-helper.js";
import { startPostgres } from "./postgres.test-helper.js";
import { openStore } from "./index.js";
import { SqliteBackend } from "./sqlite.js";

interface Ack {
  readonly op: "open" | "close";
  readonly i: number;
}

/** Runs the writer until it has acknowledged `count` writes, kills it with SIGKILL, and returns every ack it printed. */
async function writeUntilKilled(url: string, count: number): Promise<Ack[]> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(import.meta.dirname, "crash-child.test-helper.ts"), url],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on("exit", (_code, signal) => resolve(signal)),
  );
  const acks: Ack[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    acks.push(JSON.parse(line) as Ack);
    // Killed while the loop is in its next write: the kill lands mid-transaction or between two.
    if (acks.length === count) child.kill("SIGKILL");
  }
  const signal = await exited;
  expect(signal, `the writer ended by itself: ${stderr}`).toBe("SIGKILL");
  return acks;
}

async function expectEveryAck(url: string, acks: readonly Ack[]): Promise<void> {
  const store = await openStore(url);
  try {
    const episodes = await store.query({ namespace: "crash" });
    const byName = new Map(episodes.map((episode) => [episode.resource.name, episode]));
    expect(new Set(episodes.map((episode) => episode.resource.name)).size).toBe(episodes.length);
    for (const ack of acks) {
      const episode = byName.get(`r${ack.i}`);
      expect(episode, `acknowledged ${ack.op} of r${ack.i}`).toBeDefined();
      expect(episode!.changes).toMatchObject([{ path: "/spec/replicas", live: ack.i }]);
      if (ack.op === "close") expect(episode!.endedBy).toBe("healed");
    }
    // The store still takes writes after the crash.
    const next = await store.recordObservation(
      { group: "apps", kind: "Deployment", namespace: "crash", name: "after" },
      [{ path: "/spec/replicas", type: "Changed", desired: 1, live: 2 }],
      "2026-12-03T00:00:00Z",
    );
    expect(next?.endedAt).toBeNull();
  } finally {
    await store.close();
  }
}

let tmp = "";
let postgres: TestPostgres | undefined;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "kubedrift-store-crash-"));
  postgres = await startPostgres();
});

afterAll(async () => {
  await postgres?.stop();
  await rm(tmp, { recursive: true, force: true });
});

describe("a writer killed with SIGKILL mid-write", () => {
  it("loses no acknowledged write to SQLite, and the database opens intact", async () => {
    const path = join(tmp, "kubedrift.db");
    const acks = await writeUntilKilled(`sqlite:${path}`, 150);
    expect(acks.length).toBeGreaterThanOrEqual(150);
    await expectEveryAck(`sqlite:${path}`, acks);
    const db = new DatabaseSync(path);
    try {
      expect(db.prepare("PRAGMA integrity_check").all()).toEqual([{ integrity_check: "ok" }]);
      // WAL is a property of the file: the store set it.
      expect(db.prepare("PRAGMA journal_mode").all()).toEqual([{ journal_mode: "wal" }]);
    } finally {
      db.close();
    }
  });

  it("loses no acknowledged write to PostgreSQL", async () => {
    const url = await postgres!.createDatabase();
    const acks = await writeUntilKilled(url, 150);
    await expectEveryAck(url, acks);
  });
});

/** Two writers at once on one store, as two replicas of `watch` would be: neither fails, and no duplicate opens. */
async function twoWriters(url: string): Promise<void> {
  const [first, second] = await Promise.all([writeUntilKilled(url, 100), writeUntilKilled(url, 100)]);
  const store = await openStore(url);
  try {
    const episodes = await store.query({ namespace: "crash" });
    const names = new Set([...first, ...second].map((ack) => `r${ack.i}`));
    for (const name of names) {
      const own = episodes.filter((episode) => episode.resource.name === name).reverse();
      expect(own.length, name).toBeGreaterThan(0);
      expect(own.filter((episode) => episode.endedAt === null).length, name).toBeLessThanOrEqual(1);
      for (const [n, episode] of own.entries())
        if (n + 1 < own.length) expect(episode.endedAt! <= own[n + 1].startedAt, name).toBe(true);
    }
  } finally {
    await store.close();
  }
}

describe("two writer processes on one store", () => {
  it("share SQLite without a lock error or a duplicate episode", async () => {
    await twoWriters(`sqlite:${join(tmp, "two", "kubedrift.db")}`);
  });

  it("share PostgreSQL without a lock error or a duplicate episode", async () => {
    await twoWriters(await postgres!.createDatabase());
  });
});

describe("SQLite's durability settings", () => {
  it("are WAL with synchronous=FULL, so a commit is on disk before it is acknowledged", async () => {
    const backend = new SqliteBackend(join(tmp, "settings", "kubedrift.db"));
    try {
      const settings = await backend.transaction(async (tx) => [
        ...(await tx.query("PRAGMA journal_mode")),
        ...(await tx.query("PRAGMA synchronous")),
        ...(await tx.query("PRAGMA foreign_keys")),
      ]);
      // synchronous: 2 is FULL (0 OFF, 1 NORMAL, 3 EXTRA).
      expect(settings).toEqual([{ journal_mode: "wal" }, { synchronous: 2 }, { foreign_keys: 1 }]);
    } finally {
      await backend.close();
    }
  });
});
