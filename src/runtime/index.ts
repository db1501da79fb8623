/**
 * crossbook runtime: the concurrency modes behind one async Engine interface.
 *
 * - single (default): one Exchange on the event loop, commands matched one at a time.
 * - sharded: symbols partitioned over worker-thread Exchanges, SharedArrayBuffer rings between.
 * - lockfree: one symbol's book in shared memory matched by K threads with CAS reservations.
 * - racy: the seed's failing design, kept to prove the chaos test catches over-execution.
 *
 * Ordering: per symbol, events are released in engine order; a state-changing command is
 * journaled (durable) before its events reach the submitter or listeners. Commands without `ts`
 * are stamped with the `clock` option when given, else the engine uses its last known time.
 * Worker threads run compiled JS from dist/ (see worker-path.ts): build before use.
 */
export * from './engine.js';
export * from './create-engine.js';
export * from './worker-path.js';
export * from './stamp.js';
export * from './listeners.js';
export * from './chaos/index.js';
export { SingleEngine, type SingleEngineOptions } from './single/index.js';
export {
  ShardedEngine,
  ShardRouter,
  fnv1a,
  MANIFEST_FILE,
  type ShardedEngineOptions,
  type ShardedRecovery,
  type ShardRecovery,
} from './sharded/index.js';
export { LockfreeEngine, type LockfreeOptions } from './lockfree/index.js';
export { RacyEngine, RACY_LABEL } from './racy/index.js';
