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
  /** Trades naming an order that was never accepted. */
  unknownFills: number;
  /** Final book: best bid >= best ask. */
  crossed: boolean;
  /** Total bought equals total sold is implied by trades; this checks maker/taker sums agree. */
  buySellBalanced: boolean;
}

interface OrderRow {
  qty: number;
  side: 'buy' | 'sell';
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
  private bought = 0;
  private sold = 0;
  private unknown = 0;
  /** Last book snapshot per symbol: the final state. */
  private readonly books = new Map<string, BookSnapshotEvent>();

  add(events: readonly EngineEvent[]): void {
    for (const e of events) {
      if (e.type === 'accepted') {
        this.rows.set(`${e.symbol}/${e.orderId}`, {
          qty: e.qty,
          side: e.side,
          filled: 0,
          cancelled: 0,
          open: 0,
        });
      } else if (e.type === 'trade') {
        this.traded += e.qty;
        for (const id of [e.makerOrderId, e.takerOrderId]) {
          const row = this.rows.get(`${e.symbol}/${id}`);
          if (!row) {
            this.unknown++;
            continue;
          }
          row.filled += e.qty;
          if (row.side === 'buy') this.bought += e.qty;
          else this.sold += e.qty;
        }
      } else if (e.type === 'cancelled') {
        const row = this.rows.get(`${e.symbol}/${e.orderId}`);
        if (row) row.cancelled += e.remainingQty;
      } else if (e.type === 'book') {
        this.books.set(e.symbol, e);
      }
    }
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
    for (const row of this.rows.values()) {
      if (row.filled > row.qty) {
        overFilled++;
        overExecution += row.filled - row.qty;
      }
      if (row.filled + row.open + row.cancelled !== row.qty) unconserved++;
    }
    return {
      orders: this.rows.size,
      filled: this.traded,
      overExecution,
      unconserved,
      overFilled,
      unknownFills: this.unknown,
      crossed,
      buySellBalanced: this.bought === this.sold,
    };
  }
}
