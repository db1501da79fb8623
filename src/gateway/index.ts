/**
 * The gateway: HTTP (fastify, /api/v1) and WebSocket (/ws) adapters over one OrderService.
 *
 * Flow: request -> schema validation -> signature (auth/) -> edge parsing (src/protocol) ->
 * pre-trade risk (risk/) -> engine.submit -> answer built from the command's events, sent only
 * once the command is durable. Execution reports and the order registry follow the engine's event
 * stream; public market data comes from src/market-data. Errors are mapped once (errors.ts).
 * Invariants: an account never sees another's orders (foreign = unknown_order); a retried place
 * with the same clientOrderId never makes a second order; a slow WebSocket client is dropped,
 * never waited for. Limits: 64 KiB HTTP bodies, 16 KiB WS messages, 4 MiB WS outgoing buffer.
 */
export { ApiError, errorBody, httpStatusOf, type GatewayReason } from './errors.js';
export * from './auth/index.js';
export * from './risk/index.js';
export {
  OrderRegistry,
  type Execution,
  type OrderRecord,
  type FillRecord,
} from './orders/order-registry.js';
export { orderView, fillView, type OrderView, type FillView } from './orders/format.js';
export { OrderService, type OrderServiceOptions } from './order-service.js';
export { GatewayMetrics } from './metrics.js';
export type {
  GatewayContext,
  EngineInfo,
  AccountSummary,
  ChaosResult,
  ChaosReport,
} from './context.js';
export { buildHttpApp, authHook } from './http/index.js';
export { WsGateway } from './ws/index.js';
export * from './client/index.js';
