import { describe, expect, it } from 'vitest';
import { BUY, SELL, type Side } from '../types.js';
import { hashBook } from './book-hash.js';
import { FastBook } from './fast-book.js';
import { NONE } from './order-book.js';

interface ModelOrder {
  side: Side;
  price: number;
  qty: number;
  seq: number;
}

/** The obvious model: a map of orders, sorted on demand into priority order. */
class Model {
  orders = new Map<number, ModelOrder>();
  private seq = 0;
  add(oid: number, side: Side, price: number, qty: number): void {
    this.orders.set(oid, { side, price, qty, seq: this.seq++ });
  }
  priority(side: Side): number[] {
    return [...this.orders.entries()]
      .filter(([, o]) => o.side === side)
      .sort(([, a], [, b]) =>
        a.price !== b.price
          ? side === BUY
            ? b.price - a.price
            : a.price - b.price
          : a.seq - b.seq,
      )
      .map(([oid]) => oid);
  }
  levelQty(side: Side, price: number): number {
    let q = 0;
    for (const o of this.orders.values()) if (o.side === side && o.price === price) q += o.qty;
    return q;
  }
  levels(side: Side): number {
    return new Set([...this.orders.values()].filter((o) => o.side === side).map((o) => o.price))
      .size;
  }
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function walk(book: FastBook, side: Side): number[] {
  const out: number[] = [];
  for (let oid = book.best(side); oid !== NONE; oid = book.next(oid)) out.push(oid);
  return out;
}

function compare(book: FastBook, model: Model): void {
  book.validate();
  for (const side of [BUY, SELL] as const) {
    const expected = model.priority(side);
    expect(walk(book, side)).toEqual(expected);
    expect(book.count(side)).toBe(expected.length);
    expect(book.levelCount(side)).toBe(model.levels(side));
    const top = expected[0];
    expect(book.bestPrice(side)).toBe(top === undefined ? NaN : model.orders.get(top)!.price);
  }
  for (const [oid, o] of model.orders) {
    expect(book.contains(oid)).toBe(true);
    expect(book.qtyOf(oid)).toBe(o.qty);
    expect(book.priceOf(oid)).toBe(o.price);
    expect(book.sideOf(oid)).toBe(o.side);
  }
}

describe('FastBook', () => {
  it('keeps price-time priority through adds, removes and qty changes', () => {
    const book = new FastBook();
    book.add(0, BUY, 100, 5);
    book.add(1, BUY, 101, 3);
    book.add(2, BUY, 100, 7);
    book.add(3, SELL, 103, 2);
    book.add(4, SELL, 102, 4);
    expect(walk(book, BUY)).toEqual([1, 0, 2]);
    expect(walk(book, SELL)).toEqual([4, 3]);
    expect(book.levelQty(BUY, 100)).toBe(12);
    book.setQty(0, 1);
    expect(book.levelQty(BUY, 100)).toBe(8);
    expect(walk(book, BUY)).toEqual([1, 0, 2]);
    book.remove(1);
    expect(book.bestPrice(BUY)).toBe(100);
    expect(book.levelCount(BUY)).toBe(1);
    book.validate();
  });

  it('rejects misuse without corrupting itself', () => {
    const book = new FastBook({ orderCapacity: 16, levelCapacity: 16 });
    book.add(3, SELL, 10, 1);
    expect(() => book.add(3, SELL, 11, 1)).toThrow(/already resting/);
    expect(() => book.remove(4)).toThrow(/not resting/);
    expect(() => book.setQty(3, 0)).toThrow(/must be > 0/);
    expect(book.contains(99_999)).toBe(false);
    book.validate();
    expect(book.levelQty(SELL, 10)).toBe(1);
  });

  it('compacts empty levels and re-centres its window without losing orders', () => {
    const book = new FastBook({ orderCapacity: 16, levelCapacity: 16 });
    const model = new Model();
    // 300 levels far apart (beyond the 8192-tick window), then empty all but a few below the top.
    for (let i = 0; i < 300; i++) {
      book.add(i, BUY, 1_000_000 - i * 97, 1 + i);
      model.add(i, BUY, 1_000_000 - i * 97, 1 + i);
    }
    compare(book, model);
    for (let i = 1; i < 300; i++) {
      if (i % 50 === 0) continue;
      book.remove(i);
      model.orders.delete(i);
      if (i % 37 === 0) compare(book, model);
    }
    compare(book, model);
    // A new best far above the window, then the old levels again.
    book.add(1000, BUY, 5_000_000, 3);
    model.add(1000, BUY, 5_000_000, 3);
    book.add(1001, BUY, 1_000_000 - 150 * 97, 4);
    model.add(1001, BUY, 1_000_000 - 150 * 97, 4);
    compare(book, model);
    book.remove(1000);
    model.orders.delete(1000);
    book.remove(0);
    model.orders.delete(0);
    compare(book, model);
  });

  it('matches a trivial model on random operations, growing from the default size', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const wide = seed > 4;
      const rnd = mulberry32(seed);
      const book = new FastBook({ orderCapacity: 16, levelCapacity: 16 });
      const model = new Model();
      const free: number[] = [];
      let nextOid = 0;
      for (let step = 0; step < (wide ? 1500 : 600); step++) {
        const r = rnd();
        const ids = [...model.orders.keys()];
        if (r < 0.5 || ids.length === 0) {
          const oid = free.length > 0 && rnd() < 0.5 ? free.pop()! : nextOid++;
          const side: Side = rnd() < 0.5 ? BUY : SELL;
          // Large prices and quantities check that nothing truncates to 32 bits.
          const spread = wide ? 40_000 : 80;
          const mid = wide ? 5_000_000_000 + step * 50 : 5_000_000_000;
          const price = mid + (side === BUY ? 0 : spread / 2) + Math.floor((rnd() - 0.5) * spread);
          const qty = 1 + Math.floor(rnd() * 3_000_000_000);
          book.add(oid, side, price, qty);
          model.add(oid, side, price, qty);
        } else if (r < (wide ? 0.9 : 0.8)) {
          const oid = ids[Math.floor(rnd() * ids.length)];
          book.remove(oid);
          model.orders.delete(oid);
          free.push(oid);
        } else {
          const oid = ids[Math.floor(rnd() * ids.length)];
          const qty = 1 + Math.floor(rnd() * 1000);
          book.setQty(oid, qty);
          model.orders.get(oid)!.qty = qty;
        }
        const o = model.orders.values().next().value;
        if (o) expect(book.levelQty(o.side, o.price)).toBe(model.levelQty(o.side, o.price));
        if (step % 10 === 0) compare(book, model);
      }
      compare(book, model);
      expect(book.stateHash()).toBe(hashBook(book).digest());
    }
  });
});
