/**
 * The generator's model of one book: FastBook plus plain price-time matching. Workload
 * generators run every op through it before timing, so they only emit cancels and moves for
 * orders that are still resting and know which ops trade. It is also the "book only" engine.
 */
import { BUY, FastBook, NONE, SELL, type Side } from '../src/core/index.js';

export class SimMatcher {
  readonly book: FastBook;
  /** Resting order numbers, for O(1) uniform random picks. */
  private live: Int32Array;
  private livePos: Int32Array;
  private liveLen: number;
  /** Fills made by the last aggressive op. */
  lastFills: number;
  /** Distinct maker prices touched by the last aggressive op. */
  lastLevels: number;

  constructor(capacity = 1024) {
    this.book = new FastBook({ orderCapacity: capacity });
    this.live = new Int32Array(capacity);
    this.livePos = new Int32Array(capacity).fill(NONE);
    this.liveLen = 0;
    this.lastFills = 0;
    this.lastLevels = 0;
  }

  get liveCount(): number {
    return this.liveLen;
  }

  /** The i-th resting order number (0 <= i < liveCount), for random picks. */
  liveAt(i: number): number {
    return this.live[i];
  }

  /** Limit order: matches, then rests the remainder when `rest`; returns the lots filled. */
  limit(n: number, side: Side, price: number, qty: number, rest: boolean): number {
    const filled = this.match(side, price, qty);
    if (rest && filled < qty) {
      this.book.add(n, side, price, qty - filled);
      this.track(n);
    }
    return filled;
  }

  market(side: Side, qty: number): number {
    return this.match(side, side === BUY ? Infinity : -Infinity, qty);
  }

  cancel(n: number): void {
    this.book.remove(n);
    this.untrack(n);
  }

  /** Price change through replace: loses priority and may trade; returns the lots filled. */
  move(n: number, price: number): number {
    const side = this.book.sideOf(n);
    const qty = this.book.qtyOf(n);
    this.cancel(n);
    return this.limit(n, side, price, qty, true);
  }

  /** Quantity down in place: keeps priority. */
  reduce(n: number, qty: number): void {
    this.book.setQty(n, qty);
  }

  private match(side: Side, limit: number, qty: number): number {
    const opp: Side = side === BUY ? SELL : BUY;
    let left = qty;
    let lastPrice = NaN;
    this.lastFills = 0;
    this.lastLevels = 0;
    while (left > 0) {
      const maker = this.book.best(opp);
      if (maker === NONE) break;
      const price = this.book.priceOf(maker);
      if (side === BUY ? price > limit : price < limit) break;
      if (price !== lastPrice) {
        this.lastLevels++;
        lastPrice = price;
      }
      const open = this.book.qtyOf(maker);
      this.lastFills++;
      if (open <= left) {
        left -= open;
        this.cancel(maker);
      } else {
        this.book.setQty(maker, open - left);
        left = 0;
      }
    }
    return qty - left;
  }

  private track(n: number): void {
    if (n >= this.livePos.length) {
      let cap = this.livePos.length * 2;
      while (cap <= n) cap *= 2;
      const pos = new Int32Array(cap).fill(NONE);
      pos.set(this.livePos);
      this.livePos = pos;
    }
    if (this.liveLen === this.live.length) {
      const live = new Int32Array(this.live.length * 2);
      live.set(this.live);
      this.live = live;
    }
    this.livePos[n] = this.liveLen;
    this.live[this.liveLen++] = n;
  }

  private untrack(n: number): void {
    const at = this.livePos[n];
    const last = this.live[--this.liveLen];
    this.live[at] = last;
    this.livePos[last] = at;
    this.livePos[n] = NONE;
  }
}
