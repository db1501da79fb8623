/**
 * The production order book: struct-of-arrays typed arrays indexed by the engine's dense oids.
 *
 * - Orders: price, qty (Float64, may exceed 2^31), side, level and FIFO links (Int32), by oid.
 *   `oLevel[oid] === NONE` means "not resting"; cancel is O(1) through the intrusive links.
 * - Levels: a pool with a free list; each keeps price, total qty, count, head and tail.
 * - Sides: active levels sorted by key, best at the END, so the top is touched without shifting.
 *   key = price for bids and -price for asks, so both sides share one ascending order and one
 *   code path. A price lookup scans a few entries from the end (O(1) near the best price), then
 *   falls back to a binary search.
 * Nothing is allocated per operation; arrays grow by doubling when an oid or level exceeds them.
 */
import { BUY, type Side } from '../types.js';
import { hashBook } from './book-hash.js';
import { NONE, type OrderBook } from './order-book.js';

export interface FastBookOptions {
  /** Initial number of oid slots (grows as needed). */
  orderCapacity?: number;
  /** Initial number of price levels across both sides (grows as needed). */
  levelCapacity?: number;
}

/** How many entries a lookup scans from the best end before it binary-searches. */
const NEAR_SCAN = 8;

export class FastBook implements OrderBook {
  readonly name: string;
  private orderCap: number;
  private oPrice: Float64Array;
  private oQty: Float64Array;
  private oSide: Uint8Array;
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
  private levelsUsed: number;

  private bidKeys: Float64Array;
  private bidLevels: Int32Array;
  private bidLen: number;
  private askKeys: Float64Array;
  private askLevels: Int32Array;
  private askLen: number;
  private bidCount: number;
  private askCount: number;

  constructor(opts: FastBookOptions = {}) {
    this.name = 'fast';
    this.orderCap = Math.max(16, opts.orderCapacity ?? 1024);
    this.oPrice = new Float64Array(this.orderCap);
    this.oQty = new Float64Array(this.orderCap);
    this.oSide = new Uint8Array(this.orderCap);
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
    this.levelsUsed = 0;
    this.threadFreeLevels(0);

    this.bidKeys = new Float64Array(this.levelCap);
    this.bidLevels = new Int32Array(this.levelCap);
    this.bidLen = 0;
    this.askKeys = new Float64Array(this.levelCap);
    this.askLevels = new Int32Array(this.levelCap);
    this.askLen = 0;
    this.bidCount = 0;
    this.askCount = 0;
  }

  add(oid: number, side: Side, price: number, qty: number): void {
    if (oid >= this.orderCap) this.growOrders(oid + 1);
    else if (oid < 0 || this.oLevel[oid] !== NONE) {
      throw new Error(`FastBook.add: oid ${oid} is negative or already resting`);
    }
    const key = side === BUY ? price : -price;
    const idx = this.indexOf(side, key);
    const lvl =
      idx >= 0
        ? side === BUY
          ? this.bidLevels[idx]
          : this.askLevels[idx]
        : this.insertLevel(side, key, price, -idx - 1);
    this.oPrice[oid] = price;
    this.oQty[oid] = qty;
    this.oSide[oid] = side;
    this.oLevel[oid] = lvl;
    this.oNext[oid] = NONE;
    const tail = this.lTail[lvl];
    this.oPrev[oid] = tail;
    if (tail === NONE) this.lHead[lvl] = oid;
    else this.oNext[tail] = oid;
    this.lTail[lvl] = oid;
    this.lQty[lvl] += qty;
    this.lCount[lvl]++;
    if (side === BUY) this.bidCount++;
    else this.askCount++;
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
    const side = this.oSide[oid];
    if (side === BUY) this.bidCount--;
    else this.askCount--;
    if (--this.lCount[lvl] === 0) this.deleteLevel(lvl);
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
    return this.contains(oid) ? this.oPrice[oid] : NaN;
  }

  sideOf(oid: number): Side {
    return (oid >= 0 && oid < this.orderCap ? this.oSide[oid] : BUY) as Side;
  }

  bestPrice(side: Side): number {
    if (side === BUY) return this.bidLen === 0 ? NaN : this.bidKeys[this.bidLen - 1];
    return this.askLen === 0 ? NaN : -this.askKeys[this.askLen - 1];
  }

  best(side: Side): number {
    if (side === BUY) return this.bidLen === 0 ? NONE : this.lHead[this.bidLevels[this.bidLen - 1]];
    return this.askLen === 0 ? NONE : this.lHead[this.askLevels[this.askLen - 1]];
  }

  next(oid: number): number {
    this.levelOf(oid, 'next');
    const n = this.oNext[oid];
    if (n !== NONE) return n;
    const side = this.oSide[oid] as Side;
    const key = side === BUY ? this.oPrice[oid] : -this.oPrice[oid];
    const idx = this.indexOf(side, key);
    if (idx <= 0) return NONE;
    const levels = side === BUY ? this.bidLevels : this.askLevels;
    return this.lHead[levels[idx - 1]];
  }

  levelQty(side: Side, price: number): number {
    const lvl = this.findLevel(side, side === BUY ? price : -price);
    return lvl === NONE ? 0 : this.lQty[lvl];
  }

  count(side: Side): number {
    return side === BUY ? this.bidCount : this.askCount;
  }

  levelCount(side: Side): number {
    return side === BUY ? this.bidLen : this.askLen;
  }

  stateHash(): string {
    return hashBook(this).digest();
  }

  validate(): void {
    let resting = 0;
    for (let s = 0; s < 2; s++) {
      const side = s as Side;
      const keys = side === BUY ? this.bidKeys : this.askKeys;
      const levels = side === BUY ? this.bidLevels : this.askLevels;
      const len = side === BUY ? this.bidLen : this.askLen;
      let orders = 0;
      for (let i = 0; i < len; i++) {
        if (i > 0 && !(keys[i - 1] < keys[i])) {
          throw new Error(`FastBook: side ${side} keys not strictly sorted at index ${i}`);
        }
        const lvl = levels[i];
        const price = this.lPrice[lvl];
        if (this.lSide[lvl] !== side || (side === BUY ? price : -price) !== keys[i]) {
          throw new Error(`FastBook: level ${lvl} at index ${i} has side/price out of its slot`);
        }
        orders += this.validateLevel(lvl, side, price);
      }
      if (orders !== (side === BUY ? this.bidCount : this.askCount)) {
        throw new Error(`FastBook: side ${side} counts ${orders} orders, counter says otherwise`);
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
    if (
      free + this.bidLen + this.askLen !== this.levelCap ||
      this.levelsUsed !== this.bidLen + this.askLen
    ) {
      throw new Error(
        `FastBook: level pool leak: ${free} free + ${this.bidLen + this.askLen} active != ${this.levelCap}`,
      );
    }
  }

  /** Walks one level's FIFO, checking links, membership and totals; returns its order count. */
  private validateLevel(lvl: number, side: Side, price: number): number {
    let n = 0;
    let qty = 0;
    let prev = NONE;
    for (let oid = this.lHead[lvl]; oid !== NONE; oid = this.oNext[oid]) {
      if (++n > this.orderCap) throw new Error(`FastBook: level ${price} has a cycle`);
      if (this.oLevel[oid] !== lvl || this.oSide[oid] !== side || this.oPrice[oid] !== price) {
        throw new Error(`FastBook: oid ${oid} in level ${price} disagrees on level/side/price`);
      }
      if (this.oPrev[oid] !== prev) throw new Error(`FastBook: oid ${oid} has a broken prev link`);
      if (!(this.oQty[oid] > 0)) throw new Error(`FastBook: oid ${oid} rests with qty <= 0`);
      qty += this.oQty[oid];
      prev = oid;
    }
    if (n === 0) throw new Error(`FastBook: empty level ${price} is still active`);
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

  /** Level of `key` on a side, or NONE. */
  private findLevel(side: Side, key: number): number {
    const idx = this.indexOf(side, key);
    if (idx < 0) return NONE;
    return side === BUY ? this.bidLevels[idx] : this.askLevels[idx];
  }

  /** Index of `key` in a side's sorted keys, or -(insertion point) - 1 when absent. */
  private indexOf(side: Side, key: number): number {
    const keys = side === BUY ? this.bidKeys : this.askKeys;
    const len = side === BUY ? this.bidLen : this.askLen;
    // Most traffic is at or near the top of the book: scan from the best end first.
    const stop = len > NEAR_SCAN ? len - NEAR_SCAN : 0;
    let i = len - 1;
    for (; i >= stop; i--) {
      const k = keys[i];
      if (k === key) return i;
      if (k < key) return -(i + 1) - 1;
    }
    if (stop === 0) return -1;
    let lo = 0;
    let hi = stop - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = keys[mid];
      if (k < key) lo = mid + 1;
      else if (k > key) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }

  /** Takes a level from the pool and inserts it at index `at` of its side. */
  private insertLevel(side: Side, key: number, price: number, at: number): number {
    if (this.freeLevel === NONE) this.growLevels();
    const lvl = this.freeLevel;
    this.freeLevel = this.lHead[lvl];
    this.levelsUsed++;
    this.lPrice[lvl] = price;
    this.lQty[lvl] = 0;
    this.lCount[lvl] = 0;
    this.lHead[lvl] = NONE;
    this.lTail[lvl] = NONE;
    this.lSide[lvl] = side;
    const keys = side === BUY ? this.bidKeys : this.askKeys;
    const levels = side === BUY ? this.bidLevels : this.askLevels;
    const len = side === BUY ? this.bidLen : this.askLen;
    if (at < len) {
      keys.copyWithin(at + 1, at, len);
      levels.copyWithin(at + 1, at, len);
    }
    keys[at] = key;
    levels[at] = lvl;
    if (side === BUY) this.bidLen = len + 1;
    else this.askLen = len + 1;
    return lvl;
  }

  private deleteLevel(lvl: number): void {
    const side = this.lSide[lvl] as Side;
    const price = this.lPrice[lvl];
    const at = this.indexOf(side, side === BUY ? price : -price);
    const keys = side === BUY ? this.bidKeys : this.askKeys;
    const levels = side === BUY ? this.bidLevels : this.askLevels;
    const len = side === BUY ? this.bidLen : this.askLen;
    if (at < len - 1) {
      keys.copyWithin(at, at + 1, len);
      levels.copyWithin(at, at + 1, len);
    }
    if (side === BUY) this.bidLen = len - 1;
    else this.askLen = len - 1;
    this.lHead[lvl] = this.freeLevel;
    this.lTail[lvl] = NONE;
    this.freeLevel = lvl;
    this.levelsUsed--;
  }

  private growOrders(min: number): void {
    let cap = this.orderCap * 2;
    while (cap < min) cap *= 2;
    const old = this.orderCap;
    this.oPrice = grow64(this.oPrice, cap);
    this.oQty = grow64(this.oQty, cap);
    const side = new Uint8Array(cap);
    side.set(this.oSide);
    this.oSide = side;
    this.oLevel = grow32(this.oLevel, cap, old);
    this.oNext = grow32(this.oNext, cap, old);
    this.oPrev = grow32(this.oPrev, cap, old);
    this.orderCap = cap;
  }

  /** Doubles the level pool and the per-side sorted arrays (each side holds at most all levels). */
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
    this.bidKeys = grow64(this.bidKeys, cap);
    this.bidLevels = grow32(this.bidLevels, cap, old);
    this.askKeys = grow64(this.askKeys, cap);
    this.askLevels = grow32(this.askLevels, cap, old);
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
