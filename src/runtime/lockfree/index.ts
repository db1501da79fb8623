/**
 * `lockfree`: one instrument's book in a SharedArrayBuffer, matched by K threads at once.
 *
 * Invariants: each unit of resting quantity is taken once (every fill is a successful CAS on the
 * maker's `rem`); a resting insert linearizes at a CAS on the book's VERSION word after a scan of
 * the opposite side that began after reading it, so two committed resting orders never cross; no
 * mutex and no blocking wait on the matching path (conflicts retry). Limits: one instrument, a
 * fixed price window, limit GTC/IOC + market + cancel only, nodes never reused (pool size caps an
 * engine's lifetime), events of different commands released in completion order.
 */
export * from './shared-book.js';
export * from './matcher.js';
export * from './lockfree-engine.js';
