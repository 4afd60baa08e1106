/**
 * `--store URL`: `sqlite:PATH` (the default, `./kubedrift.db`) or `postgres://…`.
 */

import { SqlHistoryStore } from "./episodes.js";
import { migrate } from "./migrations.js";
import { PostgresBackend } from "./postgres.js";
import type { SqlBackend } from "./sql.js";
import { SqliteBackend } from "./sqlite.js";
import type { HistoryStore } from "./types.js";
import type { WriterLock } from "./writer-lock.js";
import { acquireWriterLock } from "./writer-lock.js";
import { StoreError } from "./types.js";

export const defaultStoreUrl = "sqlite:./kubedrift.db";

export type StoreLocation =
  { readonly kind: "sqlite"; readonly path: string } | { readonly kind: "postgres"; readonly url: string };

/** Parses a store URL, or throws a `StoreError` of one line saying what is accepted. */
export function parseStoreUrl(url: string = defaultStoreUrl): StoreLocation {
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length);
    if (path.startsWith("//"))
      throw new StoreError(
        `store ${url}: write sqlite:PATH (sqlite:./kubedrift.db, sqlite:/var/lib/kubedrift.db)`,
      );
    return { kind: "sqlite", path: path === "" ? "./kubedrift.db" : path };
  }
  if (/^postgres(ql)?:\/\/./.test(url)) return { kind: "postgres", url };
  // A malformed PostgreSQL URL may still hold a password: it is not repeated.
  const shown = /^postgres/i.test(url) ? "postgres:…" : url;
  throw new StoreError(
    `store ${JSON.stringify(shown)}: expected sqlite:PATH or postgres://USER@HOST:PORT/DATABASE`,
  );
}

function backendFor(location: StoreLocation): SqlBackend {
  return location.kind === "sqlite" ? new SqliteBackend(location.path) : new PostgresBackend(location.url);
}

export interface OpenOptions {
  /**
   * The one writer of a SQLite store (`watch`): refused while another holds it. Readers
   * (`history`) and short runs (`diff --store`) need not be.
   */
  readonly writer?: boolean;
}

/** Releases the writer lock when the store closes. */
function withLock(store: HistoryStore, lock: WriterLock): HistoryStore {
  return {
    recordObservation: (...args) => store.recordObservation(...args),
    closeEpisode: (...args) => store.closeEpisode(...args),
    markContested: (...args) => store.markContested(...args),
    query: (...args) => store.query(...args),
    forCluster: (cluster) => store.forCluster(cluster),
    clusters: () => store.clusters(),
    close: async () => {
      try {
        await store.close();
      } finally {
        lock.release();
      }
    },
  };
}

/** Opens (and creates or migrates) the history store at `url`. */
export async function openStore(
  url: string = defaultStoreUrl,
  options: OpenOptions = {},
): Promise<HistoryStore> {
  const location = parseStoreUrl(url);
  const lock =
    options.writer === true && location.kind === "sqlite" && location.path !== ":memory:"
      ? acquireWriterLock(location.path)
      : undefined;
  const backend = (() => {
    try {
      return backendFor(location);
    } catch (error) {
      lock?.release();
      throw error;
    }
  })();
  try {
    await migrate(backend);
  } catch (error) {
    await backend.close().catch(() => undefined);
    lock?.release();
    if (error instanceof StoreError) throw error;
    throw new StoreError(`${backend.location}: cannot open the store: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const store = new SqlHistoryStore(backend);
  return lock === undefined ? store : withLock(store, lock);
}
