/**
 * The episode logic, once for both databases: a `HistoryStore` over a `SqlBackend`.
 */

import type { JsonValue } from "../kube/value/json.js";
import type { AddedReason, Attribution, DriftType } from "../model/index.js";
import type { Row, SqlBackend, SqlParam, SqlTx } from "./sql.js";
import { compact, optionalText, text } from "./sql.js";
import type {
  Episode,
  EpisodeChange,
  EpisodeEnd,
  HistoryQuery,
  HistoryStore,
  ObservationOptions,
  ObservedDrift,
  ResourceKey,
} from "./types.js";
import { EpisodeEnds, StoreError } from "./types.js";

/** RFC 3339 in, fixed-width UTC out: stored times must compare as text the way instants do. */
export function normalizeTime(value: string, what = "time"): string {
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(date.getTime()))
    throw new StoreError(`${what}: ${JSON.stringify(value)} is not an RFC 3339 time`);
  return date.toISOString();
}

const later = (a: string, b: string | undefined): string => (b !== undefined && b > a ? b : a);

const resourceWhere = "grp = ? AND kind = ? AND namespace = ? AND name = ?";
const resourceParams = (ref: ResourceKey): SqlParam[] => [ref.group, ref.kind, ref.namespace, ref.name];
/**
 * The key writers of one resource take turns on (`refKey` without needing a version), whatever
 * their cluster: claiming an episode of no recorded cluster is then never a race.
 */
const lockKey = (ref: ResourceKey): string => `${ref.group}/${ref.kind}/${ref.namespace}/${ref.name}`;

interface OpenEpisode {
  readonly id: string;
  readonly startedAt: string;
  /** Path → lastSeen of its change. */
  readonly lastSeen: ReadonlyMap<string, string>;
}

/**
 * The open episode of `ref` in `cluster`: its own, else one of no recorded cluster (written before
 * schema 5, or by a writer that names none), which this cluster claims. Writers of one resource
 * take turns whatever their cluster (`lockKey`), so two clusters never claim the same one.
 */
async function findOpen(tx: SqlTx, cluster: string, ref: ResourceKey): Promise<OpenEpisode | undefined> {
  const rows = await tx.query(
    `SELECT id, started_at, cluster FROM episodes WHERE cluster IN (?, '') AND ${resourceWhere} AND ended_at IS NULL ORDER BY cluster DESC`,
    [cluster, ...resourceParams(ref)],
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  const id = text(row, "id");
  if (text(row, "cluster") !== cluster)
    await tx.query("UPDATE episodes SET cluster = ? WHERE id = ?", [cluster, id]);
  const changes = await tx.query("SELECT path, last_seen FROM changes WHERE episode_id = ?", [id]);
  return {
    id,
    startedAt: text(row, "started_at"),
    lastSeen: new Map(changes.map((change) => [text(change, "path"), text(change, "last_seen")])),
  };
}

/*
 * Observations can arrive out of order (a relist after a dropped watch): an episode never starts
 * before the previous one of its resource in its cluster ended, so they never overlap.
 */
async function openEpisode(tx: SqlTx, cluster: string, ref: ResourceKey, at: string): Promise<OpenEpisode> {
  const previous = await tx.query(
    `SELECT MAX(ended_at) AS ended_at FROM episodes WHERE cluster = ? AND ${resourceWhere}`,
    [cluster, ...resourceParams(ref)],
  );
  const startedAt = later(at, previous[0] === undefined ? undefined : optionalText(previous[0], "ended_at"));
  const rows = await tx.query(
    "INSERT INTO episodes (cluster, grp, kind, namespace, name, started_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    [cluster, ...resourceParams(ref), startedAt],
  );
  return { id: text(rows[0] ?? {}, "id"), startedAt, lastSeen: new Map() };
}

const json = (value: JsonValue | undefined): string | null =>
  value === undefined ? null : JSON.stringify(value);

/** Rule 7: a withheld drift keeps its hashes only, even if a caller left a value beside them. */
function values(drift: ObservedDrift): SqlParam[] {
  const redacted = drift.redacted;
  return redacted === undefined
    ? [json(drift.desired), json(drift.live), null, null, 0]
    : [null, null, redacted.desired ?? null, redacted.live ?? null, 1];
}

function attributionColumns(attribution: Attribution | undefined): SqlParam[] {
  if (attribution === undefined) return [null, null, null, null];
  return [
    attribution.manager,
    attribution.operation,
    attribution.subresource ?? null,
    attribution.changedAt ?? null,
  ];
}

function identityColumns(drift: ObservedDrift): SqlParam[] {
  return [
    drift.user ?? null,
    drift.groups === undefined ? null : JSON.stringify(drift.groups),
    drift.userAgent ?? null,
    drift.sourceIPs === undefined ? null : JSON.stringify(drift.sourceIPs),
    drift.breakGlass ?? null,
  ];
}

function changeColumns(drift: ObservedDrift): SqlParam[] {
  return [drift.type, drift.reason ?? null, ...values(drift), ...attributionColumns(drift.attribution)];
}

const changeFields =
  "type, reason, desired, live, desired_hash, live_hash, redacted, manager, operation, subresource, changed_at";
const identityFields = ["user_name", "user_groups", "user_agent", "source_ips", "break_glass"] as const;
/*
 * Who made a change is known from an audit event or an admission request that may have been
 * forgotten by the time the drift is seen again: an observation of the same write (same
 * changed_at) without it keeps what was recorded. The CASE reads the row as it was before this
 * UPDATE, in SQLite and PostgreSQL alike.
 */
const identityUpdate = identityFields
  .map(
    (column) => `${column} = CASE WHEN CAST(? AS TEXT) IS NULL AND changed_at = ? THEN ${column} ELSE ? END`,
  )
  .join(", ");
const changeUpdate = `${changeFields
  .split(", ")
  .map((column) => `${column} = ?`)
  .join(", ")}, ${identityUpdate}`;
const insertColumns = `${changeFields}, ${identityFields.join(", ")}`;
const changeInsert = `INSERT INTO changes (episode_id, path, ${insertColumns}, first_seen, last_seen) VALUES (${Array.from(
  { length: insertColumns.split(", ").length + 4 },
  () => "?",
).join(", ")})`;

/** The parameters of `identityUpdate`: for each column, the new value, the write's time, the new value. */
function identityUpdateParams(drift: ObservedDrift): SqlParam[] {
  const changedAt = drift.attribution?.changedAt ?? null;
  return identityColumns(drift).flatMap((value) => [value, changedAt, value]);
}

async function recordChange(
  tx: SqlTx,
  episode: OpenEpisode,
  drift: ObservedDrift,
  at: string,
): Promise<void> {
  const seen = episode.lastSeen.get(drift.path);
  if (seen === undefined) {
    await tx.query(changeInsert, [
      episode.id,
      drift.path,
      ...changeColumns(drift),
      ...identityColumns(drift),
      at,
      at,
    ]);
    return;
  }
  // An observation older than the latest one of this field (delivered late) says nothing newer.
  if (at < seen) return;
  await tx.query(`UPDATE changes SET ${changeUpdate}, last_seen = ? WHERE episode_id = ? AND path = ?`, [
    ...changeColumns(drift),
    ...identityUpdateParams(drift),
    at,
    episode.id,
    drift.path,
  ]);
}

async function endEpisode(
  tx: SqlTx,
  episode: OpenEpisode,
  end: { readonly how: EpisodeEnd; readonly at: string; readonly healedBy: string | undefined },
): Promise<void> {
  const endedAt = [...episode.lastSeen.values()].reduce(later, later(end.at, episode.startedAt));
  const healedBy = end.how === EpisodeEnds.healed ? (end.healedBy ?? null) : null;
  await tx.query("UPDATE episodes SET ended_at = ?, ended_by = ?, healed_by = ? WHERE id = ?", [
    endedAt,
    end.how,
    healedBy,
    episode.id,
  ]);
}

function toChange(row: Row): EpisodeChange {
  const redacted = Number(row["redacted"]) === 1;
  const parse = (column: string): JsonValue | undefined => {
    const value = optionalText(row, column);
    return value === undefined ? undefined : (JSON.parse(value) as JsonValue);
  };
  return compact<EpisodeChange>({
    path: text(row, "path"),
    type: text(row, "type") as DriftType,
    reason: optionalText(row, "reason") as AddedReason | undefined,
    desired: redacted ? undefined : parse("desired"),
    live: redacted ? undefined : parse("live"),
    redacted: redacted
      ? compact({ desired: optionalText(row, "desired_hash"), live: optionalText(row, "live_hash") })
      : undefined,
    manager: optionalText(row, "manager"),
    operation: optionalText(row, "operation") as EpisodeChange["operation"],
    subresource: optionalText(row, "subresource"),
    changedAt: optionalText(row, "changed_at"),
    user: optionalText(row, "user_name"),
    groups: parseList(optionalText(row, "user_groups")),
    userAgent: optionalText(row, "user_agent"),
    sourceIPs: parseList(optionalText(row, "source_ips")),
    breakGlass: optionalText(row, "break_glass"),
    firstSeen: text(row, "first_seen"),
    lastSeen: text(row, "last_seen"),
    contestedBy: optionalText(row, "contested_by"),
  });
}

function parseList(text: string | undefined): readonly string[] | undefined {
  return text === undefined ? undefined : (JSON.parse(text) as string[]);
}

function toEpisode(row: Row, changes: readonly EpisodeChange[]): Episode {
  const contestedBy = optionalText(row, "contested_by") ?? null;
  const healedBy = optionalText(row, "healed_by");
  return {
    id: text(row, "id"),
    cluster: optionalText(row, "cluster") ?? "",
    resource: {
      group: text(row, "grp"),
      kind: text(row, "kind"),
      namespace: text(row, "namespace"),
      name: text(row, "name"),
    },
    startedAt: text(row, "started_at"),
    endedAt: optionalText(row, "ended_at") ?? null,
    endedBy: (optionalText(row, "ended_by") as EpisodeEnd | undefined) ?? null,
    ...(healedBy === undefined ? {} : { healedBy }),
    contested: contestedBy !== null,
    contestedBy,
    contestedField: optionalText(row, "contested_field") ?? null,
    changes,
  };
}

/** Episodes whose changes are read in one query: far below SQLite's and PostgreSQL's limits on parameters. */
export const episodesPerRead = 500;

async function loadEpisodes(tx: SqlTx, rows: readonly Row[]): Promise<Episode[]> {
  const ids = rows.map((row) => text(row, "id"));
  const byEpisode = new Map<string, EpisodeChange[]>(ids.map((id) => [id, []]));
  for (let start = 0; start < ids.length; start += episodesPerRead) {
    const chunk = ids.slice(start, start + episodesPerRead);
    const changes = await tx.query(
      `SELECT * FROM changes WHERE episode_id IN (${chunk.map(() => "?").join(", ")}) ORDER BY first_seen, path`,
      chunk,
    );
    for (const change of changes) byEpisode.get(text(change, "episode_id"))?.push(toChange(change));
  }
  return rows.map((row) => toEpisode(row, byEpisode.get(text(row, "id")) ?? []));
}

async function loadEpisode(tx: SqlTx, id: string): Promise<Episode | null> {
  const rows = await tx.query("SELECT * FROM episodes WHERE id = ?", [id]);
  return (await loadEpisodes(tx, rows))[0] ?? null;
}

type Condition = readonly [sql: string, params: readonly SqlParam[]];

const exists = (column: string, value: string): Condition => [
  `EXISTS (SELECT 1 FROM changes c WHERE c.episode_id = episodes.id AND c.${column} = ?)`,
  [value],
];

function clusterCondition(clusters: readonly string[]): Condition {
  if (clusters.length === 0) return ["1 = 0", []];
  return [`cluster IN (${clusters.map(() => "?").join(", ")})`, clusters];
}

/** Each filter of a query as its SQL condition; an absent filter adds none. */
function conditions(filter: HistoryQuery): Condition[] {
  const all: (Condition | false | undefined)[] = [
    filter.clusters !== undefined && clusterCondition(filter.clusters),
    filter.resource !== undefined && [resourceWhere, resourceParams(filter.resource)],
    filter.namespace !== undefined && ["namespace = ?", [filter.namespace]],
    filter.kind !== undefined && ["kind = ?", [filter.kind]],
    filter.manager !== undefined && exists("manager", filter.manager),
    filter.user !== undefined && exists("user_name", filter.user),
    filter.since !== undefined && [
      "(ended_at IS NULL OR ended_at >= ?)",
      [normalizeTime(filter.since, "since")],
    ],
    filter.until !== undefined && ["started_at <= ?", [normalizeTime(filter.until, "until")]],
    filter.openOnly === true && ["ended_at IS NULL", []],
  ];
  return all.filter((condition): condition is Condition => Array.isArray(condition));
}

function limitOf(limit: number | undefined): number | undefined {
  if (limit === undefined) return undefined;
  if (!Number.isInteger(limit) || limit < 0)
    throw new StoreError(`limit: ${limit} is not a whole number ≥ 0`);
  return limit;
}

/** The `HistoryStore` over one SQL backend; the schema is migrated by `openStore` beforehand. */
export class SqlHistoryStore implements HistoryStore {
  /**
   * `cluster`: the one this store writes as (`forCluster`); undefined for the store as opened,
   * whose writes name no cluster ("") and whose reads see every cluster.
   */
  constructor(
    private readonly backend: SqlBackend,
    private readonly cluster?: string,
  ) {}

  #writer(): string {
    return this.cluster ?? "";
  }

  forCluster(cluster: string): HistoryStore {
    return new SqlHistoryStore(this.backend, cluster);
  }

  async recordObservation(
    ref: ResourceKey,
    drifts: readonly ObservedDrift[],
    observedAt: string,
    options: ObservationOptions = {},
  ): Promise<Episode | null> {
    const at = normalizeTime(observedAt, "observedAt");
    if (drifts.length === 0)
      return await this.closeEpisode(ref, options.endedBy ?? EpisodeEnds.reverted, at, options.healedBy);
    // The latest drift of a path wins when one observation names it twice.
    const byPath = new Map(drifts.map((drift) => [drift.path, drift]));
    return await this.backend.transaction(async (tx) => {
      await tx.lock(lockKey(ref));
      const episode =
        (await findOpen(tx, this.#writer(), ref)) ?? (await openEpisode(tx, this.#writer(), ref, at));
      const seenAt = later(at, episode.startedAt);
      for (const drift of byPath.values()) await recordChange(tx, episode, drift, seenAt);
      return loadEpisode(tx, episode.id);
    });
  }

  async closeEpisode(
    ref: ResourceKey,
    how: EpisodeEnd,
    at: string,
    healedBy?: string,
  ): Promise<Episode | null> {
    const endedAt = normalizeTime(at);
    if (!Object.values(EpisodeEnds).includes(how)) throw new StoreError(`unknown end of an episode: ${how}`);
    return await this.backend.transaction(async (tx) => {
      await tx.lock(lockKey(ref));
      const episode = await findOpen(tx, this.#writer(), ref);
      if (episode === undefined) return null;
      await endEpisode(tx, episode, { how, at: endedAt, healedBy });
      return loadEpisode(tx, episode.id);
    });
  }

  async markContested(ref: ResourceKey, field: string, otherManager: string): Promise<Episode | null> {
    return await this.backend.transaction(async (tx) => {
      await tx.lock(lockKey(ref));
      const episode = await findOpen(tx, this.#writer(), ref);
      if (episode === undefined) return null;
      await tx.query("UPDATE episodes SET contested_by = ?, contested_field = ? WHERE id = ?", [
        otherManager,
        field,
        episode.id,
      ]);
      await tx.query("UPDATE changes SET contested_by = ? WHERE episode_id = ? AND path = ?", [
        otherManager,
        episode.id,
        field,
      ]);
      return loadEpisode(tx, episode.id);
    });
  }

  async query(filter: HistoryQuery = {}): Promise<readonly Episode[]> {
    const scoped =
      filter.clusters === undefined && this.cluster !== undefined
        ? { ...filter, clusters: [this.cluster, ""] }
        : filter;
    const where = conditions(scoped);
    const limit = limitOf(filter.limit);
    const sql = [
      "SELECT * FROM episodes",
      where.length === 0 ? "" : `WHERE ${where.map(([condition]) => condition).join(" AND ")}`,
      "ORDER BY started_at DESC, id DESC",
      limit === undefined ? "" : "LIMIT ?",
    ].join(" ");
    const params = [...where.flatMap(([, values]) => values), ...(limit === undefined ? [] : [limit])];
    return await this.backend.transaction(
      async (tx) => loadEpisodes(tx, await tx.query(sql, params)),
      "read",
    );
  }

  async clusters(): Promise<readonly string[]> {
    const rows = await this.backend.transaction(
      (tx) => tx.query("SELECT DISTINCT cluster FROM episodes ORDER BY cluster"),
      "read",
    );
    return rows.map((row) => text(row, "cluster"));
  }

  /** A cluster's view shares the store's connection: only the store as opened closes it. */
  close(): Promise<void> {
    return this.cluster === undefined ? this.backend.close() : Promise.resolve();
  }
}
