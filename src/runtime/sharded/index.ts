/**
 * `sharded`: symbols partitioned over N single-threaded Exchanges in worker threads, routed by
 * FNV-1a(symbol) mod N with pinning overrides; commands and events travel through SharedArrayBuffer
 * rings. Per symbol the events equal `single`'s (seq restamped; trade ids count per instrument).
 * Commands without a symbol fan out and their replies are merged in shard order.
 *
 * Durability (`durableDir`): DIR/manifest.json pins shard count, routing and overrides (a mismatch
 * refuses to start); worker i recovers DIR/shard-i with openDurableExchange (snapshot + journal
 * tail) before reading its ring, journals every state-changing command in execution order, and
 * writes replies only once they are durable; a command without a symbol is journaled by every
 * shard. recovered() gives each shard's recovery and the recovered instruments. Snapshots every
 * `snapshotEvery` commands and on close (close waits for them). An optional sink (the store) is
 * fed from the workers through the main thread, one message per journal batch.
 */
export { MANIFEST_FILE } from './durable-layout.js';
export * from './routing.js';
export * from './sharded-engine.js';
