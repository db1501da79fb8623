import type { EngineEvent, OrderKind, Phase, SideName } from '../core/index.js';
import { L3Book, type LevelChange } from './l3-book.js';
import { nsToMs, Units } from './units.js';

export type PriceQty = [string, string];

export interface L2Message {
  type: 'l2';
  kind: 'snapshot' | 'update';
  symbol: string;
  seq: number;
  time: number;
  bids: PriceQty[];
  asks: PriceQty[];
}

export interface L1Message {
  type: 'l1';
  symbol: string;
  seq: number;
  time: number;
  bid: { price: string; qty: string } | null;
  ask: { price: string; qty: string } | null;
}

export interface TradeMessage {
  type: 'trade';
  symbol: string;
  tradeId: string;
  price: string;
  qty: string;
  aggressor: SideName;
  time: number;
}

export interface StatusMessage {
  type: 'status';
  symbol: string;
  phase: Phase;
  reason: string;
}

export type MarketDataMessage = L2Message | L1Message | TradeMessage | StatusMessage;

/**
 * Receives each message and a function that returns its JSON text, serialised at most once however
 * many subscribers ask (and never when nobody does).
 */
export type MarketDataListener = (
  symbol: string,
  msg: MarketDataMessage,
  json: () => string,
) => void;

export type MarketDataChannel = 'l1' | 'l2' | 'trades';

/**
 * Whether a listener has any reader for this symbol and channel right now. Messages nobody wants
 * are not built at all: the books and the tape stay current (snapshots and HTTP read them), only
 * the L1 / L2 / trade messages are skipped. Status messages always go out.
 */
export type MarketDataInterest = (symbol: string, channel: MarketDataChannel) => boolean;

export interface InstrumentInfo {
  symbol: string;
  tickSize: string;
  lotSize: string;
  bandPct?: string;
  /** Reference price in ticks. */
  referencePrice?: number;
  phase?: Phase;
}

interface PendingStop {
  side: SideName;
  kind: OrderKind;
  price?: number;
  qty: number;
  display?: number;
}

interface SymbolFeed {
  info: InstrumentInfo;
  units: Units;
  book: L3Book;
  seq: number;
  time: number;
  phase: Phase;
  lastPrice: number | undefined;
  /** The tape, raw: formatted only when read or published. */
  trades: RawTrade[];
  stops: Map<string, PendingStop>;
  /** Last published BBO as integers (-1: none). */
  l1: [number, number, number, number];
}

interface RawTrade {
  tradeId: number;
  price: number;
  qty: number;
  aggressor: SideName;
  time: number;
}

const MAX_TRADES = 1000;

/**
 * Public market data for every instrument, derived from engine events only: the L3/L2 books, BBO,
 * the trade tape and phases. `apply()` takes events in engine order; after each call every symbol
 * it touched publishes at most one L2 update (seq + 1) and one L1 message.
 */
export class MarketData {
  private readonly feeds = new Map<string, SymbolFeed>();
  private readonly listeners = new Map<MarketDataListener, MarketDataInterest | undefined>();
  private readonly dirty = new Set<SymbolFeed>();

  addInstrument(info: InstrumentInfo): void {
    if (this.feeds.has(info.symbol)) return;
    this.feeds.set(info.symbol, {
      info,
      units: new Units(info.tickSize, info.lotSize),
      book: new L3Book(),
      seq: 0,
      time: 0,
      phase: info.phase ?? 'continuous',
      lastPrice: undefined,
      trades: [],
      stops: new Map(),
      l1: [-1, -1, -1, -1],
    });
  }

  /**
   * Every message goes to `listener`; with `interest`, only the messages it says someone reads
   * (and only those are built: with no reader, apply() keeps the books but formats nothing).
   */
  subscribe(listener: MarketDataListener, interest?: MarketDataInterest): () => void {
    this.listeners.set(listener, interest);
    return () => this.listeners.delete(listener);
  }

  /** Whether any listener reads this channel of this symbol. */
  private wanted(symbol: string, channel: MarketDataChannel): boolean {
    for (const interest of this.listeners.values()) {
      if (interest === undefined || interest(symbol, channel)) return true;
    }
    return false;
  }

  has(symbol: string): boolean {
    return this.feeds.has(symbol);
  }

  /** Seeds the tape and last price with trades from before this process, oldest first. */
  restoreTrades(
    symbol: string,
    trades: { tradeId: number; price: number; qty: number; aggressor: SideName; ts: number }[],
  ): void {
    const f = this.feeds.get(symbol);
    if (f === undefined) return;
    for (const t of trades) {
      f.trades.push({
        tradeId: t.tradeId,
        price: t.price,
        qty: t.qty,
        aggressor: t.aggressor,
        time: nsToMs(t.ts),
      });
      f.lastPrice = t.price;
    }
    if (f.trades.length > MAX_TRADES) f.trades.splice(0, f.trades.length - MAX_TRADES);
  }

  /** Symbol of a visible resting order (for cancels of orders this process has not seen placed). */
  symbolOf(orderId: string): string | undefined {
    for (const f of this.feeds.values()) if (f.book.has(orderId)) return f.info.symbol;
    return undefined;
  }

  apply(events: readonly EngineEvent[]): void {
    for (const ev of events) this.applyOne(ev);
    for (const feed of this.dirty) this.publish(feed);
    this.dirty.clear();
  }

  instruments(): (InstrumentInfo & { phase: Phase; lastPrice: number | undefined })[] {
    return [...this.feeds.values()].map((f) => ({
      ...f.info,
      phase: f.phase,
      lastPrice: f.lastPrice,
    }));
  }

  /** The band in percent, as configured; undefined without one. */
  bandPct(symbol: string): string | undefined {
    return this.feeds.get(symbol)?.info.bandPct;
  }

  units(symbol: string): Units | undefined {
    return this.feeds.get(symbol)?.units;
  }

  /** Last trade price in ticks, else the configured reference. */
  referencePrice(symbol: string): number | undefined {
    const f = this.feeds.get(symbol);
    return f?.lastPrice ?? f?.info.referencePrice;
  }

  l2Snapshot(symbol: string, depth = Number.MAX_SAFE_INTEGER): L2Message | undefined {
    const f = this.feeds.get(symbol);
    if (f === undefined) return undefined;
    const fmt = (l: [number, number]): PriceQty => [f.units.price(l[0]), f.units.qty(l[1])];
    return {
      type: 'l2',
      kind: 'snapshot',
      symbol,
      seq: f.seq,
      time: f.time,
      bids: f.book.depth('buy', depth).map(fmt),
      asks: f.book.depth('sell', depth).map(fmt),
    };
  }

  l3Snapshot(symbol: string, depth = Number.MAX_SAFE_INTEGER) {
    const f = this.feeds.get(symbol);
    if (f === undefined) return undefined;
    const fmt = (side: SideName) =>
      f.book.orderDepth(side, depth).map((l) => ({
        price: f.units.price(l.price),
        orders: l.orders.map((o) => ({ orderId: o.orderId, qty: f.units.qty(o.qty) })),
      }));
    return { symbol, seq: f.seq, time: f.time, bids: fmt('buy'), asks: fmt('sell') };
  }

  l1(symbol: string): L1Message | undefined {
    const f = this.feeds.get(symbol);
    return f === undefined ? undefined : this.l1Of(f);
  }

  /** Most recent first. */
  trades(symbol: string, limit = 100): TradeMessage[] | undefined {
    const f = this.feeds.get(symbol);
    if (f === undefined) return undefined;
    const out: TradeMessage[] = [];
    for (let i = f.trades.length - 1; i >= 0 && out.length < limit; i--) {
      out.push(this.tradeMessage(f, f.trades[i]));
    }
    return out;
  }

  private tradeMessage(f: SymbolFeed, t: RawTrade): TradeMessage {
    return {
      type: 'trade',
      symbol: f.info.symbol,
      tradeId: String(t.tradeId),
      price: f.units.price(t.price),
      qty: f.units.qty(t.qty),
      aggressor: t.aggressor,
      time: t.time,
    };
  }

  private applyOne(ev: EngineEvent): void {
    if (ev.type === 'instrument') {
      this.addInstrument({
        symbol: ev.symbol,
        tickSize: ev.tickSize,
        lotSize: ev.lotSize,
        bandPct: ev.bandPct,
        referencePrice: ev.referencePrice,
        phase: ev.phase,
      });
      return;
    }
    if (!('symbol' in ev) || ev.symbol === undefined) return;
    const f = this.feeds.get(ev.symbol);
    if (f === undefined) return;
    f.time = nsToMs(ev.ts);
    const book = f.book;
    switch (ev.type) {
      case 'accepted':
        if (ev.kind === 'stop' || ev.kind === 'stopLimit') {
          f.stops.set(ev.orderId, {
            side: ev.side,
            kind: ev.kind,
            price: ev.price,
            qty: ev.qty,
            display: ev.displayQty,
          });
        } else if (ev.price !== undefined && ev.kind === 'limit') {
          book.add({
            orderId: ev.orderId,
            side: ev.side,
            price: ev.price,
            qty: ev.qty,
            display: ev.displayQty,
          });
        }
        break;
      case 'triggered': {
        const stop = f.stops.get(ev.orderId);
        f.stops.delete(ev.orderId);
        if (stop !== undefined && stop.kind === 'stopLimit' && stop.price !== undefined) {
          book.add({ orderId: ev.orderId, side: stop.side, price: stop.price, qty: stop.qty });
        }
        break;
      }
      case 'trade':
        book.fill(ev.makerOrderId, ev.qty, ev.makerLeaves, true);
        book.fill(ev.takerOrderId, ev.qty, ev.takerLeaves, false);
        f.lastPrice = ev.price;
        this.pushTrade(f, {
          tradeId: ev.tradeId,
          price: ev.price,
          qty: ev.qty,
          aggressor: ev.aggressor,
          time: f.time,
        });
        break;
      case 'cancelled':
        book.remove(ev.orderId);
        f.stops.delete(ev.orderId);
        break;
      case 'replaced': {
        const stop = f.stops.get(ev.orderId);
        if (stop !== undefined) {
          stop.qty = ev.qty;
          if (ev.price !== undefined && stop.kind === 'stopLimit') stop.price = ev.price;
        } else {
          book.replace(ev.orderId, { price: ev.price, qty: ev.qty, priorityKept: ev.priorityKept });
        }
        break;
      }
      case 'phase':
        f.phase = ev.phase;
        this.emit(f, { type: 'status', symbol: ev.symbol, phase: ev.phase, reason: ev.reason });
        break;
      case 'book':
        // A full snapshot from the engine (at startup): rebuild the visible book from it.
        book.clear();
        for (const l of ev.bids) {
          for (const o of l.orders) book.add({ ...o, side: 'buy', price: l.price });
        }
        for (const l of ev.asks) {
          for (const o of l.orders) book.add({ ...o, side: 'sell', price: l.price });
        }
        break;
      default:
        return;
    }
    this.dirty.add(f);
  }

  private pushTrade(f: SymbolFeed, t: RawTrade): void {
    f.trades.push(t);
    if (f.trades.length > MAX_TRADES * 2) f.trades.splice(0, f.trades.length - MAX_TRADES);
    if (this.wanted(f.info.symbol, 'trades')) this.emit(f, this.tradeMessage(f, t));
  }

  private publish(f: SymbolFeed): void {
    const symbol = f.info.symbol;
    // Nobody reads L2: the update is not built, but its seq is used up all the same, so a
    // snapshot's seq means the same whether or not anyone was watching.
    if (!this.wanted(symbol, 'l2')) {
      if (f.book.discardChanges()) f.seq++;
    } else {
      this.publishL2(f);
    }
    // Compare the integers first: the BBO is formatted only when it changed and someone reads it.
    const bid = f.book.best('buy');
    const ask = f.book.best('sell');
    const k = f.l1;
    const same =
      (bid?.price ?? -1) === k[0] &&
      (bid?.qty ?? -1) === k[1] &&
      (ask?.price ?? -1) === k[2] &&
      (ask?.qty ?? -1) === k[3];
    if (!same) {
      f.l1 = [bid?.price ?? -1, bid?.qty ?? -1, ask?.price ?? -1, ask?.qty ?? -1];
      if (this.wanted(symbol, 'l1')) this.emit(f, this.l1Of(f));
    }
  }

  private publishL2(f: SymbolFeed): void {
    const changes = f.book.takeChanges();
    if (changes.length > 0) {
      f.seq++;
      const bids: PriceQty[] = [];
      const asks: PriceQty[] = [];
      for (const c of changes) (c.side === 'buy' ? bids : asks).push(this.fmt(f, c));
      const msg: L2Message = {
        type: 'l2',
        kind: 'update',
        symbol: f.info.symbol,
        seq: f.seq,
        time: f.time,
        bids,
        asks,
      };
      this.emit(f, msg);
    }
  }

  private fmt(f: SymbolFeed, c: LevelChange): PriceQty {
    return [f.units.price(c.price), f.units.qty(c.qty)];
  }

  private l1Of(f: SymbolFeed): L1Message {
    const side = (s: SideName) => {
      const b = f.book.best(s);
      return b === null ? null : { price: f.units.price(b.price), qty: f.units.qty(b.qty) };
    };
    return {
      type: 'l1',
      symbol: f.info.symbol,
      seq: f.seq,
      time: f.time,
      bid: side('buy'),
      ask: side('sell'),
    };
  }

  private emit(f: SymbolFeed, msg: MarketDataMessage): void {
    if (this.listeners.size === 0) return;
    let text: string | undefined;
    const json = () => (text ??= JSON.stringify(msg));
    for (const l of this.listeners.keys()) l(f.info.symbol, msg, json);
  }
}
