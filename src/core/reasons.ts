/** Stable snake_case reason codes. One mapper at the edge turns them into HTTP / WS replies. */

export const REJECT_REASONS = [
  'malformed',
  'unknown_symbol',
  'duplicate_symbol',
  'unknown_order',
  'duplicate_order_id',
  'price_off_tick',
  'qty_off_lot',
  'invalid_qty',
  'invalid_price',
  'invalid_order',
  'post_only_would_cross',
  'fok_unfillable',
  'outside_price_band',
  'stop_already_triggered',
  'no_change',
  'market_closed',
  'halted',
  'expired',
  'too_late_to_replace',
  // Pre-trade risk and gateway reasons (src/gateway) share the same namespace.
  'risk_max_qty',
  'risk_max_notional',
  'risk_max_open_orders',
  'risk_rate_limit',
  'account_disabled',
  'unauthorized',
  'forbidden',
  'too_large',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export const CANCEL_REASONS = [
  'user',
  'ioc',
  'fok',
  'no_liquidity',
  'stp',
  'expired',
  'mass_cancel',
  'halt',
  'auction',
  'post_only',
  'price_band',
  'kill_switch',
] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];
