/** pg behind SqlDb: a pool, BIGINT read back as a JS number, one client per transaction. */
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
      for (const [sql, params] of stmts) {
        await q.query({ text: numberPlaceholders(sql), values: conv(params), types: TYPES });
      }
    },
    async exec(sql: string): Promise<void> {
      await q.query(sql);
    },
    tx,
    close,
  };
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
  const tx = <T>(fn: (d: SqlDb) => Promise<T>): Promise<T> => {
    const next = chain.then(async () => {
      const client = await pool.connect();
      const inner = queryable(
        client as unknown as { query: pg.Pool['query'] },
        async () => undefined,
        (f) => f(inner),
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
      await chain;
      await pool.end();
    },
    tx,
  );
}
