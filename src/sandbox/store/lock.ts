import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";

export const LOCK_FILE = "sandbox.lock";

/** Another live sandbox holds the data directory. */
export class DataDirectoryInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`${dataDir} is in use by another sandbox (pid ${pid})`);
    this.name = "DataDirectoryInUseError";
  }
}

export interface DirectoryLock {
  release(): void;
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && "code" in error ? String(error.code) : undefined;
}

/** The pid a lock file names, or undefined when it names none (then no process can be holding it). */
function holderOf(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error: unknown) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    // EPERM: the process exists but belongs to someone else.
    return errorCode(error) === "EPERM";
  }
}

/**
 * Creates the lock file with its content in one step: written under a private name, then linked
 * to the lock's name, which fails if it exists (as O_EXCL does). A reader never sees a lock file
 * without its pid, so an unreadable pid means a dead holder, not one still writing it.
 */
function tryCreate(path: string): boolean {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, "w", 0o644);
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, path);
    return true;
  } catch (error: unknown) {
    if (errorCode(error) === "EEXIST") return false;
    throw error;
  } finally {
    unlinkSync(temporary);
  }
}

/**
 * Moves a dead holder's lock aside. The move is atomic, so of several sandboxes taking over the
 * same stale lock one moves it; if what was moved turns out to be a live holder's (it took over
 * first), it is put back.
 */
function removeStale(path: string): void {
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch (error: unknown) {
    if (errorCode(error) === "ENOENT") return;
    throw error;
  }
  const moved = holderOf(aside);
  if (moved !== undefined && alive(moved)) {
    try {
      linkSync(aside, path);
    } catch {
      // Someone locked it in between: that lock stands, and the attempt below reports it.
    }
  }
  unlinkSync(aside);
}

/**
 * An exclusive lock on a sandbox data directory: a file holding the owner's pid. Node has no
 * flock, and a pid file survives a kill -9, so a lock whose process is gone is stale and taken over.
 */
export function lockDataDirectory(dataDir: string): DirectoryLock {
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (tryCreate(path)) return { release: () => releaseLock(path) };
    const holder = holderOf(path);
    if (holder !== undefined && alive(holder)) throw new DataDirectoryInUseError(dataDir, holder);
    removeStale(path);
  }
  const holder = holderOf(path);
  throw new DataDirectoryInUseError(dataDir, holder ?? 0);
}

/** Removes the lock if it is still this process's (a takeover after a pause must not be undone). */
function releaseLock(path: string): void {
  if (holderOf(path) !== process.pid) return;
  try {
    unlinkSync(path);
  } catch (error: unknown) {
    if (errorCode(error) !== "ENOENT") throw error;
  }
}
