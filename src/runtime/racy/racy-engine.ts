/**
 * `racy`: THE SEED'S FAILING DESIGN, KEPT TO PROVE THE CHAOS TEST CATCHES OVER-EXECUTION.
 * Never use it for anything else.
 *
 * It does what the seed's broken engine did: read the available liquidity, `await` an asynchronous
 * call (a stand-in for a database round trip), then execute against that stale view with blind
 * writes. Concurrent orders all see the same resting quantity and all take it, so more trades than
 * existed: over-execution. Nothing here reserves liquidity atomically between check and execute.
 * Supported: instruments, limit GTC/IOC, market, cancel, snapshot, clock.
 */
import type { Command, EngineEvent, PlaceOrder, SideName } from '../../core/index.js';
import { StateHasher } from '../../core/index.js';
import type { CommandJournal, Engine, Mode } from '../engine.js';
import { EventListeners } from '../listeners.js';
import { stampCommand } from '../stamp.js';
import { accepted, rejected } from '../mode-events.js';

export const RACY_LABEL =
  "racy: the seed's failing design, kept to prove the chaos test catches over-execution";

interface RacyOrder {
  orderId: string;
  account: string;
  side: SideName;
  price: number;
  rem: number;
}

export interface RacyEngineOptions {
  journal?: CommandJournal;
  clock?: () => number;
  log?: (line: string) => void;
}

/** The fake asynchronous store call between "check" and "execute". */
const fakeStoreRoundTrip = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class RacyEngine implements Engine {
  readonly mode: Mode = 'racy';
  private readonly books = new Map<string, RacyOrder[]>();
  private readonly listeners: EventListeners;
  private readonly ids = new Set<string>();
  private seq = 0;
  private tradeId = 0;
  private lastTs = 0;

  constructor(private readonly opts: RacyEngineOptions = {}) {
    this.listeners = new EventListeners(opts.log);
    opts.log?.(RACY_LABEL);
  }

  onEvents(listener: (events: readonly EngineEvent[]) => void): () => void {
    return this.listeners.add(listener);
  }

  async submit(input: Command): Promise<EngineEvent[]> {
    const cmd = stampCommand(input, this.opts.clock);
    // A snapshot only reads: like the core, it does not move engine time.
    if (cmd.type !== 'snapshot' && cmd.ts !== undefined && cmd.ts > this.lastTs)
      this.lastTs = cmd.ts;
    // Engine time never goes backwards, as in the core.
    const ts = this.lastTs;
    const durable = cmd.type !== 'snapshot' ? this.opts.journal?.append(cmd) : undefined;
    let events: EngineEvent[];
    if (cmd.type === 'instrument') {
      const c = cmd.instrument;
      if (this.books.has(c.symbol)) {
        events = [rejected(ts, c, 'duplicate_symbol', `Instrument ${c.symbol} already defined`)];
      } else {
        this.books.set(c.symbol, []);
        events = [
          {
            type: 'instrument',
            seq: 0,
            ts,
            symbol: c.symbol,
            tickSize: c.tickSize,
            lotSize: c.lotSize,
            stp: c.stp ?? 'none',
            phase: c.phase ?? 'continuous',
          },
        ];
      }
    } else if (cmd.type === 'place') {
      events = await this.place(cmd, ts);
    } else if (cmd.type === 'cancel') {
      const book = this.books.get(cmd.symbol) ?? [];
      const at = book.findIndex((o) => o.orderId === cmd.orderId && o.account === cmd.account);
      if (at < 0) {
        events = [
          rejected(
            ts,
            cmd,
            'unknown_order',
            `Cannot cancel order ${cmd.orderId}: unknown order id`,
          ),
        ];
      } else {
        const [o] = book.splice(at, 1);
        events = [
          {
            type: 'cancelled',
            seq: 0,
            ts,
            symbol: cmd.symbol,
            orderId: o.orderId,
            account: o.account,
            remainingQty: o.rem,
            reason: 'user',
          },
        ];
      }
    } else if (cmd.type === 'snapshot') {
      const book = this.books.get(cmd.symbol) ?? [];
      const levels = (side: SideName) => {
        const out: { price: number; orders: { orderId: string; qty: number }[] }[] = [];
        for (const o of book.filter((x) => x.side === side)) {
          let level = out.find((l) => l.price === o.price);
          if (!level) out.push((level = { price: o.price, orders: [] }));
          level.orders.push({ orderId: o.orderId, qty: o.rem });
        }
        return out.sort((a, b) => (side === 'buy' ? b.price - a.price : a.price - b.price));
      };
      events = [
        { type: 'book', seq: 0, ts, symbol: cmd.symbol, bids: levels('buy'), asks: levels('sell') },
      ];
    } else if (cmd.type === 'clock') {
      events = [];
    } else {
      events = [rejected(ts, {}, 'invalid_order', `racy mode does not support ${cmd.type}`)];
    }
    if (durable) await durable;
    for (const e of events) e.seq = ++this.seq;
    this.listeners.emit(events);
    return events;
  }

  private async place(cmd: PlaceOrder, ts: number): Promise<EngineEvent[]> {
    const book = this.books.get(cmd.symbol);
    if (!book) return [rejected(ts, cmd, 'unknown_symbol', `Unknown symbol ${cmd.symbol}`)];
    if (this.ids.has(cmd.orderId)) {
      return [rejected(ts, cmd, 'duplicate_order_id', `Order id ${cmd.orderId} already used`)];
    }
    if (!Number.isSafeInteger(cmd.qty) || cmd.qty <= 0) {
      return [rejected(ts, cmd, 'invalid_qty', `Quantity must be a positive whole number`)];
    }
    if (cmd.kind !== 'limit' && cmd.kind !== 'market') {
      return [rejected(ts, cmd, 'invalid_order', `racy mode does not support ${cmd.kind}`)];
    }
    this.ids.add(cmd.orderId);
    const buy = cmd.side === 'buy';
    const limit = cmd.kind === 'market' ? (buy ? Infinity : -Infinity) : cmd.price!;
    // 1. CHECK: read the crossing liquidity, remembering each order's quantity as it is now.
    const view = book
      .filter((o) => o.side !== cmd.side && (buy ? o.price <= limit : o.price >= limit))
      .sort((a, b) => (buy ? a.price - b.price : b.price - a.price))
      .map((o) => ({ order: o, seen: o.rem }));
    // 2. AWAIT: other orders run their own check meanwhile and see the same quantity.
    await fakeStoreRoundTrip();
    // 3. EXECUTE against the stale view, with blind writes: this is the bug.
    const tif = cmd.tif ?? (cmd.kind === 'market' ? 'IOC' : 'GTC');
    const events: EngineEvent[] = [accepted(cmd, ts, tif)];
    let left = cmd.qty;
    for (const { order, seen } of view) {
      if (left === 0) break;
      const q = Math.min(seen, left);
      order.rem = seen - q;
      left -= q;
      events.push({
        type: 'trade',
        seq: 0,
        ts,
        symbol: cmd.symbol,
        tradeId: ++this.tradeId,
        price: order.price,
        qty: q,
        makerOrderId: order.orderId,
        takerOrderId: cmd.orderId,
        makerAccount: order.account,
        takerAccount: cmd.account,
        aggressor: cmd.side,
        makerLeaves: order.rem,
        takerLeaves: left,
        auction: false,
      });
      if (order.rem <= 0) {
        const at = book.indexOf(order);
        if (at >= 0) book.splice(at, 1);
      }
    }
    if (left > 0 && cmd.kind === 'limit' && tif === 'GTC') {
      book.push({
        orderId: cmd.orderId,
        account: cmd.account,
        side: cmd.side,
        price: cmd.price!,
        rem: left,
      });
    } else if (left > 0) {
      events.push({
        type: 'cancelled',
        seq: 0,
        ts,
        symbol: cmd.symbol,
        orderId: cmd.orderId,
        account: cmd.account,
        remainingQty: left,
        reason: cmd.kind === 'market' ? 'no_liquidity' : 'ioc',
      });
    }
    return events;
  }

  async stateHash(): Promise<string> {
    const h = new StateHasher();
    for (const [symbol, book] of [...this.books].sort()) {
      h.string(symbol);
      for (const o of book) h.string(o.orderId).number(o.price).number(o.rem);
    }
    return h.digest();
  }

  async close(): Promise<void> {
    await this.opts.journal?.close();
  }
}
