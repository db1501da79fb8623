/**
 * ShardedEngine with durableDir (real worker threads; run `npx tsc -p tsconfig.json` first): each
 * shard journals and snapshots its own directory; closed and reopened, the engine has the same
 * state per symbol as a single Exchange fed the same commands, reports what each shard recovered,
 * continues from there, and refuses a directory written with another routing.
 */
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Exchange, isStateChanging, type Command } from '../src/core/index.js';
import { ShardedEngine, ShardRouter } from '../src/runtime/index.js';
import { openStore } from '../src/store/index.js';
import { SYMBOLS, commands } from './helpers/crash-workload.js';

const root = mkdtempSync(join(tmpdir(), 'crossbook-sharded-durable-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function submitAll(engine: ShardedEngine, cmds: Command[]): Promise<void> {
  for (let i = 0; i < cmds.length; i += 256) {
    await Promise.all(cmds.slice(i, i + 256).map((c) => engine.submit(c)));
  }
}

async function expectSameSymbols(engine: ShardedEngine, ex: Exchange): Promise<void> {
  for (const s of SYMBOLS) {
    const h = await engine.symbolHash(s);
    expect(h).toBeDefined();
    expect(h).toBe(ex.symbolHash(s));
  }
}

describe('ShardedEngine durableDir', () => {
  it(
    'closes, reopens with the same per-symbol state, and continues',
    {
      timeout: 60_000,
    },
    async () => {
      const dir = join(root, 'a');
      const shards = 3;
      const router = new ShardRouter({ shards });
      const ex = new Exchange();
      const first = commands(301, 4000, 'u');
      for (const c of first) ex.execute(c);

      const e1 = new ShardedEngine({ shards, durableDir: dir, fsync: 'off', snapshotEvery: 700 });
      const fresh = await e1.recovered();
      expect(fresh.shards.map((s) => s.lastSeq)).toEqual([0, 0, 0]);
      await submitAll(e1, first);
      await expectSameSymbols(e1, ex);
      const hash = await e1.stateHash();
      await e1.close();

      // Shard count and routing come from the manifest.
      const e2 = new ShardedEngine({ durableDir: dir });
      const r = await e2.recovered();
      expect(r.instruments.map((i) => i.symbol).sort()).toEqual([...SYMBOLS].sort());
      for (let i = 0; i < shards; i++) {
        const journaled = first.filter((c) => {
          const t = router.route(c);
          return isStateChanging(c) && (t === i || t < 0);
        }).length;
        expect(r.shards[i].lastSeq).toBe(journaled);
        // Closed cleanly: every shard starts from its closing snapshot, nothing to replay.
        if (journaled > 0) expect(r.shards[i].snapshotSeq).toBe(journaled);
      }
      expect(await e2.stateHash()).toBe(hash);
      await expectSameSymbols(e2, ex);

      const second = commands(302, 1500, 'v');
      for (const c of second) ex.execute(c);
      await submitAll(e2, second);
      await expectSameSymbols(e2, ex);

      // One writer per directory, in this process too.
      expect(() => new ShardedEngine({ durableDir: dir })).toThrow(/already open/);
      await e2.close();

      const e4 = new ShardedEngine({ durableDir: dir, snapshotEvery: 0 });
      await e4.recovered();
      await expectSameSymbols(e4, ex);
      await e4.close();
    },
  );

  it(
    'feeds a store from every shard, and catches a new store up from the journals',
    {
      timeout: 60_000,
    },
    async () => {
      const dir = join(root, 'c');
      const shards = 3;
      const cmds = commands(303, 2000, 's');
      const store = await openStore({ url: join(root, 'c1.db'), dataDir: root });
      const e1 = new ShardedEngine({ shards, durableDir: dir, sink: store });
      await e1.recovered();
      await submitAll(e1, cmds);
      await e1.close();
      const lastSeqs: number[] = [];
      for (let i = 0; i < shards; i++) {
        lastSeqs.push(await store.lastJournalSeq(i));
      }
      expect(lastSeqs.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      const trades = async (s: typeof store): Promise<number> => {
        let n = 0;
        for (const symbol of SYMBOLS)
          n += (await s.recentTrades({ symbol, limit: 100_000 })).length;
        return n;
      };
      const fed = await trades(store);
      expect(fed).toBeGreaterThan(0);
      await store.close();

      const fresh = await openStore({ url: join(root, 'c2.db'), dataDir: root });
      const e2 = new ShardedEngine({ durableDir: dir, sink: fresh });
      const r = await e2.recovered();
      expect(r.shards.map((s) => s.lastSeq)).toEqual(lastSeqs);
      await e2.close();
      for (let i = 0; i < shards; i++) expect(await fresh.lastJournalSeq(i)).toBe(lastSeqs[i]);
      expect(await trades(fresh)).toBe(fed);
      await fresh.close();
    },
  );

  it(
    'truncates a torn shard tail with a report, and fails on corruption in the middle',
    {
      timeout: 60_000,
    },
    async () => {
      const dir = join(root, 'd');
      const shards = 3;
      const router = new ShardRouter({ shards });
      const e1 = new ShardedEngine({ shards, durableDir: dir, snapshotEvery: 0 });
      await submitAll(e1, commands(304, 2000, 't'));
      await e1.close();
      const victim = router.shardOf('MSFT');
      const shardDir = join(dir, `shard-${victim}`);
      for (const f of readdirSync(shardDir)) if (f.endsWith('.snap')) rmSync(join(shardDir, f));
      const segment = join(
        shardDir,
        readdirSync(shardDir).find((f) => f.endsWith('.cbj'))!,
      );
      const size = readFileSync(segment).length;
      truncateSync(segment, size - 3);
      const e2 = new ShardedEngine({ durableDir: dir });
      const r = await e2.recovered();
      expect(r.shards[victim].truncatedBytes).toBeGreaterThan(0);
      await e2.close();

      for (const f of readdirSync(shardDir)) if (f.endsWith('.snap')) rmSync(join(shardDir, f));
      const bytes = readFileSync(segment);
      bytes[bytes.length >> 1] ^= 0xff;
      writeFileSync(segment, bytes);
      const e3 = new ShardedEngine({ durableDir: dir });
      await expect(e3.recovered()).rejects.toThrow(/the journal is damaged/);
      await expect(e3.submit({ type: 'snapshot', symbol: 'MSFT' })).rejects.toThrow();
      await e3.close();
    },
  );

  it('refuses a directory written with another shard count or overrides', async () => {
    const dir = join(root, 'b');
    const e = new ShardedEngine({ shards: 2, durableDir: dir });
    await e.recovered();
    await e.close();
    expect(() => new ShardedEngine({ shards: 3, durableDir: dir })).toThrow(
      /written with 2 shard\(s\)/,
    );
    expect(
      () => new ShardedEngine({ shards: 2, shardOverrides: { MSFT: 0 }, durableDir: dir }),
    ).toThrow(/overrides/);
    expect(() => new ShardedEngine({ durableDir: dir, journal: () => undefined })).toThrow(
      /not both/,
    );
  });
});
