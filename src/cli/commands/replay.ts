/**
 * `crossbook replay`: JSON Lines commands in, JSON Lines events out (docs/protocol.md).
 * Streams both ways: input is pulled one chunk at a time and output waits for `drain`, so memory
 * is bounded by the engine state, never by the input size. Output order is command order in
 * every mode; `seq` numbers output lines.
 */
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { Command as Program } from 'commander';
import cliProgress from 'cli-progress';
import {
  Exchange,
  type Command,
  type EngineEvent,
  type InstrumentConfig,
} from '../../core/index.js';
import { FSYNC_POLICIES, openDurableExchange, type FsyncPolicy } from '../../journal/index.js';
import {
  decodeLine,
  encodeLine,
  formatEvent,
  InstrumentRegistry,
  LineWriter,
  MAX_LINE_CHARS,
  readLineBatches,
  type DecodedLine,
  type WireEvent,
} from '../../protocol/index.js';
import type { Engine, Mode } from '../../runtime/index.js';

const MODES: readonly Mode[] = ['single', 'sharded', 'lockfree', 'racy'];
/** Commands in flight at once in the asynchronous modes: enough to keep workers busy. */
export const DEFAULT_WINDOW = 256;

export interface ReplayOptions {
  input: Readable;
  output: Writable;
  mode: Mode;
  shards?: number;
  /**
   * Commands in flight at once (asynchronous modes). Sharded keeps per-symbol order at any
   * window; lockfree and racy match in-flight commands concurrently, so only 1 is sequential.
   */
  window?: number;
  /** Journal directory: recover from it first, then journal every command before printing. */
  journal?: string;
  fsync?: FsyncPolicy;
  /** End the output stream when done (a file), or leave it open (stdout). */
  endOutput: boolean;
  onProgress?: (bytes: number) => void;
}

export interface ReplayStats {
  lines: number;
  commands: number;
  events: number;
  /**
   * Journal seq the run resumed from (0 without --journal or with a new one); sharded: the sum of
   * the shards' journal seqs.
   */
  recovered: number;
}

/** Something that runs commands: the Exchange itself, or an asynchronous Engine of a mode. */
interface Driver {
  readonly sync: boolean;
  run(cmd: Command): EngineEvent[] | Promise<EngineEvent[]>;
  close(): Promise<void>;
  /** Instruments that exist before the first command (recovered from a journal). */
  instruments: InstrumentConfig[];
  recovered: number;
}

function exchangeDriver(): Driver {
  const ex = new Exchange();
  return {
    sync: true,
    run: (cmd) => ex.execute(cmd),
    close: async () => {},
    instruments: [],
    recovered: 0,
  };
}

/** The single engine made durable: events are released only once their command is journaled. */
async function durableDriver(dir: string, fsync: FsyncPolicy | undefined): Promise<Driver> {
  const dx = await openDurableExchange({ dir, fsync });
  return {
    sync: false,
    run: (cmd) => {
      const r = dx.execute(cmd);
      return r.durable.then(() => r.events);
    },
    close: () => dx.close(),
    instruments: dx.exchange.instruments(),
    recovered: dx.recovered.lastSeq,
  };
}

interface EngineRequest {
  mode: Mode;
  shards?: number;
  durableDir?: string;
  fsync?: FsyncPolicy;
}

/** What a durable sharded engine recovered (ShardedEngine.recovered()). */
interface RecoveringEngine extends Engine {
  recovered(): Promise<{ shards: { lastSeq: number }[]; instruments: InstrumentConfig[] }>;
}

interface RuntimeModule {
  createEngine(opts: EngineRequest): Engine | Promise<Engine>;
}

async function engineDriver(
  mode: Mode,
  shards: number | undefined,
  journal?: { dir: string; fsync?: FsyncPolicy },
): Promise<Driver> {
  // Resolved at run time: the runtime modes are optional for `single`, which needs none of them.
  const url = new URL('../../runtime/index.js', import.meta.url).href;
  let runtime: RuntimeModule;
  try {
    runtime = (await import(url)) as RuntimeModule;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND')
      throw new Error(`mode ${mode} is not available in this build`);
    throw err;
  }
  const opts: EngineRequest = { mode };
  if (shards !== undefined) opts.shards = shards;
  if (journal !== undefined) {
    opts.durableDir = journal.dir;
    opts.fsync = journal.fsync;
  }
  const engine = await runtime.createEngine(opts);
  let instruments: InstrumentConfig[] = [];
  let recovered = 0;
  if (journal !== undefined) {
    // Each shard recovers its own journal in its thread; the registry needs their instruments.
    try {
      const r = await (engine as RecoveringEngine).recovered();
      instruments = r.instruments;
      recovered = r.shards.reduce((sum, s) => sum + s.lastSeq, 0);
    } catch (err) {
      await engine.close().catch(() => undefined);
      throw new Error(`Cannot recover ${journal.dir}: ${(err as Error).message}`);
    }
  }
  return {
    sync: false,
    run: (cmd) => engine.submit(cmd),
    close: () => engine.close(),
    instruments,
    recovered,
  };
}

function openDriver(opts: ReplayOptions): Promise<Driver> {
  if (opts.journal !== undefined) {
    if (opts.mode === 'sharded') {
      return engineDriver('sharded', opts.shards, { dir: opts.journal, fsync: opts.fsync });
    }
    if (opts.mode !== 'single') {
      throw new Error(`--journal is supported with --mode single or sharded, not ${opts.mode}`);
    }
    return durableDriver(opts.journal, opts.fsync);
  }
  if (opts.mode === 'single') return Promise.resolve(exchangeDriver());
  return engineDriver(opts.mode, opts.shards);
}

/** Streams a whole replay. Resolves with counts once every event is written. */
export async function replay(opts: ReplayOptions): Promise<ReplayStats> {
  const driver = await openDriver(opts);
  const window = opts.window ?? DEFAULT_WINDOW;
  const registry = new InstrumentRegistry();
  for (const config of driver.instruments) registry.define(config);
  const writer = new LineWriter(opts.output);
  const stats: ReplayStats = { lines: 0, commands: 0, events: 0, recovered: driver.recovered };
  // Results not yet written, in command order: an edge rejection or an engine answer to await.
  const pending: (WireEvent | Promise<EngineEvent[]>)[] = [];
  let head = 0;
  let instrumentInFlight = false;

  const emit = (wire: WireEvent) => {
    writer.push(encodeLine(++stats.events, wire));
  };
  const emitEngine = (events: readonly EngineEvent[]) => {
    for (const e of events) {
      registry.observe(e);
      emit(formatEvent(e, registry));
    }
  };
  const settleOne = async () => {
    const item = pending[head];
    pending[head++] = undefined as never;
    if (head > 4096 && head * 2 > pending.length) {
      pending.splice(0, head);
      head = 0;
    }
    if (item instanceof Promise) emitEngine(await item);
    else emit(item);
  };
  const settleAll = async () => {
    while (head < pending.length) await settleOne();
    instrumentInFlight = false;
  };

  /** Returns a promise only when the window is full, so the synchronous path never awaits. */
  const handle = (decoded: DecodedLine): Promise<void> | undefined => {
    if (decoded.kind === 'blank') return;
    if (decoded.kind === 'rejected') {
      if (head < pending.length) pending.push(decoded.event);
      else emit(decoded.event);
      return;
    }
    const cmd = decoded.command;
    stats.commands++;
    if (driver.sync) {
      emitEngine(driver.run(cmd) as EngineEvent[]);
      return;
    }
    const answer = driver.run(cmd) as Promise<EngineEvent[]>;
    answer.catch(() => {}); // awaited in order later; this only silences the early warning
    pending.push(answer);
    if (cmd.type === 'instrument') instrumentInFlight = true;
    return pending.length - head >= window ? settleOne() : undefined;
  };

  try {
    await pump();
  } catch (err) {
    // Bad input never throws (it is an event); a throw here is an engine or I/O failure.
    if (err instanceof Error && !err.message.startsWith('Cannot ')) {
      err.message = `stopped at input line ${stats.lines}: ${err.message}`;
    }
    throw err;
  } finally {
    await driver.close();
  }
  return stats;

  async function pump(): Promise<void> {
    for await (const batch of readLineBatches(opts.input)) {
      for (let i = 0; i < batch.lines.length; i++) {
        const lineNo = batch.firstLine + i;
        const text = batch.lines[i];
        stats.lines = lineNo;
        // The next line may use a symbol defined by a command still in flight.
        if (instrumentInFlight) await settleAll();
        const decoded: DecodedLine =
          text === null
            ? { kind: 'rejected', event: overlongLine(lineNo) }
            : decodeLine(text, lineNo, registry);
        const full = handle(decoded);
        if (full !== undefined) await full;
        if (writer.full) await writer.flush();
      }
      opts.onProgress?.(bytesRead(opts.input));
    }
    await settleAll();
    await writer.close(opts.endOutput);
  }
}

function overlongLine(line: number): WireEvent {
  return {
    type: 'rejected',
    reason: 'malformed',
    line,
    message: `Line ${line} is longer than ${MAX_LINE_CHARS} characters`,
  };
}

function bytesRead(input: Readable): number {
  return (input as Readable & { bytesRead?: number }).bytesRead ?? 0;
}

interface CliOptions {
  in?: string;
  out?: string;
  mode: string;
  shards?: string;
  window?: string;
  journal?: string;
  fsync?: string;
  stats?: boolean;
}

async function runCli(o: CliOptions): Promise<void> {
  if (!(MODES as readonly string[]).includes(o.mode)) {
    throw new Error(`Unknown mode "${o.mode}": expected one of ${MODES.join(', ')}`);
  }
  let shards: number | undefined;
  if (o.shards !== undefined) {
    shards = Number(o.shards);
    if (!Number.isInteger(shards) || shards < 1 || shards > 256) {
      throw new Error(`--shards must be an integer from 1 to 256, got "${o.shards}"`);
    }
  }
  if (o.fsync !== undefined && !(FSYNC_POLICIES as readonly string[]).includes(o.fsync)) {
    throw new Error(
      `Unknown fsync policy "${o.fsync}": expected one of ${FSYNC_POLICIES.join(', ')}`,
    );
  }
  if (o.fsync !== undefined && o.journal === undefined)
    throw new Error('--fsync needs --journal DIR');
  let window: number | undefined;
  if (o.window !== undefined) {
    window = Number(o.window);
    if (!Number.isInteger(window) || window < 1 || window > 65536) {
      throw new Error(`--window must be an integer from 1 to 65536, got "${o.window}"`);
    }
  }
  const input = o.in === undefined ? process.stdin : await openInput(o.in);
  const output = o.out === undefined ? process.stdout : await openOutput(o.out);
  if (o.out === undefined) {
    // A closed pipe downstream (`| head`) ends the run quietly rather than with a stack trace.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
    });
  }
  const bar = progressBar(o);
  const started = performance.now();
  const stats = await replay({
    input,
    output,
    mode: o.mode as Mode,
    shards,
    window,
    journal: o.journal,
    fsync: o.fsync as FsyncPolicy | undefined,
    endOutput: o.out !== undefined,
    onProgress: bar === null ? undefined : (bytes) => bar.update(bytes),
  });
  bar?.stop();
  if (o.stats === true) {
    if (o.journal !== undefined) {
      process.stderr.write(`resumed ${o.journal} at journal seq ${stats.recovered}\n`);
    }
    const secs = (performance.now() - started) / 1000;
    process.stderr.write(
      `replayed ${stats.commands} commands from ${stats.lines} lines into ${stats.events} events ` +
        `in ${secs.toFixed(2)} s (${Math.round(stats.commands / secs)} commands/s)\n`,
    );
  }
}

/** Opens a file for reading, failing early with a clear message instead of mid-stream. */
function openInput(path: string): Promise<Readable> {
  return new Promise((resolve, reject) => {
    const s = createReadStream(path, { highWaterMark: 1 << 16 });
    s.once('open', () => resolve(s));
    // Read errors surface through the line iterator: give them the file name there too.
    s.on('error', (err) => {
      err.message = `Cannot read ${path}: ${err.message}`;
      reject(err);
    });
  });
}

function openOutput(path: string): Promise<Writable> {
  return new Promise((resolve, reject) => {
    const s = createWriteStream(path);
    s.once('open', () => resolve(s));
    s.once('error', (err) => reject(new Error(`Cannot write ${path}: ${err.message}`)));
  });
}

/** A byte progress bar on stderr, only for a file-to-file run watched by a person. */
function progressBar(o: CliOptions): cliProgress.SingleBar | null {
  if (o.in === undefined || o.out === undefined || process.stderr.isTTY !== true) return null;
  const total = statSync(o.in).size;
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'replay [{bar}] {percentage}% | {value}/{total} bytes' },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return bar;
}

export function registerReplay(program: Program): void {
  program
    .command('replay')
    .description('Run JSON Lines commands through the engine and write JSON Lines events')
    .option('--in <file>', 'read commands from a file (default: stdin)')
    .option('--out <file>', 'write events to a file (default: stdout)')
    .option('--mode <mode>', `concurrency mode: ${MODES.join(' | ')}`, 'single')
    .option('--shards <n>', 'number of shards for --mode sharded')
    .option(
      '--window <n>',
      `commands in flight in the asynchronous modes (default ${DEFAULT_WINDOW}; 1 = sequential)`,
    )
    .option(
      '--journal <dir>',
      'recover from this journal first, then journal every command (single; sharded: DIR/shard-N)',
    )
    .option('--fsync <policy>', 'journal fsync policy: always | batch | off (default batch)')
    .option('--stats', 'print counts and throughput to stderr at the end')
    .action(async (o: CliOptions) => {
      try {
        await runCli(o);
      } catch (err) {
        process.stderr.write(
          `crossbook replay: ${err instanceof Error ? err.message : String(err)}\n`,
        );
        process.exitCode = 1;
      }
    });
}
