import type { Histogram } from 'hdr-histogram-js';
import type { Workload } from '../workload.js';

/** Time one op in every SAMPLE_EVERY, so sampling costs almost nothing per op. */
export const SAMPLE_MASK = 63;

/** Latency sampling: the histogram and the fixed cost of one empty timing pair, in ns. */
export interface Sampler {
  hist: Histogram;
  overheadNs: number;
}

/**
 * One engine under test. Each adapter owns its timed loop, so every call site in it sees one
 * engine type only (monomorphic), and the harness adds no indirection per op.
 */
export interface BenchEngine {
  readonly name: string;
  /** Fresh engine with the workload's instruments defined (untimed). */
  reset(w: Workload): void;
  /**
   * Untimed: turns ops [from, to) into this engine's input objects (commands, option objects),
   * as a gateway would have them ready, so the timed run measures the engine alone.
   */
  prepare(w: Workload, from: number, to: number): void;
  /** Applies prepared ops [from, to) (within the last prepared range); samples latency. */
  run(w: Workload, from: number, to: number, sampler: Sampler | null): void;
  /** Counters gathered since reset (trades, rejects), for sanity checks. */
  stats(): { trades: number; rejects: number };
}
