/**
 * crossbook core: pure, deterministic matching. Commands in, events out.
 *
 * Invariants: no over-execution (filled + open + cancelled = quantity), no trade-through, the
 * book is never left crossed in continuous trading, FIFO within a level, and the same command
 * sequence always gives the same events and the same stateHash().
 * Nothing here imports node, npm packages, clocks or randomness (enforced by a test and lint).
 *
 * Limits: each instrument's maxQty x maxPrice <= 2^53 - 1 and a live-order cap keep every sum
 * exact (limits.ts); times above 2^53 ns sit on a 1024 ns grid.
 * Performance: `Exchange.execute(cmd)` resolves string ids and builds event objects; the handle
 * API (`instrumentIndex`, `placeAt`, `cancelAt`, `replaceAt`) hashes no string and leaves the
 * outcomes in the reusable typed `EventBuffer` (`exchange.events`), valid until the next command.
 */
export * from './types.js';
export * from './commands.js';
export * from './events.js';
export * from './reasons.js';
export * from './decimal.js';
export * from './hash.js';
export * from './exchange.js';
export * from './event-buffer.js';
export * from './limits.js';
export * from './book/order-book.js';
export * from './book/book-hash.js';
export { FastBook } from './book/fast-book.js';
export { ReferenceBook } from './book/reference-book.js';
