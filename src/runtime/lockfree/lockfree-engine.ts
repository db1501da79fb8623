/**
 * `lockfree` mode, main-thread side: validates, gives each order a slot, hands places round-robin
 * to K matching threads that all work on the one shared book, and turns their compact results
 * into the core's event shapes. Cancels and snapshots run right here on the same shared memory
 * (a cancel is one CAS loop, it never waits for a matching thread).
 *
 * Supported: one instrument; limit GTC/IOC, market, cancel, massCancel, snapshot, clock. Anything
 * else is rejected with a message saying lockfree mode does not support it. `accepted` is released
 * before the order reaches a matching thread, so listeners see an order's acceptance before any
 * fill against it; the rest of a command's events follow when its thread answers, and different
 * commands complete (and their submit() promises resolve) in any order.
 */
import { availableParallelism } from 'node:os';
import type {
  CancelOrder,
  Command,
  EngineEvent,
  InstrumentConfig,
  MassCancel,
  PlaceOrder,
  RejectReason,
} from '../../core/index.js';
import { StateHasher } from '../../core/index.js';
import type { CommandJournal, Engine, Mode } from '../engine.js';
import { EventListeners } from '../listeners.js';
import { stampCommand } from '../stamp.js';
import type { WaitStrategyConfig } from '../shm/index.js';
import { MatchingLanes } from './lanes.js';
import { FILLED, LockfreeMatcher, MODE_GTC, MODE_IOC, MODE_MARKET, RESTED } from './matcher.js';
import {
  BUY,
  createSharedBook,
  NEXT_NODE,
  SELL,
  viewSharedBook,
  walkResting,
  type SharedBookViews,
} from './shared-book.js';
import { accepted as acceptedEvent, rejected } from '../mode-events.js';

export interface LockfreeOptions {
  /** Matching threads (default: available cores - 1, at least 2). */
  threads?: number;
  /** Lowest price of the book's window in ticks (default 1). */
  minPrice?: number;
  /** Price levels in the window (default 65536). */
  levels?: number;
  maxNodes?: number;
  maxOrders?: number;
  /** Debug: random spins injected between reads and CASes to widen races (default 0). */
  delaySpins?: number;
  /** How ring readers and writers wait (default spin-then-park). */
  wait?: WaitStrategyConfig;
}

export interface LockfreeEngineOptions {
  lockfree?: LockfreeOptions;
  journal?: CommandJournal;
  clock?: () => number;
  log?: (line: string) => void;
}

export class LockfreeEngine implements Engine {
  readonly mode: Mode = 'lockfree';
  private readonly sab: SharedArrayBuffer;
  private readonly v: SharedBookViews;
  private readonly local: LockfreeMatcher;
  private readonly lanes: MatchingLanes;
  private readonly listeners: EventListeners;
  private readonly journal?: CommandJournal;
  private readonly clock?: () => number;
  private instrument?: InstrumentConfig;
  private readonly ids = new Map<string, number>();
  private readonly slotId: string[] = [];
  private readonly slotAccount: string[] = [];
  private readonly inflight = new Map<number, Promise<unknown>>();
  private seq = 0;
  private tradeId = 0;
  private lastTs = 0;
  private closed = false;
  private failure: Error | null = null;

  constructor(opts: LockfreeEngineOptions = {}) {
    const o = opts.lockfree ?? {};
    this.listeners = new EventListeners(opts.log);
    this.journal = opts.journal;
    this.clock = opts.clock;
    this.sab = createSharedBook({
      minPrice: o.minPrice ?? 1,
      levels: o.levels,
      maxNodes: o.maxNodes,
      maxOrders: o.maxOrders,
    });
    this.v = viewSharedBook(this.sab);
    this.local = new LockfreeMatcher(this.v);
    const threads = o.threads ?? Math.max(2, availableParallelism() - 1);
    this.lanes = new MatchingLanes({
      threads,
      book: this.sab,
      delaySpins: o.delaySpins ?? 0,
      wait: o.wait ?? {},
      onFailure: (err) => {
        this.failure ??= err;
        opts.log?.(`lockfree: a matching thread failed: ${err.message}`);
      },
    });
    opts.log?.(`lockfree: ${threads} matching threads share one book`);
  }

  onEvents(listener: (events: readonly EngineEvent[]) => void): () => void {
    return this.listeners.add(listener);
  }

  async submit(input: Command): Promise<EngineEvent[]> {
    if (this.closed) throw new Error('engine is closed');
    if (this.failure) throw this.failure;
    const cmd = stampCommand(input, this.clock);
    // A snapshot only reads: like the core, it does not move engine time.
    if (cmd.type !== 'snapshot' && cmd.ts !== undefined && cmd.ts > this.lastTs)
      this.lastTs = cmd.ts;
    // Engine time never goes backwards, as in the core.
    const ts = this.lastTs;
    const durable = cmd.type !== 'snapshot' ? this.journal?.append(cmd) : undefined;
    let events: EngineEvent[];
    switch (cmd.type) {
      case 'instrument':
        events = this.define(cmd.instrument, ts);
        break;
      case 'place':
        // Releases its own events: `accepted` before the order reaches a matching thread.
        return this.place(cmd, ts, durable);
      case 'cancel':
        events = await this.cancel(cmd, ts);
        break;
      case 'massCancel':
        events = await this.massCancel(cmd, ts);
        break;
      case 'snapshot':
        events =
          cmd.symbol === this.instrument?.symbol
            ? [this.bookEvent(ts)]
            : [rejected(ts, cmd, 'unknown_symbol', `Unknown symbol ${cmd.symbol}`)];
        break;
      case 'clock':
        events = [];
        break;
      default:
        events = [
          rejected(
            ts,
            cmd as { symbol?: string },
            'invalid_order',
            `lockfree mode does not support ${cmd.type} commands`,
          ),
        ];
    }
    if (durable) await durable;
    return this.emit(events);
  }

  private emit(events: EngineEvent[]): EngineEvent[] {
    for (const e of events) e.seq = ++this.seq;
    this.listeners.emit(events);
    return events;
  }

  async stateHash(): Promise<string> {
    const h = new StateHasher();
    walkResting(this.v, (o) => {
      h.number(o.side).number(o.price).string(this.slotId[o.slot]).number(o.qty);
    });
    return h.digest();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.inflight.values()]);
    await this.lanes.close();
    await this.journal?.close();
  }

  // ---- commands ---------------------------------------------------------------------------

  private define(c: InstrumentConfig, ts: number): EngineEvent[] {
    if (this.instrument) {
      const reason = c.symbol === this.instrument.symbol ? 'duplicate_symbol' : 'invalid_order';
      const why =
        c.symbol === this.instrument.symbol
          ? `Instrument ${c.symbol} is already defined`
          : `lockfree mode runs exactly one instrument (${this.instrument.symbol}); cannot add ${c.symbol}`;
      return [rejected(ts, { symbol: c.symbol }, reason, why)];
    }
    this.instrument = { ...c };
    return [
      {
        type: 'instrument',
        seq: 0,
        ts,
        symbol: c.symbol,
        tickSize: c.tickSize,
        lotSize: c.lotSize,
        bandPct: c.bandPct,
        referencePrice: c.referencePrice,
        stp: c.stp ?? 'none',
        phase: c.phase ?? 'continuous',
      },
    ];
  }

  private checkPlace(cmd: PlaceOrder): [RejectReason, string] | null {
    const what = `Cannot place order ${cmd.orderId}`;
    if (cmd.symbol !== this.instrument?.symbol) {
      return ['unknown_symbol', `${what}: unknown symbol ${cmd.symbol}`];
    }
    if (this.ids.has(cmd.orderId)) return ['duplicate_order_id', `${what}: order id already used`];
    if (cmd.side !== 'buy' && cmd.side !== 'sell') {
      return ['malformed', `${what}: side must be buy or sell`];
    }
    if (cmd.kind !== 'limit' && cmd.kind !== 'market') {
      return ['invalid_order', `${what}: lockfree mode does not support ${cmd.kind} orders`];
    }
    const tif = cmd.tif ?? (cmd.kind === 'market' ? 'IOC' : 'GTC');
    if (tif !== 'GTC' && tif !== 'IOC') {
      return ['invalid_order', `${what}: lockfree mode does not support time in force ${tif}`];
    }
    if (cmd.postOnly || cmd.displayQty !== undefined || (cmd.stp && cmd.stp !== 'none')) {
      return [
        'invalid_order',
        `${what}: lockfree mode does not support post-only, iceberg or self-trade prevention`,
      ];
    }
    if (!Number.isSafeInteger(cmd.qty) || cmd.qty <= 0 || cmd.qty > 0x7fffffff) {
      return ['invalid_qty', `${what}: quantity must be a whole number of lots in [1, 2^31-1]`];
    }
    if (cmd.kind === 'limit') {
      const p = cmd.price;
      if (p === undefined || !Number.isSafeInteger(p) || p <= 0) {
        return ['invalid_price', `${what}: a limit order needs a positive price`];
      }
      const hi = this.v.minPrice + this.v.levels - 1;
      if (p < this.v.minPrice || p > hi) {
        return [
          'invalid_price',
          `${what}: lockfree mode's shared book covers prices ${this.v.minPrice}..${hi} ticks`,
        ];
      }
    }
    if (this.slotId.length >= this.v.maxOrders) {
      return [
        'invalid_order',
        `${what}: lockfree book is out of order slots (${this.v.maxOrders})`,
      ];
    }
    // Keep 1/8 of the node pool for re-rest attempts of orders already in flight.
    // seq-cst load: a recent count is enough, the matcher itself refuses past the real end.
    if (Atomics.load(this.v.header, NEXT_NODE) >= this.v.next.length - (this.v.maxNodes >> 3)) {
      return ['invalid_order', `${what}: lockfree book is out of resting nodes`];
    }
    return null;
  }

  /**
   * Journal first, then `accepted` is released, then the order goes to a matching thread: so a
   * listener always sees an order's acceptance before any fill another thread makes against it.
   */
  private async place(
    cmd: PlaceOrder,
    ts: number,
    durable: Promise<void> | undefined,
  ): Promise<EngineEvent[]> {
    const problem = this.checkPlace(cmd);
    if (problem) {
      if (durable) await durable;
      return this.emit([rejected(ts, cmd, problem[0], problem[1])]);
    }
    const slot = this.slotId.length;
    this.slotId.push(cmd.orderId);
    this.slotAccount.push(cmd.account);
    this.ids.set(cmd.orderId, slot);
    const tif = cmd.tif === 'IOC' || cmd.kind === 'market' ? 'IOC' : 'GTC';
    const mode = cmd.kind === 'market' ? MODE_MARKET : tif === 'IOC' ? MODE_IOC : MODE_GTC;
    const side = cmd.side === 'buy' ? BUY : SELL;
    const level = cmd.kind === 'market' ? -1 : cmd.price! - this.v.minPrice;
    let release!: () => void;
    this.inflight.set(slot, new Promise<void>((r) => (release = r)));
    let result: Int32Array;
    let accepted: EngineEvent;
    try {
      if (durable) await durable;
      accepted = acceptedEvent(cmd, ts, tif);
      this.emit([accepted]);
      result = await this.lanes.place([slot, side, level, cmd.qty, mode]);
    } finally {
      this.inflight.delete(slot);
      release();
    }
    const events = this.outcomeEvents(cmd, ts, mode, result);
    if (this.journal?.appendOutcome) {
      // Input order is not matching order here: the outcome record is what recovery replays.
      const fills = events.filter((e) => e.type === 'trade');
      const outcome = { orderId: cmd.orderId, result: result[1], leaves: result[2], fills };
      await this.journal.appendOutcome(JSON.stringify(outcome), ts);
    }
    this.emit(events);
    return [accepted, ...events];
  }

  private outcomeEvents(
    cmd: PlaceOrder,
    ts: number,
    mode: number,
    result: Int32Array,
  ): EngineEvent[] {
    const events: EngineEvent[] = [];
    let left = cmd.qty;
    for (let i = 0; i < result[3]; i++) {
      const at = 4 + i * 4;
      const maker = result[at];
      left -= result[at + 2];
      events.push({
        type: 'trade',
        seq: 0,
        ts,
        symbol: cmd.symbol,
        tradeId: ++this.tradeId,
        price: this.v.minPrice + result[at + 1],
        qty: result[at + 2],
        makerOrderId: this.slotId[maker],
        takerOrderId: cmd.orderId,
        makerAccount: this.slotAccount[maker],
        takerAccount: cmd.account,
        aggressor: cmd.side,
        makerLeaves: result[at + 3],
        takerLeaves: left,
        auction: false,
      });
    }
    const outcome = result[1];
    if (outcome !== RESTED && outcome !== FILLED) {
      events.push({
        type: 'cancelled',
        seq: 0,
        ts,
        symbol: cmd.symbol,
        orderId: cmd.orderId,
        account: cmd.account,
        remainingQty: result[2],
        reason: mode === MODE_IOC ? 'ioc' : 'no_liquidity',
      });
    }
    return events;
  }

  private async cancel(cmd: CancelOrder, ts: number): Promise<EngineEvent[]> {
    const slot = this.ids.get(cmd.orderId);
    if (slot !== undefined) await this.inflight.get(slot);
    const unknown = (): EngineEvent[] => [
      rejected(ts, cmd, 'unknown_order', `Cannot cancel order ${cmd.orderId}: unknown order id`),
    ];
    if (cmd.symbol !== this.instrument?.symbol) {
      const why = `Cannot cancel order ${cmd.orderId}: unknown symbol ${cmd.symbol}`;
      return [rejected(ts, cmd, 'unknown_symbol', why)];
    }
    if (slot === undefined || this.slotAccount[slot] !== cmd.account) return unknown();
    const removed = this.local.cancel(slot);
    if (removed === 0) return unknown();
    return [this.cancelled(ts, slot, removed, 'user')];
  }

  private async massCancel(cmd: MassCancel, ts: number): Promise<EngineEvent[]> {
    if (cmd.symbol !== undefined && cmd.symbol !== this.instrument?.symbol) {
      const why = `Cannot mass-cancel: unknown symbol ${cmd.symbol}`;
      return [rejected(ts, cmd, 'unknown_symbol', why)];
    }
    const mine: number[] = [];
    for (let slot = 0; slot < this.slotAccount.length; slot++) {
      if (this.slotAccount[slot] === cmd.account) mine.push(slot);
    }
    await Promise.allSettled(mine.map((s) => this.inflight.get(s)));
    const events: EngineEvent[] = [];
    for (const slot of mine) {
      const removed = this.local.cancel(slot);
      if (removed > 0) events.push(this.cancelled(ts, slot, removed, 'mass_cancel'));
    }
    events.push({
      type: 'massCancelled',
      seq: 0,
      ts,
      account: cmd.account,
      symbol: cmd.symbol,
      count: events.length,
    });
    return events;
  }

  private cancelled(
    ts: number,
    slot: number,
    remainingQty: number,
    reason: 'user' | 'mass_cancel',
  ): EngineEvent {
    return {
      type: 'cancelled',
      seq: 0,
      ts,
      symbol: this.instrument!.symbol,
      orderId: this.slotId[slot],
      account: this.slotAccount[slot],
      remainingQty,
      reason,
    };
  }

  private bookEvent(ts: number): EngineEvent {
    const bids: { price: number; orders: { orderId: string; qty: number }[] }[] = [];
    const asks: typeof bids = [];
    walkResting(this.v, (o) => {
      const side = o.side === BUY ? bids : asks;
      let level = side[side.length - 1];
      if (!level || level.price !== o.price) side.push((level = { price: o.price, orders: [] }));
      level.orders.push({ orderId: this.slotId[o.slot], qty: o.qty });
    });
    return { type: 'book', seq: 0, ts, symbol: this.instrument!.symbol, bids, asks };
  }
}
