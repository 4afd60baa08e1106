/**
 * The store's contract, run against SQLite (a file in a temporary directory) and a real
 * PostgreSQL 15 server that this file starts (postgres.test-helper.ts).
 */

import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Drift } from "../model/index.js";
import type { TestPostgres } from "./postgres.test-helper.js";
import { startPostgres } from "./postgres.test-helper.js";
import { episodesPerRead } from "./episodes.js";
import { migrate } from "./migrations.js";
import { PostgresBackend } from "./postgres.js";
import { SqliteBackend } from "./sqlite.js";
import type { HistoryStore, ResourceKey } from "./index.js";
import { EpisodeEnds, migrations, openStore, parseStoreUrl, StoreError } from "./index.js";

const web: ResourceKey = { group: "apps", kind: "Deployment", namespace: "shop", name: "web" };
const api: ResourceKey = { group: "apps", kind: "Deployment", namespace: "shop", name: "api" };
const cache: ResourceKey = { group: "", kind: "ConfigMap", namespace: "infra", name: "cache" };
const secretRef: ResourceKey = { group: "", kind: "Secret", namespace: "shop", name: "db" };

const t = (minute: number): string => new Date(Date.UTC(2026, 11, 2, 6, minute)).toISOString();

const replicas = (live: number, manager = "kubectl"): Drift => ({
  path: "/spec/replicas",
  type: "Changed",
  desired: 3,
  live,
  attribution: { manager, operation: "Update", subresource: "scale", changedAt: "2026-12-02T05:59:00Z" },
});
const image: Drift = {
  path: "/spec/template/spec/containers/0/image",
  type: "Changed",
  desired: "web:1",
  live: "web:2",
  attribution: { manager: "kubectl-set", operation: "Update" },
};
const label: Drift = {
  path: "/metadata/labels/hotfix",
  type: "Added",
  reason: "outOfBand",
  live: "yes",
  attribution: { manager: "kubectl-label", operation: "Update" },
};

/** A Secret value that must never reach the database, in any column or file. */
const secretValue = "hunter2-Sup3rSecret-Value";
const secretDrift: Drift = {
  path: "/data/password",
  type: "Changed",
  redacted: { desired: "83930f25e67c4250", live: "2c5cafc49850e30d" },
  attribution: { manager: "kubectl-edit", operation: "Update" },
};

interface Backend {
  /** A URL to a new, empty store. */
  url(): Promise<string>;
  /** Every row of the store's tables, as text. */
  dump(url: string): Promise<string>;
  /** Every byte the database keeps on disk, as latin1 text. */
  files(url: string): Promise<string>;
  /** Runs one statement outside the store. */
  exec(url: string, sql: string): Promise<void>;
}

async function readTree(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) parts.push((await readFile(join(entry.parentPath, entry.name))).toString("latin1"));
  return parts.join("\n");
}

const tables = ["episodes", "changes", "schema_migrations"];

let tmp = "";
let postgres: TestPostgres | undefined;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "kubedrift-store-"));
  postgres = await startPostgres();
});

afterAll(async () => {
  await postgres?.stop();
  await rm(tmp, { recursive: true, force: true });
});

let sqliteFiles = 0;
const sqlite: Backend = {
  url: () => Promise.resolve(`sqlite:${join(tmp, `store-${++sqliteFiles}`, "kubedrift.db")}`),
  dump(url) {
    const db = new DatabaseSync(url.slice("sqlite:".length));
    try {
      return Promise.resolve(
        tables.map((table) => JSON.stringify(db.prepare(`SELECT * FROM ${table}`).all())).join(),
      );
    } finally {
      db.close();
    }
  },
  files: (url) => readTree(join(url.slice("sqlite:".length), "..")),
  exec(url, sql) {
    const db = new DatabaseSync(url.slice("sqlite:".length));
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
    return Promise.resolve();
  },
};

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const postgresql: Backend = {
  url: () => postgres!.createDatabase(),
  dump: (url) =>
    withClient(url, async (client) => {
      const rows = [];
      for (const table of tables)
        rows.push(JSON.stringify((await client.query(`SELECT * FROM ${table}`)).rows));
      return rows.join();
    }),
  files: async (url) => {
    // CHECKPOINT writes the tables' pages too, not only the WAL: both are read.
    await withClient(url, (client) => client.query("CHECKPOINT"));
    return readTree(postgres!.dataDir);
  },
  exec: (url, sql) => withClient(url, (client) => client.query(sql).then(() => undefined)),
};

describe.each([
  ["SQLite", sqlite],
  ["PostgreSQL", postgresql],
] as const)("the history store on %s", (_name, backend) => {
  let store: HistoryStore;
  let url: string;
  const open = async (): Promise<HistoryStore> => {
    url = await backend.url();
    store = await openStore(url);
    return store;
  };

  afterEach(async () => {
    await store?.close();
  });

  it("opens an episode on the first drift, extends it on repeats and closes it as reverted", async () => {
    await open();
    const opened = await store.recordObservation(web, [replicas(5)], t(0));
    expect(opened).toMatchObject({
      resource: web,
      startedAt: t(0),
      endedAt: null,
      endedBy: null,
      contested: false,
      contestedBy: null,
    });
    expect(opened!.changes).toEqual([
      {
        path: "/spec/replicas",
        type: "Changed",
        desired: 3,
        live: 5,
        manager: "kubectl",
        operation: "Update",
        subresource: "scale",
        changedAt: "2026-12-02T05:59:00Z",
        firstSeen: t(0),
        lastSeen: t(0),
      },
    ]);
    const extended = await store.recordObservation(web, [replicas(5)], t(2));
    expect(extended!.id).toBe(opened!.id);
    expect(extended!.changes[0]).toMatchObject({ firstSeen: t(0), lastSeen: t(2) });
    const closed = await store.recordObservation(web, [], t(5));
    expect(closed).toMatchObject({ id: opened!.id, endedAt: t(5), endedBy: "reverted" });
    expect(await store.recordObservation(web, [], t(6))).toBeNull();
    expect(await store.query()).toHaveLength(1);
  });

  it("never opens a duplicate episode under repeated or concurrent observations", async () => {
    await open();
    for (let minute = 0; minute < 10; minute++) await store.recordObservation(web, [replicas(5)], t(minute));
    await Promise.all([1, 2, 3, 4, 5].map((n) => store.recordObservation(api, [replicas(n)], t(n))));
    const episodes = await store.query();
    expect(episodes.map((episode) => [episode.resource.name, episode.changes.length])).toEqual([
      ["api", 1],
      ["web", 1],
    ]);
    expect(episodes[1].changes[0]).toMatchObject({ firstSeen: t(0), lastSeen: t(9) });
    // A second connection (as another part of the process or a replica would open) on the same
    // store, writing at the same time. sees the same single open episode.
    const second = await openStore(url);
    try {
      await Promise.all(
        [11, 12, 13, 14].map((minute) =>
          (minute % 2 === 0 ? store : second).recordObservation(web, [replicas(minute)], t(minute)),
        ),
      );
      expect(await second.query({ resource: web })).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it("adds a further field to the open episode, keeping the first one's times", async () => {
    await open();
    const first = await store.recordObservation(web, [replicas(5)], t(0));
    const second = await store.recordObservation(web, [replicas(5), image], t(3));
    expect(second!.id).toBe(first!.id);
    expect(second!.changes.map((change) => [change.path, change.firstSeen, change.lastSeen])).toEqual([
      ["/spec/replicas", t(0), t(3)],
      ["/spec/template/spec/containers/0/image", t(3), t(3)],
    ]);
    // A field that is put back while another stays drifted remains in the episode's history.
    const third = await store.recordObservation(web, [image], t(4));
    expect(third!.changes.map((change) => [change.path, change.lastSeen])).toEqual([
      ["/spec/replicas", t(3)],
      ["/spec/template/spec/containers/0/image", t(4)],
    ]);
    const added = await store.recordObservation(web, [label], t(5));
    expect(added!.changes[2]).toEqual({
      path: "/metadata/labels/hotfix",
      type: "Added",
      reason: "outOfBand",
      live: "yes",
      manager: "kubectl-label",
      operation: "Update",
      firstSeen: t(5),
      lastSeen: t(5),
    });
  });

  it("keeps the latest values of a field that changes again inside the episode", async () => {
    await open();
    await store.recordObservation(web, [replicas(5)], t(0));
    const episode = await store.recordObservation(web, [replicas(7, "kubectl-scale")], t(1));
    expect(episode!.changes).toMatchObject([
      { live: 7, manager: "kubectl-scale", firstSeen: t(0), lastSeen: t(1) },
    ]);
    // A late observation from before the latest one changes nothing.
    const late = await store.recordObservation(web, [replicas(5)], t(0));
    expect(late!.changes).toMatchObject([
      { live: 7, manager: "kubectl-scale", firstSeen: t(0), lastSeen: t(1) },
    ]);
  });

  it("ends an episode as told, and a later drift opens the next one", async () => {
    await open();
    await store.recordObservation(web, [replicas(5)], t(0));
    const healed = await store.recordObservation(web, [], t(1), { endedBy: EpisodeEnds.healed });
    expect(healed).toMatchObject({ endedAt: t(1), endedBy: "healed" });
    await store.recordObservation(web, [replicas(6)], t(2));
    const adopted = await store.closeEpisode(web, "adopted", t(3));
    expect(adopted).toMatchObject({ startedAt: t(2), endedAt: t(3), endedBy: "adopted" });
    expect(await store.closeEpisode(web, "deleted", t(4))).toBeNull();
    await store.recordObservation(web, [replicas(7)], t(5));
    expect(await store.closeEpisode(web, "sourceChanged", t(6))).toMatchObject({ endedBy: "sourceChanged" });
    await store.recordObservation(web, [replicas(8)], t(7));
    expect(await store.closeEpisode(web, "deleted", t(8))).toMatchObject({ endedBy: "deleted" });
    const episodes = await store.query({ resource: web });
    expect(episodes.map((episode) => [episode.startedAt, episode.endedBy])).toEqual([
      [t(7), "deleted"],
      [t(5), "sourceChanged"],
      [t(2), "adopted"],
      [t(0), "healed"],
    ]);
  });

  it("keeps a late observation from reaching back before the previous episode's end", async () => {
    await open();
    await store.recordObservation(web, [replicas(5)], t(0));
    await store.closeEpisode(web, "reverted", t(10));
    const late = await store.recordObservation(web, [replicas(6)], t(4));
    expect(late).toMatchObject({ startedAt: t(10), endedAt: null });
    expect(late!.changes[0]).toMatchObject({ firstSeen: t(10), lastSeen: t(10) });
  });

  it("marks the open episode and the field contested, naming the other manager", async () => {
    await open();
    expect(await store.markContested(web, "/spec/replicas", "hpa-controller")).toBeNull();
    await store.recordObservation(web, [replicas(5), image], t(0));
    const contested = await store.markContested(web, "/spec/replicas", "hpa-controller");
    expect(contested).toMatchObject({
      contested: true,
      contestedBy: "hpa-controller",
      contestedField: "/spec/replicas",
    });
    expect(contested!.changes.map((change) => change.contestedBy)).toEqual(["hpa-controller", undefined]);
    await store.recordObservation(web, [replicas(6)], t(1));
    expect(await store.query({ openOnly: true })).toMatchObject([
      { contested: true, contestedBy: "hpa-controller" },
    ]);
  });

  it("answers every filter of a query", async () => {
    await open();
    await store.recordObservation(web, [replicas(5)], t(0));
    await store.closeEpisode(web, "reverted", t(10));
    await store.recordObservation(api, [{ ...image, user: "alice@example.com" }], t(20));
    await store.recordObservation(cache, [label], t(30));
    await store.closeEpisode(cache, "healed", t(40));
    await store.recordObservation(web, [label], t(50));
    const names = async (filter: Parameters<HistoryStore["query"]>[0]): Promise<string[]> =>
      (await store.query(filter)).map(
        (episode) => `${episode.resource.name}@${episode.startedAt.slice(14, 16)}`,
      );

    expect(await names({})).toEqual(["web@50", "cache@30", "api@20", "web@00"]);
    expect(await names({ resource: web })).toEqual(["web@50", "web@00"]);
    expect(await names({ resource: { ...web, group: "" } })).toEqual([]);
    expect(await names({ namespace: "infra" })).toEqual(["cache@30"]);
    expect(await names({ kind: "Deployment" })).toEqual(["web@50", "api@20", "web@00"]);
    expect(await names({ manager: "kubectl-label" })).toEqual(["web@50", "cache@30"]);
    expect(await names({ manager: "kubectl" })).toEqual(["web@00"]);
    expect(await names({ user: "alice@example.com" })).toEqual(["api@20"]);
    expect(await names({ user: "bob" })).toEqual([]);
    // since: episodes still open at or after that time; until: episodes started by then.
    expect(await names({ since: t(35) })).toEqual(["web@50", "cache@30", "api@20"]);
    expect(await names({ since: t(41) })).toEqual(["web@50", "api@20"]);
    expect(await names({ until: t(20) })).toEqual(["api@20", "web@00"]);
    expect(await names({ since: t(5), until: t(25) })).toEqual(["api@20", "web@00"]);
    expect(await names({ openOnly: true })).toEqual(["web@50", "api@20"]);
    expect(await names({ limit: 2 })).toEqual(["web@50", "cache@30"]);
    expect(await names({ kind: "Deployment", namespace: "shop", openOnly: true, limit: 1 })).toEqual([
      "web@50",
    ]);
    // A time with an offset names the same instant.
    expect(await names({ since: "2026-12-02T07:41:00+01:00" })).toEqual(["web@50", "api@20"]);
    await expect(store.query({ since: "yesterday" })).rejects.toThrow(
      /since: "yesterday" is not an RFC 3339 time/,
    );
    await expect(store.query({ limit: -1 })).rejects.toThrow(StoreError);
  });

  it("returns the changes of more episodes than one read of changes takes", async () => {
    await open();
    const count = episodesPerRead + 1;
    for (let n = 0; n < count; n++)
      await store.recordObservation({ ...web, name: `web-${n}` }, [replicas(n)], t(n % 60));
    const episodes = await store.query();
    expect(episodes).toHaveLength(count);
    expect(episodes.every((episode) => episode.changes.length === 1)).toBe(true);
    expect(new Set(episodes.map((episode) => episode.changes[0].live)).size).toBe(count);
  });

  it("never stores a Secret value, only the keyed hashes, even when a caller leaves the value beside them", async () => {
    await open();
    const leaky: Drift = { ...secretDrift, desired: "old", live: secretValue };
    const episode = await store.recordObservation(secretRef, [leaky], t(0));
    await store.recordObservation(secretRef, [{ ...secretDrift, live: secretValue }], t(1));
    await store.markContested(secretRef, "/data/password", "kubectl-edit");
    await store.closeEpisode(secretRef, "healed", t(2));
    expect(episode!.changes).toEqual([
      {
        path: "/data/password",
        type: "Changed",
        redacted: { desired: "83930f25e67c4250", live: "2c5cafc49850e30d" },
        manager: "kubectl-edit",
        operation: "Update",
        firstSeen: t(0),
        lastSeen: t(0),
      },
    ]);
    const [stored] = await store.query({ resource: secretRef });
    expect(JSON.stringify(stored)).not.toContain(secretValue);
    await store.close();
    const rows = await backend.dump(url);
    expect(rows).toContain("2c5cafc49850e30d");
    expect(rows).not.toContain(secretValue);
    expect(await backend.files(url)).not.toContain(secretValue);
    store = await openStore(url);
  });

  it("stores times in UTC whatever offset they come with, and refuses what is not a time", async () => {
    await open();
    const episode = await store.recordObservation(web, [replicas(5)], "2026-12-02T08:00:00+02:00");
    expect(episode!.startedAt).toBe("2026-12-02T06:00:00.000Z");
    await expect(store.recordObservation(web, [replicas(5)], "12/02/2026")).rejects.toThrow(
      'observedAt: "12/02/2026" is not an RFC 3339 time',
    );
  });

  it("keeps who made a change when the same write is seen again without it, and replaces it for a new write", async () => {
    await open();
    const alice = {
      user: "alice",
      groups: ["devs", "system:authenticated"],
      userAgent: "kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9",
      sourceIPs: ["127.0.0.1"],
      breakGlass: "INC-4711",
    };
    await store.recordObservation(web, [{ ...replicas(5), ...alice }], t(0));
    const again = await store.recordObservation(web, [replicas(5)], t(1));
    expect(again?.changes[0]).toMatchObject(alice);
    const later = replicas(6, "kubectl-edit");
    const changed = { ...later, attribution: { ...later.attribution!, changedAt: "2026-12-02T06:01:30Z" } };
    const replaced = await store.recordObservation(web, [changed], t(2));
    const change = replaced?.changes[0];
    expect(change?.user).toBeUndefined();
    expect(change?.groups).toBeUndefined();
    expect(change?.live).toBe(6);
    expect(await store.query({ user: "alice" })).toHaveLength(0);
  });

  it("keeps one open episode per resource in each cluster: a cluster's writes never extend or end another's", async () => {
    await open();
    const [a, b] = [store.forCluster("prod-eu"), store.forCluster("prod-us")];
    // Both clusters' first observations at once, as two watches writing one store.
    const [inA, inB] = await Promise.all([
      a.recordObservation(web, [replicas(5)], t(0)),
      b.recordObservation(web, [replicas(5), image], t(0)),
    ]);
    expect(inA).toMatchObject({ cluster: "prod-eu", resource: web, endedAt: null });
    expect(inB).toMatchObject({ cluster: "prod-us", resource: web, endedAt: null });
    expect(inA!.id).not.toBe(inB!.id);
    expect((await a.recordObservation(web, [replicas(6)], t(1)))!.id).toBe(inA!.id);
    // prod-eu back in sync ends prod-eu's episode only.
    expect(await a.recordObservation(web, [], t(2))).toMatchObject({ id: inA!.id, endedBy: "reverted" });
    expect(await a.closeEpisode(web, EpisodeEnds.healed, t(3))).toBeNull();
    expect(await a.markContested(web, "/spec/replicas", "hpa")).toBeNull();
    expect(await b.query({ openOnly: true })).toMatchObject([{ id: inB!.id, cluster: "prod-us" }]);
    expect(await a.query({ openOnly: true })).toEqual([]);
    expect(await a.query()).toMatchObject([{ id: inA!.id, cluster: "prod-eu" }]);
    // The store as opened reads every cluster; `clusters` selects.
    expect((await store.query()).map((episode) => episode.cluster).sort()).toEqual(["prod-eu", "prod-us"]);
    expect(await store.query({ clusters: ["prod-us"] })).toMatchObject([{ id: inB!.id }]);
    expect(await store.query({ clusters: ["prod-eu", "prod-us"], openOnly: true })).toHaveLength(1);
    expect(await store.query({ clusters: [] })).toEqual([]);
    expect(await a.query({ clusters: ["prod-us"] })).toMatchObject([{ id: inB!.id }]);
    expect(await store.clusters()).toEqual(["prod-eu", "prod-us"]);
    // A view closes nothing: the store goes on.
    await a.close();
    expect(await store.query()).toHaveLength(2);
  });

  it('reads an episode of no recorded cluster (before schema 5) as cluster "", and the first cluster to continue it claims it', async () => {
    url = await backend.url();
    const location = parseStoreUrl(url);
    const old =
      location.kind === "sqlite" ? new SqliteBackend(location.path) : new PostgresBackend(location.url);
    await migrate(old, migrations.slice(0, 4));
    await old.close();
    await backend.exec(
      url,
      `INSERT INTO episodes (grp, kind, namespace, name, started_at) VALUES ('apps', 'Deployment', 'shop', 'web', '${t(0)}')`,
    );
    store = await openStore(url);
    const [legacy] = await store.query();
    expect(legacy).toMatchObject({ cluster: "", resource: web, endedAt: null });
    const [a, b] = [store.forCluster("prod-eu"), store.forCluster("prod-us")];
    expect(await b.query({ openOnly: true })).toMatchObject([{ id: legacy.id }]);
    const continued = await a.recordObservation(web, [replicas(5)], t(1));
    expect(continued).toMatchObject({ id: legacy.id, cluster: "prod-eu", startedAt: t(0) });
    expect(await b.query({ openOnly: true })).toEqual([]);
    const own = await b.recordObservation(web, [replicas(5)], t(2));
    expect(own).toMatchObject({ cluster: "prod-us" });
    expect(own!.id).not.toBe(legacy.id);
  });

  it("migrates once: opening again applies nothing, and a schema newer than the code is refused", async () => {
    await open();
    await store.recordObservation(web, [replicas(5)], t(0));
    await store.close();
    store = await openStore(url);
    expect(await store.query()).toHaveLength(1);
    await store.close();
    const rows = await backend.dump(url);
    expect(rows.match(/"version":1\b/g)).toHaveLength(1);
    expect(rows.match(/"version":2\b/g)).toHaveLength(1);
    expect(rows.match(/"version":3\b/g)).toHaveLength(1);
    expect(rows.match(/"version":5\b/g)).toHaveLength(1);
    expect(migrations.map((migration) => migration.version)).toEqual([1, 2, 3, 4, 5]);

    await backend.exec(
      url,
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (7, 'future', 'x')",
    );
    const refused = openStore(url);
    await expect(refused).rejects.toThrow(StoreError);
    await expect(refused).rejects.toThrow(
      /schema version 7 is newer than this kubedrift knows \(5\); use a newer kubedrift$/,
    );
    const message = await refused.then(
      () => "",
      (error: Error) => error.message,
    );
    expect(message).not.toContain("\n");
    await backend.exec(url, "DELETE FROM schema_migrations WHERE version = 7");
    store = await openStore(url);
    expect(await store.query()).toHaveLength(1);
  });
});

describe("store URLs", () => {
  it("reads sqlite:PATH, the default, and postgres URLs", () => {
    expect(parseStoreUrl()).toEqual({ kind: "sqlite", path: "./kubedrift.db" });
    expect(parseStoreUrl("sqlite:")).toEqual({ kind: "sqlite", path: "./kubedrift.db" });
    expect(parseStoreUrl("sqlite:/var/lib/kubedrift/h.db")).toEqual({
      kind: "sqlite",
      path: "/var/lib/kubedrift/h.db",
    });
    expect(parseStoreUrl("postgres://u@db:5432/k")).toEqual({
      kind: "postgres",
      url: "postgres://u@db:5432/k",
    });
    expect(parseStoreUrl("postgresql://db/k")).toEqual({ kind: "postgres", url: "postgresql://db/k" });
  });

  it("refuses anything else in one line, without a password", () => {
    expect(() => parseStoreUrl("mysql://db/k")).toThrow(
      'store "mysql://db/k": expected sqlite:PATH or postgres://USER@HOST:PORT/DATABASE',
    );
    expect(() => parseStoreUrl("sqlite://h.db")).toThrow(/write sqlite:PATH/);
    expect(() => parseStoreUrl("postgres:/u:pw@db")).toThrow(StoreError);
    expect(() => parseStoreUrl("postgres:/u:pw@db")).not.toThrow(/pw/);
    expect(() => parseStoreUrl("kubedrift.db")).toThrow(/expected sqlite:PATH/);
  });

  it("says which store it cannot open, in one line", async () => {
    await expect(openStore("postgres://u:topsecret@127.0.0.1:1/none")).rejects.toThrow(
      /^postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/none: cannot open the store: /,
    );
    await expect(openStore("postgres://u:topsecret@127.0.0.1:1/none")).rejects.not.toThrow(/topsecret/);
  });
});
