/**
 * One `watch` writes a SQLite store (issue 13, item 6): SQLite serializes writers of one file,
 * but two replicas recording the same drifts would each believe their view is the store's. The
 * writer holds `<store>.writer` (created exclusively); a second writer is refused in one line that
 * names the holder and the way out. A lock left by a process that died on this host is taken
 * over: its pid is not running, or it is this process's own pid (a container restarted as pid 1).
 */
import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { StoreError } from "./types.js";

interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

export interface WriterLock {
  release(): void;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readHolder(path: string): Holder | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Holder;
  } catch {
    return undefined;
  }
}

/** The locks this process holds: its own pid in a lock file is not a previous incarnation's then. */
const held = new Set<string>();

function stale(path: string, holder: Holder | undefined): boolean {
  if (holder === undefined) return true;
  if (holder.host !== hostname()) return false;
  if (holder.pid === process.pid) return !held.has(path);
  return !running(holder.pid);
}

function tryCreate(path: string, holder: Holder): boolean {
  try {
    writeFileSync(path, `${JSON.stringify(holder)}\n`, { flag: "wx", mode: 0o600 });
    return true;
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new StoreError(`${path}: cannot take the store's writer lock: ${(error as Error).message}`);
  }
}

/** Takes the writer lock of the SQLite store at `databasePath`, or throws a one-line StoreError. */
export function acquireWriterLock(databasePath: string, now: () => Date = () => new Date()): WriterLock {
  const path = `${databasePath}.writer`;
  const mine: Holder = { pid: process.pid, host: hostname(), since: now().toISOString() };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    if (tryCreate(path, mine)) {
      held.add(path);
      return { release: () => releaseIfMine(path, mine) };
    }
    const holder = readHolder(path);
    if (!stale(path, holder)) {
      const who =
        holder === undefined
          ? "another process"
          : `pid ${holder.pid} on ${holder.host} since ${holder.since}`;
      throw new StoreError(
        `sqlite:${databasePath} is written by another kubedrift watch (${who}); a SQLite store takes one writer: give several replicas a postgres:// store (or remove ${path} if that process is gone)`,
      );
    }
    try {
      unlinkSync(path);
    } catch {
      // Another starter took it over first: the next attempt sees its lock.
    }
  }
  throw new StoreError(
    `sqlite:${databasePath}: another kubedrift watch took the writer lock at the same time`,
  );
}

function releaseIfMine(path: string, mine: Holder): void {
  held.delete(path);
  const holder = readHolder(path);
  if (holder?.pid !== mine.pid || holder.host !== mine.host || holder.since !== mine.since) return;
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
