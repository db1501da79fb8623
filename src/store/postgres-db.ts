/**
 * pg behind SqlDb: a pool, BIGINT read back as a JS number, one client per transaction.
 * Transactions are serialised; a tx inside one is a SAVEPOINT; calls outside a transaction run on
 * other pooled connections and are never part of it (the same contract as sqlite-db.ts).
 */
import pg from 'pg';
import { numberPlaceholders, type SqlDb, type SqlValue } from './sql-db.js';

const INT8_OID = 20;
const toNumber = (v: string): number => Number(v);

function queryable(
  q: { query: pg.Pool['query'] },
  close: () => Promise<void>,
  tx: SqlDb['tx'],
): SqlDb {
  const conv = (params: readonly SqlValue[]): unknown[] =>
    params.map((p) => (typeof p === 'bigint' ? p.toString() : p));
  return {
    dialect: 'postgres',
    async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
      const r = await q.query({
        text: numberPlaceholders(sql),
        values: conv(params),
        types: TYPES,
      });
      return r.rows as T[];
    },
    async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
      const r = await q.query({
        text: numberPlaceholders(sql),
        values: conv(params),
        types: TYPES,
      });
      return r.rowCount ?? 0;
    },
    async runMany(stmts): Promise<void> {
      // One round trip per ~1 MiB of SQL instead of one per statement: values are inlined as
      // escaped literals and sent with the simple query protocol (several statements per query).
      let text = '';
      for (const [sql, params] of stmts) {
        text += inline(sql, params) + ';\n';
        if (text.length > 1 << 20) {
          await q.query(text);
          text = '';
        }
      }
      if (text !== '') await q.query(text);
    },
    async exec(sql: string): Promise<void> {
      await q.query(sql);
    },
    tx,
    close,
  };
}

function literal(v: SqlValue): string {
  if (v === null) return 'NULL';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return BigInt(v).toString();
    if (!Number.isFinite(v)) throw new Error(`cannot store ${v}`);
    return String(v);
  }
  return pg.escapeLiteral(v);
}

/** Our SQL never holds a literal `?`, so each one is a parameter, in order. */
function inline(sql: string, params: readonly SqlValue[]): string {
  const parts = sql.split('?');
  if (parts.length - 1 !== params.length)
    throw new Error(`statement expects ${parts.length - 1} values, got ${params.length}`);
  let out = parts[0];
  for (let i = 0; i < params.length; i++) out += literal(params[i]) + parts[i + 1];
  return out;
}

const TYPES = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID
      ? toNumber
      : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

export function openPostgresDb(url: string): SqlDb {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle client losing its connection must not crash the process.
  pool.on('error', () => undefined);
  let chain: Promise<unknown> = Promise.resolve();
  let ended = false;
  const tx = <T>(fn: (d: SqlDb) => Promise<T>): Promise<T> => {
    const next = chain.then(async () => {
      const client = await pool.connect();
      let savepoints = 0;
      // A tx inside the transaction is an explicit SAVEPOINT, as on SQLite.
      const inner: SqlDb = queryable(
        client as unknown as { query: pg.Pool['query'] },
        async () => undefined,
        async <U>(f: (d: SqlDb) => Promise<U>): Promise<U> => {
          const name = `sp${++savepoints}`;
          await client.query(`SAVEPOINT ${name}`);
          try {
            const out = await f(inner);
            await client.query(`RELEASE SAVEPOINT ${name}`);
            return out;
          } catch (err) {
            await client.query(`ROLLBACK TO SAVEPOINT ${name}`);
            await client.query(`RELEASE SAVEPOINT ${name}`);
            throw err;
          }
        },
      );
      try {
        await client.query('BEGIN');
        const out = await fn(inner);
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    });
    chain = next.catch(() => undefined);
    return next;
  };
  return queryable(
    pool,
    async () => {
      if (ended) return;
      ended = true;
      await chain;
      await pool.end();
    },
    tx,
  );
}
