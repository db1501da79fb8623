import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FairValue, MarketMaker, Rng, Taker } from './participants.js';

describe('Rng', () => {
  it('is deterministic per seed and stays in range', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const xs = Array.from({ length: 100 }, () => a.int(-3, 3));
    expect(xs).toEqual(Array.from({ length: 100 }, () => b.int(-3, 3)));
    expect(Math.min(...xs)).toBe(-3);
    expect(Math.max(...xs)).toBe(3);
  });
});

describe('FairValue', () => {
  it('walks on the tick grid inside anchor ± maxDeviation and moves', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 10_000_000 }), fc.integer(), (anchor, seed) => {
        const fv = new FairValue({ anchor, maxDeviation: 0.03 });
        const rng = new Rng(seed);
        const seen = new Set<number>();
        let bad = 0;
        const dev = Math.floor(anchor * 0.03);
        for (let i = 0; i < 500; i++) {
          const v = fv.move(rng);
          if (!Number.isSafeInteger(v) || v < anchor - dev || v > anchor + dev) bad++;
          seen.add(v);
        }
        expect(bad).toBe(0);
        expect(seen.size).toBeGreaterThan(1);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a non-positive anchor', () => {
    expect(() => new FairValue({ anchor: 0 })).toThrow(/positive tick count/);
  });
});

describe('MarketMaker', () => {
  it('quotes bids below and asks above the fair value, best first, on integer ticks', () => {
    const mm = new MarketMaker({ halfSpreadTicks: 3, levels: 3, levelGapTicks: 2, qty: 100 });
    const q = mm.quotes(42_000, new Rng(1));
    expect(q.bids.map((b) => b[0])).toEqual([41_997, 41_995, 41_993]);
    expect(q.asks.map((a) => a[0])).toEqual([42_003, 42_005, 42_007]);
    for (const [, qty] of [...q.bids, ...q.asks]) {
      expect(qty).toBeGreaterThanOrEqual(100);
      expect(qty).toBeLessThanOrEqual(200);
    }
  });

  it('never lets its position pass ±maxInventory, even if every quote fills', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(fc.tuple(fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true })), {
          minLength: 1,
          maxLength: 200,
        }),
        (seed, rounds) => {
          const rng = new Rng(seed);
          const mm = new MarketMaker({ qty: 50, maxInventory: 600, levels: 4 });
          for (const [buySide, share] of rounds) {
            const q = mm.quotes(10_000, rng);
            const bidTotal = q.bids.reduce((s, b) => s + b[1], 0);
            const askTotal = q.asks.reduce((s, a) => s + a[1], 0);
            // Worst cases: every bid fills, or every ask fills.
            expect(mm.inventory + bidTotal).toBeLessThanOrEqual(600);
            expect(mm.inventory - askTotal).toBeGreaterThanOrEqual(-600);
            // Then some of one side fills (the rest is cancelled at the next requote).
            const levels = buySide ? q.bids : q.asks;
            for (const [, qty] of levels) {
              const filled = Math.floor(qty * share);
              if (filled > 0) mm.onFill(buySide ? 'buy' : 'sell', filled);
            }
            expect(Math.abs(mm.inventory)).toBeLessThanOrEqual(600);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stops bidding at the long limit and skews its quotes down when long', () => {
    const mm = new MarketMaker({ qty: 100, maxInventory: 500, halfSpreadTicks: 4 });
    const flat = mm.quotes(10_000, new Rng(3));
    mm.onFill('buy', 500);
    const long = mm.quotes(10_000, new Rng(3));
    expect(long.bids).toEqual([]);
    expect(long.asks.length).toBeGreaterThan(0);
    expect(long.asks[0][0]).toBeLessThan(flat.asks[0][0]);
    mm.onFill('sell', 1000);
    const short = mm.quotes(10_000, new Rng(3));
    expect(short.asks).toEqual([]);
    expect(short.bids[0][0]).toBeGreaterThan(flat.bids[0][0]);
  });
});

describe('Taker', () => {
  const touch = { bid: 9_998, ask: 10_002 };

  it('sends marketable orders: buys at or through the ask, sells at or through the bid', () => {
    const t = new Taker({ stopShare: 0, icebergShare: 0 });
    const rng = new Rng(11);
    const kinds = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const o = t.next(10_000, touch, rng)!;
      kinds.add(o.kind);
      expect(o.qty).toBeGreaterThan(0);
      expect(o.qty).toBeLessThanOrEqual(t.maxQty);
      if (o.kind === 'market') continue;
      expect(o.tif).toBe('IOC');
      if (o.side === 'buy') expect(o.price!).toBeGreaterThanOrEqual(touch.ask);
      else expect(o.price!).toBeLessThanOrEqual(touch.bid);
    }
    expect([...kinds].sort()).toEqual(['limit', 'market']);
  });

  it('leans towards the fair value', () => {
    const t = new Taker({ stopShare: 0, icebergShare: 0 });
    const rng = new Rng(5);
    let buys = 0;
    for (let i = 0; i < 400; i++) if (t.next(10_100, touch, rng)!.side === 'buy') buys++;
    expect(buys).toBeGreaterThan(300);
  });

  it('trades only towards flat beyond its inventory limit', () => {
    const t = new Taker({ maxQty: 100, maxInventory: 300 });
    t.onFill('buy', 300);
    const rng = new Rng(9);
    for (let i = 0; i < 200; i++) {
      const o = t.next(20_000, touch, rng);
      if (o !== undefined) expect(o.side).toBe('sell');
    }
  });

  it('now and then sends a stop beyond the touch or an iceberg, both expiring', () => {
    const t = new Taker({ stopShare: 0.5, icebergShare: 0.5 });
    const rng = new Rng(2);
    let stops = 0;
    let icebergs = 0;
    for (let i = 0; i < 300; i++) {
      const o = t.next(10_000, touch, rng);
      if (o === undefined) continue;
      expect(o.tif).toBe('GTD');
      expect(o.ttlMs).toBeGreaterThan(0);
      if (o.kind === 'stop' || o.kind === 'stopLimit') {
        stops++;
        if (o.side === 'buy') expect(o.stopPrice!).toBeGreaterThan(touch.ask);
        else expect(o.stopPrice!).toBeLessThan(touch.bid);
      } else {
        icebergs++;
        expect(o.kind).toBe('limit');
        expect(o.displayQty!).toBeLessThan(o.qty);
      }
    }
    expect(stops).toBeGreaterThan(50);
    expect(icebergs).toBeGreaterThan(50);
  });

  it('sends nothing marketable into an empty book', () => {
    const t = new Taker({ stopShare: 0, icebergShare: 0 });
    const rng = new Rng(4);
    for (let i = 0; i < 50; i++) expect(t.next(10_000, {}, rng)).toBeUndefined();
  });
});
