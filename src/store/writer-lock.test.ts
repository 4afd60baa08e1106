/** One writer per SQLite store: a second is refused naming the first; a lock of a dead process is taken over. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStore } from "./index.js";
import { StoreError } from "./types.js";

const directories: string[] = [];

function database(): string {
  const directory = mkdtempSync(join(tmpdir(), "kubedrift-writer-lock-"));
  directories.push(directory);
  return join(directory, "kubedrift.db");
}

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

/** The pid of a process that has ended. */
function deadPid(): number {
  return spawnSync(process.execPath, ["-e", ""]).pid ?? 999_999;
}

describe("the SQLite store's writer lock", () => {
  it("refuses a second writer in one line naming the first, lets readers in, and frees on close", async () => {
    const path = database();
    const first = await openStore(`sqlite:${path}`, { writer: true });
    const second = openStore(`sqlite:${path}`, { writer: true });
    await expect(second).rejects.toThrow(StoreError);
    const message = await second.catch((error: Error) => error.message);
    expect(message).toMatch(
      new RegExp(
        `^sqlite:${path} is written by another kubedrift watch \\(pid ${process.pid} on .+ since .+\\); a SQLite store takes one writer: give several replicas a postgres:// store`,
      ),
    );
    expect(message).not.toContain("\n");
    const reader = await openStore(`sqlite:${path}`);
    expect(await reader.query()).toEqual([]);
    await reader.close();
    await first.close();
    expect(existsSync(`${path}.writer`)).toBe(false);
    const next = await openStore(`sqlite:${path}`, { writer: true });
    await next.close();
  });

  it("takes over the lock of a process that died on this host", async () => {
    const path = database();
    writeFileSync(
      `${path}.writer`,
      JSON.stringify({ pid: deadPid(), host: hostname(), since: "2026-12-02T00:00:00Z" }),
    );
    const store = await openStore(`sqlite:${path}`, { writer: true });
    expect(JSON.parse(readFileSync(`${path}.writer`, "utf8"))).toMatchObject({ pid: process.pid });
    await store.close();
  });

  it("does not take over a lock held on another host", async () => {
    const path = database();
    writeFileSync(
      `${path}.writer`,
      JSON.stringify({ pid: 1, host: "elsewhere", since: "2026-12-02T00:00:00Z" }),
    );
    await expect(openStore(`sqlite:${path}`, { writer: true })).rejects.toThrow(/pid 1 on elsewhere/);
  });
});
