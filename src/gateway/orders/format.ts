import { formatStepsFast as formatSteps } from '../../market-data/index.js';
import type { InstrumentUnits } from '../../protocol/index.js';
import type { FillRecord, OrderRecord } from './order-registry.js';

/** Engine ns to wire ms. */
const ms = (ns: number) => Math.floor(ns / 1e6);

export interface OrderView {
  orderId: string;
  clientOrderId: string | null;
  account: string;
  symbol: string;
  side: string;
  kind: string;
  price: string | null;
  stopPrice: string | null;
  qty: string;
  displayQty: string | null;
  tif: string;
  postOnly: boolean;
  filledQty: string;
  leavesQty: string;
  avgPrice: string | null;
  status: string;
  cancelReason: string | null;
  time: number;
  updatedTime: number;
}

/** Average fill price, rounded half-up to a tenth of a tick so it stays a plain decimal. */
function avgPrice(o: OrderRecord, u: InstrumentUnits): string | null {
  if (o.filled === 0) return null;
  const tenths = Math.round((o.filledNotional * 10) / o.filled);
  if (tenths % 10 === 0) return formatSteps(tenths / 10, u.tick);
  return formatSteps(tenths, { mantissa: u.tick.mantissa, scale: u.tick.scale + 1 });
}

export function orderView(o: OrderRecord, u: InstrumentUnits): OrderView {
  const price = (v: number | undefined) => (v === undefined ? null : formatSteps(v, u.tick));
  return {
    orderId: o.orderId,
    clientOrderId: o.clientOrderId ?? null,
    account: o.account,
    symbol: o.symbol,
    side: o.side,
    kind: o.kind,
    price: price(o.price),
    stopPrice: price(o.stopPrice),
    qty: formatSteps(o.qty, u.lot),
    displayQty: o.displayQty === undefined ? null : formatSteps(o.displayQty, u.lot),
    tif: o.tif,
    postOnly: o.postOnly,
    filledQty: formatSteps(o.filled, u.lot),
    leavesQty: formatSteps(o.leaves, u.lot),
    avgPrice: avgPrice(o, u),
    status: o.status,
    cancelReason: o.cancelReason ?? null,
    time: ms(o.ts),
    updatedTime: ms(o.updatedTs),
  };
}

export interface FillView {
  tradeId: string;
  orderId: string;
  clientOrderId: string | null;
  symbol: string;
  side: string;
  price: string;
  qty: string;
  liquidity: string;
  time: number;
}

export function fillView(f: FillRecord, u: InstrumentUnits, clientOrderId?: string): FillView {
  return {
    tradeId: String(f.tradeId),
    orderId: f.orderId,
    clientOrderId: clientOrderId ?? null,
    symbol: f.symbol,
    side: f.side,
    price: formatSteps(f.price, u.tick),
    qty: formatSteps(f.qty, u.lot),
    liquidity: f.liquidity,
    time: ms(f.ts),
  };
}
