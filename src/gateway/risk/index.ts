/**
 * Pre-trade risk per account: maximum order quantity and notional, maximum open orders, an
 * order-rate token bucket, the instrument's price band, and a kill switch. Runs before the engine;
 * every refusal has a reason code from the core's reason namespace.
 * Limits are decimals in instrument units and are converted to lots / tick-lots once per symbol.
 */
export {
  RiskChecker,
  type AccountRiskState,
  type RiskContext,
  type RiskOrder,
  type RiskRejection,
  type RiskStateStore,
} from './risk-checker.js';
export { DEFAULT_LIMITS, LIMIT_BOUNDS, checkLimits, type RiskLimits } from './limits.js';
export { TokenBucket } from './token-bucket.js';
