/**
 * Randomised chaos: many concurrent clients send random mixes for a bounded time, and the
 * invariants (conservation, nothing over-filled, buys = sells, final books not crossed) hold in
 * every correct mode. `sharded` must also equal a `single` replay of each symbol's command order;
 * `lockfree` must hold with random delays injected between its reads and CASes.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, EventLedger, type Engine, type Mode } from '../src/runtime/index.js';
import type { Command, EngineEvent } from '../src/core/index.js';

/** mulberry32: a tiny seeded PRNG so failures replay. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface MixOptions {
  symbols: string[];
  clients: number;
  /** Commands per client at most. */
  perClient: number;
  /** Stop sending after this many ms (bounded time). */
  budgetMs: number;
  /** Only what lockfree supports: limit GTC/IOC, market, cancel. */
  simple: boolean;
  seed: number;
}

interface MixRun {
  /** Every command in submit order (the order each shard saw it). */
  log: Command[];
  /** Released events per command, same index as log. */
  events: EngineEvent[][];
  ledger: EventLedger;
}

let clock = 10;

async function runMix(engine: Engine, opts: MixOptions): Promise<MixRun> {
  const log: Command[] = [];
  const events: EngineEvent[][] = [];
  const ledger = new EventLedger();
  const submit = (cmd: Command): Promise<EngineEvent[]> => {
    const at = log.push(cmd) - 1;
    return engine.submit(cmd).then((evs) => {
      events[at] = evs;
      ledger.add(evs);
      return evs;
    });
  };
  await Promise.all(
    opts.symbols.map((symbol) =>
      submit({
        type: 'instrument',
        instrument: { symbol, tickSize: '0.01', lotSize: '1' },
        ts: ++clock,
      }),
    ),
  );
  const started = Date.now();
  const client = async (c: number): Promise<void> => {
    const rand = rng(opts.seed * 1000 + c);
    const mine: { symbol: string; orderId: string }[] = [];
    const account = `acct${c}`;
    for (let i = 0; i < opts.perClient && Date.now() - started < opts.budgetMs; i++) {
      const symbol = opts.symbols[Math.floor(rand() * opts.symbols.length)];
      const r = rand();
      const ts = ++clock;
      // A burst of concurrent orders per step keeps several of this client's commands in flight.
      const burst: Promise<unknown>[] = [];
      if (r < 0.15 && mine.length > 0) {
        const target = mine[Math.floor(rand() * mine.length)];
        burst.push(submit({ type: 'cancel', ...target, account, ts }));
      } else if (!opts.simple && r < 0.22 && mine.length > 0) {
        const target = mine[Math.floor(rand() * mine.length)];
        const change =
          rand() < 0.5
            ? { qty: 1 + Math.floor(rand() * 20) }
            : { price: 990 + Math.floor(rand() * 20) };
        burst.push(submit({ type: 'replace', ...target, account, ...change, ts }));
      } else if (!opts.simple && r < 0.24) {
        burst.push(submit({ type: 'massCancel', account, symbol, ts }));
      } else {
        const n = 1 + Math.floor(rand() * 4);
        for (let k = 0; k < n; k++) {
          const orderId = `c${c}-${i}-${k}`;
          const side = rand() < 0.5 ? 'buy' : 'sell';
          const q = rand();
          const base = {
            type: 'place' as const,
            symbol,
            orderId,
            account,
            side: side as 'buy' | 'sell',
            qty: 1 + Math.floor(rand() * 30),
            ts,
          };
          // Prices straddle 1000 so buys and sells keep crossing.
          const price = 990 + Math.floor(rand() * 21);
          let cmd: Command;
          if (q < 0.1) cmd = { ...base, kind: 'market' };
          else if (q < 0.3) cmd = { ...base, kind: 'limit', price, tif: 'IOC' };
          else if (!opts.simple && q < 0.35) cmd = { ...base, kind: 'limit', price, tif: 'FOK' };
          else if (!opts.simple && q < 0.4) cmd = { ...base, kind: 'limit', price, postOnly: true };
          else cmd = { ...base, kind: 'limit', price };
          mine.push({ symbol, orderId });
          burst.push(submit(cmd));
        }
      }
      await Promise.all(burst);
    }
  };
  await Promise.all(Array.from({ length: opts.clients }, (_, c) => client(c)));
  for (const symbol of opts.symbols) {
    ledger.add(await engine.submit({ type: 'snapshot', symbol, ts: ++clock }));
  }
  return { log, events, ledger };
}

function expectInvariants(run: MixRun): void {
  const t = run.ledger.totals();
  expect(t.orders).toBeGreaterThan(0);
  expect(t.filled).toBeGreaterThan(0);
  expect(t.overExecution).toBe(0);
  expect(t.overFilled).toBe(0);
  expect(t.unconserved, run.ledger.problems().join('\n')).toBe(0);
  expect(t.unknownFills).toBe(0);
  expect(t.buySellBalanced).toBe(true);
  expect(t.crossed).toBe(false);
}

const symbolOf = (cmd: Command): string | undefined =>
  cmd.type === 'instrument' ? cmd.instrument.symbol : cmd.type === 'clock' ? undefined : cmd.symbol;

/** Events minus the fields that are per engine rather than per symbol. */
const comparable = (events: EngineEvent[]): unknown[] =>
  events.map((e) => {
    const { seq: _seq, ...rest } = e;
    return rest;
  });

const FULL: Omit<MixOptions, 'seed'> = {
  symbols: ['AAA', 'BBB', 'CCC', 'DDD', 'EEE'],
  clients: 12,
  perClient: 150,
  budgetMs: 2500,
  simple: false,
};

describe('randomised chaos', () => {
  for (const mode of ['single', 'sharded'] as Mode[]) {
    it(`${mode}: invariants hold under random concurrent mixes over several symbols`, async () => {
      const engine = createEngine({ mode, shards: 3 });
      try {
        expectInvariants(await runMix(engine, { ...FULL, seed: 7 }));
      } finally {
        await engine.close();
      }
    });
  }

  it('sharded results per symbol equal a single replay of the same per-symbol order', async () => {
    const engine = createEngine({ mode: 'sharded', shards: 3, shardOverrides: { AAA: 2 } });
    let run: MixRun;
    try {
      run = await runMix(engine, { ...FULL, seed: 11 });
    } finally {
      await engine.close();
    }
    for (const symbol of FULL.symbols) {
      const indexes = run.log
        .map((c, i) => (symbolOf(c) === symbol ? i : -1))
        .filter((i) => i >= 0);
      const replay = createEngine({ mode: 'single' });
      try {
        for (const i of indexes) {
          const expected = await replay.submit(run.log[i]);
          expect(comparable(run.events[i]), `${symbol} command ${i}`).toEqual(comparable(expected));
        }
      } finally {
        await replay.close();
      }
    }
  });

  it('lockfree: invariants hold with random delays injected between reads and CASes', async () => {
    const engine = createEngine({
      mode: 'lockfree',
      lockfree: { threads: 3, delaySpins: 2000 },
    });
    try {
      const run = await runMix(engine, {
        symbols: ['LF'],
        clients: 16,
        perClient: 120,
        budgetMs: 2500,
        simple: true,
        seed: 3,
      });
      expectInvariants(run);
    } finally {
      await engine.close();
    }
  });

  it('lockfree: simultaneous crossing orders on both sides never leave the book crossed', async () => {
    for (let round = 0; round < 5; round++) {
      const engine = createEngine({
        mode: 'lockfree',
        lockfree: { threads: 3, delaySpins: round * 1500 },
      });
      try {
        const ledger = new EventLedger();
        ledger.add(
          await engine.submit({
            type: 'instrument',
            instrument: { symbol: 'X', tickSize: '1', lotSize: '1' },
            ts: 1,
          }),
        );
        const rand = rng(round + 100);
        const all: Promise<void>[] = [];
        for (let i = 0; i < 3000; i++) {
          const side = i % 2 === 0 ? 'buy' : 'sell';
          // Buys 100..110 and sells 95..105: most pairs cross, and each side keeps resting.
          const price =
            side === 'buy' ? 100 + Math.floor(rand() * 11) : 95 + Math.floor(rand() * 11);
          const cmd: Command = {
            type: 'place',
            symbol: 'X',
            orderId: `o${i}`,
            account: `a${i % 7}`,
            side,
            kind: 'limit',
            price,
            qty: 1 + Math.floor(rand() * 9),
            ts: 2,
          };
          all.push(engine.submit(cmd).then((e) => ledger.add(e)));
        }
        await Promise.all(all);
        ledger.add(await engine.submit({ type: 'snapshot', symbol: 'X' }));
        const t = ledger.totals();
        expect(t.crossed, `round ${round}`).toBe(false);
        expect(t.unconserved, ledger.problems().join('\n')).toBe(0);
        expect(t.overExecution).toBe(0);
        expect(t.buySellBalanced).toBe(true);
      } finally {
        await engine.close();
      }
    }
  });
});
