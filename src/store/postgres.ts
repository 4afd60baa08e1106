/**
 * PostgreSQL through `pg`: a pool, parameterized queries only, one client per transaction, and
 * advisory locks so that several replicas writing the same resource take turns.
 */

import pg from "pg";
import type { Row, SqlBackend, SqlParam, SqlTx, TransactionMode } from "./sql.js";

/** `?` → `$1`, `$2`…: the shared SQL has no `?` inside literals. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** The URL as it may be shown: never its password. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "postgres://…";
  }
}

export class PostgresBackend implements SqlBackend {
  readonly dialect = "postgres";
  readonly location: string;
  private readonly pool: pg.Pool;

  constructor(url: string) {
    this.location = withoutPassword(url);
    this.pool = new pg.Pool({ connectionString: url, max: 4 });
    // An idle client's error (the server restarting) must not crash the process; the next query reconnects.
    this.pool.on("error", () => undefined);
  }

  async transaction<T>(work: (tx: SqlTx) => Promise<T>, mode: TransactionMode = "write"): Promise<T> {
    const client = await this.pool.connect();
    const query = async (sql: string, params: readonly SqlParam[] = []): Promise<readonly Row[]> =>
      (await client.query<Row>(numbered(sql), [...params])).rows;
    const tx: SqlTx = {
      query,
      lock: async (key) => {
        await query("SELECT pg_advisory_xact_lock(hashtext(?))", [key]);
      },
    };
    let broken: unknown;
    try {
      await client.query(mode === "write" ? "BEGIN" : "BEGIN READ ONLY");
      const result = await work(tx);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      broken = await client.query("ROLLBACK").then(
        () => undefined,
        (rollbackError: unknown) => rollbackError,
      );
      throw error;
    } finally {
      // A client whose rollback failed is in an unknown state: the pool drops it.
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
