/**
 * `--store URL`: `sqlite:PATH` (the default, `./kubedrift.db`) or `postgres://…`.
 */

import { SqlHistoryStore } from "./episodes.js";
import { migrate } from "./migrations.js";
import { PostgresBackend } from "./postgres.js";
import type { SqlBackend } from "./sql.js";
import { SqliteBackend } from "./sqlite.js";
import type { HistoryStore } from "./types.js";
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

/** Opens (and creates or migrates) the history store at `url`. */
export async function openStore(url: string = defaultStoreUrl): Promise<HistoryStore> {
  const backend = backendFor(parseStoreUrl(url));
  try {
    await migrate(backend);
  } catch (error) {
    await backend.close().catch(() => undefined);
    if (error instanceof StoreError) throw error;
    throw new StoreError(`${backend.location}: cannot open the store: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return new SqlHistoryStore(backend);
}
