/**
 * `single`: one deterministic Exchange on the event loop. submit() only enqueues; one drain runs
 * the queue in submit order, one command at a time, so there is nothing to race. With a journal,
 * each state-changing command is appended before its events are released, and events are released
 * strictly in engine order (a later command never overtakes an earlier one's durability).
 *
 * Fail-stop: a command runs in memory before its journal record is durable. If the append fails,
 * that command and every later one are rejected (never released), the engine stops taking
 * commands (status() says `unavailable` and why), and its in-memory state, which may hold the
 * unjournaled command, is never read again. So nothing that is not durable is ever acknowledged,
 * and a restart recovers exactly the durable prefix.
 */
import {
  Exchange,
  isStateChanging,
  type Command,
  type EngineEvent,
  type OrderBookFactory,
} from '../../core/index.js';
import {
  EngineUnavailableError,
  isUnavailable,
  type CommandJournal,
  type Engine,
  type EngineStatus,
  type Mode,
} from '../engine.js';
import { EventListeners } from '../listeners.js';
import { appendSafely, stampCommand } from '../stamp.js';

export interface SingleEngineOptions {
  book?: OrderBookFactory;
  journal?: CommandJournal;
  clock?: () => number;
  log?: (line: string) => void;
  /** Start from this exchange (recovery) instead of an empty one. */
  exchange?: Exchange;
}

interface Job {
  cmd: Command;
  resolve: (events: EngineEvent[]) => void;
  reject: (err: Error) => void;
}

interface Ticket {
  job: Job;
  events: EngineEvent[];
  durable: boolean;
  failed: Error | null;
}

interface Group {
  promise: Promise<void>;
  tickets: Ticket[];
  settled: boolean;
}

export class SingleEngine implements Engine {
  readonly mode: Mode = 'single';
  readonly exchange: Exchange;
  private readonly listeners: EventListeners;
  private queue: Job[] = [];
  private scheduled = false;
  private closed = false;
  /** Executed commands waiting for their journal append, oldest first (journal mode only). */
  private unreleased: Ticket[] = [];
  private head = 0;
  private onReleased: (() => void)[] = [];
  /** Tickets sharing the newest append promise. */
  private group: Group | null = null;
  /** Set once a journal append failed: the engine has stopped. */
  private failure: EngineUnavailableError | null = null;

  constructor(private readonly opts: SingleEngineOptions = {}) {
    this.exchange = opts.exchange ?? new Exchange({ book: opts.book });
    this.listeners = new EventListeners(opts.log);
  }

  submit(input: Command): Promise<EngineEvent[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('engine is closed'));
    const cmd = stampCommand(input, this.opts.clock);
    return new Promise((resolve, reject) => {
      this.queue.push({ cmd, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => this.drain());
      }
    });
  }

  onEvents(listener: (events: readonly EngineEvent[]) => void): () => void {
    return this.listeners.add(listener);
  }

  status(): EngineStatus {
    return this.failure === null
      ? { state: 'ok' }
      : { state: 'unavailable', reason: this.failure.reason };
  }

  /**
   * Stops the engine: rejects every unreleased command from `fromIndex` (the first that failed)
   * on, everything queued, and every later submit. Commands before it keep waiting for
   * their own appends, which were issued earlier.
   */
  private fail(err: Error, fromIndex = this.head): void {
    if (this.failure === null) {
      const reason = isUnavailable(err) && err.reason !== undefined ? err.reason : err.message;
      this.failure = new EngineUnavailableError(reason);
      this.opts.log?.(`engine stopped: ${reason}`);
    }
    for (let i = Math.max(fromIndex, this.head); i < this.unreleased.length; i++) {
      const t = this.unreleased[i];
      t.failed ??= this.failure;
      t.durable = true;
    }
    for (const job of this.queue.splice(0)) job.reject(this.failure);
  }

  async stateHash(): Promise<string> {
    await this.idle();
    return this.exchange.stateHash();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
    await this.opts.journal?.close();
  }

  /** Resolves once every submitted command has run and been released. */
  async idle(): Promise<void> {
    while (this.queue.length > 0 || this.scheduled) await new Promise((r) => setImmediate(r));
    if (this.head < this.unreleased.length) {
      await new Promise<void>((r) => this.onReleased.push(r));
    }
  }

  private drain(): void {
    const jobs = this.queue;
    this.queue = [];
    this.scheduled = false;
    const journal = this.opts.journal;
    for (const job of jobs) {
      if (this.failure) {
        job.reject(this.failure);
        continue;
      }
      let events: EngineEvent[];
      try {
        events = this.exchange.execute(job.cmd);
      } catch (err) {
        if (isUnavailable(err)) {
          // Earlier commands settle with their own appends (already failed by the journal).
          this.fail(err, this.unreleased.length);
          job.reject(this.failure!);
          continue;
        }
        // A throw is a broken invariant inside the engine: report it, keep serving.
        this.opts.log?.(`engine invariant broken: ${(err as Error).message}`);
        job.reject(err as Error);
        continue;
      }
      if (!journal) {
        this.listeners.emit(events);
        job.resolve(events);
        continue;
      }
      const ticket: Ticket = { job, events, durable: true, failed: null };
      this.unreleased.push(ticket);
      if (isStateChanging(job.cmd)) {
        // Called right after execute(), synchronously: the server pairs the two (engine-factory).
        ticket.durable = false;
        const promise = appendSafely(journal, job.cmd);
        // A group commit hands every append of a batch the same promise: hook it once per batch,
        // not once per command (thousands of callbacks and pump scans per fsync otherwise).
        let g = this.group;
        if (g === null || g.promise !== promise || g.settled) {
          const group: Group = { promise, tickets: [], settled: false };
          this.group = g = group;
          promise.then(
            () => this.settle(group, null),
            (err: Error) => this.settle(group, err),
          );
        }
        g.tickets.push(ticket);
      }
    }
    this.pump();
  }

  private settle(g: Group, err: Error | null): void {
    g.settled = true;
    if (this.group === g) this.group = null;
    for (const t of g.tickets) {
      t.failed ??= err;
      t.durable = true;
    }
    if (err !== null) {
      const at = this.unreleased.indexOf(g.tickets[0], this.head);
      this.fail(err, at < 0 ? this.head : at);
    }
    this.pump();
  }

  /**
   * Releases, in execution order, every command at the front whose append is durable. A journal
   * resolves a whole group commit at once, so one pump typically releases a whole batch.
   */
  private pump(): void {
    const q = this.unreleased;
    while (this.head < q.length && q[this.head].durable) {
      const t = q[this.head++];
      if (t.failed) {
        t.job.reject(this.failure ?? t.failed);
      } else {
        this.listeners.emit(t.events);
        t.job.resolve(t.events);
      }
    }
    if (this.head === q.length) {
      this.unreleased = [];
      this.head = 0;
      const waiters = this.onReleased;
      this.onReleased = [];
      for (const w of waiters) w();
    }
  }
}
