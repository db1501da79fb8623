/**
 * One store suite, run against SQLite and against a throwaway PostgreSQL cluster.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Exchange, type Command, type EngineEvent } from '../src/core/index.js';
import {
  compactJournal,
  openDurableExchange,
  type JournaledEntry,
  type JournalLogger,
} from '../src/journal/index.js';
import { MIGRATIONS, openStore, SecretBox, type SqlStore } from '../src/store/index.js';
import { commands } from './helpers/crash-workload.js';
import { startPostgres } from './helpers/postgres.js';

const pg = await startPostgres();
afterAll(() => pg?.stop());

const quiet: JournalLogger = { warn: () => undefined, info: () => undefined };
const dirs: string[] = [];
const stores: SqlStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'crossbook-store-'));
  dirs.push(d);
  return d;
}

let dbCounter = 0;
interface Backend {
  name: string;
  open(): Promise<{ store: SqlStore; reopen: () => Promise<SqlStore>; dataDir: string }>;
}
const backends: Backend[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = tmp();
      const url = join(dir, 'crossbook.db');
      const store = await openStore({ url });
      stores.push(store);
      return {
        store,
        dataDir: dir,
        reopen: async () => {
          const s = await openStore({ url });
          stores.push(s);
          return s;
        },
      };
    },
  },
];
if (pg !== null) {
  backends.push({
    name: 'postgres',
    async open() {
      const url = pg.createDatabase(`t${++dbCounter}_${process.pid}`);
      const dataDir = tmp();
      const store = await openStore({ url, dataDir });
      stores.push(store);
      return {
        store,
        dataDir,
        reopen: async () => {
          const s = await openStore({ url, dataDir });
          stores.push(s);
          return s;
        },
      };
    },
  });
}

const SCRIPT: Command[] = [
  { type: 'instrument', instrument: { symbol: 'MSFT', tickSize: '0.01', lotSize: '1' }, ts: 1000 },
  { type: 'instrument', instrument: { symbol: 'ETH', tickSize: '0.5', lotSize: '0.01' }, ts: 1000 },
  {
    type: 'place',
    symbol: 'MSFT',
    orderId: 'S1',
    account: 'A',
    side: 'sell',
    kind: 'limit',
    price: 10000,
    qty: 100,
    ts: 2000,
  },
  {
    type: 'place',
    symbol: 'MSFT',
    orderId: 'B1',
    account: 'B',
    side: 'buy',
    kind: 'limit',
    price: 10000,
    qty: 40,
    ts: 3000,
  },
  {
    type: 'place',
    symbol: 'ETH',
    orderId: 'E1',
    account: 'A',
    side: 'buy',
    kind: 'limit',
    price: 4000,
    qty: 150,
    ts: 3500,
  },
  {
    type: 'place',
    symbol: 'MSFT',
    orderId: 'B2',
    account: 'B',
    side: 'buy',
    kind: 'limit',
    price: 10000,
    qty: 60,
    ts: 4000,
  },
  {
    type: 'place',
    symbol: 'MSFT',
    orderId: 'S2',
    account: 'C',
    side: 'sell',
    kind: 'limit',
    price: 10100,
    qty: 10,
    ts: 5000,
  },
  { type: 'cancel', symbol: 'MSFT', orderId: 'S2', account: 'C', ts: 6000 },
  {
    type: 'place',
    symbol: 'MSFT',
    orderId: 'bad',
    account: 'C',
    side: 'sell',
    kind: 'limit',
    price: 10100,
    qty: 10,
    ts: 6500,
  },
  {
    type: 'place',
    symbol: 'MSFT',
    orderId: 'bad',
    account: 'C',
    side: 'sell',
    kind: 'limit',
    price: 10100,
    qty: 10,
    ts: 6600,
  },
  { type: 'replace', symbol: 'ETH', orderId: 'E1', account: 'A', qty: 50, ts: 7000 },
];

async function journalOnly(dir: string, cmds: readonly Command[]): Promise<void> {
  const d = await openDurableExchange({ dir, fsync: 'off', logger: quiet });
  for (const c of cmds) d.execute(c);
  await d.close();
}

function entriesFor(
  cmds: readonly Command[],
  shard = 0,
): { entries: JournaledEntry[]; events: EngineEvent[] } {
  const ex = new Exchange();
  const entries: JournaledEntry[] = [];
  const events: EngineEvent[] = [];
  cmds.forEach((command, i) => {
    const evs = ex.execute(command);
    events.push(...evs);
    entries.push({ shard, seq: i + 1, command, events: evs });
  });
  return { entries, events };
}

for (const backend of backends) {
  describe(`store on ${backend.name}`, () => {
    it('records trades, fills, orders and the audit trail of a scripted session', async () => {
      const { store } = await backend.open();
      const { entries, events } = entriesFor(SCRIPT);
      await store.writeEntries(entries.slice(0, 4));
      await store.writeEntries(entries.slice(4));
      expect(await store.lastJournalSeq(0)).toBe(SCRIPT.length);
      expect(await store.auditCount()).toBe(SCRIPT.length + events.length);

      const trades = await store.recentTrades({ symbol: 'MSFT' });
      expect(trades.map((t) => [t.priceText, t.qtyText, t.makerOrderId, t.takerOrderId])).toEqual([
        ['100.00', '60', 'S1', 'B2'],
        ['100.00', '40', 'S1', 'B1'],
      ]);
      const fillsA = await store.fills({ account: 'A' });
      expect(fillsA.map((f) => [f.orderId, f.side, f.liquidity, f.qty])).toEqual([
        ['S1', 'sell', 'maker', 60],
        ['S1', 'sell', 'maker', 40],
      ]);
      expect(await store.fills({ account: 'A', symbol: 'ETH' })).toEqual([]);
      expect((await store.fills({ account: 'B', symbol: 'MSFT' })).map((f) => f.liquidity)).toEqual(
        ['taker', 'taker'],
      );

      const s1 = await store.order('S1');
      expect(s1).toMatchObject({
        status: 'filled',
        filledQty: 100,
        leavesQty: 0,
        priceText: '100.00',
      });
      expect(await store.order('S2')).toMatchObject({
        status: 'cancelled',
        reason: 'user',
        leavesQty: 0,
      });
      expect(await store.order('E1')).toMatchObject({
        status: 'open',
        leavesQty: 50,
        leavesQtyText: '0.50',
        priceText: '2000.0',
      });
      expect(await store.order('nope')).toBeNull();
      // The duplicate id was rejected by the engine and must not overwrite the live order.
      expect(await store.order('bad')).toMatchObject({ status: 'open', leavesQty: 10 });
      expect((await store.orders({ account: 'A', status: 'open' })).map((o) => o.orderId)).toEqual([
        'E1',
      ]);
      expect((await store.orders({ account: 'A' })).map((o) => o.orderId)).toEqual(['E1', 'S1']);
      expect(
        (await store.orders({ account: 'C', status: 'all', symbol: 'MSFT' })).map((o) => o.status),
      ).toEqual(['open', 'cancelled']);
      expect((await store.instruments()).map((i) => i.symbol)).toEqual(['ETH', 'MSFT']);

      const auditA = await store.audit({ account: 'A' });
      // A's own commands, their events, and trades where A was the maker.
      expect(auditA.filter((r) => r.kind === 'command').map((r) => r.journalSeq)).toEqual([
        3, 5, 11,
      ]);
      expect(auditA.filter((r) => r.type === 'trade').length).toBe(2);
      for (let i = 1; i < auditA.length; i++) {
        const a = auditA[i - 1];
        const b = auditA[i];
        expect(
          a.journalSeq < b.journalSeq || (a.journalSeq === b.journalSeq && a.idx < b.idx),
        ).toBe(true);
      }
      const windowed = await store.audit({ from: 3000, to: 4000, symbol: 'MSFT' });
      expect(new Set(windowed.map((r) => r.journalSeq))).toEqual(new Set([4, 6]));
      const ev = windowed.find((r) => r.type === 'trade')!;
      expect(ev.seq).toBeGreaterThan(0);
      expect(ev.data.type).toBe('trade');
    });

    it('is idempotent by (shard, seq) and keeps shards apart', async () => {
      const { store } = await backend.open();
      const { entries, events } = entriesFor(SCRIPT);
      await store.writeEntries(entries);
      await store.writeEntries(entries);
      await store.writeEntries(entries.slice(3, 7));
      expect(await store.auditCount()).toBe(SCRIPT.length + events.length);
      expect((await store.recentTrades({ symbol: 'MSFT' })).length).toBe(2);
      const other = entriesFor(SCRIPT.slice(0, 4), 1).entries.map((e) => ({
        ...e,
        command: e.command,
      }));
      // Shard 1 has its own journal seqs; a symbol lives in one shard, so (symbol, trade id) is unique.
      await store.writeEntries(other);
      expect(await store.lastJournalSeq(1)).toBe(4);
      expect(await store.lastJournalSeq(0)).toBe(SCRIPT.length);
    });

    it('stores ids with quotes, backslashes, semicolons and non-ASCII text verbatim', async () => {
      const { store } = await backend.open();
      const odd = "O'Re\\il;ly -- ?\u00e9\u{1F600}";
      const { entries } = entriesFor([
        SCRIPT[0],
        {
          type: 'place',
          symbol: 'MSFT',
          orderId: odd,
          account: odd,
          side: 'buy',
          kind: 'limit',
          price: 1,
          qty: 1,
          ts: 5,
        },
      ]);
      await store.writeEntries(entries);
      expect(await store.order(odd)).toMatchObject({ orderId: odd, account: odd, status: 'open' });
      const rows = await store.audit({ account: odd });
      expect(rows[0].data).toMatchObject({ orderId: odd });
    });

    it('keeps every trade when trade ids count per instrument', async () => {
      const { store } = await backend.open();
      const { entries, events } = entriesFor([
        SCRIPT[0],
        SCRIPT[1],
        {
          type: 'place',
          symbol: 'ETH',
          orderId: 'e1',
          account: 'A',
          side: 'sell',
          kind: 'limit',
          price: 10,
          qty: 100,
          ts: 1,
        },
        {
          type: 'place',
          symbol: 'ETH',
          orderId: 'e2',
          account: 'B',
          side: 'buy',
          kind: 'limit',
          price: 10,
          qty: 100,
          ts: 2,
        },
        {
          type: 'place',
          symbol: 'MSFT',
          orderId: 'm1',
          account: 'A',
          side: 'sell',
          kind: 'limit',
          price: 10,
          qty: 5,
          ts: 3,
        },
        {
          type: 'place',
          symbol: 'MSFT',
          orderId: 'm2',
          account: 'B',
          side: 'buy',
          kind: 'limit',
          price: 10,
          qty: 5,
          ts: 4,
        },
      ]);
      await store.writeEntries(entries);
      expect(events.filter((e) => e.type === 'trade').length).toBe(2);
      expect((await store.recentTrades({ symbol: 'ETH' })).length).toBe(1);
      expect((await store.recentTrades({ symbol: 'MSFT' })).length).toBe(1);
      expect((await store.fills({ account: 'A' })).length).toBe(2);
    });

    it('rejects UPDATE and DELETE on the audit trail', async () => {
      const { store } = await backend.open();
      await store.writeEntries(entriesFor(SCRIPT).entries);
      await expect(store.sql.run("UPDATE audit SET account = 'X'")).rejects.toThrow(/append-only/);
      await expect(store.sql.run('DELETE FROM audit')).rejects.toThrow(/append-only/);
      expect(await store.auditCount()).toBeGreaterThan(SCRIPT.length);
    });

    it('migrates once and reopens with data intact', async () => {
      const { store, reopen } = await backend.open();
      await store.writeEntries(entriesFor(SCRIPT).entries);
      const again = await reopen();
      expect(await again.lastJournalSeq(0)).toBe(SCRIPT.length);
      const v = await again.sql.all<{ n: number }>('SELECT COUNT(*) AS n FROM schema_migrations');
      expect(Number(v[0].n)).toBe(MIGRATIONS.length);
    });

    it('manages API keys with encrypted secrets, and accounts', async () => {
      const { store, dataDir, reopen } = await backend.open();
      const k = await store.addApiKey({ account: 'A', role: 'admin' });
      expect(k.keyId).toMatch(/^ck_/);
      const found = await store.findApiKey(k.keyId);
      expect(found).toMatchObject({
        account: 'A',
        role: 'admin',
        secret: k.secret,
        revokedAt: null,
      });
      const raw = await store.sql.all<Record<string, unknown>>('SELECT * FROM api_keys');
      expect(JSON.stringify(raw)).not.toContain(k.secret);
      expect(statSync(join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
      const k2 = await store.addApiKey({ account: 'B', keyId: 'fixed', secret: 's3cret' });
      expect(k2).toEqual({ keyId: 'fixed', secret: 's3cret' });
      await expect(store.addApiKey({ account: 'B', keyId: 'fixed' })).rejects.toThrow(
        /already exists/,
      );
      await expect(store.addApiKey({ account: 'B', role: 'root' as 'admin' })).rejects.toThrow(
        /Unknown role/,
      );
      expect((await store.listApiKeys()).length).toBe(2);
      expect((await store.listApiKeys('B')).map((x) => x.keyId)).toEqual(['fixed']);
      expect(await store.revokeApiKey('fixed')).toBe(true);
      expect(await store.revokeApiKey('fixed')).toBe(false);
      expect((await store.findApiKey('fixed'))?.revokedAt).toBeGreaterThan(0);
      expect(await store.findApiKey('missing')).toBeNull();
      // The same master key decrypts after a reopen.
      expect((await (await reopen()).findApiKey(k.keyId))?.secret).toBe(k.secret);

      expect(await store.getAccount('A')).toBeNull();
      await store.upsertAccount({ account: 'A', maxOrderQty: 500 });
      const a = await store.upsertAccount({ account: 'A', disabled: true });
      expect(a).toMatchObject({ disabled: true, maxOrderQty: 500, maxNotional: null });
      expect((await store.listAccounts()).map((x) => x.account)).toEqual(['A']);
    });

    it('detaches a failing store without gaps, and catches it up on the next open', async () => {
      const { store, reopen } = await backend.open();
      const dir = tmp();
      const cmds = commands(8, 600);
      const d1 = await openDurableExchange({
        dir,
        fsync: 'off',
        sink: store,
        logger: quiet,
        maxSinkBacklog: 100_000,
      });
      for (const c of cmds.slice(0, 200)) d1.execute(c);
      await d1.settle();
      await store.close();
      for (const c of cmds.slice(200)) d1.execute(c);
      await d1.settle();
      expect(d1.sinkStatus().detached).toMatch(/store write failed/);
      expect(d1.sinkStatus().pending).toBe(0);
      await d1.journal.close();
      const again = await reopen();
      expect(await again.lastJournalSeq(0)).toBe(200);
      const d2 = await openDurableExchange({ dir, fsync: 'off', sink: again, logger: quiet });
      expect(d2.recovered.sinkCaughtUp).toBe(400);
      expect(await again.lastJournalSeq(0)).toBe(600);
      await d2.close();
      // A tiny backlog limit detaches instead of growing memory.
      const d3 = await openDurableExchange({
        dir,
        fsync: 'off',
        sink: again,
        logger: quiet,
        maxSinkBacklog: 5,
      });
      for (const c of commands(9, 50, 'z').slice(3)) d3.execute(c);
      expect(d3.sinkStatus().detached).toMatch(/behind/);
      await d3.close();
    });

    it('resumes a store that is behind a compacted journal after the snapshot', async () => {
      const { store } = await backend.open();
      const dir = tmp();
      await journalOnly(dir, commands(10, 300));
      await compactJournal({ dir, logger: quiet });
      const d = await openDurableExchange({ dir, fsync: 'off', sink: store, logger: quiet });
      expect(d.recovered.snapshotSeq).toBe(300);
      for (const c of commands(11, 40, 'y').slice(3)) d.execute(c);
      await d.close();
      expect(await store.lastJournalSeq(0)).toBe(337);
    });

    it('catches up from the journal after a crash so nothing journaled is missing', async () => {
      const { store } = await backend.open();
      const dir = tmp();
      const cmds = commands(7, 1500);
      // First run: the store receives the first 500; then the process "dies" before the rest reach it.
      const d1 = await openDurableExchange({
        dir,
        fsync: 'off',
        sink: store,
        logger: quiet,
        snapshotEvery: 400,
      });
      for (const c of cmds.slice(0, 500)) d1.execute(c);
      await d1.settle();
      await d1.journal.close();
      const d2 = await openDurableExchange({
        dir,
        fsync: 'off',
        logger: quiet,
        snapshotEvery: 400,
      });
      for (const c of cmds.slice(500)) d2.execute(c);
      await d2.settle();
      await d2.journal.close();
      expect(await store.lastJournalSeq(0)).toBe(500);
      // Restart with the store: it is behind the newest snapshot, so recovery starts further back.
      const d3 = await openDurableExchange({
        dir,
        fsync: 'off',
        sink: store,
        logger: quiet,
        snapshotEvery: 400,
      });
      expect(d3.recovered.sinkCaughtUp).toBe(1000);
      expect(await store.lastJournalSeq(0)).toBe(1500);
      const { events } = entriesFor(cmds);
      expect(d3.recovered.stateHash).toBe(
        (() => {
          const ex = new Exchange();
          for (const c of cmds) ex.execute(c);
          return ex.stateHash();
        })(),
      );
      expect(await store.auditCount()).toBe(cmds.length + events.length);
      const tradeEvents = events.filter((e) => e.type === 'trade');
      const n = await store.sql.all<{ n: number }>('SELECT COUNT(*) AS n FROM trades');
      expect(Number(n[0].n)).toBe(tradeEvents.length);
      await d3.close();
    });
  });
}

describe('API key secrets at rest', () => {
  it('cannot be read with another master key, and say so clearly', async () => {
    const dir = tmp();
    const url = join(dir, 'crossbook.db');
    const a = await openStore({ url });
    stores.push(a);
    const k = await a.addApiKey({ account: 'A' });
    const b = await openStore({ url, secretBox: SecretBox.ephemeral() });
    stores.push(b);
    await expect(b.findApiKey(k.keyId)).rejects.toThrow(/master.key does not match/);
    expect((await b.listApiKeys()).map((x) => x.keyId)).toEqual([k.keyId]);
  });
});
