/** better-sqlite3 behind SqlDb: WAL mode, a statement cache, transactions serialised in-process. */
import Database from 'better-sqlite3';
import type { SqlDb, SqlValue } from './sql-db.js';

export function openSqliteDb(path: string): SqlDb {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: commits survive a process crash; the journal covers power loss.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const cache = new Map<string, Database.Statement>();
  const prep = (sql: string): Database.Statement => {
    let st = cache.get(sql);
    if (st === undefined) {
      st = db.prepare(sql);
      cache.set(sql, st);
    }
    return st;
  };
  let chain: Promise<unknown> = Promise.resolve();
  let inTx = false;
  const api: SqlDb = {
    dialect: 'sqlite',
    async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
      return prep(sql).all(...params) as T[];
    },
    async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
      return prep(sql).run(...params).changes;
    },
    async runMany(stmts): Promise<void> {
      // Synchronous loop: no promise hop per row, which is what makes bulk writes cheap here.
      for (const [sql, params] of stmts) prep(sql).run(...params);
    },
    async exec(sql: string): Promise<void> {
      db.exec(sql);
    },
    tx<T>(fn: (d: SqlDb) => Promise<T>): Promise<T> {
      if (inTx) return fn(api);
      const next = chain.then(async () => {
        db.exec('BEGIN IMMEDIATE');
        inTx = true;
        try {
          const out = await fn(api);
          db.exec('COMMIT');
          return out;
        } catch (err) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw err;
        } finally {
          inTx = false;
        }
      });
      chain = next.catch(() => undefined);
      return next;
    },
    async close(): Promise<void> {
      await chain;
      if (db.open) db.close();
    },
  };
  return api;
}
