/**
 * Exact arithmetic at the limits (issue 13, item 9): every sum the engine forms stays an exact
 * integer because each instrument bounds its order quantity, its price and its live orders
 * (limits.ts). Sums are checked against BigInt arithmetic.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findUncross } from './auction.js';
import type { EngineEvent, TradeExecuted } from './events.js';
import { Exchange } from './exchange.js';
import {
  checkLimits,
  DEFAULT_MAX_PRICE,
  DEFAULT_MAX_QTY,
  limitsOf,
  MAX_EXACT,
  onTimeGrid,
} from './limits.js';
import type { InstrumentConfig } from './types.js';
import { BUY, SELL } from './types.js';

const define = (ex: Exchange, extra: Partial<InstrumentConfig> = {}) =>
  ex.execute({
    type: 'instrument',
    instrument: { symbol: 'X', tickSize: '1', lotSize: '1', ...extra },
  });

let n = 0;
const place = (
  ex: Exchange,
  side: 'buy' | 'sell',
  qty: number,
  price?: number,
  extra: Record<string, unknown> = {},
): EngineEvent[] =>
  ex.execute({
    type: 'place',
    symbol: 'X',
    orderId: `o${++n}`,
    account: `a${n % 3}`,
    side,
    kind: price === undefined ? 'market' : 'limit',
    price,
    qty,
    ...extra,
  });

const reasonOf = (events: EngineEvent[]) =>
  events[0].type === 'rejected' ? events[0].reason : events[0].type;

describe('exact arithmetic: the limits', () => {
  it('every default and every accepted configuration keeps the products below 2^53', () => {
    const d = limitsOf({});
    expect(d.maxQty).toBe(DEFAULT_MAX_QTY);
    expect(d.maxPrice).toBe(DEFAULT_MAX_PRICE);
    expect(BigInt(d.maxQty) * BigInt(d.maxLive) <= BigInt(MAX_EXACT)).toBe(true);
    expect(BigInt(d.maxQty) * BigInt(d.maxPrice) <= BigInt(MAX_EXACT)).toBe(true);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_EXACT }),
        fc.integer({ min: 1, max: MAX_EXACT }),
        (maxQty, maxPrice) => {
          const ok = checkLimits({ maxQty, maxPrice }) === null;
          const l = limitsOf({ maxQty, maxPrice });
          const exact =
            BigInt(maxQty) * BigInt(maxPrice) <= BigInt(MAX_EXACT) &&
            BigInt(maxPrice) * 100_000n <= BigInt(MAX_EXACT);
          expect(ok).toBe(exact);
          if (ok) expect(BigInt(l.maxQty) * BigInt(l.maxLive) <= BigInt(MAX_EXACT)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses a definition whose limits could not keep sums exact, and changes nothing', () => {
    const ex = new Exchange();
    const r = define(ex, { maxQty: 2 ** 30, maxPrice: 2 ** 30 });
    expect(r[0]).toMatchObject({ type: 'rejected', reason: 'malformed' });
    expect((r[0] as { message: string }).message).toMatch(/maxQty x maxPrice/);
    expect(ex.instruments()).toEqual([]);
    expect(define(ex, { referencePrice: DEFAULT_MAX_PRICE + 1 })[0]).toMatchObject({
      reason: 'malformed',
    });
    expect(define(ex, { bandPct: '1000.01' })[0]).toMatchObject({ reason: 'malformed' });
  });

  it('three orders of 2^53 - 1 lots at one price are refused instead of breaking the book', () => {
    const ex = new Exchange();
    define(ex);
    for (let i = 0; i < 3; i++) {
      expect(reasonOf(place(ex, 'buy', MAX_EXACT, 100))).toBe('too_large');
    }
    expect(reasonOf(place(ex, 'buy', DEFAULT_MAX_QTY + 1, 100))).toBe('too_large');
    expect(reasonOf(place(ex, 'buy', 1, DEFAULT_MAX_PRICE + 1))).toBe('too_large');
    expect(
      reasonOf(place(ex, 'buy', 1, undefined, { kind: 'stop', stopPrice: DEFAULT_MAX_PRICE + 1 })),
    ).toBe('too_large');
    ex.validate();
    expect(ex.matcher('X')!.book.count(BUY)).toBe(0);
  });

  it('many orders of the maximum quantity at one price: level totals are exact', () => {
    // maxQty 2^45 leaves room for 255 live orders: their total is 255 x 2^45 < 2^53.
    const maxQty = 2 ** 45;
    const ex = new Exchange();
    define(ex, { maxQty, maxPrice: 255 });
    const { maxLive } = limitsOf({ maxQty });
    expect(maxLive).toBe(255);
    for (let i = 0; i < maxLive; i++)
      expect(reasonOf(place(ex, 'sell', maxQty, 200 - 1))).not.toBe('rejected');
    // One more would make the total inexact: refused.
    const over = place(ex, 'sell', 1, 199);
    expect(over[0]).toMatchObject({ type: 'rejected', reason: 'too_large' });
    const book = ex.matcher('X')!.book;
    expect(BigInt(book.levelQty(SELL, 199))).toBe(BigInt(maxQty) * BigInt(maxLive));
    ex.validate();
    // Room for one more: cancel the first seller; a buyer takes exactly the maximum, one maker
    // filled in full, and the total drops exactly.
    const first = `o${n - maxLive}`;
    const c = ex.execute({
      type: 'cancel',
      symbol: 'X',
      orderId: first,
      account: `a${(n - maxLive) % 3}`,
    });
    expect(c[0]).toMatchObject({ type: 'cancelled', remainingQty: maxQty });
    const ev = place(ex, 'buy', maxQty, 199);
    const trades = ev.filter((e): e is TradeExecuted => e.type === 'trade');
    expect(trades.map((t) => t.qty)).toEqual([maxQty]);
    expect(BigInt(book.levelQty(SELL, 199))).toBe(BigInt(maxQty) * BigInt(maxLive - 2));
    ex.validate();
  });

  it('FOK availability at the limits is exact: all of it fills, one lot more does not', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 2 ** 20 }), { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        (parts, short) => {
          // Small pieces and one near the maximum, adding up to exactly maxQty.
          const maxQty = 2 ** 46;
          const ex = new Exchange();
          define(ex, { maxQty, maxPrice: 127 });
          const sizes = [...parts, maxQty - parts.reduce((a, b) => a + b, 0)];
          sizes.forEach((s, i) => place(ex, 'sell', s, 10 + (i % 5)));
          if (short) place(ex, 'buy', 1, 14); // takes one lot: now one short
          const r = place(ex, 'buy', maxQty, 14, { tif: 'FOK' });
          if (short) expect(reasonOf(r)).toBe('fok_unfillable');
          else {
            const filled = r.filter((e): e is TradeExecuted => e.type === 'trade');
            expect(filled.reduce((s, t) => s + BigInt(t.qty), 0n)).toBe(BigInt(maxQty));
          }
          ex.validate();
        },
      ),
      { numRuns: 150 },
    );
  });

  it('long auctions at the limits: the uncross volume equals a BigInt computation', () => {
    const maxQty = 2 ** 44;
    const maxPrice = 2 ** 9 - 1;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            buy: fc.boolean(),
            market: fc.integer({ min: 0, max: 9 }),
            price: fc.integer({ min: 100, max: 140 }),
            qty: fc.oneof(
              fc.integer({ min: maxQty - 1000, max: maxQty }),
              fc.integer({ min: 1, max: maxQty }),
            ),
          }),
          { minLength: 1, maxLength: 400 },
        ),
        (orders) => {
          const ex = new Exchange();
          define(ex, { maxQty, maxPrice, phase: 'preopen', referencePrice: 120 });
          const { maxLive } = limitsOf({ maxQty });
          const live: { buy: boolean; price: number | null; qty: bigint }[] = [];
          for (const o of orders) {
            const market = o.market === 0;
            const r = place(ex, o.buy ? 'buy' : 'sell', o.qty, market ? undefined : o.price);
            if (live.length >= maxLive) {
              expect(reasonOf(r)).toBe('too_large');
              continue;
            }
            expect(r[0].type).toBe('accepted');
            live.push({ buy: o.buy, price: market ? null : o.price, qty: BigInt(o.qty) });
          }
          // The best volume over every price, in BigInt.
          let best = 0n;
          for (let p = 99; p <= 141; p++) {
            let buys = 0n;
            let sells = 0n;
            for (const o of live) {
              if (o.buy && (o.price === null || o.price >= p)) buys += o.qty;
              if (!o.buy && (o.price === null || o.price <= p)) sells += o.qty;
            }
            const v = buys < sells ? buys : sells;
            if (v > best) best = v;
          }
          const events = ex.execute({ type: 'phase', symbol: 'X', phase: 'continuous' });
          const auction = events.find((e) => e.type === 'auction') as { volume: number };
          expect(BigInt(auction.volume)).toBe(best);
          const traded = events
            .filter((e): e is TradeExecuted => e.type === 'trade')
            .reduce((s, t) => s + BigInt(t.qty), 0n);
          expect(traded).toBe(best);
          ex.validate();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('findUncross sums stay exact for the largest sides the limits allow', () => {
    const maxQty = DEFAULT_MAX_QTY;
    const buys = Array.from({ length: 1000 }, (_, i) => ({
      price: 100 + (i % 7),
      qty: maxQty - i,
    }));
    const sells = Array.from({ length: 1000 }, (_, i) => ({
      price: 100 + (i % 5),
      qty: maxQty - 2 * i,
    }));
    const r = findUncross(buys, sells, 103);
    let bestV = 0n;
    for (let p = 99; p <= 108; p++) {
      const b = buys.filter((o) => o.price >= p).reduce((s, o) => s + BigInt(o.qty), 0n);
      const s = sells.filter((o) => o.price <= p).reduce((s2, o) => s2 + BigInt(o.qty), 0n);
      const v = b < s ? b : s;
      if (v > bestV) bestV = v;
    }
    expect(BigInt(r.volume)).toBe(bestV);
  });

  it('a quantity replace may not let one order fill more than maxQty in total', () => {
    const maxQty = 1000;
    const ex = new Exchange();
    define(ex, { maxQty });
    place(ex, 'sell', 600, 50); // o(k)
    const id = `o${n}`;
    place(ex, 'buy', 400, 50); // fills 400 of it
    const up = ex.execute({
      type: 'replace',
      symbol: 'X',
      orderId: id,
      account: `a${(n - 1) % 3}`,
      qty: 601,
    });
    expect(up[0]).toMatchObject({ type: 'rejected', reason: 'too_large' });
    const ok = ex.execute({
      type: 'replace',
      symbol: 'X',
      orderId: id,
      account: `a${(n - 1) % 3}`,
      qty: 600,
    });
    expect(ok[0]).toMatchObject({ type: 'replaced', qty: 600 });
    const price = ex.execute({
      type: 'replace',
      symbol: 'X',
      orderId: id,
      account: `a${(n - 1) % 3}`,
      price: DEFAULT_MAX_PRICE + 1,
    });
    expect(price[0]).toMatchObject({ type: 'rejected', reason: 'too_large' });
    ex.validate();
  });
});

describe('exact arithmetic: times', () => {
  it('times up to 2^53 ns are kept as they are; epoch nanoseconds land on the 1024 ns grid', () => {
    expect(onTimeGrid(5000)).toBe(5000);
    expect(onTimeGrid(MAX_EXACT)).toBe(MAX_EXACT);
    fc.assert(
      fc.property(fc.bigInt({ min: 2n ** 53n, max: 2n ** 63n - 1n }), (ns) => {
        const t = onTimeGrid(Number(ns));
        // On the grid, exact, and within 1024 ns (+ the double's own rounding) of the time.
        expect(Number.isInteger(t / 1024)).toBe(true);
        expect(BigInt(t) % 1024n).toBe(0n);
        const diff = ns - BigInt(t);
        expect(diff > -2048n && diff < 2048n).toBe(true);
      }),
    );
  });

  it('DAY expiry near epoch nanoseconds is the exact end of the UTC day', () => {
    const ex = new Exchange();
    define(ex);
    const day = 86_400_000_000_000n;
    const midnight = 19_675n * day; // 2023-11-14T00:00:00Z in ns, 1.7e18
    for (const before of [1024n, 0n]) {
      const ts = Number(midnight - before);
      const r = place(ex, 'buy', 1, 10, { tif: 'DAY', ts });
      const expected = before === 0n ? midnight + day : midnight;
      const acc = r.find((e) => e.type === 'accepted') as { expireAt: number };
      expect(BigInt(acc.expireAt)).toBe(expected);
    }
  });

  it('a GTD order 1 µs in the future of an epoch clock is live, not expired', () => {
    const ex = new Exchange();
    define(ex);
    const now = 1_700_000_000_000_000_000;
    const r = place(ex, 'buy', 1, 10, { tif: 'GTD', ts: now, expireAt: now + 1024 });
    expect(r[0]).toMatchObject({ type: 'accepted', expireAt: now + 1024 });
    const later = ex.execute({ type: 'clock', ts: now + 1024 });
    expect(later[0]).toMatchObject({ type: 'cancelled', reason: 'expired' });
  });
});
