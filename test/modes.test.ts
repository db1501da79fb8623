/**
 * The Engine interface across modes: event shapes, routing and fan-out in `sharded`, the
 * sequencer's time stamping, the journal-before-release contract (with the real src/journal),
 * and lockfree / racy refusing what they do not support. Workers run dist/: build first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Command, EngineEvent } from '../src/core/index.js';
import { Journal, type JournalRecord } from '../src/journal/index.js';
import {
  createEngine,
  fnv1a,
  MODES,
  RACY_LABEL,
  runSeedScenario,
  ShardRouter,
  type CommandJournal,
  type Engine,
  type Mode,
} from '../src/runtime/index.js';

const engines: Engine[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const make = (...args: Parameters<typeof createEngine>): Engine => {
  const e = createEngine(...args);
  engines.push(e);
  return e;
};

const define = (symbol: string): Command => ({
  type: 'instrument',
  instrument: { symbol, tickSize: '0.01', lotSize: '1' },
  ts: 1,
});
const order = (
  symbol: string,
  orderId: string,
  side: 'buy' | 'sell',
  price: number,
  qty: number,
  ts = 2,
): Command => ({
  type: 'place',
  symbol,
  orderId,
  account: side === 'buy' ? 'alice' : 'bob',
  side,
  kind: 'limit',
  price,
  qty,
  ts,
});
const strip = (events: EngineEvent[]) =>
  events.map((e) => {
    const { seq: _s, ...rest } = e;
    return rest.type === 'trade' ? { ...rest, tradeId: 0 } : rest;
  });

describe('engine modes', () => {
  it('defaults to single and refuses an unknown mode', () => {
    expect(make().mode).toBe('single');
    expect(() => createEngine({ mode: 'turbo' as Mode })).toThrow(/unknown mode turbo/);
  });

  for (const mode of MODES) {
    it(`${mode}: a simple session gives exactly the events of single (seq, tradeId aside)`, async () => {
      const script: Command[] = [
        define('MSFT'),
        order('MSFT', 's1', 'sell', 42_000, 100),
        order('MSFT', 'b1', 'buy', 42_050, 30, 3),
        { type: 'cancel', symbol: 'MSFT', orderId: 's1', account: 'bob', ts: 4 },
        { type: 'cancel', symbol: 'MSFT', orderId: 's1', account: 'bob', ts: 5 },
        { type: 'snapshot', symbol: 'MSFT', ts: 6 },
      ];
      const reference = make({ mode: 'single' });
      const engine = make({ mode, shards: 2, lockfree: { threads: 2 } });
      for (const cmd of script) {
        const want = strip(await reference.submit(cmd));
        const got = strip(await engine.submit(cmd));
        expect(got.map((e) => e.type)).toEqual(want.map((e) => e.type));
        expect(got).toEqual(want);
      }
    });
  }

  for (const mode of ['lockfree', 'racy'] as Mode[]) {
    it(`${mode}: one command at a time, a random session equals single event for event`, async () => {
      const reference = make({ mode: 'single' });
      const engine = make({ mode, lockfree: { threads: 2 } });
      let seed = 12345;
      const rand = () => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return seed / 4294967296;
      };
      const script: Command[] = [define('R')];
      const placed: string[] = [];
      for (let i = 0; i < 600; i++) {
        const r = rand();
        const ts = 10 + i;
        if (r < 0.15 && placed.length > 0) {
          const orderId = placed[Math.floor(rand() * placed.length)];
          script.push({ type: 'cancel', symbol: 'R', orderId, account: 'acc', ts });
          continue;
        }
        const side: 'buy' | 'sell' = rand() < 0.5 ? 'buy' : 'sell';
        const base = {
          type: 'place' as const,
          symbol: 'R',
          orderId: `o${i}`,
          account: 'acc',
          side,
        };
        const qty = 1 + Math.floor(rand() * 20);
        const price = 100 + Math.floor(rand() * 10) - (side === 'buy' ? 3 : 0);
        if (r < 0.22) script.push({ ...base, kind: 'market', qty, ts });
        else if (r < 0.35) script.push({ ...base, kind: 'limit', price, qty, tif: 'IOC', ts });
        else script.push({ ...base, kind: 'limit', price, qty, ts });
        placed.push(`o${i}`);
      }
      script.push({ type: 'snapshot', symbol: 'R', ts: 10_000 });
      for (const cmd of script) {
        expect(strip(await engine.submit(cmd))).toEqual(strip(await reference.submit(cmd)));
      }
    });
  }

  it('seq increases by one per released event in every mode', async () => {
    for (const mode of MODES) {
      const engine = make({ mode, shards: 2, lockfree: { threads: 2 } });
      const all: EngineEvent[] = [];
      engine.onEvents((evs) => all.push(...evs));
      await engine.submit(define('AAA'));
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          engine.submit(order('AAA', `o${i}`, i % 2 ? 'buy' : 'sell', 100 + (i % 3), 5)),
        ),
      );
      expect(
        all.map((e) => e.seq),
        mode,
      ).toEqual(all.map((_, i) => i + 1));
    }
  });
});

describe('sharded routing', () => {
  it('routes by a stable FNV-1a hash, with overrides pinning symbols', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    const r = new ShardRouter({ shards: 4, overrides: { MSFT: 3 } });
    expect(r.shardOf('MSFT')).toBe(3);
    expect(r.shardOf('AAPL')).toBe(fnv1a('AAPL') % 4);
    expect(r.route({ type: 'clock', ts: 5 })).toBe(-1);
    expect(r.route({ type: 'massCancel', account: 'a' })).toBe(-1);
    expect(r.route({ type: 'massCancel', account: 'a', symbol: 'MSFT' })).toBe(3);
    expect(() => new ShardRouter({ shards: 2, overrides: { X: 2 } })).toThrow(/outside 0..1/);
    expect(() => new ShardRouter({ shards: 0 })).toThrow(/positive integer/);
  });

  it('prints the assignment on start and as instruments appear', async () => {
    const lines: string[] = [];
    const engine = make({
      mode: 'sharded',
      shards: 3,
      shardOverrides: { HOT: 2 },
      log: (l) => lines.push(l),
    });
    await engine.submit(define('HOT'));
    await engine.submit(define('COLD'));
    expect(lines[0]).toMatch(/3 shard\(s\).*FNV-1a.*pinned: HOT->2/);
    expect(lines).toContain('sharded: HOT -> shard 2 (pinned)');
    expect(lines).toContain(`sharded: COLD -> shard ${fnv1a('COLD') % 3} (hash)`);
  });

  it('fans a mass cancel without symbol out to every shard and merges one total', async () => {
    const symbols = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE', 'FFF'];
    const run = async (engine: Engine) => {
      for (const s of symbols) await engine.submit(define(s));
      for (const s of symbols) {
        await engine.submit(order(s, `${s}-1`, 'sell', 200, 5));
        await engine.submit(order(s, `${s}-2`, 'sell', 201, 5));
      }
      return engine.submit({ type: 'massCancel', account: 'bob', ts: 9 });
    };
    const single = await run(make({ mode: 'single' }));
    const sharded = await run(make({ mode: 'sharded', shards: 3 }));
    const total = (evs: EngineEvent[]) => evs.find((e) => e.type === 'massCancelled');
    expect(total(sharded)).toMatchObject({ type: 'massCancelled', count: 12 });
    expect(total(single)).toMatchObject({ count: 12 });
    expect(sharded.filter((e) => e.type === 'cancelled')).toHaveLength(12);
    const ids = (evs: EngineEvent[]) =>
      evs.flatMap((e) => (e.type === 'cancelled' ? [e.orderId] : [])).sort();
    expect(ids(sharded)).toEqual(ids(single));
  });

  it('tiny rings apply backpressure and lose nothing', async () => {
    const engine = make({ mode: 'sharded', shards: 2, sharded: { ringSlots: 16 } });
    const r = await runSeedScenario(engine, { asks: 100, bids: 2000 });
    expect(r.orders).toBe(2100);
    expect(r.unknownFills).toBe(0);
    expect(r.conserved).toBe(true);
    expect(r.filled).toBe(r.crossingLiquidity);
  });

  for (const mode of ['sharded', 'lockfree'] as Mode[]) {
    it(`${mode}: runs with the busy-spin wait strategy too`, async () => {
      const engine = make({ mode, shards: 2, wait: { name: 'busy-spin' } });
      const r = await runSeedScenario(engine, { asks: 60, bids: 600 });
      expect(r.conserved).toBe(true);
      expect(r.filled).toBe(r.crossingLiquidity);
    });
  }

  it('with one shard, the state hash equals single', async () => {
    const a = make({ mode: 'single' });
    const b = make({ mode: 'sharded', shards: 1 });
    for (const e of [a, b]) {
      await e.submit(define('X'));
      await e.submit(order('X', '1', 'sell', 100, 7));
      await e.submit(order('X', '2', 'buy', 100, 3));
    }
    expect(await b.stateHash()).toBe(await a.stateHash());
  });
});

describe('sequencer time', () => {
  it('leaves ts absent without a clock (the engine keeps its last known time)', async () => {
    const e = make({ mode: 'single' });
    await e.submit({ ...define('X'), ts: 500 });
    const { ts: _ts, ...noTs } = order('X', '1', 'sell', 100, 1) as Command & { ts?: number };
    const [accepted] = await e.submit(noTs as Command);
    expect(accepted.ts).toBe(500);
  });

  for (const mode of ['single', 'sharded', 'lockfree'] as Mode[]) {
    it(`${mode}: stamps commands without ts from the clock option`, async () => {
      let now = 1_000_000;
      const e = make({ mode, shards: 2, clock: () => (now += 1000) });
      await e.submit({
        type: 'instrument',
        instrument: { symbol: 'X', tickSize: '1', lotSize: '1' },
      });
      const [accepted] = await e.submit({
        type: 'place',
        symbol: 'X',
        orderId: 'o',
        account: 'a',
        side: 'buy',
        kind: 'limit',
        price: 10,
        qty: 1,
      });
      expect(accepted.ts).toBe(1_002_000);
      const [explicit] = await e.submit(order('X', 'p', 'buy', 10, 1, 5_000_000));
      expect(explicit.ts).toBe(5_000_000);
    });
  }
});

describe('journal before release', () => {
  /** The real journal, observed: records when each append became durable. */
  class ObservedJournal implements CommandJournal {
    durable = new Set<string>();
    constructor(readonly inner: Journal) {}
    async append(cmd: Command): Promise<void> {
      await this.inner.append(cmd);
      this.durable.add(JSON.stringify(cmd));
    }
    appendOutcome(payload: Uint8Array | string, ts?: number): Promise<void> {
      return this.inner.appendOutcome(payload, ts);
    }
    close(): Promise<void> {
      return this.inner.close();
    }
  }

  for (const mode of ['single', 'sharded', 'lockfree'] as Mode[]) {
    it(`${mode}: every command is durable before its events reach anyone`, async () => {
      const root = mkdtempSync(join(tmpdir(), 'crossbook-modes-'));
      dirs.push(root);
      const journals: ObservedJournal[] = [];
      const engine = createEngine({
        mode,
        shards: 2,
        journal: (shard) => {
          const j = new ObservedJournal(
            Journal.open({ dir: join(root, `shard-${shard}`), fsync: 'batch' }),
          );
          journals[shard] = j;
          return j;
        },
      });
      const sent: Command[] = [define('AAA'), define('BBB')];
      for (let i = 0; i < 30; i++) {
        sent.push(order(i % 2 ? 'AAA' : 'BBB', `o${i}`, i % 3 ? 'buy' : 'sell', 100, 3, 10 + i));
      }
      const violations: string[] = [];
      const byOrder = new Map(sent.map((c) => [c.type === 'place' ? c.orderId : '', c]));
      const isDurable = (c: Command) => journals.some((j) => j?.durable.has(JSON.stringify(c)));
      engine.onEvents((evs) => {
        for (const e of evs) {
          if (e.type !== 'accepted') continue;
          const cmd = byOrder.get(e.orderId)!;
          if (!isDurable(cmd)) violations.push(e.orderId);
        }
      });
      await engine.submit(sent[0]);
      await engine.submit(sent[1]);
      const results = await Promise.all(sent.slice(2).map((c) => engine.submit(c)));
      for (let i = 0; i < results.length; i++) expect(isDurable(sent[i + 2])).toBe(true);
      await engine.close();
      expect(violations).toEqual([]);
      // Read the journals back: every command is there once, in submit order per journal.
      const back: Command[] = [];
      for (let s = 0; s < journals.length; s++) {
        if (!journals[s]) continue;
        const j = Journal.open({
          dir: join(root, `shard-${s}`),
          onRecord: (r: JournalRecord) => {
            if (r.kind === 'command') back.push(r.command);
          },
        });
        await j.close();
      }
      const key = (c: Command) => (c.type === 'place' ? c.orderId : c.type);
      expect(back.map(key).sort()).toEqual(sent.map(key).sort());
    });
  }
});

describe('journal failures', () => {
  for (const mode of ['single', 'sharded'] as Mode[]) {
    it(`${mode}: a journal that throws stops the engine (fail-stop): nothing after it is acknowledged`, async () => {
      const root = mkdtempSync(join(tmpdir(), 'crossbook-poison-'));
      dirs.push(root);
      const engine = make({
        mode,
        shards: 2,
        log: () => undefined,
        journal: (shard) => {
          const real = Journal.open({ dir: join(root, `s${shard}`), fsync: 'off' });
          return {
            append: (cmd: Command) => {
              if (cmd.type === 'place' && cmd.orderId === 'poison') throw new Error('disk full');
              return real.append(cmd);
            },
            close: () => real.close(),
          };
        },
      });
      await engine.submit(define('X'));
      const [first, poisoned, after] = await Promise.allSettled([
        engine.submit(order('X', 'a', 'sell', 100, 5)),
        engine.submit(order('X', 'poison', 'sell', 101, 5)),
        engine.submit(order('X', 'b', 'buy', 100, 2)),
      ]);
      expect(first.status === 'fulfilled' && first.value.map((e) => e.type)).toEqual(['accepted']);
      expect(poisoned.status === 'rejected' && String(poisoned.reason)).toMatch(/disk full/);
      // The poisoned order ran in memory but was never journaled: nothing built on it is released.
      expect(after.status === 'rejected' && after.reason).toMatchObject({ code: 'unavailable' });
      await expect(engine.submit(order('X', 'c', 'buy', 100, 1))).rejects.toMatchObject({
        code: 'unavailable',
      });
      expect(engine.status?.()).toMatchObject({ state: 'unavailable', reason: /disk full/ });
    });
  }
});

describe('unsupported commands', () => {
  it('lockfree rejects what it does not support, clearly, and changes nothing', async () => {
    const e = make({ mode: 'lockfree', lockfree: { threads: 2, minPrice: 1, levels: 1000 } });
    await e.submit(define('ONE'));
    const [second] = await e.submit(define('TWO'));
    expect(second).toMatchObject({ type: 'rejected', message: /exactly one instrument/ });
    const [stop] = await e.submit({
      type: 'place',
      symbol: 'ONE',
      orderId: 's',
      account: 'a',
      side: 'buy',
      kind: 'stop',
      stopPrice: 10,
      qty: 1,
    });
    expect(stop).toMatchObject({
      type: 'rejected',
      message: /lockfree mode does not support stop/,
    });
    const [far] = await e.submit(order('ONE', 'far', 'buy', 5000, 1));
    expect(far).toMatchObject({ type: 'rejected', reason: 'invalid_price' });
    const [rep] = await e.submit({
      type: 'replace',
      symbol: 'ONE',
      orderId: 'x',
      account: 'a',
      qty: 1,
    });
    expect(rep).toMatchObject({
      type: 'rejected',
      message: /lockfree mode does not support replace/,
    });
    const [book] = await e.submit({ type: 'snapshot', symbol: 'ONE' });
    expect(book).toMatchObject({ type: 'book', bids: [], asks: [] });
  });

  it("racy announces itself as the seed's failing design", async () => {
    const lines: string[] = [];
    make({ mode: 'racy', log: (l) => lines.push(l) });
    expect(lines).toEqual([RACY_LABEL]);
    expect(RACY_LABEL).toMatch(/seed's failing design, kept to prove the chaos test catches/);
  });
});
