/** Per-account pre-trade limits, as configured (decimal strings in instrument units). */
export interface RiskLimits {
  /** Largest quantity of one order, in the instrument's quantity units. */
  maxOrderQty: string;
  /** Largest price x quantity of one order, in currency. */
  maxNotional: string;
  maxOpenOrders: number;
  /** Token bucket: sustained orders per second and burst size. */
  ordersPerSecond: number;
  burst: number;
}

/** Generous defaults: a demo venue and the load test must not trip them by accident. */
export const DEFAULT_LIMITS: RiskLimits = {
  maxOrderQty: '1000000',
  maxNotional: '1000000000',
  maxOpenOrders: 100_000,
  ordersPerSecond: 1_000_000,
  burst: 1_000_000,
};

const DEC = /^\d{1,20}(\.\d{1,12})?$/;

/** Validates a partial update; returns an error message or null. */
export function checkLimits(l: Partial<RiskLimits>): string | null {
  for (const k of ['maxOrderQty', 'maxNotional'] as const) {
    if (l[k] !== undefined && (typeof l[k] !== 'string' || !DEC.test(l[k]))) {
      return `${k} must be a non-negative decimal string`;
    }
  }
  for (const k of ['maxOpenOrders', 'ordersPerSecond', 'burst'] as const) {
    if (l[k] !== undefined && (!Number.isSafeInteger(l[k]) || l[k] < 0)) {
      return `${k} must be a non-negative integer`;
    }
  }
  return null;
}
