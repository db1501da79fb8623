/**
 * crossbook core: pure, deterministic matching. Commands in, events out.
 *
 * Invariants: no over-execution (filled + open + cancelled = quantity), no trade-through, the
 * book is never left crossed in continuous trading, FIFO within a level, and the same command
 * sequence always gives the same events and the same stateHash().
 * Nothing here imports node, npm packages, clocks or randomness (enforced by a test and lint).
 */
export * from './types.js';
export * from './commands.js';
export * from './events.js';
export * from './reasons.js';
export * from './decimal.js';
export * from './hash.js';
export * from './exchange.js';
export * from './book/order-book.js';
export * from './book/book-hash.js';
export { FastBook } from './book/fast-book.js';
export { ReferenceBook } from './book/reference-book.js';
