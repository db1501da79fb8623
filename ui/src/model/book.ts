import type { BookSnapshot, Level } from '../api';
import { scaleOf, toUnits } from './decimal';

export interface LadderLevel {
  price: string;
  qty: string;
  priceU: number;
  qtyU: number;
}

export type ApplyResult = 'applied' | 'ignored' | 'gap';

/**
 * One symbol's L2 book from the `l2` channel: a snapshot, then updates that must arrive with
 * seq = previous + 1. A gap marks the book out of sync until the next snapshot; the caller
 * resubscribes. Sorting happens lazily, at most once per rendered frame.
 */
export class L2Book {
  readonly bids = new Map<string, string>();
  readonly asks = new Map<string, string>();
  seq = -1;
  synced = false;
  gaps = 0;
  snapshots = 0;
  updates = 0;
  time = 0;
  private sorted: { bids: LadderLevel[]; asks: LadderLevel[] } | null = null;
  readonly priceScale: number;
  readonly qtyScale: number;

  constructor(
    readonly symbol: string,
    units: { tickSize: string; lotSize: string },
  ) {
    this.priceScale = scaleOf(units.tickSize);
    this.qtyScale = scaleOf(units.lotSize);
  }

  applySnapshot(s: BookSnapshot): void {
    this.bids.clear();
    this.asks.clear();
    for (const [p, q] of s.bids) this.bids.set(p, q);
    for (const [p, q] of s.asks) this.asks.set(p, q);
    this.seq = s.seq;
    this.time = s.time;
    this.synced = true;
    this.snapshots++;
    this.sorted = null;
  }

  applyUpdate(u: { seq: number; time: number; bids: Level[]; asks: Level[] }): ApplyResult {
    if (!this.synced || u.seq <= this.seq) return 'ignored';
    if (u.seq !== this.seq + 1) {
      this.synced = false;
      this.gaps++;
      return 'gap';
    }
    for (const [p, q] of u.bids) set(this.bids, p, q);
    for (const [p, q] of u.asks) set(this.asks, p, q);
    this.seq = u.seq;
    this.time = u.time;
    this.updates++;
    this.sorted = null;
    return 'applied';
  }

  /** Both sides, best first. */
  levels(): { bids: LadderLevel[]; asks: LadderLevel[] } {
    if (this.sorted === null) {
      this.sorted = {
        bids: this.side(this.bids).sort((a, b) => b.priceU - a.priceU),
        asks: this.side(this.asks).sort((a, b) => a.priceU - b.priceU),
      };
    }
    return this.sorted;
  }

  private side(m: Map<string, string>): LadderLevel[] {
    const out: LadderLevel[] = [];
    for (const [price, qty] of m) {
      out.push({
        price,
        qty,
        priceU: toUnits(price, this.priceScale),
        qtyU: toUnits(qty, this.qtyScale),
      });
    }
    return out;
  }
}

function set(m: Map<string, string>, price: string, qty: string): void {
  if (/^0*(\.0*)?$/.test(qty)) m.delete(price);
  else m.set(price, qty);
}
