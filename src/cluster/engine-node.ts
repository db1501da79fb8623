/**
 * `crossbook engine`: one matching node of the cluster. It takes partitions whose lease is free
 * (or handed to it), fences each partition's events subject, rebuilds the partition's Exchange from
 * the newest snapshot plus the command stream, answers every command not yet answered, renews its
 * leases and snapshots. It steps down, with a log line, the moment an append or a renewal shows that
 * someone newer owns the partition.
 */
import { DeliverPolicy, type ConsumerMessages, type JetStreamClient, type KV } from 'nats';
import { Exchange, type EngineEvent, type ExchangeSnapshot } from '../core/index.js';
import { connectCluster, isWrongLastSequence, type ClusterHandles } from './connect.js';
import { KvCache } from './kv-cache.js';
import {
  CMD_STREAM,
  cmdSubject,
  decodeJson,
  encodeJson,
  EVT_STREAM,
  evtSubject,
  leaseKey,
  nodeKey,
  snapName,
  type CommandEnvelope,
  type CommandResult,
  type EventsMessage,
  type Lease,
  type NodeBeat,
  type SnapshotRecord,
} from './protocol.js';

export interface EngineNodeOptions {
  urls: string;
  node: string;
  /** Lease length, ms (default 3000); renewed every third of it. */
  leaseMs?: number;
  /**
   * Even out partitions: an engine above its fair share (partitions / live engines) hands one
   * partition at a time to the least loaded live engine, through a handover marker.
   */
  balance?: boolean;
  /** Snapshot every N commands per partition (default 5000), and at every handover. */
  snapshotEvery?: number;
  replicas?: number;
  log?: (line: string) => void;
  /**
   * TEST ONLY (test/helpers/cluster-engine-child.ts): publish without the expected-sequence check
   * and ignore a lost lease. Not reachable from the CLI; it exists so the checker can be shown to
   * catch a deposed owner.
   */
  unsafeNoFencing?: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Rejects when `p` has not settled within `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
const MAX_BATCH = 256;

export class EngineNode {
  private h!: ClusterHandles;
  private js!: JetStreamClient;
  private cache!: KvCache;
  private readonly runners = new Map<number, PartitionRunner>();
  private readonly freeSince = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private closed = false;
  readonly leaseMs: number;
  readonly log: (line: string) => void;

  constructor(readonly o: EngineNodeOptions) {
    this.leaseMs = o.leaseMs ?? 3000;
    this.log = o.log ?? ((l) => console.log(l));
  }

  get handles(): ClusterHandles {
    return this.h;
  }

  /** Partitions this node runs now. */
  owned(): number[] {
    return [...this.runners.keys()].sort((a, b) => a - b);
  }

  async start(): Promise<void> {
    this.h = await connectCluster({
      urls: this.o.urls,
      name: `engine-${this.o.node}`,
      replicas: this.o.replicas,
    });
    this.js = this.h.nc.jetstream();
    this.cache = new KvCache(this.h.kv);
    await this.cache.start();
    this.log(
      `engine ${this.o.node}: connected to ${this.o.urls} (${this.h.map.partitions} partitions, lease ${this.leaseMs} ms${this.o.unsafeNoFencing ? ', FENCING OFF (test variant)' : ''})`,
    );
    const tick = (): void => {
      if (this.closed) return;
      this.scan().catch((err: unknown) =>
        this.log(`engine ${this.o.node}: scan failed: ${(err as Error).message}`),
      );
    };
    this.startedAt = Date.now();
    this.timer = setInterval(tick, Math.max(50, Math.floor(this.leaseMs / 6)));
    tick();
  }

  /** One pass: heartbeat, renew our leases, take free ones. */
  private scanning = false;
  private lastBeat = 0;
  private async scan(): Promise<void> {
    if (this.scanning) return;
    this.scanning = true;
    try {
      const now = Date.now();
      if (now - this.lastBeat > this.leaseMs / 3) {
        this.lastBeat = now;
        const rates: Record<string, number> = {};
        for (const [p, r] of this.runners) rates[p] = r.takeRate();
        const beat: NodeBeat = {
          node: this.o.node,
          until: now + this.leaseMs,
          partitions: this.owned(),
          rates,
        };
        await this.h.kv.put(nodeKey(this.o.node), encodeJson(beat)).catch(() => undefined);
      }
      // Renewals in parallel: during a NATS leader election each may wait for its timeout.
      await Promise.all([...this.runners.values()].map((r) => r.renewIfDue()));
      await Promise.all([...this.runners.values()].map((r) => r.checkStall()));
      if (this.o.balance === true) await this.balanceOnce(now);
      for (let p = 0; p < this.h.map.partitions; p++) {
        if (this.runners.has(p) || this.closed) continue;
        if (this.shouldTake(p, now)) await this.take(p);
      }
    } finally {
      this.scanning = false;
    }
  }

  private lastBalance = 0;
  private async balanceOnce(now: number): Promise<void> {
    if (now - this.startedAt < 2 * this.leaseMs || now - this.lastBalance < 3 * this.leaseMs)
      return;
    const alive = this.aliveNodes(now);
    if (!alive.some((b) => b.node === this.o.node)) return;
    const share = Math.ceil(this.h.map.partitions / alive.length);
    if (this.runners.size <= share) return;
    const others = alive.filter((b) => b.node !== this.o.node);
    if (others.length === 0) return;
    const target = others.reduce((a, b) => (b.partitions.length < a.partitions.length ? b : a));
    if (target.partitions.length + 1 > share) return;
    const p = Math.max(...this.runners.keys());
    this.lastBalance = now;
    this.log(`engine ${this.o.node}: balancing: handing partition ${p} to ${target.node}`);
    await this.js
      .publish(cmdSubject(p), encodeJson({ ctl: 'handover', to: target.node }), {
        msgID: `balance:${p}:${target.node}:${now}`,
      })
      .catch(() => undefined);
  }

  private aliveNodes(now: number): NodeBeat[] {
    const out: NodeBeat[] = [];
    for (const k of this.cache.keys('node.')) {
      const b = this.cache.get<NodeBeat>(k)!.value;
      if (b.until > now) out.push(b);
    }
    return out;
  }

  private shouldTake(p: number, now: number): boolean {
    const e = this.cache.get<Lease>(leaseKey(p));
    const l = e?.value;
    if (l !== undefined && l.handoverTo !== undefined) {
      if (l.handoverTo === this.o.node) return true;
      // Handed to someone else: theirs unless they do not show up within two leases.
      const alive = this.aliveNodes(now).some((b) => b.node === l.handoverTo);
      if (alive && (l.releasedAt ?? 0) + 2 * this.leaseMs > now) return false;
    } else if (l !== undefined && l.until > now) {
      this.freeSince.delete(p);
      return false;
    }
    // Free. Spread: first meet the other nodes (one lease after start), then take up to a fair
    // share (partitions / live nodes), the least loaded first; anyone once it stays free a lease.
    if (!this.freeSince.has(p)) this.freeSince.set(p, now);
    if (now - this.startedAt < this.leaseMs) return false;
    const mine = this.runners.size;
    const alive = this.aliveNodes(now);
    const others = alive.filter((b) => b.node !== this.o.node);
    const share = Math.ceil(this.h.map.partitions / Math.max(1, others.length + 1));
    const least = others.length === 0 ? mine : Math.min(...others.map((b) => b.partitions.length));
    return (mine < share && mine <= least) || now - this.freeSince.get(p)! > this.leaseMs;
  }

  private async take(p: number): Promise<void> {
    const key = leaseKey(p);
    const cur = await this.h.kv.get(key);
    const lease: Lease = { node: this.o.node, until: Date.now() + this.leaseMs };
    let rev: number;
    try {
      if (cur === null || cur.operation !== 'PUT')
        rev = await this.h.kv.create(key, encodeJson(lease));
      else {
        const old = decodeJson<Lease>(cur.value);
        const free = old.until < Date.now() || old.handoverTo !== undefined;
        if (!free) return;
        if (
          old.handoverTo !== undefined &&
          old.handoverTo !== this.o.node &&
          !this.shouldTake(p, Date.now())
        )
          return;
        rev = await this.h.kv.update(key, encodeJson(lease), cur.revision);
      }
    } catch (err) {
      if (!isWrongLastSequence(err))
        this.log(`engine ${this.o.node}: lease ${p}: ${(err as Error).message}`);
      return;
    }
    this.cache.set(key, lease, rev);
    this.freeSince.delete(p);
    const runner = new PartitionRunner(this, p, rev);
    this.runners.set(p, runner);
    this.log(`engine ${this.o.node}: acquired partition ${p} (token ${rev})`);
    void runner.run().finally(() => {
      if (this.runners.get(p) === runner) this.runners.delete(p);
    });
  }

  get kv(): KV {
    return this.h.kv;
  }
  get jsc(): JetStreamClient {
    return this.js;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.runners.values()].map((r) => r.stop('engine closing', true)));
    await this.h.kv.delete(nodeKey(this.o.node)).catch(() => undefined);
    this.cache.stop();
    await this.h.nc.close().catch(() => undefined);
  }
}

/** One owned partition: fence, restore, replay, answer, renew, snapshot, hand over. */
class PartitionRunner {
  private stopped = false;
  private iter: ConsumerMessages | null = null;
  private exchange = new Exchange();
  /** Highest command sequence executed into `exchange`. */
  private executed = 0;
  /** Highest command sequence whose outcome is stored in the events stream. */
  private answered = 0;
  /** Stream sequence of the last message on our events subject (the expected-sequence check). */
  private evtLast = 0;
  private pending: CommandResult[] = [];
  private flushing: Promise<void> | null = null;
  private leaseRev: number;
  private lastRenew = Date.now();
  private pendingSnap: SnapshotRecord | null = null;
  private lastSnapSeq = 0;
  private count = 0;
  private countAt = Date.now();
  private readonly fenced: boolean;
  /** Set at a handover marker: consume nothing more. */
  private leaving = false;
  private progressAt = Date.now();
  private stallCheckAt = 0;

  constructor(
    private readonly n: EngineNode,
    readonly p: number,
    readonly token: number,
  ) {
    this.leaseRev = token;
    this.fenced = n.o.unsafeNoFencing !== true;
  }

  private get tag(): string {
    return `engine ${this.n.o.node}: partition ${this.p}`;
  }

  takeRate(): number {
    const now = Date.now();
    const r = (this.count * 1000) / Math.max(1, now - this.countAt);
    this.count = 0;
    this.countAt = now;
    return Math.round(r);
  }

  /** Restarts a consumer that delivers nothing while the partition has unexecuted commands. */
  async checkStall(): Promise<void> {
    const now = Date.now();
    if (this.stopped || this.leaving || this.iter === null) return;
    if (now - this.progressAt < 3000 || now - this.stallCheckAt < 2000) return;
    this.stallCheckAt = now;
    try {
      const m = await this.n.handles.jsm.streams.getMessage(CMD_STREAM, {
        last_by_subj: cmdSubject(this.p),
      });
      if (m.seq > this.executed && Date.now() - this.progressAt >= 3000) {
        this.n.log(
          `${this.tag}: consumer stalled at command ${this.executed} of ${m.seq}; recreating it`,
        );
        this.progressAt = Date.now();
        this.iter.stop();
      }
    } catch {
      // No command yet, or NATS busy: look again later.
    }
  }

  async renewIfDue(): Promise<void> {
    if (this.stopped || Date.now() - this.lastRenew < this.n.leaseMs / 3) return;
    const lease: Lease = { node: this.n.o.node, until: Date.now() + this.n.leaseMs };
    try {
      this.leaseRev = await this.n.kv.update(leaseKey(this.p), encodeJson(lease), this.leaseRev);
      this.lastRenew = Date.now();
    } catch (err) {
      if (isWrongLastSequence(err)) {
        if (!this.fenced) return; // the broken test variant keeps going
        await this.stop(`lost its lease (token ${this.token}): stepping down`);
      }
    }
  }

  async stop(why: string, graceful = false): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.n.log(`${this.tag} ${why}`);
    this.iter?.stop();
    if (graceful) {
      // Answer what we executed, then free the lease for the next owner at once.
      await this.flushing?.catch(() => undefined);
      if (this.pending.length > 0) await this.publish().catch(() => undefined);
      const lease: Lease = { node: this.n.o.node, until: 0 };
      await this.n.kv
        .update(leaseKey(this.p), encodeJson(lease), this.leaseRev)
        .catch(() => undefined);
    }
  }

  private async lastEvents(): Promise<{ seq: number; msg: EventsMessage } | null> {
    try {
      const m = await this.n.handles.jsm.streams.getMessage(EVT_STREAM, {
        last_by_subj: evtSubject(this.p),
      });
      return { seq: m.seq, msg: decodeJson<EventsMessage>(m.data) };
    } catch (err) {
      if (/no message found/i.test((err as Error).message)) return null;
      throw err;
    }
  }

  /** Appends an owner marker after whatever is there: from here on, no older owner can append. */
  private async fence(): Promise<boolean> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        const last = await this.lastEvents();
        if (last !== null && last.msg.token > this.token) {
          await this.stop(
            `found a newer owner (token ${last.msg.token} > ${this.token}): stepping down`,
          );
          return false;
        }
        this.answered = last?.msg.last ?? 0;
        const marker: EventsMessage = {
          kind: 'owner',
          p: this.p,
          node: this.n.o.node,
          token: this.token,
          last: this.answered,
          results: [],
        };
        const pa = await this.n.jsc.publish(evtSubject(this.p), encodeJson(marker), {
          msgID: `o:${this.p}:${this.token}`,
          expect: this.fenced ? { lastSubjectSequence: last?.seq ?? 0 } : undefined,
        });
        this.evtLast = pa.seq;
        return true;
      } catch (err) {
        if (!isWrongLastSequence(err))
          this.n.log(`${this.tag}: fencing retry: ${(err as Error).message}`);
        await sleep(Math.min(500, 50 * (attempt + 1)));
      }
    }
    return false;
  }

  private async loadSnapshot(): Promise<void> {
    let rec: SnapshotRecord | null = null;
    for (let attempt = 1; attempt <= 3 && rec === null && !this.stopped; attempt++) {
      try {
        // Bounded: an object read whose stream leader just changed can otherwise hang.
        const blob = await withTimeout(this.n.handles.snaps.getBlob(snapName(this.p)), 5000);
        if (blob === null) break;
        rec = decodeJson<SnapshotRecord>(blob);
      } catch (err) {
        this.n.log(
          `${this.tag}: cannot read the snapshot (attempt ${attempt}): ${(err as Error).message}`,
        );
      }
    }
    if (rec !== null && rec.seq <= this.answered) {
      this.exchange = Exchange.restore(rec.exchange as ExchangeSnapshot);
      this.executed = rec.seq;
      this.lastSnapSeq = rec.seq;
      this.n.log(`${this.tag}: loaded the snapshot at command ${rec.seq}`);
    } else if (rec === null)
      this.n.log(`${this.tag}: no snapshot; replaying from the first command`);
  }

  async run(): Promise<void> {
    try {
      if (!(await this.fence())) return;
      await this.loadSnapshot();
      this.n.log(
        `${this.tag}: owner with token ${this.token}; replaying from command ${this.executed + 1}, answered through ${this.answered}`,
      );
      // The consumer is recreated from the next unexecuted command whenever it ends or stalls
      // (see checkStall): a consumer whose server went away can otherwise sit silent for long.
      while (!this.stopped && !this.leaving) {
        const consumer = await this.n.jsc.consumers.get(CMD_STREAM, {
          filterSubjects: cmdSubject(this.p),
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: this.executed + 1,
        });
        if (this.stopped || this.leaving) return;
        this.iter = await consumer.consume({
          max_messages: 1024,
          expires: 2000,
          idle_heartbeat: 1000,
        });
        this.progressAt = Date.now();
        for await (const m of this.iter) {
          if (this.stopped || this.leaving) break;
          this.progressAt = Date.now();
          await this.handle(m.seq, decodeJson<CommandEnvelope>(m.data));
        }
      }
    } catch (err) {
      if (!this.stopped) await this.stop(`failed: ${(err as Error).message}`);
    }
  }

  private async handle(seq: number, env: CommandEnvelope): Promise<void> {
    if (seq <= this.executed) return;
    this.executed = seq;
    const replay = seq <= this.answered;
    const result: CommandResult = { seq, events: [] };
    if ('cmd' in env) {
      let events: EngineEvent[];
      try {
        events = this.exchange.execute(env.cmd);
      } catch (err) {
        // A broken invariant: answered as a rejection so the partition keeps going.
        this.n.log(`${this.tag}: engine invariant broken at ${seq}: ${(err as Error).message}`);
        events = [];
      }
      result.events = events;
      this.count++;
    } else if (env.ctl === 'probe') {
      result.hash = this.exchange.stateHash();
    } else if (env.ctl === 'handover') {
      result.handover = env.to;
    }
    if (seq - this.lastSnapSeq >= (this.n.o.snapshotEvery ?? 5000)) this.captureSnapshot(seq);
    if (replay) return;
    this.pending.push(result);
    if ('ctl' in env && env.ctl === 'handover' && env.to !== this.n.o.node) {
      await this.handOver(seq, env.to);
      return;
    }
    if (this.pending.length >= MAX_BATCH * 4) await this.flushing;
    this.kick();
  }

  private captureSnapshot(seq: number): void {
    this.lastSnapSeq = seq;
    this.pendingSnap = {
      p: this.p,
      seq,
      token: this.token,
      node: this.n.o.node,
      hash: this.exchange.stateHash(),
      exchange: this.exchange.snapshot(),
    };
  }

  private kick(): void {
    if (this.flushing !== null || this.pending.length === 0 || this.stopped) return;
    this.flushing = (async () => {
      try {
        while (this.pending.length > 0 && !this.stopped) await this.publish();
      } catch (err) {
        if (isWrongLastSequence(err))
          await this.stop(
            `append refused (a newer owner fenced it, my token ${this.token}): stepping down`,
          );
        else await this.stop(`append failed: ${(err as Error).message}: stepping down`);
      } finally {
        this.flushing = null;
      }
    })();
  }

  /** Publishes the oldest pending results as one message; retried publishes dedupe by msgID. */
  private async publish(): Promise<void> {
    const batch = this.pending.slice(0, MAX_BATCH);
    const last = batch[batch.length - 1].seq;
    const msg: EventsMessage = {
      kind: 'events',
      p: this.p,
      node: this.n.o.node,
      token: this.token,
      last,
      results: batch,
    };
    const data = encodeJson(msg);
    const msgID = `e:${this.p}:${batch[0].seq}-${last}`;
    for (let attempt = 0; ; attempt++) {
      try {
        const pa = await this.n.jsc.publish(evtSubject(this.p), data, {
          msgID,
          expect: this.fenced ? { lastSubjectSequence: this.evtLast } : undefined,
          timeout: 2000,
        });
        this.evtLast = pa.seq;
        break;
      } catch (err) {
        if (isWrongLastSequence(err) || attempt >= 20 || this.stopped) throw err;
        await sleep(100);
      }
    }
    this.pending.splice(0, batch.length);
    this.answered = last;
    const snap = this.pendingSnap;
    if (snap !== null && snap.seq <= this.answered) {
      this.pendingSnap = null;
      await this.writeSnapshot(snap);
    }
  }

  private async writeSnapshot(snap: SnapshotRecord): Promise<void> {
    try {
      // The description carries the covered sequence, so status reads it without the data.
      const description = JSON.stringify({ seq: snap.seq, token: snap.token, hash: snap.hash });
      await withTimeout(
        this.n.handles.snaps.putBlob({ name: snapName(this.p), description }, encodeJson(snap)),
        10_000,
      );
    } catch (err) {
      this.n.log(`${this.tag}: snapshot at ${snap.seq} failed: ${(err as Error).message}`);
    }
  }

  /** The marker is answered, the state at it saved, the lease released to `to`. */
  private async handOver(seq: number, to: string): Promise<void> {
    this.leaving = true;
    this.iter?.stop();
    await this.flushing?.catch(() => undefined);
    if (!this.stopped && this.pending.length > 0) {
      try {
        while (this.pending.length > 0) await this.publish();
      } catch (err) {
        await this.stop(`append failed at the handover: ${(err as Error).message}`);
        return;
      }
    }
    if (this.stopped) return;
    this.captureSnapshot(seq);
    const snap = this.pendingSnap!;
    this.pendingSnap = null;
    await this.writeSnapshot(snap);
    const lease: Lease = {
      node: this.n.o.node,
      until: 0,
      handoverTo: to,
      snapshotSeq: seq,
      releasedAt: Date.now(),
    };
    try {
      await this.n.kv.update(leaseKey(this.p), encodeJson(lease), this.leaseRev);
    } catch (err) {
      this.n.log(`${this.tag}: releasing the lease failed: ${(err as Error).message}`);
    }
    await this.stop(`handed over to ${to} at command ${seq}`);
  }
}
