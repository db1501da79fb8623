/**
 * One instrument's matching engine: continuous price-time matching, stops, icebergs, self-trade
 * prevention, expiry, price bands and volatility halts. Call phases and the uncross live in
 * call-phase.ts; both share this class's state. Every change is reported as an event.
 */
import { findUncross, type AuctionInterest, type UncrossResult } from './auction.js';
import { NONE, type OrderBook } from './book/order-book.js';
import type { PlaceOrder, ReplaceOrder } from './commands.js';
import { formatSteps, parseStep, type Decimal } from './decimal.js';
import type { BookLevelView, EngineEvent } from './events.js';
import {
  A_DISPLAY,
  A_EXPIRE,
  A_KIND,
  A_OID,
  A_POST_ONLY,
  A_PRICE,
  A_QTY,
  A_SIDE,
  A_STOP,
  A_STP,
  A_TIF,
  EV_ACCEPTED,
  EV_CANCELLED,
  EV_REDUCED,
  EV_REPLACED,
  EV_TRADE,
  EV_TRIGGERED,
  NUM_STRIDE,
  STR_STRIDE,
  T_AGGRESSOR,
  T_AUCTION,
  T_ID,
  T_MAKER_LEAVES,
  T_MAKER_OID,
  T_PRICE,
  T_QTY,
  T_TAKER_LEAVES,
  T_TAKER_OID,
  type EventBuffer,
} from './event-buffer.js';
import { ExpiryHeap } from './expiry-heap.js';
import { limitsOf, MAX_EXACT, onTimeGrid } from './limits.js';
import {
  K_LIMIT,
  K_MARKET,
  K_STOP,
  K_STOP_LIMIT,
  KIND_CODES,
  OrderTable,
  S_ACTIVE,
  S_CALL_MARKET,
  S_FREE,
  S_RESTING,
  S_STOP,
  STP_CANCEL_BOTH,
  STP_CANCEL_NEWEST,
  STP_CANCEL_OLDEST,
  STP_CODES,
  STP_DECREMENT,
  STP_NONE,
  TIF_CODES,
  TIF_DAY,
  TIF_FOK,
  TIF_GTD,
  TIF_IOC,
} from './order-table.js';
import { CANCEL_REASONS, type CancelReason, type RejectReason } from './reasons.js';
import { BUY, NS_PER_DAY, SELL, type InstrumentConfig, type Phase, type Side } from './types.js';

/** Shared across the instruments of one engine: sequence numbers and the output buffer. */
export interface MatcherContext {
  seq: number;
  serial: number;
  buf: EventBuffer;
}

/** Cancel reason -> its index in CANCEL_REASONS (the event buffer stores the index). */
const CANCEL_CODE: Record<CancelReason, number> = Object.fromEntries(
  CANCEL_REASONS.map((r, i) => [r, i]),
) as Record<CancelReason, number>;

/** How a taker's matching loop ended, when it ended early. */
const RUN_DONE = 0;
const RUN_STP = 1;
const RUN_BAND = 2;
const RUN_HALT = 3;
/** The taker itself was closed by STP decrement. */
const RUN_CLOSED = 4;

const DEFAULT_HALT_PAUSE_NS = 300_000_000_000;

export class Matcher {
  readonly symbol: string;
  /** This instrument's index in its Exchange (Exchange.instrumentIndex). */
  readonly index: number;
  readonly config: InstrumentConfig;
  readonly tick: Decimal;
  readonly lot: Decimal;
  /** Price band in basis points of the reference (0: no band). */
  readonly bandBps: number;
  readonly defaultStp: number;
  readonly haltPauseNs: number;
  /** Exactness limits (limits.ts): largest order quantity, largest price, most live orders. */
  readonly maxQty: number;
  readonly maxPrice: number;
  readonly maxLive: number;
  readonly book: OrderBook;
  readonly orders: OrderTable;
  phase: Phase;
  lastPrice = NaN;
  /** Trade ids count per instrument, so a symbol trades identically whichever engine owns it. */
  tradeCount = 0;
  referencePrice: number;
  haltUntil = NaN;
  clock = 0;
  /** Untriggered stops in arrival order. */
  stops: number[] = [];
  /** Market orders waiting for the uncross, per side, in arrival order. */
  callMarkets: [number[], number[]] = [[], []];
  readonly expiries = new ExpiryHeap();
  /** Band reference frozen for the current command. */
  private bandRef = NaN;

  constructor(
    config: InstrumentConfig,
    book: OrderBook,
    private readonly ctx: MatcherContext,
    index = 0,
    orderCapacity?: number,
  ) {
    this.symbol = config.symbol;
    this.index = index;
    this.orders = new OrderTable(orderCapacity);
    this.config = config;
    this.tick = parseStep(config.tickSize);
    this.lot = parseStep(config.lotSize);
    this.bandBps = config.bandPct === undefined ? 0 : bandToBps(config.bandPct);
    this.defaultStp = STP_CODES.indexOf(config.stp ?? 'none');
    this.haltPauseNs = config.haltPauseNs ?? DEFAULT_HALT_PAUSE_NS;
    const limits = limitsOf(config);
    this.maxQty = limits.maxQty;
    this.maxPrice = limits.maxPrice;
    this.maxLive = limits.maxLive;
    this.book = book;
    this.phase = config.phase ?? 'continuous';
    this.referencePrice = config.referencePrice ?? NaN;
  }

  // ---- time ---------------------------------------------------------------------------------

  /** Advances this instrument's clock, expires due orders and ends a due volatility halt. */
  begin(ts: number | undefined): void {
    if (ts !== undefined && ts > this.clock) this.clock = onTimeGrid(ts);
    if (this.clock >= this.expiries.peekAt()) this.expireDue();
    if (this.phase === 'halted' && this.clock >= this.haltUntil) this.reopenAfterHalt();
    this.bandRef = this.reference();
  }

  reference(): number {
    return this.lastPrice === this.lastPrice ? this.lastPrice : this.referencePrice;
  }

  private expireDue(): void {
    const o = this.orders;
    const heap = this.expiries;
    while (heap.size > 0 && heap.peekAt() <= this.clock) {
      const oid = heap.peekOid();
      const serial = heap.peekSerial();
      heap.pop();
      if (o.state[oid] !== S_FREE && o.serial[oid] === serial) this.cancelLive(oid, 'expired');
    }
  }

  /** Hook for call-phase.ts, which knows how to reopen; set by the Exchange. */
  reopenAfterHalt: () => void = () => {};

  // ---- place --------------------------------------------------------------------------------

  /** Returns the new order's handle, or -1 when rejected. */
  place(cmd: PlaceOrder): number {
    if (this.phase === 'closed')
      return this.rejectPlace(cmd, 'market_closed', `${this.symbol} is closed`);
    if (this.phase === 'halted') return this.rejectPlace(cmd, 'halted', `${this.symbol} is halted`);
    const kind = KIND_CODES.indexOf(cmd.kind);
    const qty = cmd.qty;
    if (kind < 0) return this.rejectPlace(cmd, 'invalid_order', `unknown kind ${cmd.kind}`);
    if (!isPositiveInt(qty))
      return this.rejectPlace(cmd, 'invalid_qty', `quantity must be positive`);
    const hasLimit = kind === K_LIMIT || kind === K_STOP_LIMIT;
    const price = hasLimit ? cmd.price : undefined;
    if (hasLimit && (price === undefined || !isPositiveInt(price))) {
      return this.rejectPlace(cmd, 'invalid_price', `a ${cmd.kind} order needs a positive price`);
    }
    const isStop = kind === K_STOP || kind === K_STOP_LIMIT;
    if (isStop && (cmd.stopPrice === undefined || !isPositiveInt(cmd.stopPrice))) {
      return this.rejectPlace(
        cmd,
        'invalid_price',
        `a ${cmd.kind} order needs a positive stopPrice`,
      );
    }
    if (qty > this.maxQty || price! > this.maxPrice || (isStop && cmd.stopPrice! > this.maxPrice)) {
      return this.rejectPlace(cmd, 'too_large', this.tooLarge(qty, price, cmd.stopPrice));
    }
    if (this.orders.live >= this.maxLive) {
      return this.rejectPlace(
        cmd,
        'too_large',
        `${this.symbol} already holds its maximum of ${this.maxLive} live orders`,
      );
    }
    const tif = TIF_CODES.indexOf(
      cmd.tif ?? (kind === K_MARKET || kind === K_STOP ? 'IOC' : 'GTC'),
    );
    if (tif < 0) return this.rejectPlace(cmd, 'invalid_order', `unknown time in force ${cmd.tif}`);
    const inCall = this.phase === 'preopen' || this.phase === 'preclose';
    if (tif === TIF_FOK && inCall) {
      return this.rejectPlace(
        cmd,
        'invalid_order',
        `FOK orders are not accepted during a call phase`,
      );
    }
    let expireAt = Infinity;
    if (tif === TIF_GTD) {
      if (cmd.expireAt === undefined || !Number.isInteger(cmd.expireAt) || cmd.expireAt <= 0) {
        return this.rejectPlace(cmd, 'invalid_order', `a GTD order needs expireAt`);
      }
      expireAt = onTimeGrid(cmd.expireAt);
      if (expireAt <= this.clock)
        return this.rejectPlace(cmd, 'expired', `expireAt is already past`);
    } else if (tif === TIF_DAY) {
      // The end of the UTC day, by remainder (exact) rather than a division (rounded).
      expireAt = this.clock - (this.clock % NS_PER_DAY) + NS_PER_DAY;
    }
    if (cmd.postOnly === true && (kind !== K_LIMIT || tif === TIF_IOC || tif === TIF_FOK)) {
      return this.rejectPlace(cmd, 'invalid_order', `post-only needs a resting limit order`);
    }
    const display = cmd.displayQty ?? 0;
    if (cmd.displayQty !== undefined) {
      if (
        !isPositiveInt(display) ||
        display > qty ||
        !hasLimit ||
        tif === TIF_IOC ||
        tif === TIF_FOK
      ) {
        return this.rejectPlace(
          cmd,
          'invalid_order',
          `displayQty must be a positive part of a resting limit order`,
        );
      }
    }
    const stp = cmd.stp === undefined ? this.defaultStp : STP_CODES.indexOf(cmd.stp);
    if (stp < 0) return this.rejectPlace(cmd, 'invalid_order', `unknown stp mode ${cmd.stp}`);
    const side: Side = cmd.side === 'buy' ? BUY : SELL;
    // A stop-limit's price is judged when it triggers, against the band of that moment.
    if (kind === K_LIMIT && !this.inBand(price!)) {
      return this.rejectPlace(
        cmd,
        'outside_price_band',
        `price ${this.px(price!)} is outside the price band ${this.bandText()}`,
      );
    }
    if (isStop && this.stopHolds(side, cmd.stopPrice!)) {
      return this.rejectPlace(
        cmd,
        'stop_already_triggered',
        `last price ${this.px(this.lastPrice)} already meets stop ${this.px(cmd.stopPrice!)}`,
      );
    }
    if (this.phase === 'continuous' && !isStop) {
      if (cmd.postOnly === true && this.crosses(side, price!)) {
        return this.rejectPlace(
          cmd,
          'post_only_would_cross',
          `post-only order at ${this.px(price!)} would cross the book`,
        );
      }
      if (tif === TIF_FOK && !this.fillable(side, price ?? NaN, qty, cmd.account, stp)) {
        return this.rejectPlace(cmd, 'fok_unfillable', `cannot fill ${this.lots(qty)} in full`);
      }
    }

    const o = this.orders;
    const oid = o.alloc();
    o.serial[oid] = ++this.ctx.serial;
    o.side[oid] = side;
    o.kind[oid] = kind;
    o.tif[oid] = tif;
    o.stp[oid] = stp;
    o.postOnly[oid] = cmd.postOnly === true ? 1 : 0;
    o.price[oid] = price ?? NaN;
    o.setStopPrice(oid, isStop ? cmd.stopPrice! : NaN);
    o.quantity[oid] = qty;
    o.leaves[oid] = qty;
    o.setDisplay(oid, display);
    o.setExpireAt(oid, expireAt);
    o.clientId[oid] = cmd.orderId;
    o.account[oid] = cmd.account;
    this.emitAccepted(oid);
    if (expireAt !== Infinity) this.expiries.push(expireAt, o.serial[oid], oid);

    if (isStop) {
      o.state[oid] = S_STOP;
      this.stops.push(oid);
    } else if (inCall) {
      this.enterCall(oid);
      this.publishIndicative();
    } else {
      this.runTaker(oid);
      this.runStops();
    }
    return oid;
  }

  /** Puts an order into the call: limits rest unmatched, market orders wait for the uncross. */
  enterCall(oid: number): void {
    const o = this.orders;
    if (o.kind[oid] === K_MARKET || o.kind[oid] === K_STOP) {
      o.state[oid] = S_CALL_MARKET;
      this.callMarkets[o.side[oid]].push(oid);
    } else {
      this.rest(oid);
    }
  }

  /** Matches an active order as the aggressor, then rests or cancels what is left. */
  private runTaker(t: number): void {
    const o = this.orders;
    o.state[t] = S_ACTIVE;
    const run = this.match(t);
    if (run === RUN_CLOSED) return;
    if (o.leaves[t] === 0) {
      this.finish(t);
      return;
    }
    const isMarket = o.price[t] !== o.price[t];
    if (run === RUN_STP) this.cancelLive(t, 'stp');
    else if (o.tif[t] === TIF_IOC && !isMarket) this.cancelLive(t, 'ioc');
    else if (o.tif[t] === TIF_FOK) this.cancelLive(t, 'fok');
    else if (run === RUN_HALT) this.enterCall(t);
    else if (isMarket) this.cancelLive(t, run === RUN_BAND ? 'price_band' : 'no_liquidity');
    else this.rest(t);
  }

  /** The matching loop: best opposite level first, oldest order first, at the maker's price. */
  private match(t: number): number {
    const o = this.orders;
    const book = this.book;
    const side = o.side[t] as Side;
    const opp = (side ^ 1) as Side;
    const limit = o.price[t];
    const hasLimit = limit === limit;
    while (o.leaves[t] > 0) {
      const m = book.best(opp);
      if (m === NONE) return RUN_DONE;
      const mp = book.priceOf(m);
      if (hasLimit && (side === BUY ? mp > limit : mp < limit)) return RUN_DONE;
      if (!this.inBand(mp)) {
        // A market order sent as such is protected; any other print outside the band halts.
        if (o.kind[t] === K_MARKET) return RUN_BAND;
        this.volatilityHalt();
        return RUN_HALT;
      }
      const stp = o.stp[t];
      if (stp !== STP_NONE && o.account[m] === o.account[t]) {
        if (stp === STP_CANCEL_NEWEST) return RUN_STP;
        if (stp === STP_CANCEL_OLDEST) {
          this.cancelLive(m, 'stp');
          continue;
        }
        if (stp === STP_CANCEL_BOTH) {
          this.cancelLive(m, 'stp');
          return RUN_STP;
        }
        if (stp === STP_DECREMENT) {
          const overlap = Math.min(o.leaves[t], o.leaves[m]);
          this.decrement(m, overlap);
          if (o.leaves[t] === overlap) {
            this.cancelLive(t, 'stp');
            return RUN_CLOSED;
          }
          this.decrement(t, overlap);
          continue;
        }
      }
      const visible = book.qtyOf(m);
      const q = o.leaves[t] < visible ? o.leaves[t] : visible;
      o.leaves[m] -= q;
      o.filled[m] += q;
      o.leaves[t] -= q;
      o.filled[t] += q;
      this.lastPrice = mp;
      this.emitTrade(m, t, mp, q, false);
      if (visible > q) {
        book.setQty(m, visible - q);
      } else {
        book.remove(m);
        if (o.leaves[m] > 0) book.add(m, opp, mp, this.slice(m));
        else this.finish(m);
      }
    }
    return RUN_DONE;
  }

  /** STP decrement: shrink an order without a trade; cancel it when nothing is left. */
  private decrement(oid: number, by: number): void {
    const o = this.orders;
    if (o.leaves[oid] === by) {
      this.cancelLive(oid, 'stp');
      return;
    }
    o.leaves[oid] -= by;
    if (o.state[oid] === S_RESTING) {
      const visible = this.book.qtyOf(oid);
      if (visible > o.leaves[oid]) this.book.setQty(oid, o.leaves[oid]);
    }
    this.emitOrder(EV_REDUCED, oid, by, o.leaves[oid]);
  }

  /** The visible slice an order shows when it (re)enters a level. */
  private slice(oid: number): number {
    const o = this.orders;
    const d = o.display(oid);
    return d > 0 && d < o.leaves[oid] ? d : o.leaves[oid];
  }

  rest(oid: number): void {
    const o = this.orders;
    o.state[oid] = S_RESTING;
    this.book.add(oid, o.side[oid] as Side, o.price[oid], this.slice(oid));
  }

  /** Releases a fully filled order. */
  private finish(oid: number): void {
    this.orders.release(oid);
  }

  /** Removes a live order from wherever it is and reports it cancelled. */
  cancelLive(oid: number, reason: CancelReason): void {
    const o = this.orders;
    const state = o.state[oid];
    if (state === S_RESTING) this.book.remove(oid);
    else if (state === S_STOP) this.stops.splice(this.stops.indexOf(oid), 1);
    else if (state === S_CALL_MARKET) {
      const list = this.callMarkets[o.side[oid]];
      list.splice(list.indexOf(oid), 1);
    }
    const remaining = o.leaves[oid];
    o.leaves[oid] = 0;
    this.emitOrder(EV_CANCELLED, oid, remaining, CANCEL_CODE[reason]);
    o.release(oid);
  }

  // ---- stops --------------------------------------------------------------------------------

  private stopHolds(side: Side, stopPrice: number): boolean {
    const last = this.lastPrice;
    if (last !== last) return false;
    return side === BUY ? last >= stopPrice : last <= stopPrice;
  }

  /** Triggers every stop whose condition holds, in arrival order, until none does. */
  runStops(): void {
    const o = this.orders;
    while (this.stops.length > 0 && this.phase === 'continuous') {
      const fire: number[] = [];
      for (const s of this.stops)
        if (this.stopHolds(o.side[s] as Side, o.stopPrice(s))) fire.push(s);
      if (fire.length === 0) return;
      this.stops = this.stops.filter((s) => !fire.includes(s));
      for (const s of fire) {
        this.emitOrder(EV_TRIGGERED, s, o.stopPrice(s), this.lastPrice);
        o.state[s] = S_ACTIVE;
        if (this.phase !== 'continuous') this.enterCall(s);
        else if (
          o.tif[s] === TIF_FOK &&
          !this.fillable(o.side[s] as Side, o.price[s], o.leaves[s], o.account[s], o.stp[s])
        ) {
          this.cancelLive(s, 'fok');
        } else this.runTaker(s);
      }
    }
  }

  // ---- cancel / replace ---------------------------------------------------------------------

  cancel(oid: number): void {
    this.cancelLive(oid, 'user');
    if (this.inCall()) this.publishIndicative();
  }

  replace(oid: number, cmd: ReplaceOrder): void {
    const o = this.orders;
    if (this.phase === 'closed')
      return this.rejectOrder(cmd, 'market_closed', `${this.symbol} is closed`);
    if (this.phase === 'halted') return this.rejectOrder(cmd, 'halted', `${this.symbol} is halted`);
    const state = o.state[oid];
    const price = o.price[oid];
    const hasLimit = price === price;
    if (cmd.price !== undefined && (!hasLimit || !isPositiveInt(cmd.price))) {
      return this.rejectOrder(
        cmd,
        'invalid_price',
        `${hasLimit ? 'price must be positive' : 'a market order has no price'}`,
      );
    }
    if (cmd.stopPrice !== undefined && (state !== S_STOP || !isPositiveInt(cmd.stopPrice))) {
      return this.rejectOrder(cmd, 'invalid_order', `only an untriggered stop has a stop price`);
    }
    if (cmd.qty !== undefined && !isPositiveInt(cmd.qty)) {
      return this.rejectOrder(cmd, 'invalid_qty', `quantity must be positive`);
    }
    if (
      (cmd.price !== undefined && cmd.price > this.maxPrice) ||
      (cmd.stopPrice !== undefined && cmd.stopPrice > this.maxPrice)
    ) {
      return this.rejectOrder(cmd, 'too_large', this.tooLarge(0, cmd.price, cmd.stopPrice));
    }
    // What one order can ever fill stays within maxQty (so its filled notional stays exact), and
    // its running total quantity (cancelled reductions included) stays below 2^53.
    if (
      cmd.qty !== undefined &&
      (cmd.qty > this.maxQty - o.filled[oid] ||
        o.quantity[oid] + Math.max(0, cmd.qty - o.leaves[oid]) > MAX_EXACT)
    ) {
      return this.rejectOrder(
        cmd,
        'too_large',
        `filled ${this.lots(o.filled[oid])} plus open ${this.lots(cmd.qty)} is above the maximum order quantity ${this.lots(this.maxQty)}`,
      );
    }
    const newPrice = cmd.price ?? price;
    const newQty = cmd.qty ?? o.leaves[oid];
    const oldStop = o.stopPrice(oid);
    const newStop = cmd.stopPrice ?? oldStop;
    const samePrice = newPrice === price || (!hasLimit && newPrice !== newPrice);
    const sameStop = newStop === oldStop || (newStop !== newStop && oldStop !== oldStop);
    if (samePrice && sameStop && newQty === o.leaves[oid]) {
      return this.rejectOrder(cmd, 'no_change', `nothing would change`);
    }
    const side = o.side[oid] as Side;
    if (!samePrice && state !== S_STOP && !this.inBand(newPrice)) {
      return this.rejectOrder(
        cmd,
        'outside_price_band',
        `price ${this.px(newPrice)} is outside the price band ${this.bandText()}`,
      );
    }
    if (!sameStop && this.stopHolds(side, newStop)) {
      return this.rejectOrder(
        cmd,
        'stop_already_triggered',
        `last price already meets stop ${this.px(newStop)}`,
      );
    }
    if (
      !samePrice &&
      state === S_RESTING &&
      o.postOnly[oid] === 1 &&
      this.phase === 'continuous' &&
      this.crosses(side, newPrice)
    ) {
      return this.rejectOrder(
        cmd,
        'post_only_would_cross',
        `post-only order at ${this.px(newPrice)} would cross the book`,
      );
    }

    const keepPriority = samePrice && sameStop && newQty < o.leaves[oid];
    const delta = newQty - o.leaves[oid];
    // A larger open quantity is more ordered; a smaller one is cancelled (derived from leaves).
    if (delta > 0) o.quantity[oid] += delta;
    o.leaves[oid] = newQty;
    o.price[oid] = newPrice;
    o.setStopPrice(oid, newStop);
    this.emitReplaced(oid, hasLimit ? newPrice : NaN, newStop, newQty, keepPriority);
    if (keepPriority) {
      if (state === S_RESTING && this.book.qtyOf(oid) > newQty) this.book.setQty(oid, newQty);
    } else if (state === S_STOP) {
      this.stops.splice(this.stops.indexOf(oid), 1);
      this.stops.push(oid);
    } else if (state === S_CALL_MARKET) {
      const list = this.callMarkets[side];
      list.splice(list.indexOf(oid), 1);
      list.push(oid);
    } else {
      this.book.remove(oid);
      if (this.phase === 'continuous') {
        this.runTaker(oid);
        this.runStops();
      } else this.rest(oid);
    }
    if (this.inCall()) this.publishIndicative();
  }

  /** Cancels every live order of an account here; returns how many. */
  massCancel(account: string): number {
    const o = this.orders;
    const victims: number[] = [];
    for (let oid = 0; oid < o.size; oid++) {
      if (o.state[oid] !== S_FREE && o.account[oid] === account) victims.push(oid);
    }
    victims.sort((a, b) => o.serial[a] - o.serial[b]);
    for (const oid of victims) this.cancelLive(oid, 'mass_cancel');
    if (victims.length > 0 && this.inCall()) this.publishIndicative();
    return victims.length;
  }

  // ---- bands and halts ----------------------------------------------------------------------

  inBand(price: number): boolean {
    const ref = this.bandRef;
    if (this.bandBps === 0 || ref !== ref) return true;
    return Math.abs(price - ref) * 10_000 <= ref * this.bandBps;
  }

  private bandText(): string {
    return `±${this.config.bandPct}% around ${this.px(this.bandRef)}`;
  }

  /** LULD-like: a print outside the band halts the symbol instead of trading. */
  private volatilityHalt(): void {
    const previous = this.phase;
    this.phase = 'halted';
    this.haltUntil = this.clock + this.haltPauseNs;
    this.emit({
      type: 'phase',
      seq: 0,
      ts: this.clock,
      symbol: this.symbol,
      phase: 'halted',
      previous,
      reason: 'volatility',
      until: this.haltUntil,
    });
  }

  // ---- views ----------------------------------------------------------------------------------

  inCall(): boolean {
    return this.phase === 'preopen' || this.phase === 'preclose';
  }

  /** Whether a limit at `price` on `side` would trade against the opposite best. */
  crosses(side: Side, price: number): boolean {
    const best = this.book.bestPrice((side ^ 1) as Side);
    return side === BUY ? best <= price : best >= price;
  }

  /** Whether `qty` can fill in full now (FOK), honouring the limit, the band and STP. */
  private fillable(side: Side, limit: number, qty: number, account: string, stp: number): boolean {
    const o = this.orders;
    const opp = (side ^ 1) as Side;
    let available = 0;
    for (let m = this.book.best(opp); m !== NONE; m = this.book.next(m)) {
      const mp = this.book.priceOf(m);
      if (limit === limit && (side === BUY ? mp > limit : mp < limit)) break;
      if (!this.inBand(mp)) break;
      if (stp !== STP_NONE && o.account[m] === account) {
        if (stp === STP_CANCEL_NEWEST || stp === STP_CANCEL_BOTH) break;
        continue;
      }
      available += o.leaves[m];
      if (available >= qty) return true;
    }
    return false;
  }

  /** Everything that would take part in an uncross now. */
  auctionInterest(): [AuctionInterest[], AuctionInterest[]] {
    const o = this.orders;
    const sides: [AuctionInterest[], AuctionInterest[]] = [[], []];
    for (const side of [BUY, SELL] as const) {
      for (const oid of this.callMarkets[side])
        sides[side].push({ price: NaN, qty: o.leaves[oid] });
      for (let oid = this.book.best(side); oid !== NONE; oid = this.book.next(oid)) {
        sides[side].push({ price: o.price[oid], qty: o.leaves[oid] });
      }
    }
    return sides;
  }

  indicative(): UncrossResult {
    const [buys, sells] = this.auctionInterest();
    return findUncross(buys, sells, this.reference());
  }

  publishIndicative(): void {
    const r = this.indicative();
    this.emit({
      type: 'indicative',
      seq: 0,
      ts: this.clock,
      symbol: this.symbol,
      price: r.price,
      volume: r.volume,
      imbalance: Math.abs(r.surplus),
      imbalanceSide: r.surplus > 0 ? 'buy' : r.surplus < 0 ? 'sell' : null,
    });
  }

  levels(side: Side): BookLevelView[] {
    const levels: BookLevelView[] = [];
    let current: BookLevelView | undefined;
    for (let oid = this.book.best(side); oid !== NONE; oid = this.book.next(oid)) {
      const price = this.book.priceOf(oid);
      if (current === undefined || current.price !== price) {
        current = { price, orders: [] };
        levels.push(current);
      }
      current.orders.push({ orderId: this.orders.clientId[oid], qty: this.book.qtyOf(oid) });
    }
    return levels;
  }

  lots(qty: number): string {
    return formatSteps(qty, this.lot);
  }

  px(ticks: number): string {
    return ticks === ticks ? formatSteps(ticks, this.tick) : 'none';
  }

  // ---- events -------------------------------------------------------------------------------

  emit(event: EngineEvent): void {
    event.seq = ++this.ctx.seq;
    this.ctx.buf.pushObject(event);
  }

  /** cancelled / reduced / triggered: two numbers and the order's handle, ids by reference. */
  private emitOrder(kind: number, oid: number, a: number, b: number): void {
    const buf = this.ctx.buf;
    const i = buf.next(kind, ++this.ctx.seq, this.clock, this.index);
    const n = buf.num;
    const at = i * NUM_STRIDE;
    n[at] = a;
    n[at + 1] = b;
    n[at + 2] = oid;
    const s = buf.str;
    const st = i * STR_STRIDE;
    s[st] = this.orders.clientId[oid];
    s[st + 1] = this.orders.account[oid];
  }

  private emitReplaced(oid: number, price: number, stop: number, qty: number, kept: boolean) {
    const buf = this.ctx.buf;
    const i = buf.next(EV_REPLACED, ++this.ctx.seq, this.clock, this.index);
    const n = buf.num;
    const at = i * NUM_STRIDE;
    n[at] = price;
    n[at + 1] = stop;
    n[at + 2] = qty;
    n[at + 3] = kept ? 1 : 0;
    n[at + 4] = oid;
    const s = buf.str;
    const st = i * STR_STRIDE;
    s[st] = this.orders.clientId[oid];
    s[st + 1] = this.orders.account[oid];
  }

  emitTrade(maker: number, taker: number, price: number, qty: number, auction: boolean): void {
    const o = this.orders;
    const buf = this.ctx.buf;
    const i = buf.next(EV_TRADE, ++this.ctx.seq, this.clock, this.index);
    const n = buf.num;
    const at = i * NUM_STRIDE;
    n[at + T_ID] = ++this.tradeCount;
    n[at + T_PRICE] = price;
    n[at + T_QTY] = qty;
    n[at + T_AGGRESSOR] = o.side[taker];
    n[at + T_MAKER_LEAVES] = o.leaves[maker];
    n[at + T_TAKER_LEAVES] = o.leaves[taker];
    n[at + T_AUCTION] = auction ? 1 : 0;
    n[at + T_MAKER_OID] = maker;
    n[at + T_TAKER_OID] = taker;
    const s = buf.str;
    const st = i * STR_STRIDE;
    s[st] = o.clientId[maker];
    s[st + 1] = o.clientId[taker];
    s[st + 2] = o.account[maker];
    s[st + 3] = o.account[taker];
  }

  private emitAccepted(oid: number): void {
    const o = this.orders;
    const buf = this.ctx.buf;
    const i = buf.next(EV_ACCEPTED, ++this.ctx.seq, this.clock, this.index);
    const n = buf.num;
    const at = i * NUM_STRIDE;
    const tif = o.tif[oid];
    n[at + A_SIDE] = o.side[oid];
    n[at + A_KIND] = o.kind[oid];
    n[at + A_PRICE] = o.price[oid];
    n[at + A_QTY] = o.quantity[oid];
    n[at + A_TIF] = tif;
    n[at + A_POST_ONLY] = o.postOnly[oid];
    n[at + A_STOP] = o.stopPrice(oid);
    n[at + A_DISPLAY] = o.display(oid);
    n[at + A_EXPIRE] = tif === TIF_GTD || tif === TIF_DAY ? o.expireAt(oid) : NaN;
    n[at + A_STP] = o.stp[oid] !== this.defaultStp ? o.stp[oid] : -1;
    n[at + A_OID] = oid;
    const s = buf.str;
    const st = i * STR_STRIDE;
    s[st] = o.clientId[oid];
    s[st + 1] = o.account[oid];
  }

  reject(
    cmd: { orderId?: string; account?: string },
    reason: RejectReason,
    message: string,
  ): number {
    this.emit({
      type: 'rejected',
      seq: 0,
      ts: this.clock,
      orderId: cmd.orderId,
      symbol: this.symbol,
      account: cmd.account,
      reason,
      message,
    });
    return -1;
  }

  /** Messages are built only on the reject path: the accept path allocates no strings. */
  private rejectPlace(cmd: PlaceOrder, reason: RejectReason, detail: string): number {
    return this.reject(cmd, reason, `Cannot place order ${cmd.orderId}: ${detail}`);
  }

  /** The message for a quantity or price above the instrument's limits. */
  private tooLarge(qty: number, price: number | undefined, stop: number | undefined): string {
    if (qty > this.maxQty) {
      return `quantity ${this.lots(qty)} is above the maximum order quantity ${this.lots(this.maxQty)}`;
    }
    const p = price !== undefined && price > this.maxPrice ? price : stop!;
    return `price ${this.px(p)} is above the maximum price ${this.px(this.maxPrice)}`;
  }

  private rejectOrder(cmd: ReplaceOrder, reason: RejectReason, detail: string): void {
    this.reject(cmd, reason, `Cannot replace order ${cmd.orderId}: ${detail}`);
  }
}

function isPositiveInt(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0;
}

/** "7.5" percent to 750 basis points, exactly; finer than 0.01% is a configuration error. */
export function bandToBps(pct: string): number {
  const d = parseStep(pct);
  const scaled = d.mantissa * 100n;
  const div = 10n ** BigInt(d.scale);
  if (scaled % div !== 0n) throw new Error(`bandPct ${pct} is finer than 0.01%`);
  return Number(scaled / div);
}
