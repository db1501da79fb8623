/**
 * Public market data (L1 BBO, L2 aggregated depth, L3 orders, the trade tape), derived from engine
 * events only, never from book internals (DESIGN.md §9.8).
 *
 * Invariants: events are applied in engine order per symbol; each `apply()` call publishes at most
 * one L2 update per symbol, whose `seq` is the previous one + 1, so replaying updates onto a
 * snapshot of seq N reproduces the snapshot of any later seq. A snapshot's seq is the seq of the
 * last update it includes. Quantities are the visible ones (iceberg reserves and stops are hidden).
 * Limits: keeps the last 1000 trades per symbol; iceberg refill order is inferred from the fills.
 */
export { MarketData } from './market-data.js';
export type {
  InstrumentInfo,
  L1Message,
  L2Message,
  MarketDataChannel,
  MarketDataInterest,
  MarketDataListener,
  MarketDataMessage,
  PriceQty,
  StatusMessage,
  TradeMessage,
} from './market-data.js';
export { L3Book } from './l3-book.js';
export { Units, formatStepsFast, nsToMs } from './units.js';
