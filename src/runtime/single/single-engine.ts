/**
 * `single`: one deterministic Exchange on the event loop. submit() only enqueues; one drain runs
 * the queue in submit order, one command at a time, so there is nothing to race. With a journal,
 * each state-changing command is appended before its events are released, and events are released
 * strictly in engine order (a later command never overtakes an earlier one's durability).
 */
import {
  Exchange,
  isStateChanging,
  type Command,
  type EngineEvent,
  type OrderBookFactory,
} from '../../core/index.js';
import type { CommandJournal, Engine, Mode } from '../engine.js';
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

export class SingleEngine implements Engine {
  readonly mode: Mode = 'single';
  readonly exchange: Exchange;
  private readonly listeners: EventListeners;
  private queue: Job[] = [];
  private scheduled = false;
  private closed = false;
  /** Resolves when everything executed so far has been released. */
  private released: Promise<void> = Promise.resolve();

  constructor(private readonly opts: SingleEngineOptions = {}) {
    this.exchange = opts.exchange ?? new Exchange({ book: opts.book });
    this.listeners = new EventListeners(opts.log);
  }

  submit(input: Command): Promise<EngineEvent[]> {
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
    await this.released;
  }

  private drain(): void {
    const jobs = this.queue;
    this.queue = [];
    this.scheduled = false;
    const journal = this.opts.journal;
    for (const job of jobs) {
      let events: EngineEvent[];
      try {
        events = this.exchange.execute(job.cmd);
      } catch (err) {
        // A throw is a broken invariant inside the engine: report it, keep serving.
        this.opts.log?.(`engine invariant broken: ${(err as Error).message}`);
        job.reject(err as Error);
        continue;
      }
      if (!journal || !isStateChanging(job.cmd)) {
        this.chain(Promise.resolve(), job, events);
      } else {
        this.chain(appendSafely(journal, job.cmd), job, events);
      }
    }
  }

  /** Releases `events` after `durable` and after every earlier command's release. */
  private chain(durable: Promise<void>, job: Job, events: EngineEvent[]): void {
    if (!this.opts.journal) {
      this.listeners.emit(events);
      job.resolve(events);
      return;
    }
    const previous = this.released;
    // Handled below once earlier commands are released; mark it now so a failure is not "unhandled".
    durable.catch(() => undefined);
    this.released = (async () => {
      await previous;
      try {
        await durable;
      } catch (err) {
        this.opts.log?.(`journal append failed: ${(err as Error).message}`);
        job.reject(err as Error);
        return;
      }
      this.listeners.emit(events);
      job.resolve(events);
    })();
  }
}
