/**
 * The gateway's side of cluster mode: an `Engine` (src/runtime/engine.ts) whose submit() publishes
 * the command to its partition's subject and resolves with the events the partition's owner stored
 * for it in the events stream. The server, the order service, risk, market data and the UI run on
 * it unchanged; every gateway reads every partition's events, so any gateway serves any symbol.
 */
import { randomBytes } from 'node:crypto';
import { DeliverPolicy, type ConsumerMessages, type JetStreamClient } from 'nats';
import type { Command, EngineEvent } from '../core/index.js';
import { ApiError } from '../gateway/index.js';
import { EventListeners, stampCommand, type Engine, type Mode } from '../runtime/index.js';
import { connectCluster, type ClusterHandles } from './connect.js';
import { KvCache } from './kv-cache.js';
import {
  cmdSubject,
  decodeJson,
  encodeJson,
  EVT_STREAM,
  leaseKey,
  partitionOf,
  symbolOf,
  type CommandEnvelope,
  type EventsMessage,
  type Lease,
} from './protocol.js';

export interface ClusterEngineOptions {
  urls: string;
  /** How long a command waits for its partition to have a live owner (default 5000 ms). */
  ownerWaitMs?: number;
  /** How long a published command waits for its outcome (default 30 000 ms). */
  answerWaitMs?: number;
  clock?: () => number;
  log?: (line: string) => void;
  replicas?: number;
  connectTimeoutMs?: number;
  /** How long a command waits for a lost NATS connection to come back before 503 (default 3000 ms). */
  reconnectWaitMs?: number;
}

interface Waiter {
  resolve: (events: EngineEvent[]) => void;
  timer: NodeJS.Timeout;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ClusterEngine implements Engine {
  /** Not one of the in-process modes: shown as `cluster` on the dashboard. */
  readonly mode = 'cluster' as unknown as Mode;
  private h!: ClusterHandles;
  private js!: JetStreamClient;
  private cache!: KvCache;
  private iter: ConsumerMessages | null = null;
  private readonly listeners: EventListeners;
  private readonly waiters = new Map<string, Waiter>();
  /** Outcomes that arrived before their publish was acknowledged (keyed p:seq). */
  private readonly early = new Map<string, { at: number; events: EngineEvent[] }>();
  private backlog: EngineEvent[][] | null = [];
  private readonly id = randomBytes(6).toString('hex');
  private counter = 0;
  private connected = true;
  private closed = false;
  /** Partitions that hold at least one instrument (clock ticks go there). */
  private readonly active = new Set<number>();
  /** Last stream sequence seen on the events stream. */
  private evtSeq = 0;
  private progressAt = Date.now();
  private watchdog: NodeJS.Timeout | null = null;
  private checking = false;

  constructor(private readonly o: ClusterEngineOptions) {
    this.listeners = new EventListeners(o.log);
  }

  get salt(): string {
    return this.h.salt;
  }
  get handles(): ClusterHandles {
    return this.h;
  }

  /** Connects, reads the partition map, and catches up with the events already stored. */
  async start(): Promise<void> {
    this.h = await connectCluster({
      urls: this.o.urls,
      name: `gateway-${this.id}`,
      replicas: this.o.replicas,
      timeoutMs: this.o.connectTimeoutMs,
    });
    this.js = this.h.nc.jetstream();
    this.cache = new KvCache(this.h.kv);
    await this.cache.start();
    void (async () => {
      for await (const s of this.h.nc.status()) {
        if (s.type === 'disconnect') {
          this.connected = false;
          this.o.log?.(`gateway lost NATS (${String(s.data)}); answering 503 until it is back`);
        } else if (s.type === 'reconnect') {
          this.connected = true;
          this.o.log?.(`gateway reconnected to NATS (${String(s.data)})`);
        }
      }
    })();
    const info = await this.h.jsm.streams.info(EVT_STREAM);
    const target = info.state.last_seq;
    let caughtUp!: () => void;
    const ready = new Promise<void>((r) => (caughtUp = r));
    if (target === 0) caughtUp();
    void (async () => {
      // Recreated from the next unseen message whenever it ends or stalls (see the watchdog).
      while (!this.closed) {
        try {
          // (DeliverPolicy.All with the ordered consumer's own opt_start_seq is refused by 2.9.)
          const consumer = await this.js.consumers.get(EVT_STREAM, {
            filterSubjects: 'cb.evt.>',
            deliver_policy: DeliverPolicy.StartSequence,
            opt_start_seq: this.evtSeq + 1,
          });
          this.iter = await consumer.consume({
            max_messages: 2048,
            expires: 2000,
            idle_heartbeat: 1000,
          });
          if (this.closed) this.iter.stop();
          for await (const m of this.iter) {
            if (m.seq <= this.evtSeq) continue;
            this.evtSeq = m.seq;
            this.progressAt = Date.now();
            try {
              this.onMessage(decodeJson<EventsMessage>(m.data));
            } catch (err) {
              this.o.log?.(`bad events message ${m.seq}: ${(err as Error).message}`);
            }
            if (m.seq >= target) caughtUp();
          }
        } catch (err) {
          this.o.log?.(`events consumer failed: ${(err as Error).message}; recreating it`);
          await sleep(250);
        }
      }
    })();
    this.watchdog = setInterval(() => void this.checkStall(), 1000);
    this.watchdog.unref();
    await ready;
  }

  /** Restarts an events consumer that is silent while the stream has moved on. */
  private async checkStall(): Promise<void> {
    if (this.checking || this.closed || Date.now() - this.progressAt < 3000) return;
    this.checking = true;
    try {
      const info = await this.h.jsm.streams.info(EVT_STREAM);
      if (info.state.last_seq > this.evtSeq && Date.now() - this.progressAt >= 3000) {
        this.o.log?.(
          `events consumer stalled at ${this.evtSeq} of ${info.state.last_seq}; recreating it`,
        );
        this.progressAt = Date.now();
        this.iter?.stop();
      }
    } catch {
      // NATS busy or away: look again next second.
    } finally {
      this.checking = false;
    }
  }

  private onMessage(msg: EventsMessage): void {
    for (const r of msg.results) {
      if (r.events.length > 0) {
        for (const e of r.events) if (e.type === 'instrument') this.active.add(msg.p);
        if (this.backlog !== null) this.backlog.push(r.events);
        else this.listeners.emit(r.events);
      }
      const key = `${msg.p}:${r.seq}`;
      const w = this.waiters.get(key);
      if (w !== undefined) {
        this.waiters.delete(key);
        clearTimeout(w.timer);
        w.resolve(r.events);
      } else {
        // Someone else's command, or ours before its publish was acknowledged: keep briefly.
        const now = Date.now();
        this.early.set(key, { at: now, events: r.events });
        for (const [k, v] of this.early) {
          if (this.early.size <= 50_000 && v.at > now - 10_000) break;
          this.early.delete(k);
        }
      }
    }
  }

  onEvents(listener: (events: readonly EngineEvent[]) => void): () => void {
    const off = this.listeners.add(listener);
    // The first listener (the server's) gets the history first: books, orders, tape.
    const backlog = this.backlog;
    this.backlog = null;
    if (backlog !== null) for (const events of backlog) this.listeners.emit(events);
    return off;
  }

  private ownerLive(p: number): boolean {
    const l = this.cache.get<Lease>(leaseKey(p))?.value;
    if (l === undefined) return false;
    const now = Date.now();
    if (l.handoverTo !== undefined) return (l.releasedAt ?? 0) + 10_000 > now;
    return l.until > now;
  }

  async submit(input: Command): Promise<EngineEvent[]> {
    if (this.closed) throw new Error('engine is closed');
    if (!this.connected) {
      // A lost server is usually replaced by another of the cluster within a second or two.
      const deadline = Date.now() + (this.o.reconnectWaitMs ?? 3000);
      while (!this.connected && Date.now() < deadline && !this.closed) await sleep(50);
      if (!this.connected)
        throw new ApiError('unavailable', 'the gateway lost its NATS connection; reconnecting');
    }
    const cmd = stampCommand(input, this.o.clock);
    if (cmd.type === 'clock') {
      // Ticks go to every partition with instruments and a live owner; nobody waits for them.
      for (const p of this.active) {
        if (this.ownerLive(p)) void this.publish(p, { cmd }).catch(() => undefined);
      }
      return [];
    }
    const symbol = symbolOf(cmd);
    if (symbol === undefined) {
      // An account-wide mass cancel: one per partition with instruments, outcomes merged.
      const parts = [...this.active].sort((a, b) => a - b);
      const all = await Promise.all(parts.map((p) => this.submitTo(p, cmd)));
      const events = all.flat();
      let count = 0;
      const merged: EngineEvent[] = [];
      let summary: EngineEvent | undefined;
      for (const e of events) {
        if (e.type === 'massCancelled') {
          count += e.count;
          summary ??= e;
        } else merged.push(e);
      }
      if (summary !== undefined && summary.type === 'massCancelled')
        merged.push({ ...summary, count });
      return merged;
    }
    return this.submitTo(partitionOf(symbol, this.h.map), cmd);
  }

  private async submitTo(p: number, cmd: Command): Promise<EngineEvent[]> {
    const waitMs = this.o.ownerWaitMs ?? 5000;
    const deadline = Date.now() + waitMs;
    while (!this.ownerLive(p)) {
      if (Date.now() >= deadline || this.closed)
        throw new ApiError(
          'unavailable',
          `partition ${p} has no live owner (waited ${waitMs} ms); the command was not sent`,
        );
      await sleep(50);
    }
    const seq = await this.publish(p, { cmd });
    const key = `${p}:${seq}`;
    const early = this.early.get(key);
    if (early !== undefined) {
      this.early.delete(key);
      return early.events;
    }
    const answerMs = this.o.answerWaitMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(key);
        reject(
          new ApiError(
            'unavailable',
            `no outcome from the owner of partition ${p} within ${answerMs} ms (command ${seq} is sequenced and will still run)`,
          ),
        );
      }, answerMs);
      this.waiters.set(key, { resolve, timer });
    });
  }

  /** Publishes with a message id, retrying the same id until stored (JetStream dedupes). */
  private async publish(p: number, env: CommandEnvelope): Promise<number> {
    const msgID = `${this.id}:${++this.counter}`;
    const data = encodeJson(env);
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const pa = await this.js.publish(cmdSubject(p), data, { msgID, timeout: 2000 });
        return pa.seq;
      } catch (err) {
        if (Date.now() > deadline || this.closed)
          throw new ApiError(
            'unavailable',
            `NATS did not sequence the command (${(err as Error).message}); the gateway keeps reconnecting`,
          );
        await sleep(100);
      }
    }
  }

  /** Not a hash of matching state (that lives in the engines): the events stream position. */
  stateHash(): Promise<string> {
    return Promise.resolve(`events@${this.evtSeq}`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [key, w] of this.waiters) {
      clearTimeout(w.timer);
      this.waiters.delete(key);
      w.resolve([]);
    }
    if (this.watchdog) clearInterval(this.watchdog);
    this.iter?.stop();
    this.cache.stop();
    await this.h.nc.close().catch(() => undefined);
  }
}
