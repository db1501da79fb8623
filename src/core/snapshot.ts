/**
 * Instrument state as plain JSON and back. Orders are listed in priority order (bids, asks, call
 * market orders, stops), so re-adding them in that order rebuilds every queue exactly.
 */
import { NONE } from './book/order-book.js';
import type { Matcher } from './matcher.js';
import { S_CALL_MARKET, S_RESTING, S_STOP } from './order-table.js';
import { BUY, SELL, type InstrumentConfig, type Phase, type Side } from './types.js';

/** JSON has no NaN or Infinity: absent numbers are null. */
type N = number | null;

export interface OrderSnapshot {
  clientId: string;
  account: string;
  state: number;
  side: number;
  kind: number;
  tif: number;
  stp: number;
  postOnly: number;
  serial: number;
  price: N;
  stopPrice: N;
  quantity: number;
  filled: number;
  leaves: number;
  cancelled: number;
  display: number;
  expireAt: N;
  /** Visible slice in the book, for resting orders. */
  visible: number;
}

export interface MatcherSnapshot {
  config: InstrumentConfig;
  phase: Phase;
  lastPrice: N;
  tradeCount: number;
  referencePrice: N;
  haltUntil: N;
  clock: number;
  orders: OrderSnapshot[];
}

const out = (n: number): N => (Number.isFinite(n) ? n : null);

export function snapshotMatcher(m: Matcher): MatcherSnapshot {
  const o = m.orders;
  const oids: number[] = [];
  for (const side of [BUY, SELL] as const) {
    for (let oid = m.book.best(side); oid !== NONE; oid = m.book.next(oid)) oids.push(oid);
  }
  oids.push(...m.callMarkets[BUY], ...m.callMarkets[SELL], ...m.stops);
  return {
    config: m.config,
    phase: m.phase,
    lastPrice: out(m.lastPrice),
    tradeCount: m.tradeCount,
    referencePrice: out(m.referencePrice),
    haltUntil: out(m.haltUntil),
    clock: m.clock,
    orders: oids.map((oid) => ({
      clientId: o.clientId[oid],
      account: o.account[oid],
      state: o.state[oid],
      side: o.side[oid],
      kind: o.kind[oid],
      tif: o.tif[oid],
      stp: o.stp[oid],
      postOnly: o.postOnly[oid],
      serial: o.serial[oid],
      price: out(o.price[oid]),
      stopPrice: out(o.stopPrice(oid)),
      quantity: o.quantity[oid],
      filled: o.filled[oid],
      leaves: o.leaves[oid],
      cancelled: o.cancelled(oid),
      display: o.display(oid),
      expireAt: out(o.expireAt(oid)),
      visible: o.state[oid] === S_RESTING ? m.book.qtyOf(oid) : 0,
    })),
  };
}

export function restoreMatcher(
  m: Matcher,
  s: MatcherSnapshot,
  register: (clientId: string, oid: number) => void,
): void {
  m.phase = s.phase;
  m.lastPrice = s.lastPrice ?? NaN;
  m.tradeCount = s.tradeCount;
  m.referencePrice = s.referencePrice ?? NaN;
  m.haltUntil = s.haltUntil ?? NaN;
  m.clock = s.clock;
  const o = m.orders;
  for (const r of s.orders) {
    const oid = o.alloc();
    o.clientId[oid] = r.clientId;
    o.account[oid] = r.account;
    o.state[oid] = r.state;
    o.side[oid] = r.side;
    o.kind[oid] = r.kind;
    o.tif[oid] = r.tif;
    o.stp[oid] = r.stp;
    o.postOnly[oid] = r.postOnly;
    o.serial[oid] = r.serial;
    o.price[oid] = r.price ?? NaN;
    o.setStopPrice(oid, r.stopPrice ?? NaN);
    o.quantity[oid] = r.quantity;
    o.filled[oid] = r.filled;
    o.leaves[oid] = r.leaves;
    if (o.cancelled(oid) !== r.cancelled) {
      throw new Error(`snapshot: order ${r.clientId} quantities do not add up`);
    }
    o.setDisplay(oid, r.display);
    o.setExpireAt(oid, r.expireAt ?? Infinity);
    if (r.state === S_RESTING) m.book.add(oid, r.side as Side, o.price[oid], r.visible);
    else if (r.state === S_CALL_MARKET) m.callMarkets[r.side].push(oid);
    else if (r.state === S_STOP) m.stops.push(oid);
    else throw new Error(`snapshot: order ${r.clientId} has unknown state ${r.state}`);
    if (r.expireAt !== null) m.expiries.push(r.expireAt, r.serial, oid);
    register(r.clientId, oid);
  }
}
