/**
 * The little SQL boundary both databases implement, so that the episode logic and its SQL are
 * written once: `?` placeholders (the PostgreSQL side numbers them), text for times and JSON.
 */

export type SqlParam = string | number | null;
export type Row = Readonly<Record<string, unknown>>;

export type Dialect = "sqlite" | "postgres";
export type TransactionMode = "read" | "write";

/** One open transaction. */
export interface SqlTx {
  query(sql: string, params?: readonly SqlParam[]): Promise<readonly Row[]>;
  /**
   * Serializes writers of one key across processes until the transaction ends. SQLite's
   * `BEGIN IMMEDIATE` already holds the whole database, so it has nothing more to do.
   */
  lock(key: string): Promise<void>;
}

export interface SqlBackend {
  readonly dialect: Dialect;
  /** Where the data is, for messages: a file path, or the URL without its password. */
  readonly location: string;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws. A read
   * transaction does not take SQLite's write lock, so `history` never waits for `watch`.
   */
  transaction<T>(work: (tx: SqlTx) => Promise<T>, mode?: TransactionMode): Promise<T>;
  close(): Promise<void>;
}

export function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  throw new Error(`column ${column}: expected text, got ${typeof value}`);
}

export function optionalText(row: Row, column: string): string | undefined {
  const value = row[column];
  return value === null || value === undefined ? undefined : text(row, column);
}

/** Drops the keys whose value is undefined, for types read with exactOptionalPropertyTypes. */
export function compact<T extends object>(value: { readonly [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
