import type { BookSnapshotEvent, EngineEvent } from '../../core/index.js';

export interface LedgerTotals {
  /** Orders accepted. */
  orders: number;
  /** Total traded quantity (each trade counted once). */
  filled: number;
  /** Quantity filled beyond what orders had: sum over orders of max(0, filled - qty). */
  overExecution: number;
  /** Orders whose filled + open + cancelled differs from their quantity. */
  unconserved: number;
  /** Orders filled beyond their quantity. */
  overFilled: number;
  /** Orders named by trades or cancels but never accepted. */
  unknownFills: number;
  /** Final book: best bid >= best ask. */
  crossed: boolean;
  /** Quantity filled on buy orders equals quantity filled on sell orders. */
  buySellBalanced: boolean;
}

interface OrderRow {
  qty: number;
  side: 'buy' | 'sell';
  accepted: boolean;
  filled: number;
  cancelled: number;
  open: number;
}

/**
 * Audits a run from its events alone, as the seed's chaos test does: every accepted order's
 * quantity must equal filled + open (from a final book snapshot) + cancelled, nothing may fill
 * beyond its quantity, and the final book must not be crossed. Keyed by symbol + order id.
 */
export class EventLedger {
  private readonly rows = new Map<string, OrderRow>();
  private traded = 0;
  /** Last book snapshot per symbol: the final state. */
  private readonly books = new Map<string, BookSnapshotEvent>();

  add(events: readonly EngineEvent[]): void {
    for (const e of events) {
      if (e.type === 'accepted') {
        const row = this.row(e.symbol, e.orderId);
        row.qty = e.qty;
        row.side = e.side;
        row.accepted = true;
      } else if (e.type === 'replaced') {
        // The new open quantity replaces whatever was still open.
        const row = this.row(e.symbol, e.orderId);
        row.qty = row.filled + row.cancelled + e.qty;
      } else if (e.type === 'trade') {
        this.traded += e.qty;
        this.row(e.symbol, e.makerOrderId).filled += e.qty;
        this.row(e.symbol, e.takerOrderId).filled += e.qty;
      } else if (e.type === 'cancelled') {
        this.row(e.symbol, e.orderId).cancelled += e.remainingQty;
      } else if (e.type === 'book') {
        this.books.set(e.symbol, e);
      }
    }
  }

  /**
   * Rows are created on first sight: in `lockfree` a maker's fill can come back from another
   * thread before its own submit() resolves, so events may arrive out of command order.
   */
  private row(symbol: string, orderId: string): OrderRow {
    const key = `${symbol}/${orderId}`;
    let row = this.rows.get(key);
    if (!row) {
      row = { qty: 0, side: 'buy', accepted: false, filled: 0, cancelled: 0, open: 0 };
      this.rows.set(key, row);
    }
    return row;
  }

  /** Orders that break conservation or over-fill, with their numbers (for failure messages). */
  problems(limit = 10): string[] {
    this.totals();
    const out: string[] = [];
    for (const [key, r] of this.rows) {
      if (!r.accepted || r.filled > r.qty || r.filled + r.open + r.cancelled !== r.qty) {
        out.push(`${key}: qty ${r.qty} filled ${r.filled} open ${r.open} cancelled ${r.cancelled}`);
        if (out.length >= limit) break;
      }
    }
    return out;
  }

  /** Call after the final book snapshots were added. */
  totals(): LedgerTotals {
    for (const row of this.rows.values()) row.open = 0;
    let crossed = false;
    for (const book of this.books.values()) {
      for (const level of [...book.bids, ...book.asks]) {
        for (const o of level.orders) {
          const row = this.rows.get(`${book.symbol}/${o.orderId}`);
          if (row) row.open += o.qty;
        }
      }
      if (book.bids.length > 0 && book.asks.length > 0) {
        if (book.bids[0].price >= book.asks[0].price) crossed = true;
      }
    }
    let overExecution = 0;
    let unconserved = 0;
    let overFilled = 0;
    let unknown = 0;
    let orders = 0;
    let bought = 0;
    let sold = 0;
    for (const row of this.rows.values()) {
      if (!row.accepted) {
        unknown++;
        continue;
      }
      orders++;
      if (row.side === 'buy') bought += row.filled;
      else sold += row.filled;
      if (row.filled > row.qty) {
        overFilled++;
        overExecution += row.filled - row.qty;
      }
      if (row.filled + row.open + row.cancelled !== row.qty) unconserved++;
    }
    return {
      orders,
      filled: this.traded,
      overExecution,
      unconserved,
      overFilled,
      unknownFills: unknown,
      crossed,
      buySellBalanced: bought === sold,
    };
  }
}
