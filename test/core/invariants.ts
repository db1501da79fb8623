/**
 * An independent model of the book rebuilt from events alone, the test oracle of the conformance
 * cases and the differential test: it checks the invariants of DESIGN.md §5 after every command:
 * no over-execution, conservation, no trade-through, limits respected, FIFO within a level,
 * never crossed in continuous trading.
 */
import type { EngineEvent, Phase } from '../../src/core/index.js';

interface ModelOrder {
  symbol: string;
  buy: boolean;
  /** NaN for market orders. */
  price: number;
  quantity: number;
  filled: number;
  cancelled: number;
  leaves: number;
  display: number;
  visible: number;
  /** Time priority inside a level; a refill or a priority loss takes a new one. */
  priority: number;
  status: 'active' | 'resting' | 'stop' | 'waiting' | 'done';
}

export class InvariantChecker {
  private readonly orders = new Map<string, ModelOrder>();
  private readonly phases = new Map<string, Phase>();
  private clock = 0;
  bought = 0;
  sold = 0;
  trades = 0;

  /** Applies one command's events and checks every invariant; throws with a description. */
  apply(events: readonly EngineEvent[]): void {
    const touched = new Set<string>();
    for (const e of events) this.step(e, touched);
    this.settle(touched);
    for (const [symbol, phase] of this.phases) {
      if (phase === 'continuous') this.checkNotCrossed(symbol);
    }
    if (this.bought !== this.sold) throw new Error(`bought ${this.bought} != sold ${this.sold}`);
  }

  /** An aggressor whose matching is over rests, waits for an auction, or is done. */
  private settle(touched: Set<string>): void {
    for (const id of touched) {
      const o = this.orders.get(id)!;
      if (o.status !== 'active') continue;
      if (o.leaves === 0) o.status = 'done';
      else if (o.price !== o.price) o.status = 'waiting';
      else this.toBack(o);
    }
    touched.clear();
  }

  private toBack(o: ModelOrder): void {
    o.status = 'resting';
    o.priority = ++this.clock;
    o.visible = o.display > 0 ? Math.min(o.display, o.leaves) : o.leaves;
  }

  private step(e: EngineEvent, touched: Set<string>): void {
    switch (e.type) {
      case 'instrument':
        this.phases.set(e.symbol, e.phase);
        return;
      case 'phase':
        this.phases.set(e.symbol, e.phase);
        return;
      case 'accepted': {
        const stop = e.kind === 'stop' || e.kind === 'stopLimit';
        const o: ModelOrder = {
          symbol: e.symbol,
          buy: e.side === 'buy',
          price: e.price ?? NaN,
          quantity: e.qty,
          filled: 0,
          cancelled: 0,
          leaves: e.qty,
          display: e.displayQty ?? 0,
          visible: 0,
          priority: 0,
          status: stop ? 'stop' : 'active',
        };
        this.orders.set(e.orderId, o);
        if (!stop) touched.add(e.orderId);
        return;
      }
      case 'triggered': {
        // A trigger comes after the previous aggressor finished matching.
        this.settle(touched);
        const o = this.get(e.orderId);
        o.status = 'active';
        touched.add(e.orderId);
        return;
      }
      case 'trade':
        return this.trade(e, touched);
      case 'cancelled': {
        const o = this.get(e.orderId);
        if (e.remainingQty !== o.leaves) {
          throw new Error(
            `cancel of ${e.orderId} reports ${e.remainingQty}, model has ${o.leaves}`,
          );
        }
        o.cancelled += o.leaves;
        o.leaves = 0;
        o.status = 'done';
        this.conserve(e.orderId, o);
        return;
      }
      case 'reduced': {
        const o = this.get(e.orderId);
        o.leaves -= e.qty;
        o.cancelled += e.qty;
        o.visible = Math.min(o.visible, o.leaves);
        if (o.leaves !== e.leavesQty || o.leaves <= 0)
          throw new Error(`bad reduce of ${e.orderId}`);
        this.conserve(e.orderId, o);
        return;
      }
      case 'replaced': {
        const o = this.get(e.orderId);
        const delta = e.qty - o.leaves;
        if (delta > 0) o.quantity += delta;
        else o.cancelled -= delta;
        o.leaves = e.qty;
        if (e.price !== undefined) o.price = e.price;
        if (e.priorityKept) o.visible = Math.min(o.visible, o.leaves);
        else if (o.status === 'resting') {
          o.status = 'active';
          touched.add(e.orderId);
        }
        this.conserve(e.orderId, o);
        return;
      }
      default:
        return;
    }
  }

  private trade(e: Extract<EngineEvent, { type: 'trade' }>, touched: Set<string>): void {
    const maker = this.get(e.makerOrderId);
    const taker = this.get(e.takerOrderId);
    if (!(e.qty > 0)) throw new Error(`trade ${e.tradeId} has quantity ${e.qty}`);
    for (const [id, o] of [
      [e.makerOrderId, maker],
      [e.takerOrderId, taker],
    ] as const) {
      if (e.qty > o.leaves) throw new Error(`over-execution: ${id} fills ${e.qty} of ${o.leaves}`);
      if (o.price === o.price && (o.buy ? e.price > o.price : e.price < o.price)) {
        throw new Error(`limit breached: ${id} limit ${o.price} traded at ${e.price}`);
      }
    }
    if (maker.buy === taker.buy)
      throw new Error(`trade ${e.tradeId} between two ${maker.buy ? 'buys' : 'sells'}`);
    if (!e.auction) {
      if (maker.status !== 'resting') throw new Error(`maker ${e.makerOrderId} is not resting`);
      if (e.price !== maker.price) throw new Error(`trade ${e.tradeId} not at the maker's price`);
      for (const [id, o] of this.orders) {
        if (o.status !== 'resting' || o.symbol !== e.symbol || o.buy !== maker.buy || o === maker)
          continue;
        const better = maker.buy ? o.price > maker.price : o.price < maker.price;
        if (better) throw new Error(`trade-through: ${e.makerOrderId} filled before better ${id}`);
        if (o.price === maker.price && o.priority < maker.priority) {
          throw new Error(`FIFO breach: ${e.makerOrderId} filled before older ${id}`);
        }
      }
    }
    for (const o of [maker, taker]) {
      o.leaves -= e.qty;
      o.filled += e.qty;
    }
    if (maker.leaves !== e.makerLeaves || taker.leaves !== e.takerLeaves) {
      throw new Error(`trade ${e.tradeId}: leaves disagree with the model`);
    }
    if (taker.buy) this.bought += e.qty;
    else this.sold += e.qty;
    if (maker.buy) this.bought += e.qty;
    else this.sold += e.qty;
    this.trades++;
    // Resting parties show less; a spent slice refills at the back. In continuous trading only
    // the maker rests; in an auction both sides may.
    for (const o of e.auction ? [maker, taker] : [maker]) {
      if (o.status === 'resting') {
        o.visible -= Math.min(o.visible, e.qty);
        if (o.leaves === 0) o.status = 'done';
        else if (o.visible === 0) this.toBack(o);
      } else if (o.leaves === 0 && o.status !== 'active') o.status = 'done';
    }
    if (!e.auction) touched.add(e.takerOrderId);
    this.conserve(e.makerOrderId, maker);
    this.conserve(e.takerOrderId, taker);
  }

  private checkNotCrossed(symbol: string): void {
    let bid = -Infinity;
    let ask = Infinity;
    for (const o of this.orders.values()) {
      if (o.status !== 'resting' || o.symbol !== symbol) continue;
      if (o.buy) bid = Math.max(bid, o.price);
      else ask = Math.min(ask, o.price);
    }
    if (bid >= ask) throw new Error(`${symbol} left crossed: bid ${bid} >= ask ${ask}`);
  }

  private conserve(id: string, o: ModelOrder): void {
    if (o.filled + o.leaves + o.cancelled !== o.quantity || o.filled > o.quantity || o.leaves < 0) {
      throw new Error(
        `conservation broken for ${id}: ${o.filled}+${o.leaves}+${o.cancelled} != ${o.quantity}`,
      );
    }
  }

  private get(id: string): ModelOrder {
    const o = this.orders.get(id);
    if (o === undefined) throw new Error(`event for unknown order ${id}`);
    return o;
  }

  /** Open quantity of every live order, for end-of-run checks. */
  openOrders(): Map<string, number> {
    const open = new Map<string, number>();
    for (const [id, o] of this.orders)
      if (o.status !== 'done' && o.leaves > 0) open.set(id, o.leaves);
    return open;
  }
}
