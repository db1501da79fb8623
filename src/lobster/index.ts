/**
 * LOBSTER replay: rebuilds real NASDAQ days (LOBSTER message + orderbook files) on the fast book
 * and checks the book against the file after every row; a matching check compares crossbook's
 * fills with NASDAQ's executions.
 *
 * Pre-09:30 orders and orders that changed out of view (deeper than the file's N levels) are
 * learned from the orderbook file as synthetic orders and per-level stale debt, only when a price
 * comes into view; prices that stay in view must match exactly (see reconstruct.ts).
 * Files: `.csv` or `.csv.gz` (zlib stream); the three shipped days are in samples/lobster.
 * Limits: a day is held as typed arrays (a few MB); level-1 files check the top of book only.
 * Performance: the replay itself is OrderBook calls on typed arrays; the per-row check dominates.
 */
export * from './files.js';
export * from './reconstruct.js';
export * from './matching-check.js';
export * from './replay-day.js';
