/**
 * The production order book: struct-of-arrays typed arrays indexed by the engine's dense oids.
 *
 * - Orders: qty (Float64, may exceed 2^31), level and FIFO links (Int32), by oid: 20 bytes.
 *   Price and side are the level's. `oLevel[oid] === NONE` means "not resting" (then qtyOf is 0,
 *   priceOf NaN and sideOf BUY); cancel is O(1) through the intrusive links.
 * - Levels: a pool with a free list; each keeps price, total qty, count, head and tail.
 * - Sides (fast-side.ts): levels sorted with the best at the END, plus an exact tick window
 *   around the best, so finding a level near the top is one array read.
 * - A level that empties below the top is kept (empty) in its side's index instead of being
 *   shifted out, because prices near the top are reused all the time; the top is always
 *   non-empty (emptied top levels are popped at once), and a side compacts its empty levels when
 *   they outnumber the live ones (and exceed COMPACT_MIN), so they cost O(1) amortised.
 * Nothing is allocated per operation; arrays grow by doubling when an oid or level exceeds them.
 */
import { BUY, type Side } from '../types.js';
import { hashBook } from './book-hash.js';
import { FastSide } from './fast-side.js';
import { NONE, type OrderBook } from './order-book.js';

export interface FastBookOptions {
  /** Initial number of oid slots (grows as needed). */
  orderCapacity?: number;
  /** Initial number of price levels across both sides (grows as needed). */
  levelCapacity?: number;
}

/** Empty levels a side may keep before it considers compacting. */
const COMPACT_MIN = 64;

export class FastBook implements OrderBook {
  readonly name: string;
  private orderCap: number;
  private oQty: Float64Array;
  private oLevel: Int32Array;
  private oNext: Int32Array;
  private oPrev: Int32Array;

  private levelCap: number;
  private lPrice: Float64Array;
  private lQty: Float64Array;
  private lCount: Int32Array;
  private lHead: Int32Array;
  private lTail: Int32Array;
  private lSide: Uint8Array;
  /** Head of the free-level list, threaded through lHead. */
  private freeLevel: number;

  private readonly bids: FastSide;
  private readonly asks: FastSide;

  constructor(opts: FastBookOptions = {}) {
    this.name = 'fast';
    this.orderCap = Math.max(16, opts.orderCapacity ?? 1024);
    this.oQty = new Float64Array(this.orderCap);
    this.oLevel = new Int32Array(this.orderCap).fill(NONE);
    this.oNext = new Int32Array(this.orderCap).fill(NONE);
    this.oPrev = new Int32Array(this.orderCap).fill(NONE);

    this.levelCap = Math.max(16, opts.levelCapacity ?? 256);
    this.lPrice = new Float64Array(this.levelCap);
    this.lQty = new Float64Array(this.levelCap);
    this.lCount = new Int32Array(this.levelCap);
    this.lHead = new Int32Array(this.levelCap);
    this.lTail = new Int32Array(this.levelCap).fill(NONE);
    this.lSide = new Uint8Array(this.levelCap);
    this.freeLevel = NONE;
    this.threadFreeLevels(0);

    this.bids = new FastSide(64);
    this.asks = new FastSide(64);
  }

  add(oid: number, side: Side, price: number, qty: number): void {
    if (oid >= this.orderCap) this.growOrders(oid + 1);
    else if (oid < 0 || this.oLevel[oid] !== NONE) {
      throw new Error(`FastBook.add: oid ${oid} is negative or already resting`);
    }
    const s = side === BUY ? this.bids : this.asks;
    const key = side === BUY ? price : -price;
    let lvl = s.find(key);
    if (lvl === NONE) {
      lvl = this.allocLevel(side, price);
      s.insert(key, lvl);
    }
    this.oQty[oid] = qty;
    this.oLevel[oid] = lvl;
    this.oNext[oid] = NONE;
    const tail = this.lTail[lvl];
    this.oPrev[oid] = tail;
    if (tail === NONE) this.lHead[lvl] = oid;
    else this.oNext[tail] = oid;
    this.lTail[lvl] = oid;
    this.lQty[lvl] += qty;
    if (this.lCount[lvl]++ === 0) s.nonEmpty++;
    s.orders++;
  }

  remove(oid: number): void {
    const lvl = this.levelOf(oid, 'remove');
    const prev = this.oPrev[oid];
    const next = this.oNext[oid];
    if (prev === NONE) this.lHead[lvl] = next;
    else this.oNext[prev] = next;
    if (next === NONE) this.lTail[lvl] = prev;
    else this.oPrev[next] = prev;
    this.oLevel[oid] = NONE;
    this.oNext[oid] = NONE;
    this.oPrev[oid] = NONE;
    this.lQty[lvl] -= this.oQty[oid];
    const s = this.lSide[lvl] === BUY ? this.bids : this.asks;
    s.orders--;
    if (--this.lCount[lvl] === 0) {
      s.nonEmpty--;
      this.lQty[lvl] = 0;
      this.levelEmptied(s, lvl);
    }
  }

  setQty(oid: number, qty: number): void {
    const lvl = this.levelOf(oid, 'setQty');
    if (!(qty > 0)) throw new Error(`FastBook.setQty: qty ${qty} of oid ${oid} must be > 0`);
    this.lQty[lvl] += qty - this.oQty[oid];
    this.oQty[oid] = qty;
  }

  contains(oid: number): boolean {
    return oid >= 0 && oid < this.orderCap && this.oLevel[oid] !== NONE;
  }

  qtyOf(oid: number): number {
    return this.contains(oid) ? this.oQty[oid] : 0;
  }

  priceOf(oid: number): number {
    return this.contains(oid) ? this.lPrice[this.oLevel[oid]] : NaN;
  }

  sideOf(oid: number): Side {
    return (this.contains(oid) ? this.lSide[this.oLevel[oid]] : BUY) as Side;
  }

  bestPrice(side: Side): number {
    const s = side === BUY ? this.bids : this.asks;
    return s.len === 0 ? NaN : this.lPrice[s.levels[s.len - 1]];
  }

  best(side: Side): number {
    const s = side === BUY ? this.bids : this.asks;
    return s.len === 0 ? NONE : this.lHead[s.levels[s.len - 1]];
  }

  next(oid: number): number {
    const lvl = this.levelOf(oid, 'next');
    const n = this.oNext[oid];
    if (n !== NONE) return n;
    const s = this.lSide[lvl] === BUY ? this.bids : this.asks;
    const price = this.lPrice[lvl];
    for (let i = s.indexOf(this.lSide[lvl] === BUY ? price : -price) - 1; i >= 0; i--) {
      const head = this.lHead[s.levels[i]];
      if (head !== NONE) return head;
    }
    return NONE;
  }

  levelQty(side: Side, price: number): number {
    const lvl = (side === BUY ? this.bids : this.asks).find(side === BUY ? price : -price);
    return lvl === NONE ? 0 : this.lQty[lvl];
  }

  count(side: Side): number {
    return (side === BUY ? this.bids : this.asks).orders;
  }

  levelCount(side: Side): number {
    return (side === BUY ? this.bids : this.asks).nonEmpty;
  }

  stateHash(): string {
    return hashBook(this).digest();
  }

  validate(): void {
    let resting = 0;
    for (let s = 0; s < 2; s++) {
      const side = s as Side;
      const fs = side === BUY ? this.bids : this.asks;
      const name = side === BUY ? 'bids' : 'asks';
      fs.validateIndex(name);
      let orders = 0;
      let live = 0;
      for (let i = 0; i < fs.len; i++) {
        const lvl = fs.levels[i];
        const price = this.lPrice[lvl];
        if (this.lSide[lvl] !== side || (side === BUY ? price : -price) !== fs.keys[i]) {
          throw new Error(`FastBook: ${name} level ${lvl} at index ${i} is out of its slot`);
        }
        if (this.lCount[lvl] === 0) {
          if (i === fs.len - 1) throw new Error(`FastBook: ${name} top level ${price} is empty`);
          if (this.lHead[lvl] !== NONE || this.lTail[lvl] !== NONE || this.lQty[lvl] !== 0) {
            throw new Error(`FastBook: ${name} empty level ${price} still links orders`);
          }
          continue;
        }
        live++;
        orders += this.validateLevel(lvl, price);
      }
      if (orders !== fs.orders || live !== fs.nonEmpty) {
        throw new Error(
          `FastBook: ${name} hold ${orders} orders in ${live} levels, counters say ${fs.orders} in ${fs.nonEmpty}`,
        );
      }
      resting += orders;
    }
    let flagged = 0;
    for (let oid = 0; oid < this.orderCap; oid++) if (this.oLevel[oid] !== NONE) flagged++;
    if (flagged !== resting) {
      throw new Error(`FastBook: ${flagged} oids marked resting, ${resting} reachable from levels`);
    }
    let free = 0;
    for (let l = this.freeLevel; l !== NONE; l = this.lHead[l]) {
      if (++free > this.levelCap) throw new Error('FastBook: free-level list has a cycle');
    }
    const used = this.bids.len + this.asks.len;
    if (free + used !== this.levelCap) {
      throw new Error(`FastBook: level pool leak: ${free} free + ${used} used != ${this.levelCap}`);
    }
  }

  /** Walks one level's FIFO, checking links, membership and totals; returns its order count. */
  private validateLevel(lvl: number, price: number): number {
    let n = 0;
    let qty = 0;
    let prev = NONE;
    for (let oid = this.lHead[lvl]; oid !== NONE; oid = this.oNext[oid]) {
      if (++n > this.orderCap) throw new Error(`FastBook: level ${price} has a cycle`);
      if (this.oLevel[oid] !== lvl) {
        throw new Error(
          `FastBook: oid ${oid} in level ${price} points at level ${this.oLevel[oid]}`,
        );
      }
      if (this.oPrev[oid] !== prev) throw new Error(`FastBook: oid ${oid} has a broken prev link`);
      if (!(this.oQty[oid] > 0)) throw new Error(`FastBook: oid ${oid} rests with qty <= 0`);
      qty += this.oQty[oid];
      prev = oid;
    }
    if (this.lTail[lvl] !== prev) throw new Error(`FastBook: level ${price} tail is wrong`);
    if (n !== this.lCount[lvl])
      throw new Error(`FastBook: level ${price} count ${this.lCount[lvl]} != ${n}`);
    if (qty !== this.lQty[lvl])
      throw new Error(`FastBook: level ${price} total ${this.lQty[lvl]} != ${qty}`);
    return n;
  }

  private levelOf(oid: number, op: string): number {
    const lvl = oid >= 0 && oid < this.orderCap ? this.oLevel[oid] : NONE;
    if (lvl === NONE) throw new Error(`FastBook.${op}: oid ${oid} is not resting`);
    return lvl;
  }

  /** A level just lost its last order: pop it (and empties under it) if it was the top. */
  private levelEmptied(s: FastSide, lvl: number): void {
    if (s.levels[s.len - 1] === lvl) {
      while (s.len > 0 && this.lCount[s.levels[s.len - 1]] === 0) {
        const top = s.levels[s.len - 1];
        s.removeAt(s.len - 1);
        this.releaseLevel(top);
      }
    } else if (s.len - s.nonEmpty > COMPACT_MIN && s.len - s.nonEmpty > s.nonEmpty) {
      this.compact(s);
    }
  }

  /** Drops every empty level of a side from its index, in one pass. */
  private compact(s: FastSide): void {
    let j = 0;
    for (let i = 0; i < s.len; i++) {
      const lvl = s.levels[i];
      if (this.lCount[lvl] > 0) {
        s.keys[j] = s.keys[i];
        s.levels[j++] = lvl;
      } else {
        s.unmap(s.keys[i]);
        this.releaseLevel(lvl);
      }
    }
    s.len = j;
  }

  private allocLevel(side: Side, price: number): number {
    if (this.freeLevel === NONE) this.growLevels();
    const lvl = this.freeLevel;
    this.freeLevel = this.lHead[lvl];
    this.lPrice[lvl] = price;
    this.lQty[lvl] = 0;
    this.lCount[lvl] = 0;
    this.lHead[lvl] = NONE;
    this.lTail[lvl] = NONE;
    this.lSide[lvl] = side;
    return lvl;
  }

  private releaseLevel(lvl: number): void {
    this.lHead[lvl] = this.freeLevel;
    this.lTail[lvl] = NONE;
    this.freeLevel = lvl;
  }

  private growOrders(min: number): void {
    let cap = this.orderCap * 2;
    while (cap < min) cap *= 2;
    const old = this.orderCap;
    this.oQty = grow64(this.oQty, cap);
    this.oLevel = grow32(this.oLevel, cap, old);
    this.oNext = grow32(this.oNext, cap, old);
    this.oPrev = grow32(this.oPrev, cap, old);
    this.orderCap = cap;
  }

  private growLevels(): void {
    const old = this.levelCap;
    const cap = old * 2;
    this.lPrice = grow64(this.lPrice, cap);
    this.lQty = grow64(this.lQty, cap);
    const count = new Int32Array(cap);
    count.set(this.lCount);
    this.lCount = count;
    this.lHead = grow32(this.lHead, cap, old);
    this.lTail = grow32(this.lTail, cap, old);
    const side = new Uint8Array(cap);
    side.set(this.lSide);
    this.lSide = side;
    this.levelCap = cap;
    this.threadFreeLevels(old);
  }

  /** Pushes levels [from, levelCap) onto the free list, lowest index first out. */
  private threadFreeLevels(from: number): void {
    for (let l = this.levelCap - 1; l >= from; l--) {
      this.lHead[l] = this.freeLevel;
      this.lTail[l] = NONE;
      this.freeLevel = l;
    }
  }
}

function grow64(a: Float64Array, cap: number): Float64Array {
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}

/** Copies into a larger Int32Array; new slots [old, cap) are NONE. */
function grow32(a: Int32Array, cap: number, old: number): Int32Array {
  const b = new Int32Array(cap);
  b.set(a);
  b.fill(NONE, old);
  return b;
}
