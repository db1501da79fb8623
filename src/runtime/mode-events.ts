/** Event builders for the modes that match outside the core Exchange (lockfree, racy). */
import type { EngineEvent, PlaceOrder, RejectReason, TimeInForce } from '../core/index.js';

/** The `accepted` event of a place, as the core would word it. */
export function accepted(cmd: PlaceOrder, ts: number, tif: TimeInForce): EngineEvent {
  return {
    type: 'accepted',
    seq: 0,
    ts,
    symbol: cmd.symbol,
    orderId: cmd.orderId,
    account: cmd.account,
    side: cmd.side,
    kind: cmd.kind,
    price: cmd.kind === 'limit' ? cmd.price : undefined,
    qty: cmd.qty,
    tif,
  };
}

/** A `rejected` event. */
export function rejected(
  ts: number,
  cmd: { orderId?: string; symbol?: string; account?: string },
  reason: RejectReason,
  message: string,
): EngineEvent {
  return {
    type: 'rejected',
    seq: 0,
    ts,
    orderId: cmd.orderId,
    symbol: cmd.symbol,
    account: cmd.account,
    reason,
    message,
  };
}
