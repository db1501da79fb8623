import { createHash, randomBytes } from 'node:crypto';
import type { Command, EngineEvent } from '../core/index.js';
import { parseCommand, type InstrumentRegistry, type InstrumentUnits } from '../protocol/index.js';
import type { Engine } from '../runtime/index.js';
import type { Principal } from './auth/index.js';
import { ApiError } from './errors.js';
import type { GatewayMetrics } from './metrics.js';
import { fillView, orderView, type FillView, type OrderView } from './orders/format.js';
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
}

export interface PlaceResult {
  /** 201 for a new order, 200 for an idempotent retry. */
  status: 200 | 201;
  body: { order: OrderView; fills: FillView[] };
}

type Outcome =
  | { ok: true; orderId: string; fills: FillRecord[]; existing?: boolean }
  | { ok: false; error: ApiError };

const CLIENT_ID_RE = /^[A-Za-z0-9._:-]{1,64}$/;
const MAX_IDEMPOTENCY_ENTRIES = 500_000;
const PLACE_FIELDS = new Set([
  'symbol',
  'side',
  'kind',
  'qty',
  'price',
  'stopPrice',
  'tif',
  'expireAt',
  'postOnly',
  'displayQty',
  'stp',
  'clientOrderId',
]);

/**
 * Order entry shared by HTTP and WebSocket: edge parsing (src/protocol), pre-trade risk, the
 * engine, and the answer built from the engine's events. Idempotent by (account, clientOrderId):
 * within a process the first outcome is replayed; across restarts the order id derived from the
 * client id makes the engine refuse a second order (duplicate_order_id), answered with the first.
 */
export class OrderService {
  private readonly prefix = Date.now().toString(36) + randomBytes(3).toString('hex');
  private counter = 0;
  private readonly outcomes = new Map<string, Promise<Outcome>>();

  constructor(private readonly o: OrderServiceOptions) {}

  units(symbol: string): InstrumentUnits {
    const u = this.o.instruments.get(symbol);
    if (u === undefined) throw new ApiError('unknown_symbol', `Unknown symbol ${symbol}`);
    return u;
  }

  view(order: OrderRecord): OrderView {
    return orderView(order, this.units(order.symbol));
  }

  async place(p: Principal, body: Record<string, unknown>): Promise<PlaceResult> {
    for (const k of Object.keys(body)) {
      if (!PLACE_FIELDS.has(k))
        throw new ApiError('malformed', `Cannot place an order: unknown field ${k}`);
    }
    const clientOrderId = body.clientOrderId;
    if (
      clientOrderId !== undefined &&
      (typeof clientOrderId !== 'string' || !CLIENT_ID_RE.test(clientOrderId))
    ) {
      throw new ApiError(
        'malformed',
        'clientOrderId must be 1..64 characters of A-Z a-z 0-9 . _ : -',
      );
    }
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
    return this.answer(await pending, false);
  }

  async cancel(p: Principal, ref: string): Promise<{ order: OrderView }> {
    const { orderId, symbol } = this.locate(p, ref);
    const cmd = this.parse({ type: 'cancel', symbol, orderId, account: p.account });
    const events = await this.submit(cmd);
    this.throwIfRejected(events, orderId);
    return { order: this.view(this.recordOf(orderId, events)) };
  }

  async replace(
    p: Principal,
    ref: string,
    body: Record<string, unknown>,
  ): Promise<{ order: OrderView; fills: FillView[]; priorityKept: boolean }> {
    for (const k of Object.keys(body)) {
      if (k !== 'price' && k !== 'qty' && k !== 'stopPrice') {
        throw new ApiError('malformed', `Cannot replace an order: unknown field ${k}`);
      }
    }
    if (body.price === undefined && body.qty === undefined && body.stopPrice === undefined) {
      throw new ApiError('malformed', 'Cannot replace an order: give price, qty or stopPrice');
    }
    const { orderId, symbol } = this.locate(p, ref);
    const cmd = this.parse({ ...body, type: 'replace', symbol, orderId, account: p.account });
    if (cmd.type !== 'replace') throw new ApiError('internal', 'replace parsed to another command');
    const known = this.o.orders.getOwned(p.account, orderId);
    if (known !== undefined) {
      const u = this.units(symbol);
      const bad = this.o.risk.checkReplace({
        account: p.account,
        symbol,
        side: known.side,
        kind: known.kind,
        price: cmd.price ?? known.price,
        stopPrice: cmd.stopPrice ?? known.stopPrice,
        qty: cmd.qty ?? known.leaves,
        tick: u.tick,
        lot: u.lot,
      });
      if (bad)
        throw this.reject(
          new ApiError(bad.reason, `Cannot replace order ${orderId}: ${bad.message}`),
        );
    }
    const events = await this.submit(cmd);
    this.throwIfRejected(events, orderId);
    const replaced = events.find((e) => e.type === 'replaced' && e.orderId === orderId);
    const u = this.units(symbol);
    return {
      order: this.view(this.recordOf(orderId, events)),
      fills: this.fillsOf(orderId, events).map((f) => fillView(f, u, known?.clientOrderId)),
      priorityKept: replaced !== undefined && replaced.type === 'replaced' && replaced.priorityKept,
    };
  }

  async massCancel(p: Principal, symbol: string | undefined): Promise<{ cancelled: number }> {
    if (symbol !== undefined) this.units(symbol);
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

  private async placeNew(
    p: Principal,
    body: Record<string, unknown>,
    clientOrderId: string | undefined,
  ): Promise<Outcome> {
    const orderId =
      clientOrderId === undefined ? this.nextId() : this.stableId(p.account, clientOrderId);
    try {
      const wire: Record<string, unknown> = { type: 'place', orderId, account: p.account };
      for (const k in body) if (k !== 'clientOrderId') wire[k] = body[k];
      // The API's default kind is limit (docs/api.md): a forgotten price is an error, never a
      // market order.
      if (wire.kind === undefined) wire.kind = 'limit';
      // The wire speaks ms; the engine's expiry is ns.
      if (
        typeof body.expireAt === 'number' &&
        Number.isSafeInteger(body.expireAt) &&
        body.expireAt >= 0
      ) {
        wire.expireAt = body.expireAt * 1e6;
      }
      const cmd = this.parse(wire, orderId, clientOrderId);
      if (cmd.type !== 'place') throw new ApiError('internal', 'place parsed to another command');
      const u = this.units(cmd.symbol);
      const bad = this.o.risk.check({ ...cmd, tick: u.tick, lot: u.lot });
      if (bad) throw new ApiError(bad.reason, `Cannot place order: ${bad.message}`);
      this.o.orders.expect(orderId, clientOrderId);
      const events = await this.submit(cmd);
      this.o.orders.forget(orderId);
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
      if (rec === undefined) this.fallback.set(orderId, this.recordOf(orderId, events));
      return { ok: true, orderId, fills: this.fillsOf(orderId, events) };
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      this.o.metrics.recordOrder('rejected');
      this.reject(err);
      return { ok: false, error: err };
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
    try {
      return await this.o.engine.submit(cmd);
    } finally {
      m.submitDone();
      m.recordAck((performance.now() - t0) / 1000);
    }
  }

  private parse(wire: Record<string, unknown>, newId?: string, clientOrderId?: string): Command {
    const r = parseCommand(wire, this.o.instruments);
    if (r.ok) return r.command;
    let message = r.message;
    // A new order's server id means nothing to the client yet: name it by the client's id.
    if (newId !== undefined) {
      message = message.replace(
        `order ${newId}`,
        clientOrderId === undefined ? 'an order' : `order ${clientOrderId}`,
      );
    }
    throw this.reject(new ApiError(r.reason, message));
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
