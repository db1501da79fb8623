/**
 * `sharded`: N worker threads, each a single-threaded Exchange owning the symbols routed to it.
 * Commands and replies cross threads through one SPSC ring pair per shard (no postMessage per
 * order). Per shard, commands run in submit order, so per symbol the events equal `single`'s.
 *
 * Ordering: a shard's replies are released in its command order, each after its journal append
 * is durable. A command without a symbol (clock, massCancel of every symbol) goes to every shard
 * and is released once all replied, merged in shard order (one massCancelled with the total).
 * Across shards there is no order: different symbols are independent. `seq` is restamped here so
 * it increases by one per released event; trade ids are made unique as (local-1)*N + shard + 1.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  isStateChanging,
  StateHasher,
  type Command,
  type EngineEvent,
  type InstrumentConfig,
} from '../../core/index.js';
import type { DurableSink, FsyncPolicy, JournaledEntry } from '../../journal/index.js';
import {
  EngineUnavailableError,
  type CommandJournal,
  type EngineStatus,
  type Engine,
  type Mode,
} from '../engine.js';
import { EventListeners } from '../listeners.js';
import {
  createRing,
  JsonCodec,
  OrderedRingWriter,
  RingConsumer,
  RingProducer,
  makeWaitStrategy,
  type WaitStrategyConfig,
} from '../shm/index.js';
import { appendSafely, stampCommand } from '../stamp.js';
import { workerPath } from '../worker-path.js';
import { prepareDurableLayout } from './durable-layout.js';
import { ShardRouter } from './routing.js';

export interface ShardedEngineOptions {
  /** Number of shards (default: available cores - 1, at least 1). */
  shards?: number;
  /** Symbols pinned to a shard. */
  shardOverrides?: Record<string, number>;
  /** A CommandJournal per shard, appended from the main thread (no recovery: see durableDir). */
  journal?: (shard: number) => CommandJournal | undefined;
  /**
   * Makes every shard durable and recoverable: shard i recovers and journals DIR/shard-i in its own
   * thread. Shard count and overrides default to (and must match) DIR/manifest.json.
   */
  durableDir?: string;
  /** Journal fsync policy of the durable shards (default `batch`). */
  fsync?: FsyncPolicy;
  /** Durable shards snapshot every N journaled commands (default 100 000) and on close. */
  snapshotEvery?: number;
  /**
   * Durable shards feed this sink (the store) with their journaled entries, tagged with the shard,
   * and catch it up on open; calls come from the shard threads by message, once per batch.
   */
  sink?: DurableSink;
  clock?: () => number;
  log?: (line: string) => void;
  /** How ring readers and writers wait (default spin-then-park, 2000 spins in workers). */
  wait?: WaitStrategyConfig;
  /** Slots per ring (power of two, default 8192 of 64 bytes). */
  ringSlots?: number;
}

/** What one durable shard recovered from its journal directory. */
export interface ShardRecovery {
  shard: number;
  /** Journal records replayed on top of the snapshot. */
  records: number;
  /** Journal seq of the recovered state (commands the shard had journaled). */
  lastSeq: number;
  snapshotSeq: number;
  stateHash: string;
  truncatedBytes: number;
}

export interface ShardedRecovery {
  shards: ShardRecovery[];
  /** Every recovered instrument, shard by shard in definition order. */
  instruments: InstrumentConfig[];
}

interface WorkerMessage {
  sinkCall?: { id: number; method: 'lastJournalSeq' | 'writeEntries' | 'markGap'; arg: unknown };
  recovered?: ShardRecovery & { instruments: InstrumentConfig[] };
  fatal?: string;
  /** The shard's journal failed: the engine stops taking commands (fail-stop). */
  unavailable?: string;
  closeError?: string;
}

interface Reply {
  events?: EngineEvent[];
  hash?: string;
  error?: string;
}

/** One request to a shard, in that shard's FIFO: released when replied AND durable, in order. */
interface Ticket {
  reply: Reply | null;
  durable: boolean;
  /** Part of a fan-out or a hash query: resolved with the raw reply, not released by itself. */
  silent: boolean;
  failed: Error | null;
  resolve: (value: EngineEvent[] | Reply) => void;
  reject: (err: Error) => void;
}

interface Shard {
  index: number;
  worker: Worker;
  exited: Promise<void>;
  commands: SharedArrayBuffer;
  writer: OrderedRingWriter;
  reader: RingConsumer;
  journal?: CommandJournal;
  /** Tickets not yet released, oldest first (replies arrive in this order too). */
  queue: Ticket[];
  head: number;
  /** Index in `queue` of the oldest ticket still waiting for its reply. */
  replyAt: number;
}

export class ShardedEngine implements Engine {
  readonly mode: Mode = 'sharded';
  readonly router: ShardRouter;
  private readonly shards: Shard[] = [];
  private readonly listeners: EventListeners;
  private readonly codec = new JsonCodec();
  private readonly reading: Promise<void>[] = [];
  private readonly announced = new Set<string>();
  /** While a fan-out (or hash query) is being sent and merged, later submits wait here in order. */
  private barrier: (() => void)[] | null = null;
  private seq = 0;
  private closed = false;
  private failure: Error | null = null;
  /** A shard thread failed: its ring may never answer again. */
  private dead = false;
  private readonly recoveredShards: (ShardRecovery & { instruments: InstrumentConfig[] })[] = [];
  private readonly recovery: Promise<ShardedRecovery>;
  private readonly releaseDir: () => void = () => undefined;
  private recoveryDone!: (r: ShardedRecovery) => void;
  private recoveryFailed!: (err: Error) => void;

  constructor(private readonly opts: ShardedEngineOptions = {}) {
    if (opts.durableDir !== undefined && opts.journal !== undefined) {
      throw new Error('sharded: give durableDir or journal, not both');
    }
    const layout =
      opts.durableDir === undefined
        ? null
        : prepareDurableLayout({
            dir: opts.durableDir,
            shards: opts.shards,
            overrides: opts.shardOverrides,
            defaultShards: Math.max(1, availableParallelism() - 1),
          });
    if (layout !== null) this.releaseDir = layout.release;
    const n = layout?.shards ?? opts.shards ?? Math.max(1, availableParallelism() - 1);
    this.router = new ShardRouter({
      shards: n,
      overrides: layout?.overrides ?? opts.shardOverrides,
    });
    this.listeners = new EventListeners(opts.log);
    this.recovery = new Promise((resolve, reject) => {
      this.recoveryDone = resolve;
      this.recoveryFailed = reject;
    });
    this.recovery.catch(() => undefined); // also surfaces through submit() and recovered()
    if (layout === null) this.recoveryDone({ shards: [], instruments: [] });
    for (let i = 0; i < n; i++) {
      const commands = createRing({ slots: opts.ringSlots ?? 8192, slotBytes: 64 });
      const events = createRing({ slots: opts.ringSlots ?? 8192, slotBytes: 64 });
      const durable =
        layout === null
          ? undefined
          : {
              dir: layout.shardDir(i),
              shard: i,
              fsync: opts.fsync,
              snapshotEvery: opts.snapshotEvery,
              sink: opts.sink !== undefined,
            };
      const worker = new Worker(workerPath(import.meta.url, './worker.ts'), {
        workerData: { commands, events, wait: opts.wait ?? {}, durable },
      });
      worker.on('error', (err) => this.fail(err));
      worker.on('message', (msg: WorkerMessage) => this.onWorkerMessage(i, n, msg));
      const exited = new Promise<void>((r) => worker.once('exit', () => r()));
      const wait = makeWaitStrategy({ name: opts.wait?.name });
      const shard: Shard = {
        index: i,
        worker,
        exited,
        commands,
        writer: new OrderedRingWriter(new RingProducer(commands, wait)),
        reader: new RingConsumer(events, wait),
        journal: opts.journal?.(i),
        queue: [],
        head: 0,
        replyAt: 0,
      };
      this.shards.push(shard);
      this.reading.push(this.read(shard));
    }
    opts.log?.(`sharded: ${this.router.describe()}`);
  }

  /**
   * What the durable shards recovered (resolves once every shard has; rejects if one cannot).
   * Without durableDir: no shards and no instruments.
   */
  recovered(): Promise<ShardedRecovery> {
    return this.recovery;
  }

  private onWorkerMessage(shard: number, total: number, msg: WorkerMessage): void {
    if (msg.sinkCall !== undefined) this.callSink(shard, msg.sinkCall);
    else if (msg.fatal !== undefined) {
      this.fail(new Error(`shard ${shard}: ${msg.fatal}`));
    } else if (msg.unavailable !== undefined) {
      this.fail(new EngineUnavailableError(`shard ${shard}: ${msg.unavailable}`));
    } else if (msg.closeError !== undefined) {
      this.opts.log?.(`sharded: shard ${shard} failed to close cleanly: ${msg.closeError}`);
    } else if (msg.recovered !== undefined) {
      const r = msg.recovered;
      this.recoveredShards[shard] = r;
      if (r.lastSeq > 0) {
        this.opts.log?.(
          `sharded: shard ${shard} recovered ${r.lastSeq} journaled command(s) ` +
            `(snapshot at ${r.snapshotSeq}, ${r.records} replayed, ${r.instruments.length} instrument(s))`,
        );
      }
      for (const config of r.instruments) this.announced.add(config.symbol);
      if (this.recoveredShards.filter(Boolean).length === total) {
        this.recoveryDone({
          shards: this.recoveredShards.map(({ instruments: _, ...rest }) => rest),
          instruments: this.recoveredShards.flatMap((s) => s.instruments),
        });
      }
    }
  }

  private callSink(shard: number, call: NonNullable<WorkerMessage['sinkCall']>): void {
    const sink = this.opts.sink!;
    const worker = this.shards[shard].worker;
    let done: Promise<number>;
    if (call.method === 'lastJournalSeq') done = sink.lastJournalSeq(call.arg as number);
    else if (call.method === 'markGap') {
      const { shard: s, seq } = call.arg as { shard: number; seq: number };
      done =
        sink.markGap === undefined
          ? Promise.reject(new Error('this store cannot resume behind a compacted journal'))
          : sink.markGap(s, seq).then(() => 0);
    } else done = sink.writeEntries(call.arg as JournaledEntry[]).then(() => 0);
    done.then(
      (value) => worker.postMessage({ sinkReply: { id: call.id, ok: true, value } }),
      (err: Error) =>
        worker.postMessage({ sinkReply: { id: call.id, ok: false, error: err.message } }),
    );
  }

  onEvents(listener: (events: readonly EngineEvent[]) => void): () => void {
    return this.listeners.add(listener);
  }

  status(): EngineStatus {
    if (this.failure === null) return { state: 'ok' };
    const f = this.failure as Error & { reason?: string };
    return { state: 'unavailable', reason: f.reason ?? f.message };
  }

  submit(input: Command): Promise<EngineEvent[]> {
    if (this.closed) return Promise.reject(new Error('engine is closed'));
    if (this.failure) return Promise.reject(this.failure);
    const cmd = stampCommand(input, this.opts.clock);
    if (this.barrier) {
      // Keeps submit order: sent, in order, once the fan-out in front has been released.
      const waiting = this.barrier;
      return new Promise<void>((r) => waiting.push(r)).then(() => this.submit(cmd));
    }
    const target = this.router.route(cmd);
    if (target < 0) return this.fanOut(cmd);
    if (cmd.type === 'instrument') this.announce(cmd.instrument.symbol, target);
    return this.send(this.shards[target], { cmd }, false) as Promise<EngineEvent[]>;
  }

  async stateHash(): Promise<string> {
    const replies = await this.everyShard({ hash: true });
    // One shard holds the whole state: its hash is exactly what `single` reports.
    if (replies.length === 1) return replies[0].hash ?? '';
    const h = new StateHasher();
    for (const r of replies) h.string(r.hash ?? '');
    return h.digest();
  }

  /** Hash of one symbol's state on its shard (equal to single's Exchange.symbolHash). */
  async symbolHash(symbol: string): Promise<string | undefined> {
    if (this.closed) throw new Error('engine is closed');
    if (this.failure) throw this.failure;
    if (this.barrier) {
      const waiting = this.barrier;
      await new Promise<void>((r) => waiting.push(r));
    }
    const shard = this.shards[this.router.shardOf(symbol)];
    const reply = (await this.send(shard, { symbolHash: symbol }, true)) as Reply;
    return reply.hash;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const shard of this.shards) {
      await this.drained(shard);
      // A failed shard may never read its ring again: waiting for space there would hang.
      if (this.failure) break;
      await shard.writer.flushed();
      await new RingProducer(shard.commands).closeAsync();
    }
    if (this.opts.durableDir !== undefined && !this.failure) {
      // Durable shards write their closing snapshot before they close the event ring: wait.
      await Promise.all(this.reading);
      await Promise.all(this.shards.map((s) => s.exited));
    } else {
      await Promise.race([
        Promise.all(this.reading),
        new Promise((r) => setTimeout(r, 2000).unref()),
      ]);
      await Promise.all(this.shards.map((s) => s.worker.terminate()));
    }
    for (const shard of this.shards) await shard.journal?.close();
    this.releaseDir();
  }

  private announce(symbol: string, shard: number): void {
    if (this.announced.has(symbol)) return;
    this.announced.add(symbol);
    const why = this.router.isPinned(symbol) ? 'pinned' : 'hash';
    this.opts.log?.(`sharded: ${symbol} -> shard ${shard} (${why})`);
  }

  /** Sends to every shard behind a barrier; merges and releases once all replied. */
  private async fanOut(cmd: Command): Promise<EngineEvent[]> {
    const replies = await this.everyShard({ cmd });
    const parts = replies.map((r) => r.events ?? []);
    const events = mergeFanOut(parts, cmd);
    for (const e of events) e.seq = ++this.seq;
    this.listeners.emit(events);
    return events;
  }

  private async everyShard(body: {
    cmd?: Command;
    hash?: boolean;
    symbolHash?: string;
  }): Promise<Reply[]> {
    const waiting: (() => void)[] = [];
    this.barrier = waiting;
    try {
      return (await Promise.all(this.shards.map((s) => this.send(s, body, true)))) as Reply[];
    } finally {
      this.barrier = null;
      for (const go of waiting) go();
    }
  }

  /** Journals (in shard order) and writes one request; the ticket settles in shard order. */
  private send(
    shard: Shard,
    body: { cmd?: Command; hash?: boolean; symbolHash?: string },
    silent: boolean,
  ): Promise<EngineEvent[] | Reply> {
    return new Promise((resolve, reject) => {
      const ticket: Ticket = { reply: null, durable: true, silent, failed: null, resolve, reject };
      shard.queue.push(ticket);
      const cmd = body.cmd;
      if (cmd && shard.journal && isStateChanging(cmd)) {
        ticket.durable = false;
        appendSafely(shard.journal, cmd).then(
          () => {
            ticket.durable = true;
            this.pump(shard);
          },
          (err: Error) => {
            this.opts.log?.(
              `sharded: journal append failed on shard ${shard.index}: ${err.message}`,
            );
            ticket.failed = err;
            ticket.durable = true;
            this.stop(shard, ticket, err);
          },
        );
      }
      void shard.writer.write(this.codec.encode(body));
    });
  }

  /** Releases, in order, every ticket at the front of the shard's queue that is complete. */
  private pump(shard: Shard): void {
    const q = shard.queue;
    while (shard.head < q.length) {
      const t = q[shard.head];
      if (t.reply === null || !t.durable) break;
      shard.head++;
      if (t.failed) t.reject(t.failed);
      else if (t.reply.error !== undefined) {
        t.reject(new Error(`shard ${shard.index}: ${t.reply.error}`));
      } else if (t.silent) t.resolve(t.reply);
      else {
        // Trade ids count per symbol in the core, so a shard's events need no renumbering.
        const events = t.reply.events ?? [];
        for (const e of events) e.seq = ++this.seq;
        this.listeners.emit(events);
        t.resolve(events);
      }
    }
    if (shard.head > 1024 && shard.head * 2 > q.length) {
      q.splice(0, shard.head);
      shard.replyAt -= shard.head;
      shard.head = 0;
    }
  }

  private async drained(shard: Shard): Promise<void> {
    while (shard.head < shard.queue.length && !this.failure) {
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  private async read(shard: Shard): Promise<void> {
    // A fail-stop (journal) keeps reading: replies still settle, in order, what was sent before.
    while (!shard.reader.closed && !this.dead) {
      const got = shard.reader.poll((msg) => {
        // Replies come back in request order: the oldest unanswered ticket gets the first one.
        for (const reply of this.codec.decode<Reply[]>(msg)) {
          const ticket = shard.queue[shard.replyAt++];
          if (ticket) ticket.reply = reply;
        }
      });
      if (got > 0) this.pump(shard);
      else if (!shard.reader.closed) await shard.reader.waitAsync();
    }
  }

  /**
   * Fail-stop after a journal append failed on `shard`: the shard already ran the command in
   * memory, so nothing after it there may be released; every later submit is refused. Tickets
   * before it (and on other shards) complete with their own appends.
   */
  private stop(shard: Shard, ticket: Ticket, err: Error): void {
    this.failure ??= new EngineUnavailableError(
      `shard ${shard.index}: journal append failed: ${err.message}`,
    );
    const q = shard.queue;
    for (let i = Math.max(q.indexOf(ticket, shard.head), shard.head); i < q.length; i++) {
      q[i].failed ??= this.failure;
      q[i].durable = true;
    }
    this.pump(shard);
  }

  private fail(err: Error): void {
    this.dead = true;
    this.failure ??= err;
    this.recoveryFailed(this.failure);
    this.opts.log?.(`sharded: a shard thread failed: ${err.message}`);
    for (const shard of this.shards) {
      for (let i = shard.head; i < shard.queue.length; i++) shard.queue[i].reject(err);
      shard.head = shard.queue.length;
    }
  }
}

/** Merges the replies of a fan-out command: events in shard order, one massCancelled in total. */
function mergeFanOut(parts: EngineEvent[][], cmd: Command): EngineEvent[] {
  const events = parts.flat();
  if (cmd.type !== 'massCancel') return events;
  const totals = events.filter((e) => e.type === 'massCancelled');
  const rest = events.filter((e) => e.type !== 'massCancelled');
  if (totals.length === 0) return rest;
  const count = totals.reduce((sum, e) => sum + (e.type === 'massCancelled' ? e.count : 0), 0);
  const ts = Math.max(...totals.map((e) => e.ts));
  return [...rest, { ...totals[0], ts, count }];
}
