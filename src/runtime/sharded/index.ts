/**
 * `sharded`: symbols partitioned over N single-threaded Exchanges in worker threads, routed by
 * FNV-1a(symbol) mod N with pinning overrides; commands and events travel through SharedArrayBuffer
 * rings. Per symbol the events equal `single`'s (seq restamped, trade ids made unique). Commands
 * without a symbol fan out and their replies are merged in shard order.
 */
export { MANIFEST_FILE } from './durable-layout.js';
export * from './routing.js';
export * from './sharded-engine.js';
