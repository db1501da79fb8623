/** Domain vocabulary shared by every layer. Prices are integer ticks, quantities integer lots. */

export type SideName = 'buy' | 'sell';
/** Numeric side used on the hot path: BUY = 0, SELL = 1. */
export type Side = 0 | 1;
export const BUY: Side = 0;
export const SELL: Side = 1;

export const sideOf = (name: SideName): Side => (name === 'buy' ? BUY : SELL);
export const sideName = (side: Side): SideName => (side === BUY ? 'buy' : 'sell');

export type OrderKind = 'limit' | 'market' | 'stop' | 'stopLimit';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK' | 'DAY' | 'GTD';
export type StpMode = 'none' | 'cancelNewest' | 'cancelOldest' | 'cancelBoth' | 'decrement';
/**
 * Trading phases. `preopen` and `preclose` are call phases: orders rest unmatched and an auction
 * uncrosses the book when the call ends. `halted` matches nothing and takes only cancels.
 */
export type Phase = 'preopen' | 'continuous' | 'preclose' | 'halted' | 'closed';

export const ORDER_KINDS: readonly OrderKind[] = ['limit', 'market', 'stop', 'stopLimit'];
export const TIME_IN_FORCE: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK', 'DAY', 'GTD'];
export const STP_MODES: readonly StpMode[] = [
  'none',
  'cancelNewest',
  'cancelOldest',
  'cancelBoth',
  'decrement',
];
export const PHASES: readonly Phase[] = ['preopen', 'continuous', 'preclose', 'halted', 'closed'];

/** Nanoseconds in one day: DAY orders expire at the end of the UTC day they were accepted on. */
export const NS_PER_DAY = 86_400_000_000_000;

/** Instrument definition as configured (decimal strings at the edge). */
export interface InstrumentConfig {
  symbol: string;
  tickSize: string;
  lotSize: string;
  /** Price band, percent around the reference price, as a decimal string ("10" = ±10%). */
  bandPct?: string;
  /** Reference price for the band and the auction tie-break, in ticks. */
  referencePrice?: number;
  /** Default self-trade prevention mode for orders that do not name one. */
  stp?: StpMode;
  /** Initial phase; `continuous` when absent. */
  phase?: Phase;
  /** Pause of a volatility halt before the reopening auction, in ns (default 5 minutes). */
  haltPauseNs?: number;
  /**
   * Largest order quantity in lots (default 2^26). With maxPrice it bounds every sum the engine
   * forms below 2^53 (src/core/limits.ts); larger orders are rejected `too_large`.
   */
  maxQty?: number;
  /** Largest price in ticks (default 2^27 - 1); maxQty x maxPrice must not exceed 2^53 - 1. */
  maxPrice?: number;
}
