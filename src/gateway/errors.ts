import type { RejectReason } from '../core/index.js';

/** Reasons only the edge produces, in addition to the engine's and the risk checks'. */
export type GatewayReason =
  RejectReason | 'not_found' | 'busy' | 'unavailable' | 'internal' | 'slow_consumer' | 'throttled';

/** A refusal at the edge: carried to the client as `{error:{reason,message}}`. */
export class ApiError extends Error {
  constructor(
    readonly reason: GatewayReason,
    message: string,
  ) {
    super(message);
  }
}

export interface ErrorBody {
  error: { reason: string; message: string };
}

export const errorBody = (reason: string, message: string): ErrorBody => ({
  error: { reason, message },
});

const STATUS: Partial<Record<GatewayReason, number>> = {
  unauthorized: 401,
  forbidden: 403,
  account_disabled: 403,
  unknown_order: 404,
  not_found: 404,
  duplicate_order_id: 409,
  busy: 409,
  too_large: 413,
  post_only_would_cross: 422,
  fok_unfillable: 422,
  outside_price_band: 422,
  stop_already_triggered: 422,
  no_change: 422,
  market_closed: 422,
  halted: 422,
  expired: 422,
  too_late_to_replace: 422,
  risk_max_qty: 422,
  risk_max_notional: 422,
  risk_max_open_orders: 422,
  risk_rate_limit: 429,
  unavailable: 503,
  internal: 500,
  slow_consumer: 429,
  throttled: 429,
};

/**
 * The one mapper from a reason code to an HTTP status (docs/api.md §6). WebSocket replies carry
 * the same reason and message; anything not listed (malformed, invalid_*, off tick/lot, unknown
 * symbol) is the client's input and answers 400.
 */
export function httpStatusOf(reason: string): number {
  return STATUS[reason as GatewayReason] ?? 400;
}
