import type { Trade } from '../api';

const KEEP = 20_000;

/**
 * Trades of one symbol in engine order (oldest first), deduplicated by tradeId so a refetch after
 * a reconnect can be merged with what the stream already delivered.
 */
export class Tape {
  readonly trades: Trade[] = [];
  private readonly seen = new Set<string>();
  /** Bumped when history was merged out of order: charts must rebuild, not append. */
  epoch = 0;

  /** Live trade; returns false for one already seen. */
  push(t: Trade): boolean {
    if (this.seen.has(t.tradeId)) return false;
    this.seen.add(t.tradeId);
    this.trades.push(t);
    // Trim in chunks: a trim shifts indices, so charts rebuild (epoch) once per chunk.
    if (this.trades.length > KEEP * 1.25) {
      for (const old of this.trades.splice(0, this.trades.length - KEEP))
        this.seen.delete(old.tradeId);
      this.epoch++;
    }
    return true;
  }

  /** History from GET /trades (newest first): merged in, then the whole tape is re-sorted. */
  merge(newestFirst: Trade[]): void {
    let added = false;
    for (const t of newestFirst) {
      if (this.seen.has(t.tradeId)) continue;
      this.seen.add(t.tradeId);
      this.trades.push(t);
      added = true;
    }
    if (added) {
      this.trades.sort((a, b) => a.time - b.time || Number(a.tradeId) - Number(b.tradeId));
      this.epoch++;
    }
  }

  /** The newest n, newest first. */
  latest(n: number): Trade[] {
    const out: Trade[] = [];
    for (let i = this.trades.length - 1; i >= 0 && out.length < n; i--) out.push(this.trades[i]);
    return out;
  }
}
