/**
 * crossbook benchmarks. Workloads are generated from a seed before timing; each engine runs
 * warm-up + repetitions in this process, in turn, and the median repetition is reported.
 * Latency: one op in 64 is timed with hrtime (its fixed cost subtracted) into an HDR histogram.
 * Memory: heapUsed + external after GC in a child `node --expose-gc`, with 1M resting orders.
 * Engines: crossbook (Exchange + FastBook), crossbook-reference (Exchange + ReferenceBook),
 * nodejs-order-book (npm peer, public API), fastbook-only (book + bare matcher: the ceiling).
 * Not timed: workload generation, the setup ops that build the starting book, the sanity pass.
 */
export { runBench, type BenchOptions } from './run.js';
export { formatTables, type BenchReport } from './report.js';
export { WORKLOADS } from './workloads/index.js';
