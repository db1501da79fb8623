import type {
  CancelReason,
  EngineEvent,
  OrderKind,
  SideName,
  TimeInForce,
} from '../../core/index.js';

export type OrderStatus =
  'open' | 'partiallyFilled' | 'filled' | 'cancelled' | 'rejected' | 'pendingTrigger';

/** The gateway's view of one order (integers), kept from engine events. */
export interface OrderRecord {
  orderId: string;
  clientOrderId?: string;
  account: string;
  symbol: string;
  side: SideName;
  kind: OrderKind;
  price?: number;
  stopPrice?: number;
  /** Original quantity; after a replace, filled + new leaves. */
  qty: number;
  filled: number;
  leaves: number;
  /** Sum of price x qty over fills (tick-lots), for the average price. */
  filledNotional: number;
  displayQty?: number;
  tif: TimeInForce;
  postOnly: boolean;
  status: OrderStatus;
  cancelReason?: CancelReason;
  /** Engine time, ns. */
  ts: number;
  updatedTs: number;
}

export interface FillRecord {
  tradeId: number;
  orderId: string;
  symbol: string;
  side: SideName;
  price: number;
  qty: number;
  liquidity: 'maker' | 'taker';
  ts: number;
}

export type ExecutionKind =
  'accepted' | 'fill' | 'cancelled' | 'replaced' | 'rejected' | 'triggered';

/** One private execution report, before formatting. */
export interface Execution {
  exec: ExecutionKind;
  account: string;
  order?: OrderRecord;
  fill?: FillRecord;
  reason?: string;
  message?: string;
  priorityKept?: boolean;
}

/**
 * A bounded history: appends in O(1); when full, the oldest entry is overwritten and returned.
 * Grows on demand up to its capacity, so 10,000 quiet accounts cost little.
 */
export class Ring<T> {
  private readonly items: T[] = [];
  private start = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.items.length;
  }

  /** Appends; returns the evicted oldest entry when the ring was full. */
  push(v: T): T | undefined {
    if (this.items.length < this.capacity) {
      this.items.push(v);
      return undefined;
    }
    const old = this.items[this.start];
    this.items[this.start] = v;
    this.start = (this.start + 1) % this.capacity;
    return old;
  }

  /** Newest first. */
  *newest(): IterableIterator<T> {
    const n = this.items.length;
    for (let i = n - 1; i >= 0; i--) yield this.items[(this.start + i) % n];
  }
}

interface AccountOrders {
  open: Set<string>;
  /** Order ids in arrival order, the last MAX_HISTORY (a ring: O(1) per order). */
  history: Ring<string>;
  /** Open orders that fell out of `history`: re-entered there when they finish. */
  evictedOpen: Set<string>;
  fills: Ring<FillRecord>;
  byClientId: Map<string, string>;
}

/** Orders and fills kept per account (open orders are always kept, however old). */
export const MAX_HISTORY = 50_000;

const isOpen = (s: OrderStatus) =>
  s === 'open' || s === 'partiallyFilled' || s === 'pendingTrigger';

/**
 * Orders and fills per account, built from engine events in engine order; emits execution reports.
 * Bounded: each account keeps its last 50,000 orders and fills in rings (open orders are always
 * kept). Every per-event operation is O(1); nothing is shifted or scanned per order.
 */
export class OrderRegistry {
  private readonly orders = new Map<string, OrderRecord>();
  private readonly accounts = new Map<string, AccountOrders>();
  /** Client order ids announced by the gateway before the `accepted` event arrives. */
  private readonly pendingClientIds = new Map<string, string>();
  private readonly listeners = new Set<(e: Execution) => void>();

  constructor(private readonly maxHistory = MAX_HISTORY) {}

  onExecution(listener: (e: Execution) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells the registry which client id the next `accepted` event of `orderId` belongs to. */
  expect(orderId: string, clientOrderId: string | undefined): void {
    if (clientOrderId !== undefined) this.pendingClientIds.set(orderId, clientOrderId);
  }

  forget(orderId: string): void {
    this.pendingClientIds.delete(orderId);
  }

  get(orderId: string): OrderRecord | undefined {
    return this.orders.get(orderId);
  }

  /** Orders held in memory, all accounts (bounded by accounts x history + open orders). */
  get size(): number {
    return this.orders.size;
  }

  /** The order if it belongs to `account`; a foreign order looks exactly like an unknown one. */
  getOwned(account: string, orderId: string): OrderRecord | undefined {
    const o = this.orders.get(orderId);
    return o !== undefined && o.account === account ? o : undefined;
  }

  byClientOrderId(account: string, clientOrderId: string): OrderRecord | undefined {
    const id = this.accounts.get(account)?.byClientId.get(clientOrderId);
    return id === undefined ? undefined : this.orders.get(id);
  }

  openCount(account: string): number {
    return this.accounts.get(account)?.open.size ?? 0;
  }

  /** Newest first. Open orders: O(open orders); all: O(limit) over the history ring. */
  list(account: string, f: { open: boolean; symbol?: string; limit: number }): OrderRecord[] {
    const a = this.accounts.get(account);
    if (a === undefined) return [];
    const out: OrderRecord[] = [];
    if (f.open) {
      const ids = [...a.open];
      for (let i = ids.length - 1; i >= 0 && out.length < f.limit; i--) {
        const o = this.orders.get(ids[i]);
        if (o !== undefined && (f.symbol === undefined || o.symbol === f.symbol)) out.push(o);
      }
      return out;
    }
    for (const id of a.history.newest()) {
      if (out.length >= f.limit) break;
      const o = this.orders.get(id);
      if (o === undefined) continue;
      if (f.symbol !== undefined && o.symbol !== f.symbol) continue;
      out.push(o);
    }
    return out;
  }

  fills(account: string, f: { symbol?: string; limit: number }): FillRecord[] {
    const a = this.accounts.get(account);
    if (a === undefined) return [];
    const out: FillRecord[] = [];
    for (const fill of a.fills.newest()) {
      if (out.length >= f.limit) break;
      if (f.symbol === undefined || fill.symbol === f.symbol) out.push(fill);
    }
    return out;
  }

  /** Loads an order from before this process (from the store); ignored when already known. */
  restore(o: OrderRecord): void {
    if (this.orders.has(o.orderId)) return;
    this.orders.set(o.orderId, o);
    const a = this.account(o.account);
    if (isOpen(o.status)) a.open.add(o.orderId);
    if (o.clientOrderId !== undefined) a.byClientId.set(o.clientOrderId, o.orderId);
    this.remember(a, o.orderId);
  }

  /** Loads fills from before this process, oldest first. */
  restoreFills(account: string, fills: FillRecord[]): void {
    const a = this.account(account);
    for (const f of fills) a.fills.push(f);
  }

  apply(events: readonly EngineEvent[]): void {
    for (const ev of events) this.applyOne(ev);
  }

  private applyOne(ev: EngineEvent): void {
    switch (ev.type) {
      case 'accepted': {
        const clientOrderId = this.pendingClientIds.get(ev.orderId);
        this.pendingClientIds.delete(ev.orderId);
        const stop = ev.kind === 'stop' || ev.kind === 'stopLimit';
        const o: OrderRecord = {
          orderId: ev.orderId,
          clientOrderId,
          account: ev.account,
          symbol: ev.symbol,
          side: ev.side,
          kind: ev.kind,
          price: ev.price,
          stopPrice: ev.stopPrice,
          qty: ev.qty,
          filled: 0,
          leaves: ev.qty,
          filledNotional: 0,
          displayQty: ev.displayQty,
          tif: ev.tif,
          postOnly: ev.postOnly === true,
          status: stop ? 'pendingTrigger' : 'open',
          ts: ev.ts,
          updatedTs: ev.ts,
        };
        this.orders.set(o.orderId, o);
        const a = this.account(o.account);
        a.open.add(o.orderId);
        if (clientOrderId !== undefined) a.byClientId.set(clientOrderId, o.orderId);
        this.remember(a, o.orderId);
        this.emit({ exec: 'accepted', account: o.account, order: o });
        break;
      }
      case 'trade':
        this.fill(ev.makerOrderId, ev, ev.makerLeaves, 'maker');
        this.fill(ev.takerOrderId, ev, ev.takerLeaves, 'taker');
        break;
      case 'cancelled': {
        const o = this.orders.get(ev.orderId);
        if (o === undefined) break;
        o.leaves = 0;
        o.status = 'cancelled';
        o.cancelReason = ev.reason;
        o.updatedTs = ev.ts;
        this.finished(o);
        this.emit({ exec: 'cancelled', account: o.account, order: o, reason: ev.reason });
        break;
      }
      case 'replaced': {
        const o = this.orders.get(ev.orderId);
        if (o === undefined) break;
        if (ev.price !== undefined) {
          if (o.kind === 'stop') o.stopPrice = ev.price;
          else o.price = ev.price;
        }
        if (ev.stopPrice !== undefined) o.stopPrice = ev.stopPrice;
        o.leaves = ev.qty;
        o.qty = o.filled + ev.qty;
        o.updatedTs = ev.ts;
        this.emit({
          exec: 'replaced',
          account: o.account,
          order: o,
          priorityKept: ev.priorityKept,
        });
        break;
      }
      case 'triggered': {
        const o = this.orders.get(ev.orderId);
        if (o === undefined) break;
        o.status = o.filled > 0 ? 'partiallyFilled' : 'open';
        o.updatedTs = ev.ts;
        this.emit({ exec: 'triggered', account: o.account, order: o });
        break;
      }
      case 'rejected': {
        const o = ev.orderId === undefined ? undefined : this.orders.get(ev.orderId);
        const account = o?.account ?? ev.account;
        if (account === undefined) break;
        this.emit({ exec: 'rejected', account, order: o, reason: ev.reason, message: ev.message });
        break;
      }
      default:
        break;
    }
  }

  private fill(
    orderId: string,
    ev: EngineEvent & { type: 'trade' },
    leaves: number,
    liq: 'maker' | 'taker',
  ) {
    const o = this.orders.get(orderId);
    if (o === undefined) return;
    o.filled += ev.qty;
    o.filledNotional += ev.price * ev.qty;
    o.leaves = leaves;
    o.updatedTs = ev.ts;
    const a = this.account(o.account);
    if (leaves === 0) {
      o.status = 'filled';
      this.finished(o);
    } else o.status = 'partiallyFilled';
    const fill: FillRecord = {
      tradeId: ev.tradeId,
      orderId,
      symbol: o.symbol,
      side: o.side,
      price: ev.price,
      qty: ev.qty,
      liquidity: liq,
      ts: ev.ts,
    };
    a.fills.push(fill);
    this.emit({ exec: 'fill', account: o.account, order: o, fill });
  }

  /** Appends to the account's history; an evicted finished order is forgotten. O(1). */
  private remember(a: AccountOrders, orderId: string): void {
    const old = a.history.push(orderId);
    if (old === undefined) return;
    const o = this.orders.get(old);
    if (o === undefined) return;
    if (isOpen(o.status)) {
      a.evictedOpen.add(old);
      return;
    }
    this.orders.delete(old);
    if (o.clientOrderId !== undefined && a.byClientId.get(o.clientOrderId) === old) {
      a.byClientId.delete(o.clientOrderId);
    }
  }

  private finished(o: OrderRecord): void {
    const a = this.accounts.get(o.account);
    if (a === undefined) return;
    a.open.delete(o.orderId);
    // An old open order that left the history ring comes back in now that it is done.
    if (a.evictedOpen.delete(o.orderId)) this.remember(a, o.orderId);
  }

  private account(account: string): AccountOrders {
    let a = this.accounts.get(account);
    if (a === undefined) {
      a = {
        open: new Set(),
        history: new Ring(this.maxHistory),
        evictedOpen: new Set(),
        fills: new Ring(this.maxHistory),
        byClientId: new Map(),
      };
      this.accounts.set(account, a);
    }
    return a;
  }

  private emit(e: Execution): void {
    for (const l of this.listeners) l(e);
  }
}
