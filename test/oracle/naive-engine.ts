/**
 * A deliberately naive second matching engine: the oracle for test/oracle/oracle.test.ts.
 *
 * It shares nothing with src/core but the command and event TYPES (type-only imports). It is
 * written from docs/protocol.md in the plainest way possible, in the spirit of exchange-core's
 * naive order book: every live order is one plain object in one array per instrument; the book,
 * the stop queue and the auction's market queue are recomputed by filtering and sorting that
 * array on every use; the uncross tries every tick between the limits. Nothing is indexed,
 * cached or incremental, so there is little room for the bookkeeping bugs a fast engine can have.
 *
 * Time priority is one counter (`prio`): an order takes a fresh value whenever it joins the back
 * of a queue (rests, shows a new iceberg slice, loses priority on a replace, joins the stop queue
 * or the auction's market queue). `serial` is the arrival number and never changes.
 *
 * Rules covered: see the header of oracle.test.ts (kept there, next to what is compared).
 */
import type {
  AdvanceClock,
  BookLevelView,
  CancelOrder,
  Command,
  DefineInstrument,
  EngineEvent,
  MassCancel,
  Phase,
  PlaceOrder,
  ReplaceOrder,
  SetPhase,
  StpMode,
  TimeInForce,
} from '../../src/core/index.js';

type Side = 'buy' | 'sell';
type Kind = 'limit' | 'market' | 'stop' | 'stopLimit';
type Where = 'book' | 'stop' | 'callMarket' | 'active' | 'gone';

interface Order {
  id: string;
  account: string;
  side: Side;
  kind: Kind;
  tif: TimeInForce;
  postOnly: boolean;
  /** Limit price (limit, stopLimit) or null. */
  price: number | null;
  stopPrice: number | null;
  leaves: number;
  /** Iceberg slice, 0 when not an iceberg. */
  display: number;
  /** The slice shown in the book while resting. */
  visible: number;
  expireAt: number | null;
  stp: StpMode;
  serial: number;
  prio: number;
  where: Where;
}

interface Instrument {
  symbol: string;
  tickSize: string;
  lotSize: string;
  bandPct?: string;
  bandBps: number;
  referencePrice: number | null;
  defaultStp: StpMode;
  haltPauseNs: number;
  phase: Phase;
  lastPrice: number | null;
  haltUntil: number | null;
  clock: number;
  trades: number;
  /** Band reference frozen at the start of the current command. */
  bandRef: number | null;
  orders: Order[];
}

const NS_PER_DAY = 86_400_000_000_000;
const opposite = (s: Side): Side => (s === 'buy' ? 'sell' : 'buy');
const positiveInt = (n: unknown): n is number =>
  typeof n === 'number' && Number.isSafeInteger(n) && n > 0;

/** "7.5" -> 750 basis points, from the digits. */
function bps(pct: string): number {
  const [int, frac = ''] = pct.split('.');
  return Number(int) * 100 + Number((frac + '00').slice(0, 2));
}

type Outcome = 'done' | 'stp' | 'band' | 'halt' | 'closed';

export class NaiveExchange {
  private readonly instruments: Instrument[] = [];
  private readonly usedIds = new Set<string>();
  private seq = 0;
  private serial = 0;
  private prio = 0;
  private out: EngineEvent[] = [];

  execute(cmd: Command): EngineEvent[] {
    this.out = [];
    switch (cmd.type) {
      case 'instrument':
        this.define(cmd);
        break;
      case 'place':
        this.place(cmd);
        break;
      case 'cancel':
        this.cancel(cmd);
        break;
      case 'replace':
        this.replace(cmd);
        break;
      case 'massCancel':
        this.massCancel(cmd);
        break;
      case 'phase':
        this.setPhase(cmd);
        break;
      case 'clock':
        this.clock(cmd);
        break;
      case 'snapshot': {
        const ins = this.find(cmd.symbol);
        if (ins === undefined) this.rejectEdge(cmd, 'unknown_symbol');
        else
          this.emit(ins, {
            type: 'book',
            symbol: ins.symbol,
            bids: this.levels(ins, 'buy'),
            asks: this.levels(ins, 'sell'),
          });
        break;
      }
    }
    return this.out;
  }

  // ---- views (also used by the test to compare books) ------------------------------------

  levels(ins: Instrument | string, side: Side): BookLevelView[] {
    const i = typeof ins === 'string' ? this.find(ins)! : ins;
    const levels: BookLevelView[] = [];
    for (const o of this.bookSide(i, side)) {
      const last = levels[levels.length - 1];
      if (last !== undefined && last.price === o.price)
        last.orders.push({ orderId: o.id, qty: o.visible });
      else levels.push({ price: o.price!, orders: [{ orderId: o.id, qty: o.visible }] });
    }
    return levels;
  }

  /** Untriggered stops in trigger order. */
  stops(symbol: string): string[] {
    return this.stopQueue(this.find(symbol)!).map((o) => o.id);
  }

  /** Market orders waiting for the uncross, per side, in queue order. */
  callMarkets(symbol: string, side: Side): string[] {
    return this.marketQueue(this.find(symbol)!, side).map((o) => o.id);
  }

  phaseOf(symbol: string): Phase {
    return this.find(symbol)!.phase;
  }

  lastPriceOf(symbol: string): number | null {
    return this.find(symbol)!.lastPrice;
  }

  private find(symbol: string): Instrument | undefined {
    return this.instruments.find((i) => i.symbol === symbol);
  }

  private bookSide(ins: Instrument, side: Side): Order[] {
    return ins.orders
      .filter((o) => o.where === 'book' && o.side === side)
      .sort((a, b) =>
        a.price !== b.price
          ? side === 'buy'
            ? b.price! - a.price!
            : a.price! - b.price!
          : a.prio - b.prio,
      );
  }

  private stopQueue(ins: Instrument): Order[] {
    return ins.orders.filter((o) => o.where === 'stop').sort((a, b) => a.prio - b.prio);
  }

  private marketQueue(ins: Instrument, side: Side): Order[] {
    return ins.orders
      .filter((o) => o.where === 'callMarket' && o.side === side)
      .sort((a, b) => a.prio - b.prio);
  }

  private live(ins: Instrument): Order[] {
    return ins.orders.filter((o) => o.where !== 'gone');
  }

  // ---- events -----------------------------------------------------------------------------

  private emit(ins: Instrument, e: Record<string, unknown>): void {
    this.out.push({ ...e, seq: ++this.seq, ts: ins.clock } as unknown as EngineEvent);
  }

  /** Rejections for a command that never reached an instrument. */
  private rejectEdge(
    cmd: { orderId?: string; symbol?: string; account?: string; ts?: number },
    reason: string,
  ): void {
    this.out.push({
      type: 'rejected',
      seq: ++this.seq,
      ts: cmd.ts ?? 0,
      orderId: cmd.orderId,
      symbol: cmd.symbol,
      account: cmd.account,
      reason,
      message: '',
    } as unknown as EngineEvent);
  }

  private reject(
    ins: Instrument,
    cmd: { orderId?: string; account?: string },
    reason: string,
  ): void {
    this.emit(ins, {
      type: 'rejected',
      orderId: cmd.orderId,
      symbol: ins.symbol,
      account: cmd.account,
      reason,
      message: '',
    });
  }

  private cancelled(ins: Instrument, o: Order, reason: string): void {
    const remaining = o.leaves;
    o.leaves = 0;
    o.where = 'gone';
    this.emit(ins, {
      type: 'cancelled',
      symbol: ins.symbol,
      orderId: o.id,
      account: o.account,
      remainingQty: remaining,
      reason,
    });
  }

  // ---- time -------------------------------------------------------------------------------

  /** A command reaches an instrument: its clock moves, due orders expire, a due halt ends. */
  private begin(ins: Instrument, ts: number | undefined): void {
    if (ts !== undefined && ts > ins.clock) ins.clock = ts;
    const due = this.live(ins)
      .filter((o) => o.expireAt !== null && o.expireAt <= ins.clock)
      .sort((a, b) => a.expireAt! - b.expireAt! || a.serial - b.serial);
    for (const o of due) this.cancelled(ins, o, 'expired');
    if (ins.phase === 'halted' && ins.haltUntil !== null && ins.clock >= ins.haltUntil) {
      this.changePhase(ins, 'continuous', 'reopen');
    }
    ins.bandRef = this.reference(ins);
  }

  private clock(cmd: AdvanceClock): void {
    for (const ins of this.instruments) this.begin(ins, cmd.ts);
  }

  private reference(ins: Instrument): number | null {
    return ins.lastPrice ?? ins.referencePrice;
  }

  private inBand(ins: Instrument, price: number): boolean {
    if (ins.bandBps === 0 || ins.bandRef === null) return true;
    return Math.abs(price - ins.bandRef) * 10_000 <= ins.bandRef * ins.bandBps;
  }

  // ---- instrument -------------------------------------------------------------------------

  private define(cmd: DefineInstrument): void {
    const c = cmd.instrument;
    if (this.find(c.symbol) !== undefined) {
      this.rejectEdge({ symbol: c.symbol }, 'duplicate_symbol');
      return;
    }
    const ins: Instrument = {
      symbol: c.symbol,
      tickSize: c.tickSize,
      lotSize: c.lotSize,
      bandPct: c.bandPct,
      bandBps: c.bandPct === undefined ? 0 : bps(c.bandPct),
      referencePrice: c.referencePrice ?? null,
      defaultStp: c.stp ?? 'none',
      haltPauseNs: c.haltPauseNs ?? 300_000_000_000,
      phase: c.phase ?? 'continuous',
      lastPrice: null,
      haltUntil: null,
      clock: 0,
      trades: 0,
      bandRef: null,
      orders: [],
    };
    this.instruments.push(ins);
    this.begin(ins, cmd.ts);
    this.emit(ins, {
      type: 'instrument',
      symbol: c.symbol,
      tickSize: c.tickSize,
      lotSize: c.lotSize,
      bandPct: c.bandPct,
      referencePrice: c.referencePrice,
      stp: ins.defaultStp,
      phase: ins.phase,
    });
  }

  // ---- place ------------------------------------------------------------------------------

  private place(cmd: PlaceOrder): void {
    const ins = this.find(cmd.symbol);
    if (ins === undefined) return this.rejectEdge(cmd, 'unknown_symbol');
    this.begin(ins, cmd.ts);
    if (this.usedIds.has(cmd.orderId)) return this.reject(ins, cmd, 'duplicate_order_id');
    const why = this.whyNot(ins, cmd);
    if (why !== null) return this.reject(ins, cmd, why);

    const kind = cmd.kind as Kind;
    const isStop = kind === 'stop' || kind === 'stopLimit';
    const hasLimit = kind === 'limit' || kind === 'stopLimit';
    const tif = cmd.tif ?? (kind === 'market' || kind === 'stop' ? 'IOC' : 'GTC');
    let expireAt: number | null = null;
    if (tif === 'GTD') expireAt = cmd.expireAt!;
    if (tif === 'DAY') expireAt = (Math.floor(ins.clock / NS_PER_DAY) + 1) * NS_PER_DAY;
    const o: Order = {
      id: cmd.orderId,
      account: cmd.account,
      side: cmd.side,
      kind,
      tif,
      postOnly: cmd.postOnly === true,
      price: hasLimit ? cmd.price! : null,
      stopPrice: isStop ? cmd.stopPrice! : null,
      leaves: cmd.qty,
      display: cmd.displayQty ?? 0,
      visible: 0,
      expireAt,
      stp: cmd.stp ?? ins.defaultStp,
      serial: ++this.serial,
      prio: 0,
      where: 'active',
    };
    this.usedIds.add(o.id);
    ins.orders.push(o);
    this.emit(ins, {
      type: 'accepted',
      symbol: ins.symbol,
      orderId: o.id,
      account: o.account,
      side: o.side,
      kind: o.kind,
      price: o.price ?? undefined,
      qty: o.leaves,
      tif,
      postOnly: o.postOnly ? true : undefined,
      stopPrice: o.stopPrice ?? undefined,
      displayQty: o.display > 0 ? o.display : undefined,
      expireAt: expireAt ?? undefined,
      stp: o.stp !== ins.defaultStp ? o.stp : undefined,
    });
    if (isStop) {
      o.where = 'stop';
      o.prio = ++this.prio;
    } else if (this.inCall(ins)) {
      this.enterCall(o);
      this.indicative(ins);
    } else {
      this.take(ins, o);
      this.triggerStops(ins);
    }
  }

  /** Why a new order is refused, in the order the protocol checks, or null. */
  private whyNot(ins: Instrument, cmd: PlaceOrder): string | null {
    if (ins.phase === 'closed') return 'market_closed';
    if (ins.phase === 'halted') return 'halted';
    const kind = cmd.kind as string;
    if (!['limit', 'market', 'stop', 'stopLimit'].includes(kind)) return 'invalid_order';
    if (!positiveInt(cmd.qty)) return 'invalid_qty';
    const hasLimit = kind === 'limit' || kind === 'stopLimit';
    const isStop = kind === 'stop' || kind === 'stopLimit';
    if (hasLimit && !positiveInt(cmd.price)) return 'invalid_price';
    if (isStop && !positiveInt(cmd.stopPrice)) return 'invalid_price';
    const tif = cmd.tif ?? (kind === 'market' || kind === 'stop' ? 'IOC' : 'GTC');
    if (!['GTC', 'IOC', 'FOK', 'DAY', 'GTD'].includes(tif)) return 'invalid_order';
    if (tif === 'FOK' && this.inCall(ins)) return 'invalid_order';
    if (tif === 'GTD') {
      if (cmd.expireAt === undefined || !Number.isInteger(cmd.expireAt) || cmd.expireAt <= 0)
        return 'invalid_order';
      if (cmd.expireAt <= ins.clock) return 'expired';
    }
    if (cmd.postOnly === true && (kind !== 'limit' || tif === 'IOC' || tif === 'FOK'))
      return 'invalid_order';
    if (cmd.displayQty !== undefined) {
      const d = cmd.displayQty;
      if (!positiveInt(d) || d > cmd.qty || !hasLimit || tif === 'IOC' || tif === 'FOK')
        return 'invalid_order';
    }
    const stp = cmd.stp ?? ins.defaultStp;
    if (!['none', 'cancelNewest', 'cancelOldest', 'cancelBoth', 'decrement'].includes(stp))
      return 'invalid_order';
    if (kind === 'limit' && !this.inBand(ins, cmd.price!)) return 'outside_price_band';
    if (isStop && this.stopHolds(ins, cmd.side, cmd.stopPrice!)) return 'stop_already_triggered';
    if (ins.phase === 'continuous' && !isStop) {
      if (cmd.postOnly === true && this.wouldCross(ins, cmd.side, cmd.price!))
        return 'post_only_would_cross';
      if (
        tif === 'FOK' &&
        !this.canFill(ins, cmd.side, hasLimit ? cmd.price! : null, cmd.qty, cmd.account, stp)
      )
        return 'fok_unfillable';
    }
    return null;
  }

  private inCall(ins: Instrument): boolean {
    return ins.phase === 'preopen' || ins.phase === 'preclose';
  }

  private wouldCross(ins: Instrument, side: Side, price: number): boolean {
    const best = this.bookSide(ins, opposite(side))[0];
    if (best === undefined) return false;
    return side === 'buy' ? best.price! <= price : best.price! >= price;
  }

  /** FOK: is there enough to fill `qty` now within the limit and band, honouring STP? */
  private canFill(
    ins: Instrument,
    side: Side,
    limit: number | null,
    qty: number,
    account: string,
    stp: StpMode,
  ): boolean {
    let sum = 0;
    for (const m of this.bookSide(ins, opposite(side))) {
      if (limit !== null && (side === 'buy' ? m.price! > limit : m.price! < limit)) break;
      if (!this.inBand(ins, m.price!)) break;
      if (stp !== 'none' && m.account === account) {
        if (stp === 'cancelNewest' || stp === 'cancelBoth') break;
        continue;
      }
      sum += m.leaves;
    }
    return sum >= qty;
  }

  private stopHolds(ins: Instrument, side: Side, stop: number): boolean {
    if (ins.lastPrice === null) return false;
    return side === 'buy' ? ins.lastPrice >= stop : ins.lastPrice <= stop;
  }

  private rest(o: Order): void {
    o.where = 'book';
    o.visible = o.display > 0 && o.display < o.leaves ? o.display : o.leaves;
    o.prio = ++this.prio;
  }

  private enterCall(o: Order): void {
    if (o.kind === 'market' || o.kind === 'stop') {
      o.where = 'callMarket';
      o.prio = ++this.prio;
    } else this.rest(o);
  }

  /** Continuous matching of an aggressor, then whatever its time in force says. */
  private take(ins: Instrument, t: Order): void {
    t.where = 'active';
    const how = this.walk(ins, t);
    if (how === 'closed') return;
    if (t.leaves === 0) {
      t.where = 'gone';
      return;
    }
    const isMarket = t.price === null;
    if (how === 'stp') this.cancelled(ins, t, 'stp');
    else if (t.tif === 'IOC' && !isMarket) this.cancelled(ins, t, 'ioc');
    else if (t.tif === 'FOK') this.cancelled(ins, t, 'fok');
    else if (how === 'halt') this.enterCall(t);
    else if (isMarket) this.cancelled(ins, t, how === 'band' ? 'price_band' : 'no_liquidity');
    else this.rest(t);
  }

  private walk(ins: Instrument, t: Order): Outcome {
    while (t.leaves > 0) {
      const m = this.bookSide(ins, opposite(t.side))[0];
      if (m === undefined) return 'done';
      const price = m.price!;
      if (t.price !== null && (t.side === 'buy' ? price > t.price : price < t.price)) return 'done';
      if (!this.inBand(ins, price)) {
        if (t.kind === 'market') return 'band';
        this.halt(ins);
        return 'halt';
      }
      if (t.stp !== 'none' && m.account === t.account) {
        if (t.stp === 'cancelNewest') return 'stp';
        if (t.stp === 'cancelOldest') {
          this.cancelled(ins, m, 'stp');
          continue;
        }
        if (t.stp === 'cancelBoth') {
          this.cancelled(ins, m, 'stp');
          return 'stp';
        }
        // decrement: both shrink by the overlap, no trade.
        const overlap = Math.min(t.leaves, m.leaves);
        this.shrink(ins, m, overlap);
        if (t.leaves === overlap) {
          this.cancelled(ins, t, 'stp');
          return 'closed';
        }
        this.shrink(ins, t, overlap);
        continue;
      }
      const q = Math.min(t.leaves, m.visible);
      m.leaves -= q;
      m.visible -= q;
      t.leaves -= q;
      ins.lastPrice = price;
      this.trade(ins, m, t, price, q, false);
      if (m.visible === 0) {
        if (m.leaves > 0) this.rest(m);
        else m.where = 'gone';
      }
    }
    return 'done';
  }

  private shrink(ins: Instrument, o: Order, by: number): void {
    if (o.leaves === by) {
      this.cancelled(ins, o, 'stp');
      return;
    }
    o.leaves -= by;
    if (o.where === 'book' && o.visible > o.leaves) o.visible = o.leaves;
    this.emit(ins, {
      type: 'reduced',
      symbol: ins.symbol,
      orderId: o.id,
      account: o.account,
      qty: by,
      leavesQty: o.leaves,
      reason: 'stp',
    });
  }

  private trade(
    ins: Instrument,
    maker: Order,
    taker: Order,
    price: number,
    qty: number,
    auction: boolean,
  ): void {
    this.emit(ins, {
      type: 'trade',
      symbol: ins.symbol,
      tradeId: ++ins.trades,
      price,
      qty,
      makerOrderId: maker.id,
      takerOrderId: taker.id,
      makerAccount: maker.account,
      takerAccount: taker.account,
      aggressor: taker.side,
      makerLeaves: maker.leaves,
      takerLeaves: taker.leaves,
      auction,
    });
  }

  private halt(ins: Instrument): void {
    const previous = ins.phase;
    ins.phase = 'halted';
    ins.haltUntil = ins.clock + ins.haltPauseNs;
    this.emit(ins, {
      type: 'phase',
      symbol: ins.symbol,
      phase: 'halted',
      previous,
      reason: 'volatility',
      until: ins.haltUntil,
    });
  }

  /** Fires every stop whose condition holds, in queue order, until none does. */
  private triggerStops(ins: Instrument): void {
    while (ins.phase === 'continuous') {
      const fire = this.stopQueue(ins).filter((s) => this.stopHolds(ins, s.side, s.stopPrice!));
      if (fire.length === 0) return;
      for (const s of fire) s.where = 'active';
      for (const s of fire) {
        this.emit(ins, {
          type: 'triggered',
          symbol: ins.symbol,
          orderId: s.id,
          account: s.account,
          stopPrice: s.stopPrice,
          lastPrice: ins.lastPrice,
        });
        if (ins.phase !== 'continuous') this.enterCall(s);
        else if (s.tif === 'FOK' && !this.canFill(ins, s.side, s.price, s.leaves, s.account, s.stp))
          this.cancelled(ins, s, 'fok');
        else this.take(ins, s);
      }
    }
  }

  // ---- cancel, replace, mass cancel -------------------------------------------------------

  private liveOrder(ins: Instrument, id: string, account: string): Order | undefined {
    return ins.orders.find((o) => o.id === id && o.where !== 'gone' && o.account === account);
  }

  private cancel(cmd: CancelOrder): void {
    const ins = this.find(cmd.symbol);
    if (ins === undefined) return this.rejectEdge(cmd, 'unknown_symbol');
    this.begin(ins, cmd.ts);
    const o = this.liveOrder(ins, cmd.orderId, cmd.account);
    if (o === undefined) return this.reject(ins, cmd, 'unknown_order');
    this.cancelled(ins, o, 'user');
    if (this.inCall(ins)) this.indicative(ins);
  }

  private replace(cmd: ReplaceOrder): void {
    const ins = this.find(cmd.symbol);
    if (ins === undefined) return this.rejectEdge(cmd, 'unknown_symbol');
    this.begin(ins, cmd.ts);
    const o = this.liveOrder(ins, cmd.orderId, cmd.account);
    if (o === undefined) return this.reject(ins, cmd, 'unknown_order');
    if (ins.phase === 'closed') return this.reject(ins, cmd, 'market_closed');
    if (ins.phase === 'halted') return this.reject(ins, cmd, 'halted');
    if (cmd.price !== undefined && (o.price === null || !positiveInt(cmd.price)))
      return this.reject(ins, cmd, 'invalid_price');
    if (cmd.stopPrice !== undefined && (o.where !== 'stop' || !positiveInt(cmd.stopPrice)))
      return this.reject(ins, cmd, 'invalid_order');
    if (cmd.qty !== undefined && !positiveInt(cmd.qty)) return this.reject(ins, cmd, 'invalid_qty');
    const price = cmd.price ?? o.price;
    const qty = cmd.qty ?? o.leaves;
    const stop = cmd.stopPrice ?? o.stopPrice;
    const samePrice = price === o.price;
    const sameStop = stop === o.stopPrice;
    if (samePrice && sameStop && qty === o.leaves) return this.reject(ins, cmd, 'no_change');
    if (!samePrice && o.where !== 'stop' && !this.inBand(ins, price!))
      return this.reject(ins, cmd, 'outside_price_band');
    if (!sameStop && this.stopHolds(ins, o.side, stop!))
      return this.reject(ins, cmd, 'stop_already_triggered');
    if (
      !samePrice &&
      o.where === 'book' &&
      o.postOnly &&
      ins.phase === 'continuous' &&
      this.wouldCross(ins, o.side, price!)
    )
      return this.reject(ins, cmd, 'post_only_would_cross');

    const keep = samePrice && sameStop && qty < o.leaves;
    o.leaves = qty;
    o.price = price;
    o.stopPrice = stop;
    this.emit(ins, {
      type: 'replaced',
      symbol: ins.symbol,
      orderId: o.id,
      account: o.account,
      price: o.price ?? undefined,
      stopPrice: o.stopPrice ?? undefined,
      qty,
      priorityKept: keep,
    });
    if (keep) {
      if (o.where === 'book' && o.visible > qty) o.visible = qty;
    } else if (o.where === 'stop' || o.where === 'callMarket') {
      o.prio = ++this.prio;
    } else if (ins.phase === 'continuous') {
      this.take(ins, o);
      this.triggerStops(ins);
    } else this.rest(o);
    if (this.inCall(ins)) this.indicative(ins);
  }

  private massCancel(cmd: MassCancel): void {
    let targets = this.instruments;
    if (cmd.symbol !== undefined) {
      const ins = this.find(cmd.symbol);
      if (ins === undefined) return this.rejectEdge(cmd, 'unknown_symbol');
      targets = [ins];
    }
    let count = 0;
    for (const ins of targets) {
      this.begin(ins, cmd.ts);
      const victims = this.live(ins)
        .filter((o) => o.account === cmd.account)
        .sort((a, b) => a.serial - b.serial);
      for (const o of victims) this.cancelled(ins, o, 'mass_cancel');
      count += victims.length;
      if (victims.length > 0 && this.inCall(ins)) this.indicative(ins);
    }
    this.out.push({
      type: 'massCancelled',
      seq: ++this.seq,
      ts: targets.length > 0 ? Math.max(...targets.map((i) => i.clock)) : (cmd.ts ?? 0),
      account: cmd.account,
      symbol: cmd.symbol,
      count,
    });
  }

  // ---- phases and auctions ----------------------------------------------------------------

  private setPhase(cmd: SetPhase): void {
    const ins = this.find(cmd.symbol);
    if (ins === undefined) return this.rejectEdge(cmd, 'unknown_symbol');
    this.begin(ins, cmd.ts);
    if (!['preopen', 'continuous', 'preclose', 'halted', 'closed'].includes(cmd.phase))
      return this.reject(ins, {}, 'malformed');
    if (ins.phase === cmd.phase) return this.reject(ins, {}, 'no_change');
    this.changePhase(ins, cmd.phase, 'command');
  }

  private changePhase(ins: Instrument, to: Phase, reason: 'command' | 'reopen'): void {
    const from = ins.phase;
    if (to === 'continuous') this.auction(ins, from === 'halted' ? 'reopening' : 'opening');
    else if (to === 'closed' && from === 'preclose') this.auction(ins, 'closing');
    ins.phase = to;
    ins.haltUntil = null;
    if (to === 'closed') {
      const victims = this.live(ins)
        .filter((o) => o.tif === 'DAY' || o.where === 'callMarket')
        .sort((a, b) => a.serial - b.serial);
      for (const o of victims) this.cancelled(ins, o, o.tif === 'DAY' ? 'expired' : 'no_liquidity');
    }
    this.emit(ins, { type: 'phase', symbol: ins.symbol, phase: to, previous: from, reason });
    if (this.inCall(ins)) this.indicative(ins);
    if (to === 'continuous') this.triggerStops(ins);
  }

  /**
   * The uncross price, by brute force: every tick from the lowest to the highest limit, plus the
   * reference. Most volume, then least imbalance, then market pressure, then nearest the
   * reference (lower on a tie), or without a reference, nearest the middle of what is left.
   */
  private uncrossPrice(ins: Instrument): { price: number | null; volume: number; surplus: number } {
    const none = { price: null, volume: 0, surplus: 0 };
    const buys = this.marketQueue(ins, 'buy').concat(this.bookSide(ins, 'buy'));
    const sells = this.marketQueue(ins, 'sell').concat(this.bookSide(ins, 'sell'));
    const limits = [...buys, ...sells].filter((o) => o.price !== null).map((o) => o.price!);
    const candidates: number[] = [];
    if (limits.length > 0) {
      for (let p = Math.min(...limits); p <= Math.max(...limits); p++) candidates.push(p);
    }
    const ref = this.reference(ins);
    if (ref !== null && !candidates.includes(ref)) candidates.push(ref);
    candidates.sort((a, b) => a - b);
    const rows = candidates.map((p) => {
      let buy = 0;
      let sell = 0;
      for (const b of buys) if (b.price === null || b.price >= p) buy += b.leaves;
      for (const s of sells) if (s.price === null || s.price <= p) sell += s.leaves;
      return { price: p, volume: Math.min(buy, sell), surplus: buy - sell };
    });
    const most = Math.max(0, ...rows.map((r) => r.volume));
    if (most === 0) return none;
    let keep = rows.filter((r) => r.volume === most);
    const least = Math.min(...keep.map((r) => Math.abs(r.surplus)));
    keep = keep.filter((r) => Math.abs(r.surplus) === least);
    if (keep.every((r) => r.surplus > 0)) return keep[keep.length - 1];
    if (keep.every((r) => r.surplus < 0)) return keep[0];
    const anchor = ref ?? Math.floor((keep[0].price + keep[keep.length - 1].price) / 2);
    let best = keep[0];
    for (const r of keep) if (Math.abs(r.price - anchor) < Math.abs(best.price - anchor)) best = r;
    return best;
  }

  private indicative(ins: Instrument): void {
    const r = this.uncrossPrice(ins);
    this.emit(ins, {
      type: 'indicative',
      symbol: ins.symbol,
      price: r.price,
      volume: r.volume,
      imbalance: Math.abs(r.surplus),
      imbalanceSide: r.surplus > 0 ? 'buy' : r.surplus < 0 ? 'sell' : null,
    });
  }

  private auction(ins: Instrument, kind: 'opening' | 'closing' | 'reopening'): void {
    const r = this.uncrossPrice(ins);
    if (r.price !== null) {
      const price = r.price;
      const eligible = (side: Side) =>
        this.marketQueue(ins, side).concat(
          this.bookSide(ins, side).filter((o) =>
            side === 'buy' ? o.price! >= price : o.price! <= price,
          ),
        );
      const buyers = eligible('buy');
      const sellers = eligible('sell');
      let left = r.volume;
      while (left > 0) {
        const b = buyers.find((o) => o.leaves > 0)!;
        const s = sellers.find((o) => o.leaves > 0)!;
        const q = Math.min(b.leaves, s.leaves, left);
        left -= q;
        ins.lastPrice = price;
        this.auctionFill(b, q);
        this.auctionFill(s, q);
        const buyerOlder = b.serial < s.serial;
        this.trade(ins, buyerOlder ? b : s, buyerOlder ? s : b, price, q, true);
      }
    }
    this.emit(ins, { type: 'auction', symbol: ins.symbol, price: r.price, volume: r.volume, kind });
    const leftovers = this.live(ins)
      .filter((o) => o.where === 'callMarket' || (o.where === 'book' && o.tif === 'IOC'))
      .sort((a, b) => a.serial - b.serial);
    for (const o of leftovers)
      this.cancelled(ins, o, o.kind === 'market' || o.kind === 'stop' ? 'no_liquidity' : 'ioc');
  }

  private auctionFill(o: Order, q: number): void {
    o.leaves -= q;
    if (o.where === 'callMarket') {
      if (o.leaves === 0) o.where = 'gone';
      return;
    }
    if (q < o.visible) {
      o.visible -= q;
      return;
    }
    if (o.leaves > 0) this.rest(o);
    else o.where = 'gone';
  }
}
