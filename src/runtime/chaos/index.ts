/**
 * The seed's chaos test as a library (used by `crossbook chaos`, the UI's chaos panel and the
 * tests): the same scenario in every mode, audited from the events alone by EventLedger.
 * Invariants checked: total filled <= liquidity, filled + open + cancelled = qty per order, no order
 * over-filled, final book not crossed. `racy` is expected to fail them.
 */
export * from './ledger.js';
export * from './seed-scenario.js';
export * from './run-chaos.js';
