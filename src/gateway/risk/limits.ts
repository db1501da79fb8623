/** Per-account pre-trade limits, as configured (decimal strings in instrument units). */
export interface RiskLimits {
  /** Largest quantity of one order, in the instrument's quantity units. */
  maxOrderQty: string;
  /** Largest price x quantity of one order, in currency. */
  maxNotional: string;
  /** Open orders plus orders admitted and not yet answered. */
  maxOpenOrders: number;
  /** Token bucket: sustained orders (and replaces and cancels) per second and burst size. */
  ordersPerSecond: number;
  burst: number;
}

/**
 * Defaults (docs/api.md §5): sensible for one trader on a public venue. An operator changes them
 * for every account with the server's risk settings, or per account with the admin route.
 */
export const DEFAULT_LIMITS: RiskLimits = {
  maxOrderQty: '1000000',
  maxNotional: '1000000000',
  maxOpenOrders: 1000,
  ordersPerSecond: 10_000,
  burst: 20_000,
};

/** Upper bounds of what an admin may set (beyond them a limit means nothing or overflows). */
export const LIMIT_BOUNDS = {
  maxOpenOrders: 1_000_000,
  ordersPerSecond: 1_000_000,
  burst: 1_000_000,
} as const;

/** Canonical decimal: no sign, no leading zeros (except "0.x"), at most 12 decimals. */
const DEC = /^(0|[1-9]\d{0,19})(\.\d{1,12})?$/;

const FIELDS = new Set(['maxOrderQty', 'maxNotional', 'maxOpenOrders', 'ordersPerSecond', 'burst']);

/** Validates a partial update; returns an error message naming the field, or null. */
export function checkLimits(l: Partial<RiskLimits>): string | null {
  if (l === null || typeof l !== 'object' || Array.isArray(l)) return 'limits must be an object';
  const keys = Object.keys(l);
  if (keys.length === 0) return `give at least one of ${[...FIELDS].join(', ')}`;
  for (const k of keys) {
    if (!FIELDS.has(k)) return `unknown field ${k}: expected one of ${[...FIELDS].join(', ')}`;
  }
  for (const k of ['maxOrderQty', 'maxNotional'] as const) {
    if (l[k] !== undefined && (typeof l[k] !== 'string' || !DEC.test(l[k]))) {
      return `${k} must be a decimal string such as "1000" or "0.5", got ${JSON.stringify(l[k])}`;
    }
  }
  for (const k of ['maxOpenOrders', 'ordersPerSecond', 'burst'] as const) {
    const v = l[k];
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0 || v > LIMIT_BOUNDS[k])) {
      return `${k} must be an integer from 0 to ${LIMIT_BOUNDS[k]}, got ${JSON.stringify(v)}`;
    }
  }
  return null;
}
