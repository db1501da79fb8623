/**
 * Memory layout of one instrument's book in a SharedArrayBuffer, shared by every matching thread.
 *
 * Prices are levels of a fixed window [minPrice, minPrice + levels). Each (side, level) is a
 * Michael-Scott FIFO of order nodes: `head` points at a dead "dummy" node, the live queue starts at
 * `next[head]`. Nodes are never reused (a bump allocator hands them out), so there is no ABA and a
 * node's `next` stays valid forever; a node whose `rem` reached 0 is dead for good and is skipped,
 * then dropped from the front of its level by whoever walks past it.
 *
 * Struct of arrays, all Int32: `next`, `rem` (remaining quantity: the word every fill CASes) and
 * `nodeSlot` (which order a node belongs to) per node; `orderNode` per order slot.
 */

export const BUY = 0;
export const SELL = 1;

// Int32 indexes into the header; each mutable word sits alone on a 64-byte line.
const LEVELS = 0;
const MIN_PRICE = 1;
const MAX_NODES = 2;
const MAX_ORDERS = 3;
/** Incremented by every successful rest: the linearization point of a resting insert. */
export const VERSION = 16;
/** Lowest ask level ever used (only decreases): scans of the ask side start here. */
export const ASK_LOW = 32;
/** Highest bid level ever used (only increases): scans of the bid side start here. */
export const BID_HIGH = 48;
/** Next free node (bump allocator). */
export const NEXT_NODE = 64;
const HEADER_INTS = 96;

export interface SharedBookOptions {
  /** Lowest price (ticks) the window accepts. */
  minPrice: number;
  /** Number of price levels in the window (default 65536). */
  levels?: number;
  /** Node pool: one node per resting attempt, never reused (default 2^20). */
  maxNodes?: number;
  /** Order slots: one per accepted order (default 2^20). */
  maxOrders?: number;
}

export interface SharedBookViews {
  header: Int32Array;
  head: Int32Array;
  tail: Int32Array;
  next: Int32Array;
  rem: Int32Array;
  nodeSlot: Int32Array;
  orderNode: Int32Array;
  levels: number;
  minPrice: number;
  maxNodes: number;
  maxOrders: number;
}

export function createSharedBook(opts: SharedBookOptions): SharedArrayBuffer {
  const levels = opts.levels ?? 65536;
  const maxNodes = opts.maxNodes ?? 1 << 20;
  const maxOrders = opts.maxOrders ?? 1 << 20;
  if (!Number.isSafeInteger(opts.minPrice) || opts.minPrice < 0) {
    throw new Error(`lockfree book: minPrice must be a non-negative integer, got ${opts.minPrice}`);
  }
  for (const [name, v] of [
    ['levels', levels],
    ['maxNodes', maxNodes],
    ['maxOrders', maxOrders],
  ] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 1 << 26) {
      throw new Error(`lockfree book: ${name} must be an integer in [1, 2^26], got ${v}`);
    }
  }
  const nodes = 2 * levels + maxNodes;
  const ints = HEADER_INTS + 4 * levels + 3 * nodes + maxOrders;
  const sab = new SharedArrayBuffer(ints * 4);
  const header = new Int32Array(sab, 0, HEADER_INTS);
  header[LEVELS] = levels;
  header[MIN_PRICE] = opts.minPrice;
  header[MAX_NODES] = maxNodes;
  header[MAX_ORDERS] = maxOrders;
  header[ASK_LOW] = levels;
  header[BID_HIGH] = -1;
  // Nodes 0 .. 2*levels-1 are the initial dummies, one per (side, level).
  header[NEXT_NODE] = 2 * levels;
  const v = viewSharedBook(sab);
  for (let k = 0; k < 2 * levels; k++) {
    v.head[k] = k;
    v.tail[k] = k;
  }
  v.next.fill(-1);
  v.orderNode.fill(-1);
  return sab;
}

export function viewSharedBook(sab: SharedArrayBuffer): SharedBookViews {
  const header = new Int32Array(sab, 0, HEADER_INTS);
  const levels = header[LEVELS];
  const maxNodes = header[MAX_NODES];
  const maxOrders = header[MAX_ORDERS];
  const nodes = 2 * levels + maxNodes;
  let at = HEADER_INTS * 4;
  const take = (n: number): Int32Array => {
    const a = new Int32Array(sab, at, n);
    at += n * 4;
    return a;
  };
  return {
    header,
    head: take(2 * levels),
    tail: take(2 * levels),
    next: take(nodes),
    rem: take(nodes),
    nodeSlot: take(nodes),
    orderNode: take(maxOrders),
    levels,
    minPrice: header[MIN_PRICE],
    maxNodes,
    maxOrders,
  };
}

/** Key of a (side, level) queue in `head` / `tail`; also the index of its initial dummy node. */
export const levelKey = (side: number, level: number, levels: number): number =>
  side * levels + level;

export interface RestingView {
  slot: number;
  side: number;
  price: number;
  qty: number;
}

/**
 * Walks the live resting orders in priority order (bids high to low, then asks low to high). A
 * consistent picture only when no thread is matching; while they are, each order's quantity is
 * a fresh atomic read and the walk as a whole is not a snapshot.
 */
export function walkResting(v: SharedBookViews, visit: (o: RestingView) => void): void {
  for (const side of [BUY, SELL]) {
    // seq-cst loads: the bounds only ever widen, so reading them once is enough for a walk.
    const from = side === BUY ? Atomics.load(v.header, BID_HIGH) : Atomics.load(v.header, ASK_LOW);
    const step = side === BUY ? -1 : 1;
    for (let lvl = from; lvl >= 0 && lvl < v.levels; lvl += step) {
      const key = levelKey(side, lvl, v.levels);
      // seq-cst loads: acquire each node's fields, which its appender wrote before linking it.
      for (let n = Atomics.load(v.next, Atomics.load(v.head, key)); n !== -1;) {
        const qty = Atomics.load(v.rem, n);
        if (qty > 0) visit({ slot: v.nodeSlot[n], side, price: v.minPrice + lvl, qty });
        // seq-cst load: follows a link published by a CAS.
        n = Atomics.load(v.next, n);
      }
    }
  }
}
