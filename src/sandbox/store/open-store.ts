import { createFilePersistence } from "./file-persistence.js";
import { createMemoryStore } from "./memory-store.js";
import type { MemoryObjectStore } from "./memory-store.js";

export interface OpenStoreOptions {
  /** `--data DIR`: persist to a journal and snapshot there; in memory only when absent. */
  readonly dataDir?: string;
  readonly historySize?: number;
  /** Journal records between snapshots (default 1,000); a function is read at each record. */
  readonly compactEvery?: number | (() => number);
}

/** The sandbox's store: in memory, durable under `dataDir` when one is given. */
export function openStore(options: OpenStoreOptions = {}): MemoryObjectStore {
  const history = options.historySize === undefined ? {} : { historySize: options.historySize };
  if (options.dataDir === undefined) return createMemoryStore(history);
  const persistence = createFilePersistence({
    dataDir: options.dataDir,
    ...(options.compactEvery === undefined ? {} : { compactEvery: options.compactEvery }),
  });
  return createMemoryStore({ ...history, persistence });
}
