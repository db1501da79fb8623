import type { Side } from '../types.js';

/** "No order" for handles returned by an OrderBook. */
export const NONE = -1;

/**
 * The data structure behind one instrument: price levels of FIFO queues of resting orders.
 * Matching rules live in the engine; a book only keeps orders in price-time priority.
 * Orders are numeric handles (`oid`) assigned by the engine; quantities are the visible open lots.
 */
export interface OrderBook {
  readonly name: string;
  /** Appends a resting order at the back of its price level. The oid must not be resting. */
  add(oid: number, side: Side, price: number, qty: number): void;
  /** Removes a resting order from its level. */
  remove(oid: number): void;
  /** Sets the visible open quantity in place; the order keeps its time priority. qty > 0. */
  setQty(oid: number, qty: number): void;
  contains(oid: number): boolean;
  qtyOf(oid: number): number;
  priceOf(oid: number): number;
  sideOf(oid: number): Side;
  /** Best price of a side, or NaN when the side is empty. */
  bestPrice(side: Side): number;
  /** The oldest order at the best price of a side, or NONE. */
  best(side: Side): number;
  /** The order after `oid` in priority order on its side (rest of its level, then worse levels). */
  next(oid: number): number;
  /** Total visible quantity resting at one price on one side (0 when no level). */
  levelQty(side: Side, price: number): number;
  /** Number of resting orders on a side. */
  count(side: Side): number;
  /** Number of price levels on a side. */
  levelCount(side: Side): number;
  /** Checks level totals, links and indexes. Throws an Error describing the first breach. */
  validate(): void;
  /** Hash of the visible structure (side, price, order, qty in priority order). */
  stateHash(): string;
}

export type OrderBookFactory = () => OrderBook;
