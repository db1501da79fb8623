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
import { isStateChanging, StateHasher, type Command, type EngineEvent } from '../../core/index.js';
import type { CommandJournal, Engine, Mode } from '../engine.js';
import { EventListeners } from '../listeners.js';
import {
  createRing,
  JsonCodec,
  OrderedRingWriter,
  RingConsumer,
  RingProducer,
  SpinThenPark,
} from '../shm/index.js';
import { stampCommand } from '../stamp.js';
import { workerPath } from '../worker-path.js';
import { ShardRouter } from './routing.js';

export interface ShardedEngineOptions {
  /** Number of shards (default: available cores - 1, at least 1). */
  shards?: number;
  /** Symbols pinned to a shard. */
  shardOverrides?: Record<string, number>;
  journal?: (shard: number) => CommandJournal | undefined;
  clock?: () => number;
  log?: (line: string) => void;
  /** Spins before a shard thread parks when idle (default 2000). */
  spins?: number;
  /** Slots per ring (power of two, default 8192 of 64 bytes). */
  ringSlots?: number;
}

interface Reply {
  id: number;
  events?: EngineEvent[];
  hash?: string;
  error?: string;
}

interface Shard {
  index: number;
  worker: Worker;
  commands: SharedArrayBuffer;
  writer: OrderedRingWriter;
  reader: RingConsumer;
  journal?: CommandJournal;
  pending: Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>;
  /** Tail of this shard's release chain (journal durability, in order). */
  released: Promise<unknown>;
}

export class ShardedEngine implements Engine {
  readonly mode: Mode = 'sharded';
  readonly router: ShardRouter;
  private readonly shards: Shard[] = [];
  private readonly listeners: EventListeners;
  private readonly codec = new JsonCodec();
  private readonly reading: Promise<void>[] = [];
  private readonly announced = new Set<string>();
  private nextId = 1;
  private seq = 0;
  private closed = false;
  private failure: Error | null = null;

  constructor(private readonly opts: ShardedEngineOptions = {}) {
    const n = opts.shards ?? Math.max(1, availableParallelism() - 1);
    this.router = new ShardRouter({ shards: n, overrides: opts.shardOverrides });
    this.listeners = new EventListeners(opts.log);
    for (let i = 0; i < n; i++) {
      const commands = createRing({ slots: opts.ringSlots ?? 8192, slotBytes: 64 });
      const events = createRing({ slots: opts.ringSlots ?? 8192, slotBytes: 64 });
      const worker = new Worker(workerPath(import.meta.url, './worker.ts'), {
        workerData: { commands, events, spins: opts.spins ?? 2000 },
      });
      worker.on('error', (err) => this.fail(err));
      const wait = new SpinThenPark();
      const shard: Shard = {
        index: i,
        worker,
        commands,
        writer: new OrderedRingWriter(new RingProducer(commands, wait)),
        reader: new RingConsumer(events, wait),
        journal: opts.journal?.(i),
        pending: new Map(),
        released: Promise.resolve(),
      };
      this.shards.push(shard);
      this.reading.push(this.read(shard));
    }
    opts.log?.(`sharded: ${this.router.describe()}`);
  }

  onEvents(listener: (events: readonly EngineEvent[]) => void): () => void {
    return this.listeners.add(listener);
  }

  async submit(input: Command): Promise<EngineEvent[]> {
    if (this.closed) throw new Error('engine is closed');
    if (this.failure) throw this.failure;
    const cmd = stampCommand(input, this.opts.clock);
    const target = this.router.route(cmd);
    if (target >= 0) {
      if (cmd.type === 'instrument') this.announce(cmd.instrument.symbol, target);
      return this.release([this.shards[target]], [this.send(this.shards[target], cmd)], cmd);
    }
    return this.release(
      this.shards,
      this.shards.map((s) => this.send(s, cmd)),
      cmd,
    );
  }

  async stateHash(): Promise<string> {
    // One shard holds the whole state: its hash is exactly what `single` reports.
    if (this.shards.length === 1) {
      await this.shards[0].released;
      return (await this.request(this.shards[0], { hash: true })).hash ?? '';
    }
    const h = new StateHasher();
    for (const shard of this.shards) {
      await shard.released;
      const reply = await this.request(shard, { hash: true });
      h.string(reply.hash ?? '');
    }
    return h.digest();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const shard of this.shards) {
      await shard.released.catch(() => undefined);
      await shard.writer.flushed();
      await new RingProducer(shard.commands).closeAsync();
    }
    await Promise.race([
      Promise.all(this.reading),
      new Promise((r) => setTimeout(r, 2000).unref()),
    ]);
    await Promise.all(this.shards.map((s) => s.worker.terminate()));
    for (const shard of this.shards) await shard.journal?.close();
  }

  private announce(symbol: string, shard: number): void {
    if (this.announced.has(symbol)) return;
    this.announced.add(symbol);
    const why = this.router.isPinned(symbol) ? 'pinned' : 'hash';
    this.opts.log?.(`sharded: ${symbol} -> shard ${shard} (${why})`);
  }

  /** Journals (in shard order) and sends one command; resolves with the shard's reply. */
  private send(shard: Shard, cmd: Command): { reply: Promise<Reply>; durable: Promise<void> } {
    const durable =
      shard.journal && isStateChanging(cmd) ? shard.journal.append(cmd) : Promise.resolve();
    return { reply: this.request(shard, { cmd }), durable };
  }

  private request(shard: Shard, body: { cmd?: Command; hash?: boolean }): Promise<Reply> {
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      shard.pending.set(id, { resolve, reject });
      void shard.writer.write(this.codec.encode({ id, ...body }));
    });
  }

  /** Waits for the replies and durability, then releases in each shard's order. */
  private release(
    targets: Shard[],
    sent: { reply: Promise<Reply>; durable: Promise<void> }[],
    cmd: Command,
  ): Promise<EngineEvent[]> {
    const ready = Promise.all(
      sent.map(async (s, i) => {
        const reply = await s.reply;
        if (reply.error !== undefined) throw new Error(`shard ${targets[i].index}: ${reply.error}`);
        await s.durable;
        return this.localize(reply.events ?? [], targets[i].index);
      }),
    );
    const previous = Promise.all(targets.map((t) => t.released));
    const out = (async () => {
      await previous.catch(() => undefined);
      const parts = await ready;
      const events = parts.length === 1 ? parts[0] : mergeFanOut(parts, cmd);
      for (const e of events) e.seq = ++this.seq;
      this.listeners.emit(events);
      return events;
    })();
    const settled = out.catch(() => undefined);
    for (const t of targets) t.released = settled;
    return out;
  }

  private localize(events: EngineEvent[], shard: number): EngineEvent[] {
    const n = this.shards.length;
    if (n > 1) {
      for (const e of events) if (e.type === 'trade') e.tradeId = (e.tradeId - 1) * n + shard + 1;
    }
    return events;
  }

  private async read(shard: Shard): Promise<void> {
    while (!shard.reader.closed && !this.failure) {
      const got = shard.reader.poll((msg) => {
        const reply = this.codec.decode<Reply>(msg);
        const waiter = shard.pending.get(reply.id);
        shard.pending.delete(reply.id);
        waiter?.resolve(reply);
      });
      if (got === 0 && !shard.reader.closed) await shard.reader.waitAsync();
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.opts.log?.(`sharded: a shard thread failed: ${err.message}`);
    for (const shard of this.shards) {
      for (const waiter of shard.pending.values()) waiter.reject(err);
      shard.pending.clear();
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
