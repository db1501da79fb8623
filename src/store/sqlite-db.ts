/**
 * better-sqlite3 behind SqlDb: WAL mode, a statement cache, and one queue for everything.
 *
 * SQLite has one connection here, so a transaction is the connection's state: anything run on it
 * while a transaction is open becomes part of that transaction. To keep one caller's failure from
 * rolling back another's work, every top-level call (`all`, `run`, `runMany`, `exec`, `tx`) waits
 * its turn in one queue, and only the transaction's own handle (passed to `fn`) runs inside it.
 * A `tx` on that handle is an explicit SAVEPOINT: its failure undoes only its own statements.
 * PostgreSQL (postgres-db.ts) behaves the same way; test/store-tx.test.ts checks both.
 */
import Database from 'better-sqlite3';
import type { SqlDb, SqlValue } from './sql-db.js';

export function openSqliteDb(path: string, o: { busyTimeoutMs?: number } = {}): SqlDb {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: commits survive a process crash; the journal covers power loss.
  db.pragma('synchronous = NORMAL');
  db.pragma(`busy_timeout = ${o.busyTimeoutMs ?? 5000}`);
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
  /** Runs `op` after everything queued before it; a failure does not stop the queue. */
  const queued = <T>(op: () => Promise<T> | T): Promise<T> => {
    const next = chain.then(op);
    chain = next.catch(() => undefined);
    return next;
  };
  let savepoints = 0;

  /** Direct access: used by the open transaction's handle (and inside queued ops). */
  const direct = (inTx: boolean): SqlDb => {
    const handle: SqlDb = {
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
      async tx<T>(fn: (d: SqlDb) => Promise<T>): Promise<T> {
        if (!inTx) throw new Error('internal: tx on a direct handle outside a transaction');
        const name = `sp${++savepoints}`;
        db.exec(`SAVEPOINT ${name}`);
        try {
          const out = await fn(handle);
          db.exec(`RELEASE ${name}`);
          return out;
        } catch (err) {
          db.exec(`ROLLBACK TO ${name}`);
          db.exec(`RELEASE ${name}`);
          throw err;
        }
      },
      close: () => Promise.reject(new Error('close the database, not a transaction handle')),
    };
    return handle;
  };
  const plain = direct(false);
  const inner = direct(true);

  return {
    dialect: 'sqlite',
    all: (sql, params) => queued(() => plain.all(sql, params)),
    run: (sql, params) => queued(() => plain.run(sql, params)),
    runMany: (stmts) => queued(() => plain.runMany(stmts)),
    exec: (sql) => queued(() => plain.exec(sql)),
    tx<T>(fn: (d: SqlDb) => Promise<T>): Promise<T> {
      return queued(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const out = await fn(inner);
          db.exec('COMMIT');
          return out;
        } catch (err) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw err;
        }
      });
    },
    async close(): Promise<void> {
      await chain;
      if (db.open) db.close();
    },
  };
}
