/**
 * SQLite through `node:sqlite` (no native addon to build). WAL with `synchronous=FULL`: a commit
 * is on disk before it is acknowledged, so a `kill -9` loses nothing that was acknowledged.
 */

import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { SQLInputValue, StatementSync } from "node:sqlite";
import { DatabaseSync } from "node:sqlite";
import type { Row, SqlBackend, SqlParam, SqlTx, TransactionMode } from "./sql.js";
import { StoreError } from "./types.js";

/** How long a writer waits for another process's transaction before giving up. */
const busyTimeoutMs = 10_000;

/*
 * The database calls are synchronous but a transaction's work awaits between them. Without a queue
 * a second transaction could begin in one of those gaps: on the same connection it would nest, and
 * on another connection to the same file in this process it would wait for a lock that the
 * blocked thread itself holds. So the transactions of one process on one file take turns here.
 */
const queues = new Map<string, Promise<unknown>>();
let memoryStores = 0;

export class SqliteBackend implements SqlBackend {
  readonly dialect = "sqlite";
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  private readonly queueKey: string;

  constructor(readonly location: string) {
    this.queueKey = location === ":memory:" ? `:memory:${++memoryStores}` : resolve(location);
    try {
      if (location !== ":memory:") mkdirSync(dirname(location), { recursive: true });
      this.db = new DatabaseSync(location);
      this.db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
      this.db.exec("PRAGMA journal_mode = WAL");
      this.db.exec("PRAGMA synchronous = FULL");
      this.db.exec("PRAGMA foreign_keys = ON");
    } catch (error) {
      throw new StoreError(`${location}: cannot open the SQLite store: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  private run(sql: string, params: readonly SqlParam[]): readonly Row[] {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement.all(...(params as SQLInputValue[]));
  }

  transaction<T>(work: (tx: SqlTx) => Promise<T>, mode: TransactionMode = "write"): Promise<T> {
    const result = (queues.get(this.queueKey) ?? Promise.resolve()).then(() =>
      this.inTransaction(work, mode),
    );
    const settled = result.catch(() => undefined);
    queues.set(this.queueKey, settled);
    // The last one out leaves no entry behind.
    void settled.then(() => {
      if (queues.get(this.queueKey) === settled) queues.delete(this.queueKey);
    });
    return result;
  }

  private async inTransaction<T>(work: (tx: SqlTx) => Promise<T>, mode: TransactionMode): Promise<T> {
    // IMMEDIATE takes the write lock at the start, so two processes never both read then write.
    this.db.exec(mode === "write" ? "BEGIN IMMEDIATE" : "BEGIN");
    const tx: SqlTx = {
      query: (sql, params = []) => Promise.resolve(this.run(sql, params)),
      lock: () => Promise.resolve(),
    };
    try {
      const result = await work(tx);
      this.db.exec("COMMIT");
      return result;
    } catch (error) {
      if (this.db.isTransaction) this.db.exec("ROLLBACK");
      throw error;
    }
  }

  async close(): Promise<void> {
    await queues.get(this.queueKey);
    if (this.db.isOpen) this.db.close();
  }
}
