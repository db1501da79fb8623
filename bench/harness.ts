/**
 * Times one engine on one workload: per repetition a fresh engine, the untimed setup, then the
 * timed stream in chunks (so a progress bar can move and a too-slow engine can be cut off).
 * Warm-up repetitions run the same way and are discarded; the median repetition is reported.
 */
import { hrtime } from 'node:process';
import { build, type Histogram } from 'hdr-histogram-js';
import type { BenchEngine, Sampler } from './engines/index.js';
import type { Workload } from './workload.js';
import type { ProfileTarget } from './profile.js';

export interface RepPlan {
  warmups: number;
  reps: number;
  /** Give up on an engine whose single repetition (setup + stream) exceeds this. */
  capSeconds: number;
  /** Time only the first N ops of the stream (for engines too slow for all of it). */
  limitOps?: number;
}

export interface EngineResult {
  engine: string;
  /** Median repetition, wall clock. */
  opsPerSec: number;
  /**
   * Median repetition over this process's CPU time (user + system): on a shared machine this is
   * what the code does when it has a core; wall clock also counts time other processes had it.
   */
  opsPerCpuSec: number;
  /** Ops timed per repetition. */
  timedOps: number;
  p50Ns: number;
  p99Ns: number;
  p999Ns: number;
  /** Wall ops/s of each timed repetition (steady state: after the warm-ups). */
  reps: number[];
  /**
   * The very first repetition (a warm-up when the plan has one), reported apart from the steady
   * state: a fresh engine whose young generation and JIT have not settled yet.
   */
  firstRun: { opsPerSec: number; opsPerCpuSec: number };
  trades: number;
  rejects: number;
  skipped?: string;
}

const CHUNK = 16_384;

export function newHistogram(): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

/** Fixed cost of one `hrtime.bigint()` pair, subtracted from every latency sample. */
export function timerOverheadNs(): number {
  const xs: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const t0 = hrtime.bigint();
    xs.push(Number(hrtime.bigint() - t0));
  }
  xs.sort((a, b) => a - b);
  return xs[xs.length >> 1];
}

/** Untimed: prepares and runs ops [from, to) in chunks, then drops the prepared inputs. */
export function runUntimed(engine: BenchEngine, w: Workload, from: number, to: number): void {
  for (let i = from; i < to; i += CHUNK) {
    const end = Math.min(to, i + CHUNK);
    engine.prepare(w, i, end);
    engine.run(w, i, end, null);
  }
  engine.prepare(w, 0, 0);
}

function cpuSeconds(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
}

const gc = (globalThis as { gc?: () => void }).gc;

export function measure(opts: {
  engine: BenchEngine;
  workload: Workload;
  plan: RepPlan;
  overheadNs: number;
  onProgress?: (ops: number) => void;
  /** Profiles the stream of the first timed repetition (see --profile). */
  profile?: ProfileTarget;
}): EngineResult {
  const { engine, workload: w, plan } = opts;
  const hist = newHistogram();
  const reps: number[] = [];
  const cpuReps: number[] = [];
  const end = Math.min(w.length, w.setup + (plan.limitOps ?? Infinity));
  const timed = end - w.setup;
  let trades = 0;
  let rejects = 0;
  const firstRun = { opsPerSec: 0, opsPerCpuSec: 0 };
  for (let r = 0; r < plan.warmups + plan.reps; r++) {
    const warm = r < plan.warmups;
    gc?.();
    // The cap counts this process's CPU time, so a busy machine does not trip it.
    const deadline = cpuSeconds() + plan.capSeconds;
    engine.reset(w);
    for (let i = 0; i < w.setup; i += CHUNK) {
      const to = Math.min(w.setup, i + CHUNK);
      engine.prepare(w, i, to);
      engine.run(w, i, to, null);
      opts.onProgress?.(to - i);
      if (cpuSeconds() > deadline) return skipped(engine.name, plan.capSeconds);
    }
    const sampler: Sampler = { hist: warm ? newHistogram() : hist, overheadNs: opts.overheadNs };
    let ns = 0;
    let cpuUs = 0;
    // Inputs for the whole stream are made first: made per chunk they would sit in the young
    // generation while timed, and every scavenge would copy them.
    engine.prepare(w, w.setup, end);
    const profiling = r === plan.warmups && opts.profile !== undefined;
    if (profiling) opts.profile!.start();
    for (let i = w.setup; i < end; i += CHUNK) {
      const to = Math.min(end, i + CHUNK);
      const c0 = process.cpuUsage();
      const t0 = hrtime.bigint();
      engine.run(w, i, to, sampler);
      ns += Number(hrtime.bigint() - t0);
      const c = process.cpuUsage(c0);
      cpuUs += c.user + c.system;
      opts.onProgress?.(to - i);
      if (cpuSeconds() > deadline) {
        if (profiling) opts.profile!.stop();
        return skipped(engine.name, plan.capSeconds);
      }
    }
    if (profiling) opts.profile!.stop();
    engine.prepare(w, 0, 0);
    if (r === 0) {
      firstRun.opsPerSec = Math.round(timed / (ns / 1e9));
      firstRun.opsPerCpuSec = Math.round(timed / (cpuUs / 1e6));
    }
    opts.onProgress?.(w.length - end);
    if (!warm) {
      reps.push(timed / (ns / 1e9));
      cpuReps.push(timed / (cpuUs / 1e6));
    }
    const s = engine.stats();
    trades = s.trades;
    rejects = s.rejects;
  }
  return {
    engine: engine.name,
    opsPerSec: Math.round(median(reps)),
    opsPerCpuSec: Math.round(median(cpuReps)),
    timedOps: timed,
    p50Ns: hist.getValueAtPercentile(50),
    p99Ns: hist.getValueAtPercentile(99),
    p999Ns: hist.getValueAtPercentile(99.9),
    reps: reps.map(Math.round),
    firstRun,
    trades,
    rejects,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? 0
    : s.length % 2
      ? s[s.length >> 1]
      : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function skipped(engine: string, cap: number): EngineResult {
  return {
    engine,
    opsPerSec: 0,
    opsPerCpuSec: 0,
    timedOps: 0,
    p50Ns: 0,
    p99Ns: 0,
    p999Ns: 0,
    reps: [],
    firstRun: { opsPerSec: 0, opsPerCpuSec: 0 },
    trades: 0,
    rejects: 0,
    skipped: `one repetition took more than ${cap} s of CPU`,
  };
}
