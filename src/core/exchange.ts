/**
 * The deterministic multi-instrument engine: commands in, events out. It owns the instruments,
 * the client order id registry (ids are unique for the life of the engine, across symbols) and
 * the sequence counters; matching itself is per instrument (matcher.ts, call-phase.ts).
 */
import { FastBook } from './book/fast-book.js';
import type { OrderBookFactory } from './book/order-book.js';
import { changePhase } from './call-phase.js';
import type {
  CancelOrder,
  Command,
  DefineInstrument,
  MassCancel,
  PlaceOrder,
  ReplaceOrder,
  SetPhase,
} from './commands.js';
import { parseDecimal } from './decimal.js';
import type { EngineEvent, InstrumentDefined } from './events.js';
import { EventBuffer } from './event-buffer.js';
import { StateHasher } from './hash.js';
import { bandToBps, Matcher, type MatcherContext } from './matcher.js';
import { IdRegistry } from './id-registry.js';
import { checkLimits, MAX_BAND_BPS } from './limits.js';
import { S_FREE } from './order-table.js';
import type { RejectReason } from './reasons.js';
import { BUY, PHASES, SELL, STP_MODES, type InstrumentConfig } from './types.js';
import { restoreMatcher, snapshotMatcher, type MatcherSnapshot } from './snapshot.js';

export interface ExchangeOptions {
  /** Which book implementation each instrument uses (default: the fast book). */
  book?: OrderBookFactory;
  /** Order slots each instrument's order table starts with (it grows by doubling). */
  orderCapacity?: number;
}

/** Plain JSON data: everything needed to rebuild an Exchange exactly. */
export interface ExchangeSnapshot {
  version: 1;
  seq: number;
  serial: number;
  instruments: MatcherSnapshot[];
  /** Every client order id ever accepted, in acceptance order of registration. */
  orderIds: string[];
}

/** Registry value for an id whose order is gone: the id stays taken. */
const DONE = -1;

export class Exchange {
  private readonly bookFactory: OrderBookFactory;
  private readonly matchers = new Map<string, Matcher>();
  private readonly list: Matcher[] = [];
  /** Client order id -> order handle within its instrument (confirmed by the slot's client id). */
  private readonly ids = new IdRegistry();
  /** Symbol of each instrument index (shared with the event buffer). */
  private readonly symbols: string[] = [];
  private readonly ctx: MatcherContext;
  private readonly orderCapacity: number | undefined;

  constructor(opts: ExchangeOptions = {}) {
    this.bookFactory = opts.book ?? (() => new FastBook());
    this.orderCapacity = opts.orderCapacity;
    this.ctx = { seq: 0, serial: 0, buf: new EventBuffer(this.symbols) };
  }

  /**
   * Applies one command and returns the events it caused, each with the next `seq`, as objects.
   * The handle API below does the same work without resolving strings or building objects.
   */
  execute(cmd: Command): EngineEvent[] {
    this.ctx.buf.clear();
    this.dispatch(cmd);
    return this.ctx.buf.toArray();
  }

  // ---- the handle API: symbols and client ids resolved once by the caller -----------------

  /**
   * The events of the last command (this or the handle API), written without allocation; read
   * them by column or as objects with `events.event(i)`. Valid until the next command.
   */
  get events(): EventBuffer {
    return this.ctx.buf;
  }

  /** Index of a symbol for the handle API (stable for the life of the engine), or -1. */
  instrumentIndex(symbol: string): number {
    const m = this.matchers.get(symbol);
    return m === undefined ? -1 : m.index;
  }

  /**
   * Places an order on instrument `inst` (from instrumentIndex; `cmd.symbol` is not read) and
   * returns its handle, or -1 when it was rejected. The caller owns client-id uniqueness and the
   * id -> handle mapping (the edge resolves ids once, as venues assign OrderIDs): the id is not
   * looked up or registered here, so an order placed this way is reachable only by its handle.
   * Events are in `events`.
   */
  placeAt(inst: number, cmd: PlaceOrder): number {
    this.ctx.buf.clear();
    const m = this.list[inst];
    if (m === undefined) return this.badIndex(inst, cmd, 'place');
    m.begin(cmd.ts);
    return m.place(cmd);
  }

  /**
   * Cancels by handle. A handle whose order is done, belongs to another account or now holds
   * another order (its slot was reused: `cmd.orderId` differs) is answered `unknown_order`, as
   * execute() answers an unknown id.
   */
  cancelAt(inst: number, handle: number, cmd: CancelOrder): void {
    this.ctx.buf.clear();
    const m = this.list[inst];
    if (m === undefined) {
      this.badIndex(inst, cmd, 'cancel');
      return;
    }
    m.begin(cmd.ts);
    if (!this.owns(m, handle, cmd.orderId, cmd.account)) {
      m.reject(cmd, 'unknown_order', `Cannot cancel order ${cmd.orderId}: unknown order id`);
    } else m.cancel(handle);
  }

  /** Replaces by handle; the same checks as cancelAt. */
  replaceAt(inst: number, handle: number, cmd: ReplaceOrder): void {
    this.ctx.buf.clear();
    const m = this.list[inst];
    if (m === undefined) {
      this.badIndex(inst, cmd, 'replace');
      return;
    }
    m.begin(cmd.ts);
    if (!this.owns(m, handle, cmd.orderId, cmd.account)) {
      m.reject(cmd, 'unknown_order', `Cannot replace order ${cmd.orderId}: unknown order id`);
    } else m.replace(handle, cmd);
  }

  private badIndex(inst: number, cmd: { orderId: string; account: string }, verb: string): -1 {
    this.reject(
      { orderId: cmd.orderId, account: cmd.account },
      'unknown_symbol',
      `Cannot ${verb} order ${cmd.orderId}: no instrument has index ${inst}`,
    );
    return -1;
  }

  /** Whether `oid` is a live order with this client id and account (a pointer compare when the caller passes the id it placed with). */
  private owns(m: Matcher, oid: number, orderId: string, account: string): boolean {
    const o = m.orders;
    return (
      oid >= 0 &&
      oid < o.size &&
      o.state[oid] !== S_FREE &&
      o.clientId[oid] === orderId &&
      o.account[oid] === account
    );
  }

  private dispatch(cmd: Command): void {
    switch (cmd.type) {
      case 'place':
        this.place(cmd);
        break;
      case 'cancel':
        this.cancel(cmd);
        break;
      case 'replace':
        this.replace(cmd);
        break;
      case 'instrument':
        this.define(cmd);
        break;
      case 'massCancel':
        this.massCancel(cmd);
        break;
      case 'phase':
        this.phase(cmd);
        break;
      case 'clock':
        for (const m of this.list) m.begin(cmd.ts);
        break;
      case 'snapshot': {
        const m = this.matchers.get(cmd.symbol);
        if (m === undefined) this.reject(cmd, 'unknown_symbol', `Unknown symbol ${cmd.symbol}`);
        else {
          m.emit({
            type: 'book',
            seq: 0,
            ts: m.clock,
            symbol: m.symbol,
            bids: m.levels(BUY),
            asks: m.levels(SELL),
          });
        }
        break;
      }
      default:
        this.reject({}, 'malformed', `Unknown command type ${(cmd as { type: unknown }).type}`);
    }
  }

  /** Sequence number of the last event produced (0 before any). */
  get seq(): number {
    return this.ctx.seq;
  }

  /** The configuration of every instrument, in definition order. */
  instruments(): InstrumentConfig[] {
    return this.list.map((m) => m.config);
  }

  /** The matcher of one symbol, for read-only views (benchmarks, tests). */
  matcher(symbol: string): Matcher | undefined {
    return this.matchers.get(symbol);
  }

  /** Hash of the whole state: books, orders, stops, phases, counters. */
  stateHash(): string {
    const h = new StateHasher();
    h.number(this.ctx.seq).number(this.ctx.serial).number(this.ids.size);
    for (const m of this.list) hashMatcher(m, h);
    return h.digest();
  }

  /** Hash of one instrument's state (book, orders, stops, phase, trade count), or undefined. */
  symbolHash(symbol: string): string | undefined {
    const m = this.matchers.get(symbol);
    if (m === undefined) return undefined;
    const h = new StateHasher();
    hashMatcher(m, h);
    return h.digest();
  }

  /** Structural self-check of every book and of the engine's own indexes. Throws on a breach. */
  validate(): void {
    for (const m of this.list) {
      m.book.validate();
      const o = m.orders;
      let live = 0;
      for (let oid = 0; oid < o.size; oid++) {
        if (o.state[oid] === S_FREE) continue;
        live++;
        const q = o.quantity[oid];
        if (o.cancelled(oid) < 0 || o.filled[oid] > q || !Number.isSafeInteger(q)) {
          throw new Error(`${m.symbol} order ${o.clientId[oid]}: quantities do not add up`);
        }
        if (!(o.leaves[oid] > 0))
          throw new Error(`${m.symbol} order ${o.clientId[oid]}: live with no leaves`);
        // Orders placed through the handle API are not registered (their ids are the edge's).
        const registered = this.ids.get(o.clientId[oid]);
        if (registered !== undefined && registered !== oid) {
          throw new Error(`order ${o.clientId[oid]} registered to another handle`);
        }
      }
      if (live !== o.live) throw new Error(`${m.symbol}: live count ${o.live} != ${live}`);
      const bid = m.book.bestPrice(BUY);
      const ask = m.book.bestPrice(SELL);
      if (m.phase === 'continuous' && bid >= ask)
        throw new Error(`${m.symbol}: book crossed ${bid} >= ${ask}`);
    }
  }

  snapshot(): ExchangeSnapshot {
    return {
      version: 1,
      seq: this.ctx.seq,
      serial: this.ctx.serial,
      instruments: this.list.map(snapshotMatcher),
      orderIds: [...this.ids.keys()],
    };
  }

  static restore(snap: ExchangeSnapshot, opts: ExchangeOptions = {}): Exchange {
    if (snap.version !== 1) throw new Error(`Unsupported snapshot version ${String(snap.version)}`);
    const ex = new Exchange(opts);
    ex.ctx.seq = snap.seq;
    ex.ctx.serial = snap.serial;
    for (const id of snap.orderIds) ex.ids.set(id, DONE);
    for (const ms of snap.instruments) {
      const m = ex.addMatcher(ms.config);
      restoreMatcher(m, ms, (clientId, oid) => ex.ids.set(clientId, oid));
    }
    return ex;
  }

  // ---- commands -----------------------------------------------------------------------------

  private define(cmd: DefineInstrument): void {
    const c = cmd.instrument;
    if (this.matchers.has(c.symbol)) {
      this.reject(
        { symbol: c.symbol },
        'duplicate_symbol',
        `Instrument ${c.symbol} is already defined`,
      );
      return;
    }
    const problem = checkInstrument(c);
    if (problem !== null) {
      this.reject({ symbol: c.symbol }, 'malformed', `Cannot define ${c.symbol}: ${problem}`);
      return;
    }
    const m = this.addMatcher({ ...c });
    m.begin(cmd.ts);
    const event: InstrumentDefined = {
      type: 'instrument',
      seq: 0,
      ts: m.clock,
      symbol: c.symbol,
      tickSize: c.tickSize,
      lotSize: c.lotSize,
      bandPct: c.bandPct,
      referencePrice: c.referencePrice,
      stp: c.stp ?? 'none',
      phase: m.phase,
    };
    if (c.maxQty !== undefined) event.maxQty = c.maxQty;
    if (c.maxPrice !== undefined) event.maxPrice = c.maxPrice;
    m.emit(event);
  }

  private addMatcher(config: InstrumentConfig): Matcher {
    const m = new Matcher(
      config,
      this.bookFactory(),
      this.ctx,
      this.list.length,
      this.orderCapacity,
    );
    this.symbols.push(config.symbol);
    m.reopenAfterHalt = () => changePhase(m, 'continuous', 'reopen');
    this.matchers.set(config.symbol, m);
    this.list.push(m);
    return m;
  }

  private place(cmd: PlaceOrder): void {
    const m = this.matchers.get(cmd.symbol);
    if (m === undefined) {
      this.reject(
        cmd,
        'unknown_symbol',
        `Cannot place order ${cmd.orderId}: unknown symbol ${cmd.symbol}`,
      );
      return;
    }
    m.begin(cmd.ts);
    if (this.ids.get(cmd.orderId) !== undefined) {
      m.reject(
        cmd,
        'duplicate_order_id',
        `Cannot place order ${cmd.orderId}: order id already used`,
      );
      return;
    }
    const oid = m.place(cmd);
    if (oid >= 0) this.ids.add(cmd.orderId, oid);
  }

  /** Finds a live order of this account on this symbol, or -1: foreign orders look unknown. */
  private find(m: Matcher, orderId: string, account: string): number {
    const oid = this.ids.get(orderId);
    if (oid === undefined || oid === DONE) return -1;
    // Ids are unique across instruments, so a slot holding this id on this book is this order.
    const o = m.orders;
    if (oid >= o.size || o.state[oid] === S_FREE || o.clientId[oid] !== orderId) return -1;
    return o.account[oid] === account ? oid : -1;
  }

  private cancel(cmd: CancelOrder): void {
    const m = this.matchers.get(cmd.symbol);
    if (m === undefined) {
      this.reject(
        cmd,
        'unknown_symbol',
        `Cannot cancel order ${cmd.orderId}: unknown symbol ${cmd.symbol}`,
      );
      return;
    }
    m.begin(cmd.ts);
    const oid = this.find(m, cmd.orderId, cmd.account);
    if (oid < 0)
      m.reject(cmd, 'unknown_order', `Cannot cancel order ${cmd.orderId}: unknown order id`);
    else m.cancel(oid);
  }

  private replace(cmd: ReplaceOrder): void {
    const m = this.matchers.get(cmd.symbol);
    if (m === undefined) {
      this.reject(
        cmd,
        'unknown_symbol',
        `Cannot replace order ${cmd.orderId}: unknown symbol ${cmd.symbol}`,
      );
      return;
    }
    m.begin(cmd.ts);
    const oid = this.find(m, cmd.orderId, cmd.account);
    if (oid < 0)
      m.reject(cmd, 'unknown_order', `Cannot replace order ${cmd.orderId}: unknown order id`);
    else m.replace(oid, cmd);
  }

  private massCancel(cmd: MassCancel): void {
    let targets = this.list;
    if (cmd.symbol !== undefined) {
      const m = this.matchers.get(cmd.symbol);
      if (m === undefined) {
        this.reject(cmd, 'unknown_symbol', `Cannot mass-cancel: unknown symbol ${cmd.symbol}`);
        return;
      }
      targets = [m];
    }
    let count = 0;
    for (const m of targets) {
      m.begin(cmd.ts);
      count += m.massCancel(cmd.account);
    }
    const ts = targets.length > 0 ? Math.max(...targets.map((m) => m.clock)) : (cmd.ts ?? 0);
    const event: EngineEvent = {
      type: 'massCancelled',
      seq: ++this.ctx.seq,
      ts,
      account: cmd.account,
      symbol: cmd.symbol,
      count,
    };
    this.ctx.buf.pushObject(event);
  }

  private phase(cmd: SetPhase): void {
    const m = this.matchers.get(cmd.symbol);
    if (m === undefined) {
      this.reject(cmd, 'unknown_symbol', `Cannot change phase: unknown symbol ${cmd.symbol}`);
      return;
    }
    m.begin(cmd.ts);
    if (!PHASES.includes(cmd.phase)) {
      m.reject({}, 'malformed', `Unknown phase ${cmd.phase}`);
    } else if (!changePhase(m, cmd.phase, 'command')) {
      m.reject({}, 'no_change', `${m.symbol} is already in phase ${cmd.phase}`);
    }
  }

  private reject(
    cmd: { orderId?: string; symbol?: string; account?: string; ts?: number },
    reason: RejectReason,
    message: string,
  ): void {
    this.ctx.buf.pushObject({
      type: 'rejected',
      seq: ++this.ctx.seq,
      ts: cmd.ts ?? 0,
      orderId: cmd.orderId,
      symbol: cmd.symbol,
      account: cmd.account,
      reason,
      message,
    });
  }
}

/** Why an instrument definition is unusable, or null. */
function checkInstrument(c: InstrumentConfig): string | null {
  if (typeof c.symbol !== 'string' || c.symbol.length === 0)
    return 'symbol must be a non-empty string';
  for (const [name, text] of [
    ['tickSize', c.tickSize],
    ['lotSize', c.lotSize],
  ] as const) {
    const d = typeof text === 'string' ? parseDecimal(text) : null;
    if (d === null || d.mantissa <= 0n) return `${name} must be a positive decimal`;
  }
  let bandBps: number | undefined;
  if (c.bandPct !== undefined) {
    const d = parseDecimal(c.bandPct);
    if (d === null || d.mantissa <= 0n) return 'bandPct must be a positive decimal';
    try {
      bandToBps(c.bandPct);
    } catch (err) {
      return (err as Error).message;
    }
    // Compared, not converted: a huge percentage must not become an inexact number first.
    bandBps =
      d.mantissa * 100n > BigInt(MAX_BAND_BPS) * 10n ** BigInt(d.scale)
        ? Infinity
        : bandToBps(c.bandPct);
  }
  if (
    c.referencePrice !== undefined &&
    !(Number.isSafeInteger(c.referencePrice) && c.referencePrice > 0)
  ) {
    return 'referencePrice must be a positive number of ticks';
  }
  if (c.stp !== undefined && !STP_MODES.includes(c.stp)) return `unknown stp mode ${c.stp}`;
  if (c.phase !== undefined && !PHASES.includes(c.phase)) return `unknown phase ${c.phase}`;
  if (c.haltPauseNs !== undefined && !(Number.isSafeInteger(c.haltPauseNs) && c.haltPauseNs >= 0)) {
    return 'haltPauseNs must be a non-negative integer';
  }
  return checkLimits({
    maxQty: c.maxQty,
    maxPrice: c.maxPrice,
    referencePrice: c.referencePrice,
    bandBps,
  });
}

function hashMatcher(m: Matcher, h: StateHasher): void {
  const o = m.orders;
  h.string(m.symbol).string(m.phase).number(m.lastPrice).number(m.haltUntil).number(m.clock);
  h.number(m.tradeCount);
  const order = (oid: number) => {
    h.string(o.clientId[oid]).string(o.account[oid]).number(o.price[oid]).number(o.stopPrice(oid));
    h.number(o.leaves[oid]).number(o.filled[oid]).number(o.cancelled(oid)).number(o.expireAt(oid));
  };
  for (const side of [BUY, SELL] as const) {
    for (let oid = m.book.best(side); oid !== -1; oid = m.book.next(oid)) {
      order(oid);
      h.number(m.book.qtyOf(oid));
    }
    h.number(-1);
    for (const oid of m.callMarkets[side]) order(oid);
    h.number(-2);
  }
  for (const oid of m.stops) order(oid);
}
