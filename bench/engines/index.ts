/**
 * Engines under test. Each adapter owns its timed loop so its call sites stay monomorphic.
 * `crossbook` = Exchange + FastBook through the handle API, `crossbook-execute` = the same through
 * execute(cmd) with string ids and event objects, `crossbook-reference` = Exchange + ReferenceBook,
 * `nodejs-order-book` = the npm peer, `fastbook-only` = the book with a bare matcher (ceiling).
 */
export * from './engine.js';
export * from './crossbook.js';
export * from './crossbook-handles.js';
export * from './nodejs-order-book.js';
export * from './book-only.js';
