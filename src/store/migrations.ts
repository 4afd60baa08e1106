/**
 * Numbered schema migrations, applied in order when a store opens. Each runs in the same
 * transaction as its row in `schema_migrations`, so a crash leaves a migration applied or not,
 * never half. Never edit a released migration: add the next number.
 */

import type { Dialect, SqlBackend, SqlTx } from "./sql.js";
import { text } from "./sql.js";
import { StoreError } from "./types.js";

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: Readonly<Record<Dialect, readonly string[]>>;
}

/*
 * Times are stored as fixed-width RFC 3339 UTC text (`2026-12-02T06:35:24.123Z`), which sorts and
 * compares as the instants do, and JSON values as their text: that keeps one set of queries for
 * both databases.
 */
const episodesTable = (id: string): string => `CREATE TABLE episodes (
  id ${id},
  grp TEXT NOT NULL,
  kind TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  ended_by TEXT,
  contested_by TEXT,
  contested_field TEXT
)`;

const initial: readonly string[] = [
  // At most one open episode per resource, whatever writes: the database refuses a duplicate.
  `CREATE UNIQUE INDEX episodes_open ON episodes (grp, kind, namespace, name) WHERE ended_at IS NULL`,
  `CREATE INDEX episodes_resource ON episodes (grp, kind, namespace, name, started_at)`,
  `CREATE INDEX episodes_started ON episodes (started_at)`,
  `CREATE TABLE changes (
    episode_id BIGINT NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    type TEXT NOT NULL,
    reason TEXT,
    desired TEXT,
    live TEXT,
    desired_hash TEXT,
    live_hash TEXT,
    redacted INTEGER NOT NULL DEFAULT 0,
    manager TEXT,
    operation TEXT,
    subresource TEXT,
    changed_at TEXT,
    user_name TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    contested_by TEXT,
    PRIMARY KEY (episode_id, path)
  )`,
  `CREATE INDEX changes_manager ON changes (manager)`,
  `CREATE INDEX changes_user ON changes (user_name)`,
];

/** Who made a change besides the user name (issue 13): from an audit event or an admission request. */
const identities: readonly string[] = [
  "ALTER TABLE changes ADD COLUMN user_groups TEXT",
  "ALTER TABLE changes ADD COLUMN user_agent TEXT",
  "ALTER TABLE changes ADD COLUMN source_ips TEXT",
];

/*
 * The cluster of an episode (issue 17): the kubeconfig context of the watch that recorded it. The
 * rows written before are of an unknown cluster, "" (NOT NULL keeps one set of comparisons); the
 * first writer naming a cluster that continues such an open episode claims it (episodes.ts).
 * At most one open episode per resource per cluster.
 */
const clusters: readonly string[] = [
  "ALTER TABLE episodes ADD COLUMN cluster TEXT NOT NULL DEFAULT ''",
  "DROP INDEX episodes_open",
  "DROP INDEX episodes_resource",
  "CREATE UNIQUE INDEX episodes_open ON episodes (cluster, grp, kind, namespace, name) WHERE ended_at IS NULL",
  "CREATE INDEX episodes_resource ON episodes (cluster, grp, kind, namespace, name, started_at)",
];

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "episodes and changes",
    sql: {
      sqlite: [episodesTable("INTEGER PRIMARY KEY AUTOINCREMENT"), ...initial],
      postgres: [episodesTable("BIGSERIAL PRIMARY KEY"), ...initial],
    },
  },
  {
    version: 2,
    name: "who made a change: groups, user agent, source IPs",
    sql: { sqlite: identities, postgres: identities },
  },
  {
    version: 3,
    name: "a change let through by guard's break-glass annotation, and its reason",
    sql: {
      sqlite: ["ALTER TABLE changes ADD COLUMN break_glass TEXT"],
      postgres: ["ALTER TABLE changes ADD COLUMN break_glass TEXT"],
    },
  },
  {
    version: 4,
    name: "who asked for the heal that ended an episode (the dashboard's Heal)",
    sql: {
      sqlite: ["ALTER TABLE episodes ADD COLUMN healed_by TEXT"],
      postgres: ["ALTER TABLE episodes ADD COLUMN healed_by TEXT"],
    },
  },
  {
    version: 5,
    name: "the cluster of each episode: one store for a fleet (ADR 0026)",
    sql: { sqlite: clusters, postgres: clusters },
  },
];

const createTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

/** A constant key: replicas opening the same PostgreSQL database migrate one at a time. */
const migrationLock = "kubedrift schema_migrations";

async function currentVersion(tx: SqlTx): Promise<number> {
  const rows = await tx.query("SELECT MAX(version) AS version FROM schema_migrations");
  const row = rows[0];
  return row === undefined || row["version"] === null ? 0 : Number(text(row, "version"));
}

/**
 * Brings the schema up to the newest migration; a no-op when it is there. A database written by a
 * newer kubedrift is refused rather than read with a schema this code does not know.
 */
export async function migrate(backend: SqlBackend, list: readonly Migration[] = migrations): Promise<number> {
  const latest = list.reduce((max, migration) => Math.max(max, migration.version), 0);
  return backend.transaction(async (tx) => {
    await tx.lock(migrationLock);
    await tx.query(createTable);
    const current = await currentVersion(tx);
    if (current > latest)
      throw new StoreError(
        `${backend.location}: schema version ${current} is newer than this kubedrift knows (${latest}); use a newer kubedrift`,
      );
    for (const migration of [...list].sort((a, b) => a.version - b.version)) {
      if (migration.version <= current) continue;
      for (const statement of migration.sql[backend.dialect]) await tx.query(statement);
      await tx.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", [
        migration.version,
        migration.name,
        new Date().toISOString(),
      ]);
    }
    return Math.max(current, latest);
  });
}
