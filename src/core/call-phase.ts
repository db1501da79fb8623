/**
 * Trading phases and the uncross. Leaving a call phase (`preopen`, `preclose`) or a halt for
 * continuous trading runs an auction; `preclose` -> `closed` runs the closing auction. All prints
 * of one auction share one price; market orders fill first, then limits in price-time priority.
 */
import { findUncross } from './auction.js';
import { NONE } from './book/order-book.js';
import type { Matcher } from './matcher.js';
import {
  K_MARKET,
  K_STOP,
  S_CALL_MARKET,
  S_FREE,
  S_RESTING,
  TIF_DAY,
  TIF_IOC,
} from './order-table.js';
import { BUY, SELL, type Phase, type Side } from './types.js';

type AuctionKind = 'opening' | 'closing' | 'reopening';

/** Applies a phase change, running the auction it implies. Returns false for a no-op. */
export function changePhase(m: Matcher, to: Phase, reason: 'command' | 'reopen'): boolean {
  const from = m.phase;
  if (from === to) return false;
  // Continuous trading never starts crossed: any way into it goes through an uncross.
  if (to === 'continuous') {
    uncross(m, from === 'halted' ? 'reopening' : 'opening');
  } else if (to === 'closed' && from === 'preclose') {
    uncross(m, 'closing');
  }
  m.phase = to;
  m.haltUntil = NaN;
  if (to === 'closed') closeSession(m);
  m.emit({
    type: 'phase',
    seq: 0,
    ts: m.clock,
    symbol: m.symbol,
    phase: to,
    previous: from,
    reason,
  });
  if (to === 'preopen' || to === 'preclose') m.publishIndicative();
  if (to === 'continuous') m.runStops();
  return true;
}

/** At the close: DAY orders expire and nothing waits for an auction any more. */
function closeSession(m: Matcher): void {
  const o = m.orders;
  const victims: number[] = [];
  for (let oid = 0; oid < o.size; oid++) {
    if (o.state[oid] === S_FREE) continue;
    if (o.tif[oid] === TIF_DAY || o.state[oid] === S_CALL_MARKET) victims.push(oid);
  }
  victims.sort((a, b) => o.serial[a] - o.serial[b]);
  for (const oid of victims) m.cancelLive(oid, o.tif[oid] === TIF_DAY ? 'expired' : 'no_liquidity');
}

/** Runs one auction: finds the price, allocates fills, cancels what may not outlive the call. */
export function uncross(m: Matcher, kind: AuctionKind): void {
  const o = m.orders;
  const [buys, sells] = m.auctionInterest();
  const result = findUncross(buys, sells, m.reference());
  if (result.price !== null) {
    const price = result.price;
    const bidders = participants(m, BUY, price);
    const askers = participants(m, SELL, price);
    let left = result.volume;
    let bi = 0;
    let si = 0;
    while (left > 0) {
      const b = bidders[bi];
      const s = askers[si];
      const q = Math.min(o.leaves[b], o.leaves[s], left);
      left -= q;
      m.lastPrice = price;
      applyFill(m, b, q);
      applyFill(m, s, q);
      // The older order is the maker; every print of the auction carries the one price.
      const buyerOlder = o.serial[b] < o.serial[s];
      m.emitTrade(buyerOlder ? b : s, buyerOlder ? s : b, price, q, true);
      if (o.leaves[b] === 0) bi++;
      if (o.leaves[s] === 0) si++;
    }
  }
  m.emit({
    type: 'auction',
    seq: 0,
    ts: m.clock,
    symbol: m.symbol,
    price: result.price,
    volume: result.volume,
    kind,
  });
  // Market orders never rest and IOC orders never outlive the uncross.
  const leftovers: number[] = [];
  for (const side of [BUY, SELL] as const) leftovers.push(...m.callMarkets[side]);
  for (let oid = 0; oid < o.size; oid++) {
    if (o.state[oid] === S_RESTING && o.tif[oid] === TIF_IOC) leftovers.push(oid);
  }
  leftovers.sort((a, b) => o.serial[a] - o.serial[b]);
  for (const oid of leftovers) {
    const market = o.kind[oid] === K_MARKET || o.kind[oid] === K_STOP;
    m.cancelLive(oid, market ? 'no_liquidity' : 'ioc');
  }
}

/** Orders that can trade at `price`: market orders first, then limits in price-time priority. */
function participants(m: Matcher, side: Side, price: number): number[] {
  const list = [...m.callMarkets[side]];
  for (let oid = m.book.best(side); oid !== NONE; oid = m.book.next(oid)) {
    const p = m.book.priceOf(oid);
    if (side === BUY ? p < price : p > price) break;
    list.push(oid);
  }
  return list;
}

/** One auction fill, applied to the book as continuous trading would: a spent slice refills at the back. */
function applyFill(m: Matcher, oid: number, q: number): void {
  const o = m.orders;
  o.leaves[oid] -= q;
  o.filled[oid] += q;
  const leaves = o.leaves[oid];
  if (o.state[oid] === S_CALL_MARKET) {
    if (leaves === 0) {
      const list = m.callMarkets[o.side[oid]];
      list.splice(list.indexOf(oid), 1);
      o.release(oid);
    }
    return;
  }
  const shown = m.book.qtyOf(oid);
  if (q < shown) {
    m.book.setQty(oid, shown - q);
    return;
  }
  m.book.remove(oid);
  if (leaves > 0)
    m.book.add(oid, o.side[oid] as Side, o.price[oid], Math.min(o.display(oid) || leaves, leaves));
  else o.release(oid);
}
