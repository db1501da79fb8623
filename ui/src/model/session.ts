import {
  ApiFailure,
  Signer,
  signedCall,
  type AccountInfo,
  type ChaosResult,
  type Fill,
  type Order,
  type PlaceRequest,
  type RawChaosResult,
  readChaosResult,
  type ServerMessage,
} from '../api';
import { mark } from './frame';

const OPEN = new Set(['open', 'partiallyFilled', 'pendingTrigger']);
const STORE_KEY = 'crossbook.key';
const KEEP_FILLS = 500;

export interface Notice {
  kind: 'ok' | 'error' | 'info';
  text: string;
  reason?: string;
  time: number;
}

export interface ChaosState {
  running: boolean;
  startedAt: number | null;
  results: ChaosResult[] | null;
  error: { reason: string; message: string } | null;
}

/**
 * The logged-in trader: the signer (a non-extractable WebCrypto key), open orders and fills.
 * HTTP gives the starting state; execution reports on the feed keep it current; every reconnect
 * refetches it, so nothing missed while offline stays missing.
 */
export class Session {
  signer: Signer | null = null;
  account: AccountInfo | null = null;
  readonly orders = new Map<string, Order>();
  fills: Fill[] = [];
  private readonly fillIds = new Set<string>();
  private readonly finished = new Map<string, number>();
  notices: Notice[] = [];
  loginError: string | null = null;
  chaos: ChaosState = { running: false, startedAt: null, results: null, error: null };
  clockOffsetMs = 0;
  onLogin: () => Promise<void> = async () => undefined;
  onLogout: () => void = () => undefined;

  get loggedIn(): boolean {
    return this.signer !== null && this.account !== null;
  }

  /** Restores a key kept in this tab's sessionStorage (only if the user asked for it). */
  async restore(): Promise<void> {
    const raw = sessionStorage.getItem(STORE_KEY);
    if (raw === null) return;
    try {
      const { keyId, secret } = JSON.parse(raw) as { keyId: string; secret: string };
      await this.login(keyId, secret, true);
    } catch {
      sessionStorage.removeItem(STORE_KEY);
    }
  }

  async login(keyId: string, secret: string, remember: boolean): Promise<boolean> {
    this.loginError = null;
    try {
      const signer = await Signer.create(keyId.trim(), secret.trim());
      signer.clockOffsetMs = this.clockOffsetMs;
      const account = await signedCall<AccountInfo>(signer, 'GET', '/api/v1/account');
      this.signer = signer;
      this.account = account;
      if (remember) sessionStorage.setItem(STORE_KEY, JSON.stringify({ keyId, secret }));
      else sessionStorage.removeItem(STORE_KEY);
      mark('session');
      await this.onLogin();
      await this.refresh();
      return true;
    } catch (err) {
      this.loginError =
        err instanceof ApiFailure ? `${err.reason}: ${err.message}` : (err as Error).message;
      mark('session');
      return false;
    }
  }

  logout(): void {
    this.signer = null;
    this.account = null;
    this.orders.clear();
    this.fills = [];
    this.fillIds.clear();
    sessionStorage.removeItem(STORE_KEY);
    // The feed was authenticated as this account: replace it so no private report arrives.
    this.onLogout();
    for (const t of ['session', 'orders', 'fills'] as const) mark(t);
  }

  setClock(offsetMs: number): void {
    this.clockOffsetMs = offsetMs;
    if (this.signer !== null) this.signer.clockOffsetMs = offsetMs;
  }

  /** The WebSocket auth message: HMAC of `ts + "GET" + "/ws"`. */
  async wsAuth(): Promise<Record<string, unknown> | undefined> {
    const s = this.signer;
    if (s === null) return undefined;
    const ts = s.nextTs();
    return { key: s.keyId, ts, sign: await s.sign(ts, 'GET', '/ws', '') };
  }

  /** Open orders and recent fills from HTTP (after login and each reconnect). */
  async refresh(): Promise<void> {
    const s = this.signer;
    if (s === null) return;
    try {
      const [o, f] = await Promise.all([
        signedCall<{ orders: Order[] }>(s, 'GET', '/api/v1/orders?status=open&limit=1000'),
        signedCall<{ fills: Fill[] }>(s, 'GET', `/api/v1/fills?limit=${KEEP_FILLS}`),
      ]);
      this.orders.clear();
      for (const x of o.orders) this.orders.set(x.orderId, x);
      this.fills = [];
      this.fillIds.clear();
      for (const x of f.fills) this.addFill(x, false);
    } catch (err) {
      this.notify('error', `Cannot load orders: ${(err as Error).message}`);
    }
    mark('orders');
    mark('fills');
  }

  async place(req: PlaceRequest): Promise<Order | null> {
    const s = this.signer;
    if (s === null) return null;
    try {
      const r = await signedCall<{ order: Order; fills: Fill[] }>(s, 'POST', '/api/v1/orders', req);
      this.upsert(r.order);
      for (const f of r.fills) this.addFill(f, true);
      const o = r.order;
      const text = placeSummary(o, r.fills);
      if (o.status === 'cancelled' && o.filledQty === '0') {
        this.notify('error', text, o.cancelReason ?? undefined);
      } else {
        this.notify('ok', text);
      }
      return o;
    } catch (err) {
      this.fail(err);
      return null;
    }
  }

  async cancel(orderId: string): Promise<void> {
    const s = this.signer;
    if (s === null) return;
    try {
      const r = await signedCall<{ order: Order }>(
        s,
        'DELETE',
        `/api/v1/orders/${encodeURIComponent(orderId)}`,
      );
      this.upsert(r.order);
      this.notify(
        'ok',
        `Cancelled ${r.order.side} ${r.order.leavesQty === '0' ? r.order.qty : r.order.leavesQty} ${r.order.symbol}`,
      );
    } catch (err) {
      this.fail(err);
    }
  }

  async replace(orderId: string, change: { price?: string; qty?: string }): Promise<boolean> {
    const s = this.signer;
    if (s === null) return false;
    try {
      const r = await signedCall<{ order: Order; fills: Fill[]; priorityKept: boolean }>(
        s,
        'PATCH',
        `/api/v1/orders/${encodeURIComponent(orderId)}`,
        change,
      );
      this.upsert(r.order);
      for (const f of r.fills) this.addFill(f, true);
      this.notify(
        'ok',
        `Replaced: ${r.order.leavesQty} @ ${r.order.price ?? 'market'} (${r.priorityKept ? 'priority kept' : 'priority lost'})`,
      );
      return true;
    } catch (err) {
      this.fail(err);
      return false;
    }
  }

  async massCancel(symbol?: string): Promise<void> {
    const s = this.signer;
    if (s === null) return;
    const q = symbol === undefined ? '' : `?symbol=${encodeURIComponent(symbol)}`;
    try {
      const r = await signedCall<{ cancelled: number }>(s, 'DELETE', `/api/v1/orders${q}`);
      this.notify('ok', `Cancelled ${r.cancelled} order(s)`);
      await this.refresh();
    } catch (err) {
      this.fail(err);
    }
  }

  async runChaos(): Promise<void> {
    const s = this.signer;
    if (s === null || this.chaos.running) return;
    this.chaos = { running: true, startedAt: Date.now(), results: this.chaos.results, error: null };
    mark('chaos');
    try {
      const r = await signedCall<{ results: RawChaosResult[] }>(s, 'POST', '/api/v1/chaos', {
        modes: ['single', 'sharded', 'lockfree', 'racy'],
      });
      const results = r.results.map(readChaosResult);
      this.chaos = { running: false, startedAt: null, results, error: null };
    } catch (err) {
      const e =
        err instanceof ApiFailure ? err : new ApiFailure(0, 'internal', (err as Error).message);
      this.chaos = {
        running: false,
        startedAt: null,
        results: this.chaos.results,
        error: { reason: e.reason, message: e.message },
      };
    }
    mark('chaos');
  }

  /** Execution reports pushed on the authenticated feed. */
  onExecution(m: ServerMessage): void {
    if (m.type !== 'execution' || !this.loggedIn) return;
    if (m.order !== null) this.upsert(m.order);
    if (m.fill !== undefined) this.addFill(m.fill, true);
    if (m.exec === 'rejected' && m.error !== undefined) {
      this.notify('error', m.error.message, m.error.reason);
    }
  }

  openOrders(): Order[] {
    return [...this.orders.values()].sort((a, b) => b.time - a.time);
  }

  private upsert(o: Order): void {
    const cur = this.orders.get(o.orderId);
    // Replies and reports race: keep the newer view, and never reopen a finished order.
    if (cur !== undefined && cur.updatedTime > o.updatedTime) return;
    const done = this.finished.get(o.orderId);
    if (done !== undefined && done >= o.updatedTime) return;
    if (OPEN.has(o.status)) this.orders.set(o.orderId, o);
    else {
      this.orders.delete(o.orderId);
      this.finished.set(o.orderId, o.updatedTime);
      if (this.finished.size > 10_000) this.finished.clear();
    }
    mark('orders');
  }

  private addFill(f: Fill, live: boolean): void {
    const key = `${f.tradeId}:${f.orderId}`;
    if (this.fillIds.has(key)) return;
    this.fillIds.add(key);
    if (live) this.fills.unshift(f);
    else this.fills.push(f);
    if (this.fills.length > KEEP_FILLS) {
      for (const old of this.fills.splice(KEEP_FILLS))
        this.fillIds.delete(`${old.tradeId}:${old.orderId}`);
    }
    mark('fills');
  }

  private notify(kind: Notice['kind'], text: string, reason?: string): void {
    this.notices = [{ kind, text, reason, time: Date.now() }, ...this.notices].slice(0, 5);
    mark('session');
  }

  private fail(err: unknown): void {
    if (err instanceof ApiFailure) this.notify('error', err.message, err.reason);
    else this.notify('error', (err as Error).message);
  }
}

/**
 * What happened to a new order, in words: "buy 100 MSFT @ 420.05: filled 70 at 420.05, 30 open",
 * "sell 5 MSFT: filled 5 at 419.96", "buy 10 MSFT @ 400.00: resting", "... waiting for stop 421.00".
 */
export function placeSummary(o: Order, fills: readonly Fill[]): string {
  const what = `${o.side} ${o.qty} ${o.symbol}${o.price === null ? '' : ` @ ${o.price}`}`;
  const parts: string[] = [];
  if (o.filledQty !== '0') {
    const prices = new Set(fills.map((f) => f.price));
    const at = prices.size === 1 ? [...prices][0] : o.avgPrice === null ? '' : `avg ${o.avgPrice}`;
    parts.push(`filled ${o.filledQty}${at === '' ? '' : ` at ${at}`}`);
  }
  const open = o.status === 'open' || o.status === 'partiallyFilled';
  if (o.status === 'pendingTrigger') parts.push(`waiting for stop ${o.stopPrice ?? ''}`.trim());
  else if (open) parts.push(o.filledQty === '0' ? 'resting' : `${o.leavesQty} open`);
  else if (o.status === 'cancelled') {
    const rest = o.filledQty === '0' ? 'cancelled' : 'rest cancelled';
    parts.push(`${rest} (${o.cancelReason ?? 'no reason'})`);
  } else if (o.status === 'rejected') parts.push('rejected');
  return `${what}: ${parts.join(', ')}`;
}
