/**
 * The little SQL surface the store needs, implemented once per database. SQL is written with `?`
 * placeholders; the postgres adapter numbers them. Values are numbers, strings, null or bigint.
 */
export type SqlValue = string | number | bigint | null;

export interface SqlDb {
  readonly dialect: 'sqlite' | 'postgres';
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs a statement; resolves with the number of rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs many parameterised statements in order (inside tx for atomicity); the bulk write path. */
  runMany(stmts: readonly (readonly [string, readonly SqlValue[]])[]): Promise<void>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs fn in one transaction; transactions are serialised and never nest by accident: only the
   * handle passed to fn runs inside it, and `tx` on that handle is an explicit savepoint. Calls on
   * the outer SqlDb meanwhile are not part of it (SQLite queues them until it ends).
   */
  tx<T>(fn: (db: SqlDb) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** `?` -> `$1, $2, ...` (our SQL never has a literal `?`). */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
