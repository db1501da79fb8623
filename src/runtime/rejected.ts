import type { EngineEvent, RejectReason } from '../core/index.js';

/** A `rejected` event for the modes that match outside the core Exchange (lockfree, racy). */
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
