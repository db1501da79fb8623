/**
 * Per-order state of one instrument, struct-of-arrays indexed by a dense numeric handle (oid)
 * with a free list. Only the hot fields live in typed arrays; strings sit in plain arrays; the
 * fields few orders have (stop trigger, iceberg slice, expiry) sit in maps keyed by handle.
 * Invariant for a live order: filled + leaves + cancelled = quantity (no over-execution); the
 * cancelled quantity is derived from the other three, so it cannot drift from them.
 */
import type { OrderKind, Side, StpMode, TimeInForce } from './types.js';

export const KIND_CODES: readonly OrderKind[] = ['limit', 'market', 'stop', 'stopLimit'];
export const TIF_CODES: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK', 'DAY', 'GTD'];
export const STP_CODES: readonly StpMode[] = [
  'none',
  'cancelNewest',
  'cancelOldest',
  'cancelBoth',
  'decrement',
];

export const K_LIMIT = 0;
export const K_MARKET = 1;
export const K_STOP = 2;
export const K_STOP_LIMIT = 3;
export const TIF_GTC = 0;
export const TIF_IOC = 1;
export const TIF_FOK = 2;
export const TIF_DAY = 3;
export const TIF_GTD = 4;
export const STP_NONE = 0;
export const STP_CANCEL_NEWEST = 1;
export const STP_CANCEL_OLDEST = 2;
export const STP_CANCEL_BOTH = 3;
export const STP_DECREMENT = 4;

/** Where a live order is. */
export const S_FREE = 0;
/** Resting in the book (visible slice) - its hidden reserve is leaves - visible. */
export const S_RESTING = 1;
/** An untriggered stop. */
export const S_STOP = 2;
/** A market order waiting for the uncross of a call phase. */
export const S_CALL_MARKET = 3;
/** Being matched as the aggressor of the current command. */
export const S_ACTIVE = 4;

/** Bits of OrderTable.extras. */
const X_STOP = 1;
const X_DISPLAY = 2;
const X_EXPIRE = 4;

export class OrderTable {
  capacity: number;
  private freeHead = -1;
  private highWater = 0;
  live = 0;

  state: Uint8Array;
  side: Uint8Array;
  kind: Uint8Array;
  tif: Uint8Array;
  stp: Uint8Array;
  postOnly: Uint8Array;
  /** Arrival number, unique within the engine: time priority for stops and the auction. */
  serial: Float64Array;
  price: Float64Array;
  /** Everything ever ordered: filled + leaves + cancelled (cancelled is derived from it). */
  quantity: Float64Array;
  filled: Float64Array;
  leaves: Float64Array;
  /** Free-list link, reused as nothing else. */
  nextFree: Int32Array;
  /** Which of the rare fields below an order has (X_STOP | X_DISPLAY | X_EXPIRE), 0 for most. */
  extras: Uint8Array;
  clientId: string[];
  account: string[];
  /*
   * Fields most orders do not have live in small maps keyed by handle, so a plain limit order
   * costs no bytes for them: the stop trigger (stops), the iceberg slice, the DAY / GTD expiry.
   */
  private readonly stops = new Map<number, number>();
  private readonly displays = new Map<number, number>();
  private readonly expiries = new Map<number, number>();

  constructor(capacity = 1024) {
    this.capacity = capacity;
    this.state = new Uint8Array(capacity);
    this.side = new Uint8Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.tif = new Uint8Array(capacity);
    this.stp = new Uint8Array(capacity);
    this.postOnly = new Uint8Array(capacity);
    this.serial = new Float64Array(capacity);
    this.price = new Float64Array(capacity);
    this.quantity = new Float64Array(capacity);
    this.filled = new Float64Array(capacity);
    this.leaves = new Float64Array(capacity);
    this.nextFree = new Int32Array(capacity);
    this.extras = new Uint8Array(capacity);
    this.clientId = [];
    this.account = [];
  }

  /** Takes a free handle and resets its numeric fields. */
  alloc(): number {
    let oid = this.freeHead;
    if (oid >= 0) {
      this.freeHead = this.nextFree[oid];
    } else {
      if (this.highWater === this.capacity) this.grow();
      oid = this.highWater++;
    }
    this.live++;
    this.filled[oid] = 0;
    this.postOnly[oid] = 0;
    this.extras[oid] = 0;
    return oid;
  }

  release(oid: number): void {
    this.state[oid] = S_FREE;
    this.nextFree[oid] = this.freeHead;
    this.freeHead = oid;
    this.live--;
    const x = this.extras[oid];
    if (x !== 0) {
      if ((x & X_STOP) !== 0) this.stops.delete(oid);
      if ((x & X_DISPLAY) !== 0) this.displays.delete(oid);
      if ((x & X_EXPIRE) !== 0) this.expiries.delete(oid);
      this.extras[oid] = 0;
    }
  }

  /** Quantity cancelled (by the owner, STP, expiry, replace down...): the rest of quantity. */
  cancelled(oid: number): number {
    return this.quantity[oid] - this.filled[oid] - this.leaves[oid];
  }

  /** Stop trigger price in ticks, NaN when none. */
  stopPrice(oid: number): number {
    return (this.extras[oid] & X_STOP) === 0 ? NaN : this.stops.get(oid)!;
  }

  setStopPrice(oid: number, price: number): void {
    if (price === price) {
      this.stops.set(oid, price);
      this.extras[oid] |= X_STOP;
    } else if ((this.extras[oid] & X_STOP) !== 0) {
      this.stops.delete(oid);
      this.extras[oid] &= ~X_STOP;
    }
  }

  /** Iceberg slice in lots, 0 when the order shows everything. */
  display(oid: number): number {
    return (this.extras[oid] & X_DISPLAY) === 0 ? 0 : this.displays.get(oid)!;
  }

  setDisplay(oid: number, qty: number): void {
    if (qty > 0) {
      this.displays.set(oid, qty);
      this.extras[oid] |= X_DISPLAY;
    } else if ((this.extras[oid] & X_DISPLAY) !== 0) {
      this.displays.delete(oid);
      this.extras[oid] &= ~X_DISPLAY;
    }
  }

  /** Expiry time in ns, Infinity when the order does not expire. */
  expireAt(oid: number): number {
    return (this.extras[oid] & X_EXPIRE) === 0 ? Infinity : this.expiries.get(oid)!;
  }

  setExpireAt(oid: number, at: number): void {
    if (at !== Infinity) {
      this.expiries.set(oid, at);
      this.extras[oid] |= X_EXPIRE;
    } else if ((this.extras[oid] & X_EXPIRE) !== 0) {
      this.expiries.delete(oid);
      this.extras[oid] &= ~X_EXPIRE;
    }
  }

  /** Handles ever handed out (live or free): iterate 0..size-1 and check state. */
  get size(): number {
    return this.highWater;
  }

  sideOf(oid: number): Side {
    return this.side[oid] as Side;
  }

  private grow(): void {
    const cap = this.capacity * 2;
    const grow8 = (a: Uint8Array) => {
      const b = new Uint8Array(cap);
      b.set(a);
      return b;
    };
    const grow64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.state = grow8(this.state);
    this.side = grow8(this.side);
    this.kind = grow8(this.kind);
    this.tif = grow8(this.tif);
    this.stp = grow8(this.stp);
    this.postOnly = grow8(this.postOnly);
    this.serial = grow64(this.serial);
    this.price = grow64(this.price);
    this.quantity = grow64(this.quantity);
    this.filled = grow64(this.filled);
    this.leaves = grow64(this.leaves);
    const nf = new Int32Array(cap);
    nf.set(this.nextFree);
    this.nextFree = nf;
    this.extras = grow8(this.extras);
    this.capacity = cap;
  }
}
