/**
 * The lock-free matcher on one thread, with the races forced deterministically: a pause hook runs
 * a second matcher's whole operation at the exact point where the first one is between a read and
 * its CAS. Multi-threaded runs (with random delays) are in test/chaos*.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  FILLED,
  LockfreeMatcher,
  MODE_GTC,
  MODE_IOC,
  MODE_MARKET,
  RESTED,
  UNFILLED,
  type PausePoint,
} from './matcher.js';
import { BUY, createSharedBook, SELL, viewSharedBook, walkResting } from './shared-book.js';

const MIN = 1;
const lvl = (price: number) => price - MIN;

function setup() {
  const v = viewSharedBook(createSharedBook({ minPrice: MIN, levels: 200, maxNodes: 1000 }));
  const book = () => {
    const rows: { slot: number; side: number; price: number; qty: number }[] = [];
    walkResting(v, (o) => rows.push(o));
    return rows;
  };
  const crossed = () => {
    const rows = book();
    const bid = Math.max(...rows.filter((r) => r.side === BUY).map((r) => r.price));
    const ask = Math.min(...rows.filter((r) => r.side === SELL).map((r) => r.price));
    return bid >= ask;
  };
  return { v, book, crossed };
}

/** A matcher whose hook fires `run` once, at the first pause at `point`. */
function pausedAt(v: ReturnType<typeof setup>['v'], point: PausePoint, run: () => void) {
  let fired = false;
  return new LockfreeMatcher(v, {
    onPause: (p) => {
      if (p === point && !fired) {
        fired = true;
        run();
      }
    },
  });
}

const fills = (m: LockfreeMatcher) =>
  Array.from({ length: m.fillCount }, (_, i) => [...m.fills.subarray(i * 4, i * 4 + 4)]);

describe('lockfree matcher', () => {
  it('matches best price first, then time, at the maker price, and rests the remainder', () => {
    const { v, book } = setup();
    const m = new LockfreeMatcher(v);
    expect(m.place(0, SELL, lvl(101), 5, MODE_GTC)).toBe(RESTED);
    expect(m.place(1, SELL, lvl(100), 3, MODE_GTC)).toBe(RESTED);
    expect(m.place(2, SELL, lvl(100), 4, MODE_GTC)).toBe(RESTED);
    expect(m.place(3, BUY, lvl(101), 10, MODE_GTC)).toBe(FILLED);
    // [maker slot, level, qty, maker leaves]
    expect(fills(m)).toEqual([
      [1, lvl(100), 3, 0],
      [2, lvl(100), 4, 0],
      [0, lvl(101), 3, 2],
    ]);
    expect(m.place(4, BUY, lvl(99), 6, MODE_GTC)).toBe(RESTED);
    expect(book()).toEqual([
      { slot: 4, side: BUY, price: 99, qty: 6 },
      { slot: 0, side: SELL, price: 101, qty: 2 },
    ]);
  });

  it('IOC and market never rest; a market order sweeps every level', () => {
    const { v, book } = setup();
    const m = new LockfreeMatcher(v);
    m.place(0, SELL, lvl(100), 2, MODE_GTC);
    m.place(1, SELL, lvl(150), 2, MODE_GTC);
    expect(m.place(2, BUY, lvl(120), 5, MODE_IOC)).toBe(UNFILLED);
    expect(m.leaves).toBe(3);
    expect(m.place(3, BUY, -1, 5, MODE_MARKET)).toBe(UNFILLED);
    expect(m.leaves).toBe(3);
    expect(fills(m)).toEqual([[1, lvl(150), 2, 0]]);
    expect(m.place(4, SELL, -1, 1, MODE_MARKET)).toBe(UNFILLED);
    expect(book()).toEqual([]);
  });

  it('cancel takes what is left exactly once', () => {
    const { v } = setup();
    const m = new LockfreeMatcher(v);
    m.place(0, SELL, lvl(100), 5, MODE_GTC);
    m.place(1, BUY, lvl(100), 2, MODE_GTC);
    expect(m.cancel(0)).toBe(3);
    expect(m.cancel(0)).toBe(0);
    expect(m.cancel(7)).toBe(0);
  });

  it('two crossing inserts: the one whose VERSION bump loses takes back its quantity and trades', () => {
    const { v, book, crossed } = setup();
    const other = new LockfreeMatcher(v);
    // A has scanned (nothing to cross) and is about to link its bid when B's ask rests entirely.
    const a = pausedAt(v, 'link', () => {
      expect(other.place(1, SELL, lvl(100), 4, MODE_GTC)).toBe(RESTED);
    });
    expect(a.place(0, BUY, lvl(100), 10, MODE_GTC)).toBe(RESTED);
    expect(fills(a)).toEqual([[1, lvl(100), 4, 0]]);
    expect(book()).toEqual([{ slot: 0, side: BUY, price: 100, qty: 6 }]);
    expect(crossed()).toBe(false);
  });

  it('a crossing order that sees a not-yet-committed insert takes from it', () => {
    const { v, book } = setup();
    const other = new LockfreeMatcher(v);
    // A's bid is linked but its VERSION bump has not happened when B's ask arrives.
    const a = pausedAt(v, 'commit', () => {
      expect(other.place(1, SELL, lvl(99), 3, MODE_GTC)).toBe(FILLED);
      expect(fills(other)).toEqual([[0, lvl(100), 3, 2]]);
    });
    expect(a.place(0, BUY, lvl(100), 5, MODE_GTC)).toBe(RESTED);
    expect(a.leaves).toBe(2);
    expect(book()).toEqual([{ slot: 0, side: BUY, price: 100, qty: 2 }]);
  });

  it('a fill that loses its CAS re-reads and never takes the same unit twice', () => {
    const { v, book } = setup();
    const seller = new LockfreeMatcher(v);
    seller.place(0, SELL, lvl(100), 5, MODE_GTC);
    seller.place(1, SELL, lvl(100), 5, MODE_GTC);
    const other = new LockfreeMatcher(v);
    const a = pausedAt(v, 'fill', () => {
      expect(other.place(3, BUY, lvl(100), 4, MODE_IOC)).toBe(FILLED);
    });
    expect(a.place(2, BUY, lvl(100), 3, MODE_IOC)).toBe(FILLED);
    // A read 5 on order 0, lost to B's 4, retried on the 1 left, then took 2 from order 1.
    expect(fills(a)).toEqual([
      [0, lvl(100), 1, 0],
      [1, lvl(100), 2, 3],
    ]);
    expect(book()).toEqual([{ slot: 1, side: SELL, price: 100, qty: 3 }]);
  });

  it('a cancel that wins the race leaves nothing for the taker', () => {
    const { v, book } = setup();
    const m = new LockfreeMatcher(v);
    m.place(0, SELL, lvl(100), 5, MODE_GTC);
    let cancelled = -1;
    const a = pausedAt(v, 'fill', () => (cancelled = m.cancel(0)));
    expect(a.place(1, BUY, lvl(100), 5, MODE_IOC)).toBe(UNFILLED);
    expect(cancelled).toBe(5);
    expect(a.fillCount).toBe(0);
    expect(book()).toEqual([]);
  });

  it('a resting order fully taken while its insert loses the race ends filled', () => {
    const { v, book } = setup();
    const b = new LockfreeMatcher(v);
    const c = new LockfreeMatcher(v);
    // A is linked (not committed); B takes all of it, C commits a bid so A's bump fails.
    const a = pausedAt(v, 'commit', () => {
      expect(b.place(1, SELL, lvl(100), 5, MODE_IOC)).toBe(FILLED);
      expect(c.place(2, BUY, lvl(90), 1, MODE_GTC)).toBe(RESTED);
    });
    expect(a.place(0, BUY, lvl(100), 5, MODE_GTC)).toBe(FILLED);
    expect(book()).toEqual([{ slot: 2, side: BUY, price: 90, qty: 1 }]);
  });
});
