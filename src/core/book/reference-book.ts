/**
 * The reference book: obviously correct, not fast. Plain Maps and arrays; every operation is the
 * simplest thing that works (sorting on demand, splicing arrays). The fast book must agree with it.
 */
import { BUY, type Side } from '../types.js';
import { hashBook } from './book-hash.js';
import { NONE, type OrderBook } from './order-book.js';

interface RefOrder {
  oid: number;
  side: Side;
  price: number;
  qty: number;
}

export class ReferenceBook implements OrderBook {
  readonly name = 'reference';
  private readonly orders = new Map<number, RefOrder>();
  /** Per side: price -> FIFO queue of orders. */
  private readonly levels: [Map<number, RefOrder[]>, Map<number, RefOrder[]>] = [
    new Map(),
    new Map(),
  ];

  add(oid: number, side: Side, price: number, qty: number): void {
    if (this.orders.has(oid)) throw new Error(`order ${oid} is already resting`);
    const order: RefOrder = { oid, side, price, qty };
    this.orders.set(oid, order);
    const level = this.levels[side].get(price);
    if (level) level.push(order);
    else this.levels[side].set(price, [order]);
  }

  remove(oid: number): void {
    const order = this.get(oid);
    const level = this.levels[order.side].get(order.price)!;
    level.splice(level.indexOf(order), 1);
    if (level.length === 0) this.levels[order.side].delete(order.price);
    this.orders.delete(oid);
  }

  setQty(oid: number, qty: number): void {
    if (!(qty > 0)) throw new Error(`setQty(${oid}, ${qty}): quantity must be positive`);
    this.get(oid).qty = qty;
  }

  contains(oid: number): boolean {
    return this.orders.has(oid);
  }

  qtyOf(oid: number): number {
    return this.get(oid).qty;
  }

  priceOf(oid: number): number {
    return this.get(oid).price;
  }

  sideOf(oid: number): Side {
    return this.get(oid).side;
  }

  bestPrice(side: Side): number {
    const prices = this.sortedPrices(side);
    return prices.length === 0 ? NaN : prices[0];
  }

  best(side: Side): number {
    const prices = this.sortedPrices(side);
    return prices.length === 0 ? NONE : this.levels[side].get(prices[0])![0].oid;
  }

  next(oid: number): number {
    const order = this.get(oid);
    const level = this.levels[order.side].get(order.price)!;
    const at = level.indexOf(order);
    if (at + 1 < level.length) return level[at + 1].oid;
    const prices = this.sortedPrices(order.side);
    const worse = prices[prices.indexOf(order.price) + 1];
    return worse === undefined ? NONE : this.levels[order.side].get(worse)![0].oid;
  }

  levelQty(side: Side, price: number): number {
    const level = this.levels[side].get(price);
    return level ? level.reduce((sum, o) => sum + o.qty, 0) : 0;
  }

  count(side: Side): number {
    let n = 0;
    for (const level of this.levels[side].values()) n += level.length;
    return n;
  }

  levelCount(side: Side): number {
    return this.levels[side].size;
  }

  validate(): void {
    let seen = 0;
    for (const side of [0, 1] as const) {
      for (const [price, level] of this.levels[side]) {
        if (level.length === 0) throw new Error(`reference book: empty level ${price}`);
        for (const o of level) {
          if (o.side !== side || o.price !== price) throw new Error(`order ${o.oid} misfiled`);
          if (!(o.qty > 0) || !Number.isSafeInteger(o.qty)) throw new Error(`order ${o.oid} qty`);
          if (this.orders.get(o.oid) !== o) throw new Error(`order ${o.oid} not indexed`);
          seen++;
        }
      }
    }
    if (seen !== this.orders.size) throw new Error('reference book: index size mismatch');
  }

  stateHash(): string {
    return hashBook(this).digest();
  }

  /** Best first: bids descending, asks ascending. */
  private sortedPrices(side: Side): number[] {
    const prices = [...this.levels[side].keys()];
    return side === BUY ? prices.sort((a, b) => b - a) : prices.sort((a, b) => a - b);
  }

  private get(oid: number): RefOrder {
    const order = this.orders.get(oid);
    if (!order) throw new Error(`order ${oid} is not resting`);
    return order;
  }
}
