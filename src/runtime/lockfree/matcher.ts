/**
 * The lock-free matching algorithm over a shared book. Any number of threads run it at once; no
 * thread ever holds a lock or waits for another, and every conflict is a failed CAS and a retry.
 *
 * Linearization points (see docs/concurrency.md for the argument):
 * - a fill: the successful compareExchange that lowers a resting node's `rem`;
 * - a resting insert: the successful compareExchange that bumps VERSION, taken only after the
 *   node was appended to its level AND a scan of the opposite side, started after reading that
 *   VERSION, found nothing crossing. A failed bump means another insert won: the node's
 *   remaining quantity is reclaimed (CAS to 0) and the order goes round again;
 * - a cancel (or that reclaim): the successful compareExchange of `rem` to 0.
 * Because quantity only ever moves by a successful CAS on one `rem` word, each unit is taken once.
 */
import {
  ASK_LOW,
  BID_HIGH,
  BUY,
  levelKey,
  NEXT_NODE,
  VERSION,
  type SharedBookViews,
} from './shared-book.js';

/** How an order ends its trip through place(). */
export const RESTED = 0;
export const FILLED = 1;
/** IOC / market remainder that found no more liquidity: cancelled, never rested. */
export const UNFILLED = 2;
/** The node pool is exhausted: the remainder is cancelled. */
export const NO_NODES = 3;

export const MODE_GTC = 0;
export const MODE_IOC = 1;
export const MODE_MARKET = 2;

/** Points where a matcher can be paused (debug delays, or a test hook that interleaves another). */
export type PausePoint = 'scan' | 'commit' | 'fill' | 'reclaim' | 'link';

export interface MatcherOptions {
  /** Test hook called at each pause point: run another matcher's operation here to force a race. */
  onPause?: (point: PausePoint) => void;
  /** Debug: up to this many spin iterations injected between reads and CASes (0 = off). */
  delaySpins?: number;
  /** Seed of the delay generator. */
  seed?: number;
}

/**
 * One thread's matcher. Results land in `fills` (4 ints per fill: maker slot, level, qty, maker
 * leaves) and `fillCount`, reused across calls so the hot path does not allocate.
 */
export class LockfreeMatcher {
  fills = new Int32Array(256);
  fillCount = 0;
  /** Quantity still open when place() returned (RESTED: at the moment of resting). */
  leaves = 0;
  private readonly v: SharedBookViews;
  private readonly levels: number;
  private readonly delaySpins: number;
  private readonly onPause?: (point: PausePoint) => void;
  private rng: number;
  /** Sink for the delay loop, so the JIT cannot drop it. */
  sink = 0;

  constructor(v: SharedBookViews, opts: MatcherOptions = {}) {
    this.v = v;
    this.levels = v.levels;
    this.delaySpins = opts.delaySpins ?? 0;
    this.onPause = opts.onPause;
    this.rng = (opts.seed ?? 0x9e3779b9) | 1;
  }

  /**
   * Matches one order (already validated: level in the window, or -1 for a market order) and
   * rests its remainder when `mode` is GTC. Returns RESTED, FILLED, UNFILLED or NO_NODES.
   */
  place(slot: number, side: number, level: number, qty: number, mode: number): number {
    const v = this.v;
    this.fillCount = 0;
    const limit = mode === MODE_MARKET ? (side === BUY ? this.levels - 1 : 0) : level;
    let left = qty;
    for (;;) {
      left = this.take(side, limit, left);
      this.leaves = left;
      if (left === 0) return FILLED;
      if (mode !== MODE_GTC) return UNFILLED;
      // seq-cst load: every insert whose bump we do not see here is one our own bump will race.
      const version = Atomics.load(v.header, VERSION);
      this.delay('scan');
      if (this.crosses(side, limit)) continue;
      // seq-cst add: hands out each node exactly once.
      const node = Atomics.add(v.header, NEXT_NODE, 1);
      if (node >= v.next.length) return NO_NODES;
      v.nodeSlot[node] = slot;
      v.rem[node] = left;
      this.widen(side, limit);
      this.append(levelKey(side, limit, this.levels), node);
      this.delay('commit');
      // seq-cst CAS: THE linearization point of the insert; fails iff another insert won since.
      if (Atomics.compareExchange(v.header, VERSION, version, version + 1) === version) {
        // seq-cst store: publishes the resting node for cancels (read on other threads).
        Atomics.store(v.orderNode, slot, node);
        // seq-cst load: takers may already have eaten part of it.
        this.leaves = Atomics.load(v.rem, node);
        return this.leaves === 0 ? FILLED : RESTED;
      }
      left = this.reclaim(node);
      if (left === 0) return FILLED;
    }
  }

  /** Cancels whatever is left of a resting order. Returns the quantity removed, 0 if none. */
  cancel(slot: number): number {
    // seq-cst load: pairs with the store in place() that published the node.
    const node = Atomics.load(this.v.orderNode, slot);
    return node < 0 ? 0 : this.reclaim(node);
  }

  /** Takes the whole remaining quantity of a node (CAS to 0); returns it. */
  private reclaim(node: number): number {
    const rem = this.v.rem;
    // seq-cst load, then CAS: races with takers; whoever's CAS wins owns those units.
    let r = Atomics.load(rem, node);
    while (r > 0) {
      this.delay('reclaim');
      // seq-cst CAS: the reclaim's linearization point; fails if a taker moved rem first.
      const seen = Atomics.compareExchange(rem, node, r, 0);
      if (seen === r) return r;
      r = seen;
    }
    return 0;
  }

  /** Sweeps the opposite side up to the limit level, best price first. Returns what is left. */
  private take(side: number, limit: number, left: number): number {
    const v = this.v;
    if (side === BUY) {
      // seq-cst load: asks below this were never used.
      for (let lvl = Atomics.load(v.header, ASK_LOW); lvl <= limit && left > 0; lvl++) {
        left = this.takeLevel(this.levels + lvl, lvl, left);
      }
    } else {
      // seq-cst load: bids above this were never used.
      for (let lvl = Atomics.load(v.header, BID_HIGH); lvl >= limit && left > 0; lvl--) {
        left = this.takeLevel(lvl, lvl, left);
      }
    }
    return left;
  }

  private takeLevel(key: number, level: number, left: number): number {
    const v = this.v;
    for (let n = this.firstLive(key); n !== -1 && left > 0;) {
      // seq-cst load: a fresh view of the node's remaining quantity.
      let r = Atomics.load(v.rem, n);
      while (r > 0) {
        const q = r < left ? r : left;
        this.delay('fill');
        // seq-cst CAS: the fill's linearization point; reserves q units exactly once.
        const seen = Atomics.compareExchange(v.rem, n, r, r - q);
        if (seen === r) {
          this.recordFill(v.nodeSlot[n], level, q, r - q);
          left -= q;
          break;
        }
        r = seen;
      }
      // seq-cst load: follows a link its appender published with a CAS.
      n = Atomics.load(v.next, n);
    }
    return left;
  }

  /** True if a live order on the opposite side would trade with a limit order at `limit`. */
  private crosses(side: number, limit: number): boolean {
    const v = this.v;
    if (side === BUY) {
      // seq-cst load: the widened bound is visible before any node it covers is linked.
      for (let lvl = Atomics.load(v.header, ASK_LOW); lvl <= limit; lvl++) {
        if (this.firstLiveWithQty(this.levels + lvl) !== -1) return true;
      }
    } else {
      // seq-cst load: as above, for bids.
      for (let lvl = Atomics.load(v.header, BID_HIGH); lvl >= limit; lvl--) {
        if (this.firstLiveWithQty(lvl) !== -1) return true;
      }
    }
    return false;
  }

  private firstLiveWithQty(key: number): number {
    const v = this.v;
    // seq-cst loads of next and rem: as in takeLevel (links published by the appender's CAS).
    for (let n = this.firstLive(key); n !== -1; n = Atomics.load(v.next, n)) {
      if (Atomics.load(v.rem, n) > 0) return n;
    }
    return -1;
  }

  /** First node after the level's head; drops dead nodes off the front on the way. */
  private firstLive(key: number): number {
    const v = this.v;
    // seq-cst load: the current dummy of this level.
    let h = Atomics.load(v.head, key);
    // seq-cst load: acquires the node published by the appender's CAS on this link.
    let n = Atomics.load(v.next, h);
    // seq-cst load: a dead node (rem 0) never revives, so it may become the new dummy.
    while (n !== -1 && Atomics.load(v.rem, n) === 0) {
      // seq-cst CAS: moves head forward only from the exact node we saw; losing is harmless.
      Atomics.compareExchange(v.head, key, h, n);
      h = n;
      // seq-cst load: the link after a dead node stays valid (nodes are never reused).
      n = Atomics.load(v.next, n);
    }
    return n;
  }

  /** Michael-Scott enqueue at the back of a level (time priority). */
  private append(key: number, node: number): void {
    const v = this.v;
    for (;;) {
      // seq-cst loads: the tail may lag by one node; we help it forward.
      const t = Atomics.load(v.tail, key);
      const n = Atomics.load(v.next, t);
      if (n !== -1) {
        // seq-cst CAS: helps a lagging tail; losing means someone else did.
        Atomics.compareExchange(v.tail, key, t, n);
        continue;
      }
      this.delay('link');
      // seq-cst CAS (release): links the node; its nodeSlot/rem stores happen-before this.
      if (Atomics.compareExchange(v.next, t, -1, node) === -1) {
        // seq-cst CAS: swings the tail; if it fails another appender already helped.
        Atomics.compareExchange(v.tail, key, t, node);
        return;
      }
    }
  }

  /** Widens the scan bound of a side to cover `level` before a node there can be linked. */
  private widen(side: number, level: number): void {
    const h = this.v.header;
    const index = side === BUY ? BID_HIGH : ASK_LOW;
    // seq-cst load + CAS loop: an atomic max (bids) or min (asks).
    let cur = Atomics.load(h, index);
    while (side === BUY ? level > cur : level < cur) {
      // seq-cst CAS: widening is published before our node is linked (the scan-bound argument).
      const seen = Atomics.compareExchange(h, index, cur, level);
      if (seen === cur) return;
      cur = seen;
    }
  }

  private recordFill(slot: number, level: number, qty: number, makerLeaves: number): void {
    const at = this.fillCount * 4;
    if (at + 4 > this.fills.length) {
      const grown = new Int32Array(this.fills.length * 2);
      grown.set(this.fills);
      this.fills = grown;
    }
    this.fills[at] = slot;
    this.fills[at + 1] = level;
    this.fills[at + 2] = qty;
    this.fills[at + 3] = makerLeaves;
    this.fillCount++;
  }

  /** Debug: a random pause that widens every race window. */
  private delay(point: PausePoint): void {
    if (this.onPause) this.onPause(point);
    if (this.delaySpins === 0) return;
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x;
    const spins = (x >>> 0) % this.delaySpins;
    let s = this.sink;
    for (let i = 0; i < spins; i++) s = (s + i) | 0;
    this.sink = s;
  }
}
