/**
 * Store transactions never nest by accident, and behave the same on SQLite and PostgreSQL: one
 * transaction's failure never rolls back another's committed work or a write made outside it,
 * and a transaction inside a transaction is an explicit savepoint.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openStore, type SqlStore } from '../src/store/index.js';
import { startPostgres } from './helpers/postgres.js';

const pg = await startPostgres();
afterAll(() => pg?.stop());
const dirs: string[] = [];
const stores: SqlStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

let n = 0;
const backends: { name: string; open(): Promise<SqlStore> }[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'crossbook-tx-'));
      dirs.push(dir);
      const s = await openStore({ url: join(dir, 'crossbook.db') });
      stores.push(s);
      return s;
    },
  },
];
if (pg !== null) {
  backends.push({
    name: 'postgres',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'crossbook-tx-'));
      dirs.push(dir);
      const s = await openStore({
        url: pg.createDatabase(`tx${++n}_${process.pid}`),
        dataDir: dir,
      });
      stores.push(s);
      return s;
    },
  });
}

const tick = () => new Promise((r) => setTimeout(r, 5));
const names = async (s: SqlStore): Promise<string[]> =>
  (await s.sql.all<{ account: string }>('SELECT account FROM accounts ORDER BY account')).map(
    (r) => r.account,
  );
const insert = (account: string): [string, (string | number)[]] => [
  'INSERT INTO accounts (account, disabled, created_at) VALUES (?, 0, 1)',
  [account],
];

for (const b of backends) {
  describe(`store transactions on ${b.name}`, () => {
    it("a failing transaction does not roll back a concurrent one's committed work", async () => {
      const s = await b.open();
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const failing = s.sql.tx(async (t) => {
        await t.run(...insert('from-failing'));
        await gate;
        throw new Error('boom');
      });
      // Started while the first is open: it must be its own transaction, not part of the first.
      const other = s.sql.tx(async (t) => {
        await t.run(...insert('from-other'));
      });
      const outside = s.sql.run(...insert('outside'));
      await tick();
      release();
      await expect(failing).rejects.toThrow('boom');
      await other;
      await outside;
      expect(await names(s)).toEqual(['from-other', 'outside']);
    });

    it('a transaction inside a transaction is a savepoint', async () => {
      const s = await b.open();
      await s.sql.tx(async (t) => {
        await t.run(...insert('outer'));
        await expect(
          t.tx(async (u) => {
            await u.run(...insert('inner-failed'));
            throw new Error('inner');
          }),
        ).rejects.toThrow('inner');
        await t.tx(async (u) => {
          await u.run(...insert('inner-ok'));
        });
      });
      expect(await names(s)).toEqual(['inner-ok', 'outer']);
      await expect(
        s.sql.tx(async (t) => {
          await t.tx(async (u) => {
            await u.run(...insert('lost-with-outer'));
          });
          throw new Error('outer');
        }),
      ).rejects.toThrow('outer');
      expect(await names(s)).toEqual(['inner-ok', 'outer']);
    });

    it('concurrent writeEntries and key writes keep each other (store level)', async () => {
      const s = await b.open();
      // A gap is refused inside the transaction; the key written meanwhile must survive it.
      const bad = s.writeEntries([
        {
          shard: 0,
          seq: 5,
          command: { type: 'clock', ts: 1 },
          events: [],
        },
      ]);
      const key = s.addApiKey({ account: 'A' });
      await expect(bad).rejects.toThrow(/store gap/);
      const k = await key;
      expect((await s.findApiKey(k.keyId))?.account).toBe('A');
      expect(await s.lastJournalSeq(0)).toBe(0);
    });
  });
}
