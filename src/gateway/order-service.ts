import { createHash, randomBytes } from 'node:crypto';
import type { Command, EngineEvent } from '../core/index.js';
import type { InstrumentRegistry, InstrumentUnits } from '../protocol/index.js';
import type { Engine } from '../runtime/index.js';
import type { Principal } from './auth/index.js';
import { ApiError } from './errors.js';
import type { GatewayMetrics } from './metrics.js';
import { fillView, orderView, type FillView, type OrderView } from './orders/format.js';
import { OrderEntry, type Fields } from './orders/order-entry.js';
import { OrderRegistry, type FillRecord, type OrderRecord } from './orders/order-registry.js';
import type { RiskChecker } from './risk/index.js';

export interface OrderServiceOptions {
  engine: Engine;
  instruments: InstrumentRegistry;
  orders: OrderRegistry;
  risk: RiskChecker;
  metrics: GatewayMetrics;
  /** Secret salt that turns (account, clientOrderId) into a stable, unguessable order id. */
  idSalt: string;
  /** Looks up an order this process no longer (or never) held in memory. */
  findStored?: (orderId: string) => Promise<OrderRecord | undefined>;
  /** Finds the symbol of an order the registry does not know (e.g. from the public L3 book). */
  symbolOf?: (orderId: string) => string | undefined;
  /**
   * Global admission bound: commands submitted to the engine and not yet answered, all clients
   * together. Beyond it new orders are refused at once with `throttled` (default 10,000).
   */
  maxQueued?: number;
  /** Engine health beside the service's own record of failed submits (e.g. the journal's). */
  engineHealth?: () => { ok: boolean; reason?: string };
  /** Called once when the engine starts failing (logs the cause once, not per order). */
  onFailure?: (err: Error) => void;
}

/** What /health reports. */
export interface ServiceHealth {
  ok: boolean;
  reason?: string;
}

export interface PlaceResult {
  /** 201 for a new order, 200 for an idempotent retry. */
  status: 200 | 201;
  body: { order: OrderView; fills: FillView[] };
}

type Outcome =
  | { ok: true; orderId: string; fills: FillRecord[]; existing?: boolean }
  | { ok: false; error: ApiError; reachedEngine: boolean };

const MAX_IDEMPOTENCY_ENTRIES = 500_000;
const MAX_FALLBACK = 10_000;
export const DEFAULT_MAX_QUEUED = 10_000;

/**
 * Order entry shared by HTTP and WebSocket: validation and the core command (OrderEntry: one
 * compiled schema), the global admission bound, pre-trade risk with its reservation, the engine,
 * and the answer built from the engine's events. Idempotent by (account, clientOrderId): within a
 * process the first outcome that reached the engine is replayed (a refusal before the engine, such
 * as a rate limit, is not remembered); across restarts the order id derived from the client id
 * makes the engine refuse a second order (duplicate_order_id), answered with the first.
 * A submit that fails (the journal cannot write) marks the service unhealthy: every order is then
 * refused with `unavailable` (503) and /health says why.
 */
export class OrderService {
  private readonly prefix = Date.now().toString(36) + randomBytes(3).toString('hex');
  private counter = 0;
  private readonly outcomes = new Map<string, Promise<Outcome>>();
  private readonly entry: OrderEntry;
  private readonly maxQueued: number;
  private queued = 0;
  private failure: string | undefined;

  constructor(private readonly o: OrderServiceOptions) {
    this.entry = new OrderEntry(o.instruments);
    this.maxQueued = o.maxQueued ?? DEFAULT_MAX_QUEUED;
  }

  units(symbol: string): InstrumentUnits {
    return this.entry.units(symbol);
  }

  /** Commands submitted and not yet answered. */
  get inFlight(): number {
    return this.queued;
  }

  health(): ServiceHealth {
    if (this.failure !== undefined) return { ok: false, reason: this.failure };
    const e = this.o.engineHealth?.();
    if (e !== undefined && !e.ok) return { ok: false, reason: e.reason ?? 'engine unavailable' };
    return { ok: true };
  }

  /** Refuses at once when the venue cannot take more work or cannot record it. */
  private admission(): void {
    const h = this.health();
    if (!h.ok) {
      throw this.reject(
        new ApiError('unavailable', `The venue cannot accept orders now: ${h.reason}`),
      );
    }
    if (this.queued >= this.maxQueued) {
      throw this.reject(
        new ApiError(
          'throttled',
          `The venue is busy: ${this.maxQueued} commands are waiting for the engine; retry shortly`,
        ),
      );
    }
  }

  view(order: OrderRecord): OrderView {
    return orderView(order, this.units(order.symbol));
  }

  async place(p: Principal, body: unknown): Promise<PlaceResult> {
    try {
      this.entry.validatePlace(body);
    } catch (err) {
      this.o.metrics.recordOrder('rejected');
      throw this.reject(err as ApiError);
    }
    const clientOrderId = body.clientOrderId as string | undefined;
    if (clientOrderId === undefined)
      return this.answer(await this.placeNew(p, body, undefined), false);
    const key = `${p.account}\u0000${clientOrderId}`;
    const earlier = this.outcomes.get(key);
    if (earlier !== undefined) return this.answer(await earlier, true);
    const pending = this.placeNew(p, body, clientOrderId);
    this.outcomes.set(key, pending);
    if (this.outcomes.size > MAX_IDEMPOTENCY_ENTRIES) {
      this.outcomes.delete(this.outcomes.keys().next().value!);
    }
    const out = await pending;
    // Only outcomes of orders that reached the engine are remembered: a refusal before it (rate
    // limit, disabled account, busy venue) may succeed when retried.
    if (!out.ok && !out.reachedEngine && this.outcomes.get(key) === pending) {
      this.outcomes.delete(key);
    }
    return this.answer(out, false);
  }

  async cancel(p: Principal, ref: string): Promise<{ order: OrderView }> {
    this.admission();
    this.rateToken(p.account);
    const { orderId, symbol } = this.locate(p, ref);
    const events = await this.submit({ type: 'cancel', symbol, orderId, account: p.account });
    this.throwIfRejected(events, orderId);
    return { order: this.view(this.recordOf(orderId, events)) };
  }

  async replace(
    p: Principal,
    ref: string,
    body: unknown,
  ): Promise<{ order: OrderView; fills: FillView[]; priorityKept: boolean }> {
    this.admission();
    // Structure first (the same answer whatever the order), then the order, then the values.
    try {
      this.entry.validateReplace(body, ref);
    } catch (err) {
      throw this.reject(err as ApiError);
    }
    const { orderId, symbol } = this.locate(p, ref);
    let cmd;
    try {
      cmd = this.entry.replace(body, p.account, orderId, symbol);
    } catch (err) {
      throw this.reject(err as ApiError);
    }
    const known = this.o.orders.getOwned(p.account, orderId);
    const u = this.units(symbol);
    const bad = this.o.risk.admitReplace({
      account: p.account,
      symbol,
      side: known?.side ?? 'buy',
      kind: known?.kind ?? 'limit',
      price: cmd.price ?? known?.price,
      stopPrice: cmd.stopPrice ?? known?.stopPrice,
      qty: cmd.qty ?? known?.leaves ?? 0,
      tick: u.tick,
      lot: u.lot,
    });
    if (bad)
      throw this.reject(
        new ApiError(bad.reason, `Cannot replace order ${orderId}: ${bad.message}`),
      );
    const events = await this.submit(cmd);
    this.throwIfRejected(events, orderId);
    const replaced = events.find((e) => e.type === 'replaced' && e.orderId === orderId);
    return {
      order: this.view(this.recordOf(orderId, events)),
      fills: this.fillsOf(orderId, events).map((f) => fillView(f, u, known?.clientOrderId)),
      priorityKept: replaced !== undefined && replaced.type === 'replaced' && replaced.priorityKept,
    };
  }

  async massCancel(p: Principal, symbol: string | undefined): Promise<{ cancelled: number }> {
    if (symbol !== undefined) this.units(symbol);
    this.admission();
    this.rateToken(p.account);
    return { cancelled: await this.cancelAll(p.account, symbol) };
  }

  /** Kill switch: refuse the account's new orders and cancel every open one. */
  async disable(account: string): Promise<number> {
    this.o.risk.setEnabled(account, false);
    return this.cancelAll(account, undefined);
  }

  async get(p: Principal, ref: string): Promise<{ order: OrderView }> {
    let o = this.find(p, ref);
    if (o === undefined && this.o.findStored !== undefined) {
      // Older than this process's memory (e.g. finished before a restart): ask the store.
      const id = ref.startsWith('client:') ? this.stableId(p.account, ref.slice(7)) : ref;
      const stored = await this.o.findStored(id);
      if (stored !== undefined && stored.account === p.account) o = stored;
    }
    if (o === undefined) throw new ApiError('unknown_order', `Unknown order ${ref}`);
    return { order: this.view(o) };
  }

  list(
    p: Principal,
    q: { status?: string; symbol?: string; limit?: number },
  ): { orders: OrderView[] } {
    const orders = this.o.orders.list(p.account, {
      open: q.status !== 'all',
      symbol: q.symbol,
      limit: q.limit ?? 100,
    });
    return { orders: orders.map((o) => this.view(o)) };
  }

  fills(p: Principal, q: { symbol?: string; limit?: number }): { fills: FillView[] } {
    const fills = this.o.orders.fills(p.account, { symbol: q.symbol, limit: q.limit ?? 100 });
    return {
      fills: fills.map((f) =>
        fillView(f, this.units(f.symbol), this.o.orders.get(f.orderId)?.clientOrderId),
      ),
    };
  }

  private async cancelAll(account: string, symbol: string | undefined): Promise<number> {
    const cmd: Command =
      symbol === undefined
        ? { type: 'massCancel', account }
        : { type: 'massCancel', account, symbol };
    const events = await this.submit(cmd);
    const summary = events.find((e) => e.type === 'massCancelled');
    if (summary !== undefined && summary.type === 'massCancelled') return summary.count;
    return events.filter((e) => e.type === 'cancelled').length;
  }

  private rateToken(account: string): void {
    const bad = this.o.risk.admitCancel(account);
    if (bad) throw this.reject(new ApiError(bad.reason, bad.message));
  }

  private async placeNew(
    p: Principal,
    body: Fields,
    clientOrderId: string | undefined,
  ): Promise<Outcome> {
    const orderId =
      clientOrderId === undefined ? this.nextId() : this.stableId(p.account, clientOrderId);
    let reachedEngine = false;
    try {
      this.admission();
      const cmd = this.entry.place(body, p.account, orderId);
      const u = this.units(cmd.symbol);
      const bad = this.o.risk.admit({ ...cmd, tick: u.tick, lot: u.lot });
      if (bad) throw new ApiError(bad.reason, `Cannot place order: ${bad.message}`);
      let events: EngineEvent[];
      this.o.orders.expect(orderId, clientOrderId);
      try {
        reachedEngine = true;
        events = await this.submit(cmd);
      } catch (err) {
        // Never reached the journal: the engine did not take it.
        reachedEngine = false;
        throw err;
      } finally {
        this.o.risk.release(p.account);
        this.o.orders.forget(orderId);
      }
      const rejected = this.rejectionOf(events, orderId, { clientOrderId });
      if (rejected !== undefined) {
        if (rejected.reason === 'duplicate_order_id' && clientOrderId !== undefined) {
          const first = this.o.orders.getOwned(p.account, orderId);
          if (first !== undefined) return { ok: true, orderId, fills: [], existing: true };
        }
        throw rejected;
      }
      this.o.metrics.recordOrder('accepted');
      const rec = this.o.orders.get(orderId);
      if (rec === undefined) {
        this.fallback.set(orderId, this.recordOf(orderId, events));
        if (this.fallback.size > MAX_FALLBACK) {
          this.fallback.delete(this.fallback.keys().next().value!);
        }
      }
      return { ok: true, orderId, fills: this.fillsOf(orderId, events) };
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      this.o.metrics.recordOrder('rejected');
      this.reject(err);
      return { ok: false, error: err, reachedEngine };
    }
  }

  /** Records built from events when the registry did not see them (bounded, rarely used). */
  private readonly fallback = new Map<string, OrderRecord>();

  private answer(out: Outcome, retry: boolean): PlaceResult {
    if (!out.ok) throw out.error;
    const order = this.o.orders.get(out.orderId) ?? this.fallback.get(out.orderId);
    if (order === undefined) throw new ApiError('internal', `Order ${out.orderId} vanished`);
    const u = this.units(order.symbol);
    return {
      status: retry || out.existing === true ? 200 : 201,
      body: {
        order: orderView(order, u),
        fills: out.fills.map((f) => fillView(f, u, order.clientOrderId)),
      },
    };
  }

  private async submit(cmd: Command): Promise<EngineEvent[]> {
    const m = this.o.metrics;
    const t0 = performance.now();
    m.submitStarted();
    this.queued++;
    try {
      return await this.o.engine.submit(cmd);
    } catch (err) {
      // The engine could not take the command (journal write failed, engine closed): the venue
      // is unavailable until an operator fixes the cause, and each client hears it as 503.
      if (this.failure === undefined) {
        this.failure = (err as Error).message;
        this.o.onFailure?.(err as Error);
      }
      throw this.reject(
        new ApiError('unavailable', `The venue cannot record orders now: ${this.failure}`),
      );
    } finally {
      this.queued--;
      m.submitDone();
      m.recordAck((performance.now() - t0) / 1000);
    }
  }

  private readonly counted = new WeakSet<ApiError>();

  /** Counts a refusal once, however many layers it passes through. */
  private reject(err: ApiError): ApiError {
    if (!this.counted.has(err)) {
      this.counted.add(err);
      this.o.metrics.recordReject(err.reason);
    }
    return err;
  }

  /** `newOrder`: name a new order by the client's id (or none) instead of the server's id. */
  private rejectionOf(
    events: readonly EngineEvent[],
    orderId: string,
    newOrder?: { clientOrderId?: string },
  ): ApiError | undefined {
    for (const e of events) {
      if (e.type === 'rejected' && (e.orderId === undefined || e.orderId === orderId)) {
        let message = e.message;
        if (newOrder !== undefined) {
          const name =
            newOrder.clientOrderId === undefined ? 'an order' : `order ${newOrder.clientOrderId}`;
          message = message.replace(`order ${orderId}`, name);
        }
        return this.reject(new ApiError(e.reason, message));
      }
    }
    return undefined;
  }

  private throwIfRejected(events: readonly EngineEvent[], orderId: string): void {
    const err = this.rejectionOf(events, orderId);
    if (err !== undefined) throw err;
  }

  /** The registry's record, or one rebuilt from the command's own events. */
  private recordOf(orderId: string, events: readonly EngineEvent[]): OrderRecord {
    const known = this.o.orders.get(orderId);
    if (known !== undefined) return known;
    const scratch = new OrderRegistry();
    scratch.apply(events);
    const rec = scratch.get(orderId);
    if (rec !== undefined) return rec;
    // Cancelled or replaced before this process knew it (after a restart): what the events say.
    const e = events.find((x) => 'orderId' in x && x.orderId === orderId);
    if (e === undefined || !('account' in e) || e.account === undefined || e.symbol === undefined) {
      throw new ApiError('internal', `No events for order ${orderId}`);
    }
    const leaves = e.type === 'replaced' ? e.qty : 0;
    return {
      orderId,
      account: e.account,
      symbol: e.symbol,
      side: 'buy',
      kind: 'limit',
      price: e.type === 'replaced' ? e.price : undefined,
      qty: leaves,
      filled: 0,
      leaves,
      filledNotional: 0,
      tif: 'GTC',
      postOnly: false,
      status: e.type === 'cancelled' ? 'cancelled' : 'open',
      cancelReason: e.type === 'cancelled' ? e.reason : undefined,
      ts: e.ts,
      updatedTs: e.ts,
    };
  }

  private fillsOf(orderId: string, events: readonly EngineEvent[]): FillRecord[] {
    const out: FillRecord[] = [];
    for (const e of events) {
      if (e.type !== 'trade') continue;
      const maker = e.makerOrderId === orderId;
      if (!maker && e.takerOrderId !== orderId) continue;
      out.push({
        tradeId: e.tradeId,
        orderId,
        symbol: e.symbol,
        side: maker ? (e.aggressor === 'buy' ? 'sell' : 'buy') : e.aggressor,
        price: e.price,
        qty: e.qty,
        liquidity: maker ? 'maker' : 'taker',
        ts: e.ts,
      });
    }
    return out;
  }

  private find(p: Principal, ref: string): OrderRecord | undefined {
    if (ref.startsWith('client:')) {
      const cid = ref.slice(7);
      // Orders restored after a restart are found by the id derived from the client id.
      return (
        this.o.orders.byClientOrderId(p.account, cid) ??
        this.o.orders.getOwned(p.account, this.stableId(p.account, cid))
      );
    }
    return this.o.orders.getOwned(p.account, ref);
  }

  /** Order id and symbol for a cancel or replace; foreign orders look unknown. */
  private locate(p: Principal, ref: string): { orderId: string; symbol: string } {
    const known = this.find(p, ref);
    if (known !== undefined) return { orderId: known.orderId, symbol: known.symbol };
    const orderId = ref.startsWith('client:') ? this.stableId(p.account, ref.slice(7)) : ref;
    const other = this.o.orders.get(orderId);
    const symbol = other === undefined ? this.o.symbolOf?.(orderId) : undefined;
    if (symbol === undefined) {
      throw this.reject(
        new ApiError('unknown_order', `Cannot find order ${ref}: unknown order id`),
      );
    }
    // The engine checks ownership too and answers unknown_order for a foreign order.
    return { orderId, symbol };
  }

  private nextId(): string {
    return `${this.prefix}-${++this.counter}`;
  }

  private stableId(account: string, clientOrderId: string): string {
    const h = createHash('sha256').update(`${this.o.idSalt}\u0000${account}\u0000${clientOrderId}`);
    return 'c' + h.digest('hex').slice(0, 23);
  }
}
