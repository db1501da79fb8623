/**
 * Concurrency-mode benchmark (`crossbook bench --modes`).
 *
 * 1. Multi-symbol: one seeded stream over 16 symbols, pushed through each mode with a window of
 *    commands in flight; `sharded` runs with 1..N shards and reports its speed-up over `single`.
 * 2. One hot symbol: only what `lockfree` supports (limit GTC/IOC, market, cancel), comparing
 *    `lockfree` with 1..N matching threads against `single`.
 * Throughput is commands per wall-clock second (median of the repetitions); latency is submit()
 * to resolution for one command in 16, in an HDR histogram. The stream is generated before timing.
 * Results go to --json and to the "Concurrency modes" section of docs/benchmarks.md (full runs).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { build } from 'hdr-histogram-js';
import cliProgress from 'cli-progress';
import type { Command } from '../../src/core/index.js';
import { createEngine, type CreateEngineOptions } from '../../src/runtime/index.js';
import { machineInfo } from '../machine.js';
import { Prng } from '../prng.js';

export interface ModesBenchOptions {
  json?: string;
  quick?: boolean;
  /** Highest shard / thread count tried (default: max(4, cores)). */
  maxThreads?: number;
  /** Write the docs section even for a quick run. */
  docs?: boolean;
}

export interface ModeRun {
  workload: 'multi-symbol' | 'hot-symbol';
  mode: string;
  threads: number;
  commands: number;
  commandsPerSec: number;
  /** Throughput relative to `single` on the same workload. */
  vsSingle: number;
  /** CPU time of the whole process (all threads) per command, µs: what a mode costs in cores. */
  cpuUsPerCommand: number;
  p50Us: number;
  p99Us: number;
  p999Us: number;
  reps: number[];
}

export interface ModesBenchReport {
  machine: ReturnType<typeof machineInfo>;
  window: number;
  runs: ModeRun[];
}

const WINDOW = 2048;
const MID = 10_000;

function streamFor(opts: { symbols: number; commands: number; seed: number }) {
  const rng = new Prng(opts.seed);
  const symbols = Array.from({ length: opts.symbols }, (_, i) => `S${String(i).padStart(2, '0')}`);
  const setup: Command[] = symbols.map((symbol) => ({
    type: 'instrument',
    instrument: { symbol, tickSize: '0.01', lotSize: '1' },
    ts: 1,
  }));
  const live: string[][] = symbols.map(() => []);
  const cmds: Command[] = [];
  for (let i = 0; i < opts.commands; i++) {
    const s = rng.int(0, symbols.length - 1);
    const symbol = symbols[s];
    const ts = 2 + i;
    const r = rng.next();
    if (r < 0.25 && live[s].length > 0) {
      const at = rng.int(0, live[s].length - 1);
      const orderId = live[s][at];
      live[s][at] = live[s][live[s].length - 1];
      live[s].pop();
      cmds.push({ type: 'cancel', symbol, orderId, account: `owner-${orderId}`, ts });
      continue;
    }
    const orderId = `o${i}`;
    const side: 'buy' | 'sell' = rng.next() < 0.5 ? 'buy' : 'sell';
    const qty = rng.int(1, 100);
    // Buys below and sells above the mid mostly rest; the overlap crosses and trades.
    const offset = rng.int(-5, 20);
    const price = side === 'buy' ? MID - offset : MID + offset;
    const q = rng.next();
    const base = { type: 'place' as const, symbol, orderId, account: `owner-${orderId}`, side };
    if (q < 0.05) cmds.push({ ...base, kind: 'market', qty, ts });
    else if (q < 0.2) cmds.push({ ...base, kind: 'limit', price, qty, tif: 'IOC', ts });
    else {
      cmds.push({ ...base, kind: 'limit', price, qty, ts });
      live[s].push(orderId);
    }
  }
  return { setup, cmds };
}

async function timeOnce(
  engineOpts: CreateEngineOptions,
  stream: { setup: Command[]; cmds: Command[] },
  sampleEvery: number,
): Promise<{ seconds: number; cpuUs: number; latNs: number[] }> {
  const engine = createEngine(engineOpts);
  try {
    for (const c of stream.setup) await engine.submit(c);
    const latNs: number[] = [];
    const inflight: Promise<unknown>[] = [];
    const cpu0 = process.cpuUsage();
    const started = process.hrtime.bigint();
    for (let i = 0; i < stream.cmds.length; i++) {
      let p: Promise<unknown> = engine.submit(stream.cmds[i]);
      if (i % sampleEvery === 0) {
        const t0 = process.hrtime.bigint();
        p = p.then(() => latNs.push(Number(process.hrtime.bigint() - t0)));
      }
      inflight.push(p);
      if (inflight.length >= WINDOW) await inflight.shift();
    }
    await Promise.all(inflight);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    return { seconds, cpuUs: cpu.user + cpu.system, latNs };
  } finally {
    await engine.close();
  }
}

async function measure(
  label: { workload: ModeRun['workload']; mode: string; threads: number },
  engineOpts: CreateEngineOptions,
  stream: { setup: Command[]; cmds: Command[] },
  plan: { warmups: number; reps: number },
): Promise<ModeRun> {
  for (let i = 0; i < plan.warmups; i++) await timeOnce(engineOpts, stream, 1 << 30);
  const reps: number[] = [];
  const cpu: number[] = [];
  const hist = build({
    lowestDiscernibleValue: 100,
    highestTrackableValue: 120e9,
    numberOfSignificantValueDigits: 3,
  });
  for (let i = 0; i < plan.reps; i++) {
    const { seconds, cpuUs, latNs } = await timeOnce(engineOpts, stream, 16);
    reps.push(Math.round(stream.cmds.length / seconds));
    cpu.push(cpuUs / stream.cmds.length);
    for (const ns of latNs) hist.recordValue(Math.max(100, ns));
  }
  const sorted = [...reps].sort((a, b) => a - b);
  const run: ModeRun = {
    ...label,
    commands: stream.cmds.length,
    commandsPerSec: sorted[Math.floor(sorted.length / 2)],
    vsSingle: 1,
    cpuUsPerCommand:
      Math.round([...cpu].sort((a, b) => a - b)[Math.floor(cpu.length / 2)] * 10) / 10,
    p50Us: hist.getValueAtPercentile(50) / 1000,
    p99Us: hist.getValueAtPercentile(99) / 1000,
    p999Us: hist.getValueAtPercentile(99.9) / 1000,
    reps,
  };
  hist.destroy();
  return run;
}

export async function runModesBench(opts: ModesBenchOptions = {}): Promise<ModesBenchReport> {
  const quick = opts.quick ?? false;
  const cores = availableParallelism();
  const maxThreads = opts.maxThreads ?? Math.max(4, cores);
  const plan = quick ? { warmups: 0, reps: 1 } : { warmups: 1, reps: 3 };
  const multi = streamFor({ symbols: 16, commands: quick ? 20_000 : 150_000, seed: 1 });
  const hot = streamFor({ symbols: 1, commands: quick ? 20_000 : 100_000, seed: 2 });
  const counts = Array.from({ length: maxThreads }, (_, i) => i + 1);
  const jobs: {
    label: Parameters<typeof measure>[0];
    opts: CreateEngineOptions;
    multi: boolean;
  }[] = [
    { label: { workload: 'multi-symbol', mode: 'single', threads: 1 }, opts: {}, multi: true },
    ...counts.map((n) => ({
      label: { workload: 'multi-symbol' as const, mode: 'sharded', threads: n },
      opts: { mode: 'sharded' as const, shards: n },
      multi: true,
    })),
    { label: { workload: 'hot-symbol', mode: 'single', threads: 1 }, opts: {}, multi: false },
    ...counts.map((n) => ({
      label: { workload: 'hot-symbol' as const, mode: 'lockfree', threads: n },
      opts: { mode: 'lockfree' as const, lockfree: { threads: n, minPrice: 1, levels: 65536 } },
      multi: false,
    })),
  ];
  const bar = new cliProgress.SingleBar(
    { format: 'modes [{bar}] {value}/{total} | {job}', clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  const tty = process.stderr.isTTY;
  if (tty) bar.start(jobs.length, 0, { job: '' });
  const runs: ModeRun[] = [];
  for (const job of jobs) {
    if (tty) bar.update({ job: `${job.label.workload} ${job.label.mode} x${job.label.threads}` });
    runs.push(await measure(job.label, job.opts, job.multi ? multi : hot, plan));
    if (tty) bar.increment();
  }
  if (tty) bar.stop();
  for (const r of runs) {
    const base = runs.find((x) => x.workload === r.workload && x.mode === 'single')!;
    r.vsSingle = Math.round((r.commandsPerSec / base.commandsPerSec) * 100) / 100;
  }
  const report: ModesBenchReport = { machine: machineInfo(), window: WINDOW, runs };
  console.log(formatTable(report));
  if (opts.json) writeFileSync(opts.json, JSON.stringify(report, null, 2) + '\n');
  if (!quick || opts.docs) writeDocsSection(docsSection(report));
  return report;
}

function formatTable(report: ModesBenchReport): string {
  const head =
    '| workload | mode | threads | commands/s | vs single | CPU µs/command | p50 | p99 | p99.9 |';
  const rows = report.runs.map(
    (r) =>
      `| ${r.workload} | ${r.mode} | ${r.threads} | ${r.commandsPerSec.toLocaleString('en-US')} | ` +
      `${r.vsSingle.toFixed(2)}x | ${r.cpuUsPerCommand.toFixed(1)} | ${us(r.p50Us)} | ` +
      `${us(r.p99Us)} | ${us(r.p999Us)} |`,
  );
  return [head, '|---|---|---:|---:|---:|---:|---:|---:|---:|', ...rows].join('\n');
}

const us = (v: number): string =>
  v >= 1000 ? `${(v / 1000).toFixed(1)} ms` : `${v.toFixed(0)} µs`;

function docsSection(report: ModesBenchReport): string {
  const m = report.machine;
  return [
    '## Concurrency modes',
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, ${m.os}, Node ${m.node}. ` +
      `Each mode gets the same pre-generated stream through Engine.submit() with ${report.window} ` +
      'commands in flight; throughput is the median repetition (wall clock), latency is ' +
      'submit() to resolution for one command in 16; CPU is user + system time of the whole process ' +
      '(every thread) per command, median repetition. Threads = shards (sharded) or matching ' +
      'threads (lockfree); single is always one thread. Regenerate with ' +
      '`./bin/crossbook bench --modes`.',
    '',
    formatTable(report),
    '',
    MODES_NOTES,
  ].join('\n');
}

/** Hand-written reading of the numbers; see docs/concurrency.md for the designs. */
const MODES_NOTES = `Reading these numbers honestly:

- This machine has 2 cores shared with other work. The main thread (gateway side: validation,
  encoding, promises) needs one of them, so at most one more core is left for shards or matching
  threads: more than 1-2 threads only adds contention and context switches, and the curve
  flattens or drops. Scaling claims need a machine with more cores than threads; none was
  available for these runs.
- \`single\` is the fastest mode here. Matching one command in the core costs a few
  microseconds; a cross-thread hop adds JSON encode, ring copy, decode and a promise on the main
  thread, and decode plus encode again on the worker, which is as much as the matching itself.
  The CPU column shows it: the other modes burn more CPU per command, not less, and only win
  when that extra work runs on cores that would otherwise be idle.
- \`sharded\` stays near two thirds of \`single\` whatever the shard count: the main thread (which
  routes, encodes and decodes for every shard) and the shard threads share the same two cores, so
  more shards add hops but no CPU. Its latency is the in-flight window queued behind that
  pipeline.
- \`lockfree\` with one or two matching threads is on par with \`single\` on one hot symbol; with
  more threads than free cores it loses, because threads contend on the same cache lines (the
  level queues, the VERSION word of every resting insert) and preempt each other mid-operation.
  Its value is that several threads can match one book without a lock and without
  over-executing, not raw speed on a small machine.
- Latencies include queueing behind the in-flight window, so they measure the pipeline, not one
  isolated command.`;

/** Replaces only the `## Concurrency modes` section of docs/benchmarks.md. */
function writeDocsSection(section: string): void {
  const path = join(process.cwd(), 'docs', 'benchmarks.md');
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const start = text.search(/^## Concurrency modes\b.*$/m);
  let next: string;
  if (start < 0) {
    next = text.replace(/\n*$/, '\n\n') + section + '\n';
  } else {
    const rest = text.slice(start);
    const m = /^## /m.exec(rest.slice(rest.indexOf('\n') + 1));
    const end = m ? start + rest.indexOf('\n') + 1 + m.index : text.length;
    next =
      text.slice(0, start) + section + '\n' + (end < text.length ? '\n' + text.slice(end) : '');
  }
  writeFileSync(path, next);
}
