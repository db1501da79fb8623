/**
 * Shared-memory transport between threads: SPSC byte rings in SharedArrayBuffers (Disruptor style)
 * and the wait strategies that park their readers and writers.
 *
 * Invariants: one producer and one consumer per ring; messages arrive complete, in order, exactly
 * once; a full ring blocks (worker) or awaits (main thread) and never drops. Ordering relies only
 * on sequentially consistent Atomics load/store of the two sequences (release on publish, acquire
 * on read). Limits: a message header holds up to 2^29-1 bytes per fragment; sequences are 32-bit
 * and wrap safely. Cost: one copy in (from the encoder's scratch), zero copies out unless the
 * message wraps or is fragmented.
 */
export * from './ring.js';
export * from './wait-strategy.js';
export * from './json-codec.js';
export * from './ordered-writer.js';
