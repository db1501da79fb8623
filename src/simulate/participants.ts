/**
 * The simulated participants' decisions, in integer ticks and lots, with no I/O: a seeded random
 * source, a fair value that walks, market makers that quote both sides of it within an inventory
 * limit, and takers that send marketable orders (now and then a stop or an iceberg). The driver in
 * ./simulator.ts turns these intents into signed API calls.
 */

/** A seeded pseudo-random source (mulberry32): the same seed gives the same market. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

export type Side = 'buy' | 'sell';

/** One order a participant wants to send; prices in ticks, quantities in lots. */
export interface OrderIntent {
  side: Side;
  kind: 'limit' | 'market' | 'stop' | 'stopLimit';
  qty: number;
  price?: number;
  stopPrice?: number;
  displayQty?: number;
  tif?: 'GTC' | 'IOC' | 'GTD';
  postOnly?: boolean;
  /** For GTD: how long the order may rest, ms. */
  ttlMs?: number;
}

export interface FairValueOptions {
  /** Where the walk starts and what it reverts to, ticks. */
  anchor: number;
  /** Largest distance from the anchor as a fraction of it (stays inside the price band). */
  maxDeviation?: number;
  /** Step size per move, ticks (the walk moves -step..+step). */
  stepTicks?: number;
  /** Pull back towards the anchor per move, fraction of the distance. */
  reversion?: number;
}

/** A mean-reverting random walk on the tick grid, clamped to anchor ± maxDeviation. */
export class FairValue {
  readonly anchor: number;
  readonly lo: number;
  readonly hi: number;
  private readonly step: number;
  private readonly reversion: number;
  private value: number;

  constructor(o: FairValueOptions) {
    if (!Number.isSafeInteger(o.anchor) || o.anchor <= 0) {
      throw new Error(`fair value anchor must be a positive tick count, got ${o.anchor}`);
    }
    this.anchor = o.anchor;
    const dev = Math.floor(o.anchor * (o.maxDeviation ?? 0.03));
    this.lo = Math.max(1, o.anchor - dev);
    this.hi = o.anchor + dev;
    this.step = Math.max(1, o.stepTicks ?? Math.ceil(o.anchor / 20_000));
    this.reversion = o.reversion ?? 0.01;
    this.value = o.anchor;
  }

  get ticks(): number {
    return this.value;
  }

  move(rng: Rng): number {
    const pull = Math.round((this.anchor - this.value) * this.reversion);
    const next = this.value + rng.int(-this.step, this.step) + pull;
    this.value = Math.min(this.hi, Math.max(this.lo, next));
    return this.value;
  }
}

export interface MakerOptions {
  /** Distance of the first level from the fair value, ticks. */
  halfSpreadTicks?: number;
  /** Price levels per side. */
  levels?: number;
  /** Ticks between levels. */
  levelGapTicks?: number;
  /** Lots per level before limits. */
  qty?: number;
  /** |position| never exceeds this, even if every resting quote fills. */
  maxInventory?: number;
}

/** Signed position in lots: + long, - short. */
export interface Quotes {
  bids: [price: number, qty: number][];
  asks: [price: number, qty: number][];
}

/**
 * A market maker: after cancelling its quotes it posts `levels` bids and asks around the fair
 * value, skewed against its position, sized so that the position stays within ±maxInventory
 * even if every quote fills.
 */
export class MarketMaker {
  inventory = 0;
  readonly halfSpread: number;
  readonly levels: number;
  readonly gap: number;
  readonly qty: number;
  readonly maxInventory: number;

  constructor(o: MakerOptions = {}) {
    this.halfSpread = Math.max(1, o.halfSpreadTicks ?? 3);
    this.levels = Math.max(1, o.levels ?? 3);
    this.gap = Math.max(1, o.levelGapTicks ?? 2);
    this.qty = Math.max(1, o.qty ?? 100);
    this.maxInventory = Math.max(this.qty, o.maxInventory ?? 2000);
  }

  /** Records a fill of one of this maker's orders. */
  onFill(side: Side, qty: number): void {
    this.inventory += side === 'buy' ? qty : -qty;
  }

  /** The full set of quotes to rest now (the caller has cancelled the previous set). */
  quotes(fair: number, rng: Rng): Quotes {
    // Skew: a long maker lowers both sides (sells more eagerly), a short one raises them.
    const skew = -Math.round((this.inventory / this.maxInventory) * this.halfSpread);
    const out: Quotes = { bids: [], asks: [] };
    let buyRoom = this.maxInventory - this.inventory;
    let sellRoom = this.maxInventory + this.inventory;
    for (let i = 0; i < this.levels; i++) {
      const size = () => this.qty + rng.int(0, this.qty);
      const bid = fair + skew - this.halfSpread - i * this.gap;
      const ask = fair + skew + this.halfSpread + i * this.gap;
      const bq = Math.min(size(), buyRoom);
      if (bq > 0 && bid > 0) {
        out.bids.push([bid, bq]);
        buyRoom -= bq;
      }
      const aq = Math.min(size(), sellRoom);
      if (aq > 0) {
        out.asks.push([ask, aq]);
        sellRoom -= aq;
      }
    }
    return out;
  }
}

export interface TakerOptions {
  /** Largest order, lots. */
  maxQty?: number;
  /** The taker trades only towards flat beyond this |position|. */
  maxInventory?: number;
  /** Share of orders that are stops (stop or stop-limit, resting until triggered or expired). */
  stopShare?: number;
  /** Share of orders that are icebergs (a resting limit with a small visible slice). */
  icebergShare?: number;
  /** Share of plain market orders among the marketable ones (the rest are IOC limits). */
  marketShare?: number;
}

/** The best prices a taker sees, ticks; undefined for an empty side. */
export interface Touch {
  bid?: number;
  ask?: number;
}

/**
 * A taker: mostly marketable orders (IOC limits a few ticks through the touch, or market orders),
 * leaning towards the fair value; now and then a stop beyond the touch or an iceberg near it,
 * both GTD so that they expire.
 */
export class Taker {
  inventory = 0;
  readonly maxQty: number;
  readonly maxInventory: number;
  private readonly stopShare: number;
  private readonly icebergShare: number;
  private readonly marketShare: number;

  constructor(o: TakerOptions = {}) {
    this.maxQty = Math.max(1, o.maxQty ?? 150);
    this.maxInventory = Math.max(this.maxQty, o.maxInventory ?? 3000);
    this.stopShare = o.stopShare ?? 0.04;
    this.icebergShare = o.icebergShare ?? 0.04;
    this.marketShare = o.marketShare ?? 0.3;
  }

  onFill(side: Side, qty: number): void {
    this.inventory += side === 'buy' ? qty : -qty;
  }

  /** The next order, or undefined when the book gives nothing to act on. */
  next(fair: number, touch: Touch, rng: Rng): OrderIntent | undefined {
    const mid =
      touch.bid !== undefined && touch.ask !== undefined
        ? (touch.bid + touch.ask) / 2
        : (touch.bid ?? touch.ask ?? fair);
    // Lean towards the fair value: buy when the market is below it.
    const pBuy = Math.min(0.85, Math.max(0.15, 0.5 + (fair - mid) / Math.max(1, fair * 0.002)));
    let side: Side = rng.chance(pBuy) ? 'buy' : 'sell';
    if (this.inventory >= this.maxInventory) side = 'sell';
    if (this.inventory <= -this.maxInventory) side = 'buy';
    const room = this.maxInventory + (side === 'buy' ? -this.inventory : this.inventory);
    const qty = Math.min(rng.int(1, this.maxQty), room);
    if (qty <= 0) return undefined;

    const r = rng.next();
    if (r < this.stopShare) {
      // A stop beyond the touch on its side: a buy stop above the ask, a sell stop below the bid.
      const ref = side === 'buy' ? (touch.ask ?? fair) : (touch.bid ?? fair);
      const away = rng.int(5, 20);
      const stopPrice = side === 'buy' ? ref + away : ref - away;
      if (stopPrice <= 0) return undefined;
      if (rng.chance(0.5)) return { side, kind: 'stop', stopPrice, qty, tif: 'GTD', ttlMs: 30_000 };
      const price = side === 'buy' ? stopPrice + 5 : stopPrice - 5;
      if (price <= 0) return undefined;
      return { side, kind: 'stopLimit', stopPrice, price, qty, tif: 'GTD', ttlMs: 30_000 };
    }
    if (r < this.stopShare + this.icebergShare) {
      // An iceberg resting at or just behind the touch, a tenth of it visible.
      const big = qty * 5;
      const total = Math.min(big, room);
      const price = side === 'buy' ? (touch.bid ?? fair - 1) : (touch.ask ?? fair + 1);
      if (price <= 0 || total <= 0) return undefined;
      const displayQty = Math.max(1, Math.floor(total / 10));
      return { side, kind: 'limit', price, qty: total, displayQty, tif: 'GTD', ttlMs: 20_000 };
    }
    const far = side === 'buy' ? touch.ask : touch.bid;
    if (far === undefined) return undefined;
    if (rng.chance(this.marketShare)) return { side, kind: 'market', qty };
    const through = rng.int(0, 3);
    const price = side === 'buy' ? far + through : far - through;
    if (price <= 0) return undefined;
    return { side, kind: 'limit', price, qty, tif: 'IOC' };
  }
}
