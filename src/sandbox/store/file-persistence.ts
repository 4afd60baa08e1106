import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { isJsonObject } from "../../kube/value/json.js";
import type { JsonObject, JsonValue } from "../../kube/value/json.js";
import type { JournalRecord, Persistence, PersistedState, StoredObject } from "./persistence.js";
import type { ObjectKey } from "./types.js";
import { lockDataDirectory, type DirectoryLock } from "./lock.js";

export { LOCK_FILE } from "./lock.js";

export interface FilePersistenceOptions {
  readonly dataDir: string;
  /**
   * Writes a snapshot and empties the journal after this many journal records (default 1,000);
   * a function is read at each record, so that fault injection can change it while running.
   */
  readonly compactEvery?: number | (() => number);
}

export const SNAPSHOT_FILE = "snapshot.json";
export const JOURNAL_FILE = "journal.jsonl";
const SNAPSHOT_FORMAT = "kubedrift.dev/sandbox-snapshot/v1";
export const DEFAULT_COMPACT_EVERY = 1000;

/** The open journal: appended to, fsynced, truncated after each snapshot. */
class Journal {
  private fd: number | undefined;
  /** Bytes of complete records: a failed append is cut back to this, so that no torn line stays behind. */
  private size = 0;
  private unusable: Error | undefined;

  constructor(
    private readonly path: string,
    private readonly dataDir: string,
  ) {}

  append(line: string): void {
    const fd = this.open();
    const bytes = Buffer.from(line);
    try {
      for (let written = 0; written < bytes.length;)
        written += writeSync(fd, bytes, written, bytes.length - written);
      // Acknowledged only once on disk: a kill -9 or power loss right after keeps the write.
      fdatasyncSync(fd);
    } catch (error: unknown) {
      this.cutBack(fd, error);
      throw error;
    }
    this.size += bytes.length;
  }

  truncate(): void {
    const fd = this.open();
    ftruncateSync(fd, 0);
    fsyncSync(fd);
    this.size = 0;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Cuts a failed append; if even that fails, later appends must not land after a torn line. */
  private cutBack(fd: number, cause: unknown): void {
    try {
      ftruncateSync(fd, this.size);
    } catch {
      this.unusable = new Error(`${this.path}: unusable after a failed write`, { cause });
    }
  }

  private open(): number {
    if (this.unusable !== undefined) throw this.unusable;
    if (this.fd !== undefined) return this.fd;
    const created = !existsSync(this.path);
    const fd = openSync(this.path, "a");
    this.fd = fd;
    this.size = fstatSync(fd).size;
    // A new file's directory entry is only durable once the directory itself is synced.
    if (created) fsyncDirectory(this.dataDir);
    return fd;
  }
}

/**
 * A write-ahead journal (one JSON line per write, fsynced before the write is acknowledged)
 * plus a snapshot rewritten atomically on compaction, as etcd does with its WAL and snapshots.
 */
export function createFilePersistence(options: FilePersistenceOptions): Persistence {
  mkdirSync(options.dataDir, { recursive: true });
  const journal = new Journal(join(options.dataDir, JOURNAL_FILE), options.dataDir);
  const interval = options.compactEvery ?? DEFAULT_COMPACT_EVERY;
  const compactEvery = typeof interval === "number" ? () => interval : interval;
  let recordsSinceSnapshot = 0;
  let lock: DirectoryLock | undefined;

  const compact = (state: PersistedState): void => {
    // The snapshot is durable (renamed and its directory synced) before the journal is emptied;
    // records up to its resourceVersion are skipped on load, so a crash between the two replays
    // nothing twice.
    writeSnapshot(options.dataDir, state);
    journal.truncate();
    recordsSinceSnapshot = 0;
  };

  return {
    load(): PersistedState {
      // Two sandboxes on one directory would each truncate the journal the other appends to.
      lock = lockDataDirectory(options.dataDir);
      try {
        const snapshot = readSnapshot(options.dataDir);
        const records = readJournal(join(options.dataDir, JOURNAL_FILE));
        recordsSinceSnapshot = records.length;
        return replay(snapshot, records);
      } catch (error: unknown) {
        lock.release();
        throw error;
      }
    },
    append(record: JournalRecord): void {
      journal.append(`${JSON.stringify(encodeRecord(record))}\n`);
      recordsSinceSnapshot += 1;
    },
    compactIfDue(state: () => PersistedState): void {
      if (recordsSinceSnapshot < Math.max(1, compactEvery())) return;
      try {
        compact(state());
      } catch {
        // The journal still holds every record, so nothing is lost; the next record retries. The
        // write that triggered this is stored and must not be reported as failed.
      }
    },
    close(state: PersistedState): void {
      try {
        compact(state);
      } finally {
        journal.close();
        lock?.release();
        lock = undefined;
      }
    },
  };
}

function encodeRecord(record: JournalRecord): JsonObject {
  const base = { op: record.op, rv: record.resourceVersion, key: encodeKey(record.key) };
  return record.op === "put" ? { ...base, object: record.object } : base;
}

function encodeKey(key: ObjectKey): JsonObject {
  return { group: key.group, resource: key.resource, namespace: key.namespace, name: key.name };
}

function decodeKey(value: JsonValue | undefined, where: string): ObjectKey {
  if (!isJsonObject(value)) throw new Error(`${where}: missing key`);
  const fields = ["group", "resource", "namespace", "name"] as const;
  for (const field of fields) {
    if (typeof value[field] !== "string") throw new Error(`${where}: key.${field} is not a string`);
  }
  return {
    group: value["group"] as string,
    resource: value["resource"] as string,
    namespace: value["namespace"] as string,
    name: value["name"] as string,
  };
}

function decodeRecord(line: string, where: string): JournalRecord {
  const parsed = JSON.parse(line) as JsonValue;
  if (!isJsonObject(parsed) || typeof parsed["rv"] !== "number")
    throw new Error(`${where}: not a journal record`);
  const key = decodeKey(parsed["key"], where);
  const resourceVersion = parsed["rv"];
  if (parsed["op"] === "delete") return { op: "delete", key, resourceVersion };
  const object = parsed["object"];
  if (parsed["op"] !== "put" || !isJsonObject(object)) throw new Error(`${where}: not a journal record`);
  return { op: "put", key, object, resourceVersion };
}

/**
 * Reads the journal. A final line without its newline is a write torn by a crash: it was never
 * acknowledged, so it is dropped (and cut from the file, so that the next append starts clean).
 * Any other unreadable line is corruption and stops the load rather than silently losing writes.
 */
function readJournal(path: string): readonly JournalRecord[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, "utf8");
  const complete = text.lastIndexOf("\n") + 1;
  if (complete < text.length) cutTornTail(path, Buffer.byteLength(text.slice(0, complete)));
  const lines = text.slice(0, complete).split("\n");
  lines.pop();
  return lines.map((line, index) => decodeRecord(line, `${path}:${index + 1}`));
}

function cutTornTail(path: string, length: number): void {
  const fd = openSync(path, "r+");
  try {
    ftruncateSync(fd, length);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function readSnapshot(dataDir: string): PersistedState {
  const path = join(dataDir, SNAPSHOT_FILE);
  if (!existsSync(path)) return { resourceVersion: 0, objects: [] };
  const parsed = JSON.parse(readFileSync(path, "utf8")) as JsonValue;
  if (
    !isJsonObject(parsed) ||
    parsed["format"] !== SNAPSHOT_FORMAT ||
    typeof parsed["resourceVersion"] !== "number"
  ) {
    throw new Error(`${path}: not a sandbox snapshot`);
  }
  const objects = parsed["objects"];
  if (!Array.isArray(objects)) throw new Error(`${path}: objects is not a list`);
  return {
    resourceVersion: parsed["resourceVersion"],
    objects: (objects as readonly JsonValue[]).map((entry, index) =>
      decodeStoredObject(entry, `${path}: objects[${index}]`),
    ),
  };
}

function decodeStoredObject(entry: JsonValue, where: string): StoredObject {
  if (!isJsonObject(entry) || !isJsonObject(entry["object"]))
    throw new Error(`${where}: not a stored object`);
  return { key: decodeKey(entry["key"], where), object: entry["object"] };
}

/** Atomic replacement: write a temporary file, fsync it, rename it over the old one, fsync the directory. */
function writeSnapshot(dataDir: string, state: PersistedState): void {
  const path = join(dataDir, SNAPSHOT_FILE);
  const temporary = `${path}.tmp`;
  const document = {
    format: SNAPSHOT_FORMAT,
    resourceVersion: state.resourceVersion,
    objects: state.objects.map((entry) => ({ key: encodeKey(entry.key), object: entry.object })),
  };
  const fd = openSync(temporary, "w");
  try {
    writeSync(fd, JSON.stringify(document));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  fsyncDirectory(dataDir);
}

function fsyncDirectory(directory: string): void {
  const fd = openSync(directory, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function keyString(key: ObjectKey): string {
  return `${key.group}\u0000${key.resource}\u0000${key.namespace}\u0000${key.name}`;
}

function replay(snapshot: PersistedState, records: readonly JournalRecord[]): PersistedState {
  const objects = new Map<string, StoredObject>();
  for (const entry of snapshot.objects) objects.set(keyString(entry.key), entry);
  let resourceVersion = snapshot.resourceVersion;
  for (const record of records) {
    if (record.resourceVersion <= snapshot.resourceVersion) continue;
    if (record.op === "put") objects.set(keyString(record.key), { key: record.key, object: record.object });
    else objects.delete(keyString(record.key));
    resourceVersion = Math.max(resourceVersion, record.resourceVersion);
  }
  return { resourceVersion, objects: [...objects.values()] };
}
