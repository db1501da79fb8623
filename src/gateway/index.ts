/**
 * The gateway: HTTP (fastify, /api/v1) and WebSocket (/ws) adapters over one OrderService.
 *
 * Flow: request -> signature (auth/, before anything else) -> order entry (orders/order-entry.ts:
 * one compiled schema for HTTP and WebSocket, then the core command) -> admission bound ->
 * pre-trade risk with reservation (risk/) -> engine.submit -> answer built from the command's events, sent only
 * once the command is durable. Execution reports and the order registry follow the engine's event
 * stream; public market data comes from src/market-data. Errors are mapped once (errors.ts).
 * Invariants: an account never sees another's orders (foreign = unknown_order); a retried place
 * with the same clientOrderId never makes a second order; a slow WebSocket client is dropped,
 * never waited for. Limits (docs/api.md §5): 64 KiB HTTP bodies, 16 KiB WS messages, 4 MiB WS
 * outgoing buffer, 1000 commands in flight per WS connection, 10,000 in the engine's queue.
 */
export { ApiError, errorBody, httpStatusOf, type GatewayReason } from './errors.js';
export * from './auth/index.js';
export * from './risk/index.js';
export {
  OrderRegistry,
  Ring,
  MAX_HISTORY,
  type Execution,
  type OrderRecord,
  type FillRecord,
} from './orders/order-registry.js';
export { orderView, fillView, type OrderView, type FillView } from './orders/format.js';
export {
  OrderService,
  DEFAULT_MAX_QUEUED,
  type OrderServiceOptions,
  type ServiceHealth,
} from './order-service.js';
export { OrderEntry, DECIMAL_PATTERN } from './orders/order-entry.js';
export { GatewayMetrics } from './metrics.js';
export { Sessions } from './context.js';
export type {
  SessionFilter,
  WsLimits,
  GatewayContext,
  EngineInfo,
  AccountSummary,
  ChaosResult,
  ChaosReport,
} from './context.js';
export { buildHttpApp, authHook } from './http/index.js';
export { WsGateway } from './ws/index.js';
export * from './client/index.js';
