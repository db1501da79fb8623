/**
 * The benchmark driver: generates the chosen workloads, then runs every engine on each in
 * turn in this one process, engine by engine (all crossbook fast-book runs first, so its call
 * sites are still monomorphic when it is timed), then measures memory in child processes.
 */
import { writeFileSync } from 'node:fs';
import cliProgress from 'cli-progress';
import { bookFactories, type BookFactories } from './books.js';
import {
  BookOnlyEngine,
  CrossbookEngine,
  NodejsOrderBookEngine,
  type BenchEngine,
} from './engines/index.js';
import {
  measure,
  runUntimed,
  timerOverheadNs,
  type EngineResult,
  type RepPlan,
} from './harness.js';
import { machineInfo } from './machine.js';
import { probeMemory } from './memory.js';
import { formatMachine, formatTables, type BenchReport, type WorkloadReport } from './report.js';
import type { Workload } from './workload.js';
import { WORKLOADS, type WorkloadSpec } from './workloads/index.js';

export interface BenchOptions {
  workload?: string;
  json?: string;
  quick?: boolean;
  /** Engines to run (default: all). */
  engines?: string[];
  /** Skip the memory probe. */
  noMemory?: boolean;
  modes?: boolean;
  journal?: boolean;
  /** Print progress and tables (default true). */
  verbose?: boolean;
}

/** Workloads the reference book is too slow for, and why (reported, not hidden). */
const REFERENCE_SKIP: Record<string, string> = {
  'deep-book':
    'the reference book sorts its price levels on every best() call; with 1M resting orders on thousands of levels one repetition would take hours',
};
/** The reference book times a prefix of the stream, once: it is ~50x slower than the fast one. */
const REFERENCE_PREFIX = 30_000;

function planFor(engine: string, spec: WorkloadSpec, quick: boolean): RepPlan {
  const plan = spec.plan(quick);
  if (engine !== 'crossbook-reference') return plan;
  return { warmups: 0, reps: 1, capSeconds: 30, limitOps: REFERENCE_PREFIX };
}

/**
 * `--modes` / `--journal` alone run only those suites (their JSON goes to --json); with
 * --workload too, the core workloads run first and the JSON files get .modes/.journal suffixes.
 */
export async function runBench(opts: BenchOptions = {}): Promise<unknown> {
  const core = opts.workload !== undefined || (!opts.modes && !opts.journal);
  if (core) return runCore(opts);
  const both = opts.modes && opts.journal;
  const out: Record<string, unknown> = {};
  if (opts.modes) out.modes = await runOther('./modes/run.js', 'runModesBench', opts, !!both);
  if (opts.journal) {
    out.journal = await runOther('./journal/run.js', 'runJournalBench', opts, !!both);
  }
  return out;
}

async function runCore(opts: BenchOptions): Promise<BenchReport> {
  const verbose = opts.verbose ?? true;
  const quick = opts.quick ?? false;
  const specs = WORKLOADS.filter((w) => opts.workload === undefined || w.name === opts.workload);
  if (specs.length === 0) {
    throw new Error(
      `Unknown workload ${opts.workload}; choose one of ${WORKLOADS.map((w) => w.name).join(', ')}`,
    );
  }
  const log = (s: string) => verbose && process.stderr.write(s + '\n');
  const machine = machineInfo();
  log(`machine: ${formatMachine(machine)}`);

  const books = await bookFactories();
  // The reference book runs last, so crossbook's call sites have seen only the fast book.
  const engines: BenchEngine[] = [
    new CrossbookEngine('crossbook', books.fast),
    new BookOnlyEngine(),
    new NodejsOrderBookEngine(),
  ];
  if (books.reference) engines.push(new CrossbookEngine('crossbook-reference', books.reference));
  const chosen = engines.filter((e) => !opts.engines || opts.engines.includes(e.name));

  // Big workloads are regenerated per engine rather than kept, so no engine is timed with
  // another workload's millions of objects in its heap (that slows every major GC).
  const cache = new Map<string, Workload>();
  const checked = new Set<string>();
  const workload = async (spec: WorkloadSpec): Promise<Workload> => {
    let w = cache.get(spec.name);
    if (w !== undefined) return w;
    if (!checked.has(spec.name)) log(`generating ${spec.name}...`);
    w = await spec.make(quick);
    if (!spec.big) cache.set(spec.name, w);
    if (!checked.has(spec.name)) {
      checked.add(spec.name);
      sanityCheck(books, w, log);
    }
    return w;
  };

  const overheadNs = timerOverheadNs();
  const results = new Map<string, EngineResult[]>(specs.map((s) => [s.name, []]));
  const meta = new Map<string, WorkloadReport>();
  const bar = new cliProgress.SingleBar(
    {
      format: ' {bar} {percentage}% | {engine} on {workload}',
      stream: process.stderr,
      noTTYOutput: false,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const STEP = 1000;
  if (verbose) bar.start(chosen.length * specs.length * STEP, 0, { engine: '', workload: '' });
  let done = 0;
  for (const engine of chosen) {
    for (const spec of specs) {
      const plan = planFor(engine.name, spec, quick);
      bar.update(done, { engine: engine.name, workload: spec.name });
      const skip = engine.name === 'crossbook-reference' ? REFERENCE_SKIP[spec.name] : undefined;
      if (skip) {
        results.get(spec.name)!.push({ ...emptyResult(engine.name), skipped: skip });
      } else {
        const w = await workload(spec);
        meta.set(spec.name, describe(w));
        const total = w.length * (plan.warmups + plan.reps);
        let seen = 0;
        const onProgress = (n: number) => {
          seen += n;
          if (verbose) bar.update(done + Math.floor((STEP * seen) / total));
        };
        results
          .get(spec.name)!
          .push(measure({ engine, workload: w, plan, overheadNs, onProgress }));
      }
      done += STEP;
    }
  }
  if (verbose) bar.update(done);
  if (verbose) bar.stop();
  cache.clear();

  const memoryEngines = opts.noMemory
    ? []
    : chosen
        .map((e) => e.name)
        // The reference book needs minutes for 1M orders (it sorts levels on every match).
        .filter((n) => n !== 'crossbook-reference')
        .filter((n) => specs.length > 1 || n === 'crossbook' || n === 'fastbook-only');
  const memory = [];
  for (const name of memoryEngines) {
    log(`memory: ${name} with ${quick ? '100k' : '1M'} resting orders...`);
    memory.push(probeMemory(name, quick ? 100_000 : 1_000_000));
  }
  const report: BenchReport = {
    machine,
    workloads: specs
      .filter((s) => meta.has(s.name))
      .map((s): WorkloadReport => ({ ...meta.get(s.name)!, results: results.get(s.name)! })),
    memory: {
      bytesPerRestingOrder: memory.find((m) => m.engine === 'crossbook')?.bytesPerOrder ?? 0,
      engines: memory,
    },
  };
  if (verbose) console.log('\n' + formatTables(report));
  if (opts.json) {
    writeFileSync(opts.json, JSON.stringify(report, null, 2) + '\n');
    log(`wrote ${opts.json}`);
  }
  if (opts.modes) report.modes = await runOther('./modes/run.js', 'runModesBench', opts, true);
  if (opts.journal) {
    report.journal = await runOther('./journal/run.js', 'runJournalBench', opts, true);
  }
  return report;
}

/**
 * Untimed: runs each workload once per engine while counting events, so a workload the engine
 * rejects (a bug in the adapter or the generator) is reported instead of silently timed.
 */
function sanityCheck(books: BookFactories, w: Workload, log: (s: string) => void): void {
  const e = new CrossbookEngine('crossbook', books.fast);
  e.countEvents = true;
  e.reset(w);
  runUntimed(e, w, 0, w.length);
  const s = e.stats();
  if (s.rejects > 0) log(`warning: crossbook rejected ${s.rejects} ops of ${w.name}`);
  e.exchange.validate();
}

function describe(w: Workload): WorkloadReport {
  return {
    name: w.name,
    ops: w.length - w.setup,
    setupOps: w.setup,
    tradingOpsPct: (100 * w.tradingOps) / (w.length - w.setup),
    notes: w.notes,
    results: [],
  };
}

async function runOther(
  path: string,
  fn: string,
  opts: BenchOptions,
  suffix: boolean,
): Promise<unknown> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(path)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${fn} is not available (${path}): ${(err as Error).message}`);
  }
  const run = mod[fn];
  if (typeof run !== 'function') throw new Error(`${path} does not export ${fn}`);
  return (await (run as (o: { json?: string; quick?: boolean }) => Promise<unknown>)({
    json:
      opts.json && suffix
        ? opts.json.replace(/(\.json)?$/, fn === 'runModesBench' ? '.modes.json' : '.journal.json')
        : opts.json,
    quick: opts.quick,
  })) as unknown;
}

function emptyResult(engine: string): EngineResult {
  return {
    engine,
    opsPerSec: 0,
    opsPerCpuSec: 0,
    timedOps: 0,
    p50Ns: 0,
    p99Ns: 0,
    p999Ns: 0,
    reps: [],
    trades: 0,
    rejects: 0,
  };
}
