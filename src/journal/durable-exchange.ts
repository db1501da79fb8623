/**
 * An Exchange made durable: recovery (snapshot + journal tail), write-ahead journaling of every
 * state-changing command, periodic snapshots, and an optional sink (the store) fed off the
 * matching path with entries that are already durable, which also catches up after a crash.
 */
import { mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import {
  Exchange,
  isStateChanging,
  type Command,
  type EngineEvent,
  type OrderBookFactory,
} from '../core/index.js';
import { Journal, type FsyncPolicy } from './journal.js';
import { listSegments } from './segment-files.js';
import { defaultLogger, type JournalLogger } from './log.js';
import {
  captureSnapshot,
  loadLatestSnapshot,
  writeSnapshot,
  type CapturedSnapshot,
} from './snapshot-files.js';
import type { DurableSink, JournaledEntry } from '../store/index.js';

// The sink contract is the store's (the lower layer); journal users get it from here too.
export type { DurableSink, JournaledEntry };

export interface DurableExchangeOptions {
  dir: string;
  fsync?: FsyncPolicy;
  book?: OrderBookFactory;
  /** Take a snapshot every N journaled commands (0: only on close). Default 100 000. */
  snapshotEvery?: number;
  segmentBytes?: number;
  /** Store (or any sink) that receives every durable entry and catches up on open. */
  sink?: DurableSink;
  /** Shard number written with each entry (sharded mode keeps one journal per shard). Default 0. */
  shard?: number;
  /**
   * Entries the sink may fall behind by before it is detached for the rest of the run (memory
   * stays bounded; it catches up from the journal on the next open). Default 500 000.
   */
  maxSinkBacklog?: number;
  logger?: JournalLogger;
}

export interface RecoveryInfo {
  /** Journal records replayed on top of the snapshot. */
  records: number;
  /** Last journal seq in the recovered state. */
  lastSeq: number;
  /** Journal seq the snapshot covered (0: started from an empty exchange). */
  snapshotSeq: number;
  stateHash: string;
  /** Bytes of a torn tail that were truncated (0 when clean). */
  truncatedBytes: number;
  /** Entries written to the sink to catch it up. */
  sinkCaughtUp: number;
}

export interface DurableExchange {
  readonly exchange: Exchange;
  readonly journal: Journal;
  readonly recovered: RecoveryInfo;
  /**
   * Executes synchronously and journals the command (not `snapshot`). Release `events` to anyone
   * only after `durable` resolves.
   */
  execute(cmd: Command): { events: EngineEvent[]; seq: number; durable: Promise<void> };
  /** execute() that resolves with the events once they may be released. */
  submit(cmd: Command): Promise<EngineEvent[]>;
  /** Writes a snapshot of the current state once the journal is durable up to it. */
  snapshot(): Promise<void>;
  /** Resolves when every entry so far has reached the sink. */
  drainSink(): Promise<void>;
  /** Entries not yet written to the sink, and why it was detached (null while attached). */
  sinkStatus(): { pending: number; detached: string | null };
  /** Resolves when the journal is durable, pending snapshots are written and the sink drained. */
  settle(): Promise<void>;
  /** Flushes the journal, writes a snapshot, drains the sink and closes files. */
  close(): Promise<void>;
}

const SINK_CHUNK = 2000;

function removeStaleTemps(dir: string): void {
  for (const name of readdirSync(dir)) if (name.includes('.tmp-')) unlinkSync(join(dir, name));
}

export async function openDurableExchange(opts: DurableExchangeOptions): Promise<DurableExchange> {
  const logger = opts.logger ?? defaultLogger();
  const shard = opts.shard ?? 0;
  const sink = opts.sink;
  mkdirSync(opts.dir, { recursive: true });

  const sinkSeq = sink ? await sink.lastJournalSeq(shard) : undefined;
  // A sink behind the newest snapshot needs the events in between, so start from an older state.
  let loaded = loadLatestSnapshot({ dir: opts.dir, book: opts.book, maxSeq: sinkSeq, logger });
  if (sink && loaded === null && (listSegments(opts.dir)[0]?.seq ?? 2) > 1) {
    // The records the store lacks were compacted away: it can only resume after the snapshot.
    loaded = loadLatestSnapshot({ dir: opts.dir, book: opts.book, logger });
    if (loaded !== null) {
      logger.warn(
        { storeSeq: sinkSeq, snapshotSeq: loaded.header.lastSeq },
        'journal: the store is behind a compacted journal; it resumes after the snapshot',
      );
    }
  }
  const exchange = loaded?.exchange ?? new Exchange(opts.book ? { book: opts.book } : {});
  const snapshotSeq = loaded?.header.lastSeq ?? 0;
  const catchUp: JournaledEntry[] = [];
  let replayed = 0;
  let expectFirst = true;
  const journal = Journal.open({
    dir: opts.dir,
    fsync: opts.fsync,
    segmentBytes: opts.segmentBytes,
    afterSeq: snapshotSeq,
    minLastSeq: snapshotSeq,
    logger,
    onRecord: (rec) => {
      if (rec.kind !== 'command') {
        throw new Error(
          `${opts.dir} holds outcome records (lockfree mode); open it with Journal.open({ onRecord })`,
        );
      }
      if (expectFirst && rec.seq !== snapshotSeq + 1) {
        throw new Error(
          `Cannot recover ${opts.dir}: the state at seq ${snapshotSeq} is followed by record ${rec.seq}; ` +
            'records in between were compacted away' +
            (sink ? ' (is the store behind the journal?)' : ''),
        );
      }
      expectFirst = false;
      const events = exchange.execute(rec.command);
      replayed++;
      if (sinkSeq !== undefined && rec.seq > sinkSeq)
        catchUp.push({ shard, seq: rec.seq, command: rec.command, events });
    },
  });
  if (sinkSeq !== undefined && sinkSeq > journal.lastSeq) {
    logger.warn(
      { sinkSeq, journalSeq: journal.lastSeq },
      'journal: the store is ahead of the journal',
    );
  }
  // Under the lock now: temp files left by a crashed snapshot writer are ours to remove.
  removeStaleTemps(opts.dir);
  if (sink) {
    try {
      for (let i = 0; i < catchUp.length; i += SINK_CHUNK)
        await sink.writeEntries(catchUp.slice(i, i + SINK_CHUNK));
    } catch (err) {
      await journal.close();
      throw new Error(`Cannot catch the store up from ${opts.dir}: ${(err as Error).message}`);
    }
  }

  const recovered: RecoveryInfo = {
    records: replayed,
    lastSeq: journal.lastSeq,
    snapshotSeq,
    stateHash: exchange.stateHash(),
    truncatedBytes: journal.recovery.torn?.bytes ?? 0,
    sinkCaughtUp: catchUp.length,
  };
  return new DurableExchangeImpl({ ...opts, shard, logger }, exchange, journal, recovered);
}

class DurableExchangeImpl implements DurableExchange {
  private sinceSnapshot = 0;
  private lastSnapshotSeq: number;
  private snapshotChain: Promise<void> = Promise.resolve();
  private sinkQueue: JournaledEntry[] = [];
  private sinkChain: Promise<void> = Promise.resolve();
  private sinkError: Error | null = null;
  /** Set once the sink stops receiving entries this run; it must never see a gap. */
  private sinkDetached: string | null = null;
  private sinkPending = 0;
  private kicked: Promise<void> | null = null;
  private readonly snapshotEvery: number;

  constructor(
    private readonly opts: DurableExchangeOptions & { shard: number; logger: JournalLogger },
    readonly exchange: Exchange,
    readonly journal: Journal,
    readonly recovered: RecoveryInfo,
  ) {
    this.snapshotEvery = opts.snapshotEvery ?? 100_000;
    this.lastSnapshotSeq = recovered.lastSeq;
  }

  execute(cmd: Command): { events: EngineEvent[]; seq: number; durable: Promise<void> } {
    const events = this.exchange.execute(cmd);
    if (!isStateChanging(cmd))
      return { events, seq: this.journal.lastSeq, durable: Promise.resolve() };
    const seq = this.journal.nextSequence;
    const durable = this.journal.append(cmd);
    if (this.opts.sink && this.sinkDetached === null) {
      if (this.sinkPending >= (this.opts.maxSinkBacklog ?? 500_000)) {
        this.detachSink(`the store fell more than ${this.sinkPending} entries behind`);
        return this.afterAppend(events, seq, durable);
      }
      this.sinkPending++;
      this.sinkQueue.push({ shard: this.opts.shard, seq, command: cmd, events });
      // Appends of one batch share a promise: hook the sink once per batch.
      if (this.kicked !== durable) {
        this.kicked = durable;
        durable.then(
          () => this.kickSink(),
          () => undefined,
        );
      }
    }
    return this.afterAppend(events, seq, durable);
  }

  private afterAppend(
    events: EngineEvent[],
    seq: number,
    durable: Promise<void>,
  ): { events: EngineEvent[]; seq: number; durable: Promise<void> } {
    if (this.snapshotEvery > 0 && ++this.sinceSnapshot >= this.snapshotEvery) {
      this.sinceSnapshot = 0;
      this.scheduleSnapshot(captureSnapshot(this.exchange, seq));
    }
    return { events, seq, durable };
  }

  private detachSink(why: string): void {
    if (this.sinkDetached !== null) return;
    this.sinkDetached = why;
    this.sinkPending -= this.sinkQueue.length;
    this.sinkQueue = [];
    this.opts.logger.warn(
      { why },
      'journal: store detached for this run; it catches up from the journal on restart',
    );
  }

  sinkStatus(): { pending: number; detached: string | null } {
    return { pending: this.sinkPending, detached: this.sinkDetached };
  }

  async submit(cmd: Command): Promise<EngineEvent[]> {
    const r = this.execute(cmd);
    await r.durable;
    return r.events;
  }

  private scheduleSnapshot(snap: CapturedSnapshot): Promise<void> {
    // Never publish a snapshot ahead of the durable journal: recovery would skip a gap.
    this.snapshotChain = this.snapshotChain
      .then(() => this.journal.whenDurable(snap.lastSeq))
      .then(() => {
        writeSnapshot(this.opts.dir, snap);
        this.lastSnapshotSeq = snap.lastSeq;
      })
      .catch((err: unknown) => {
        this.opts.logger.warn({ err: (err as Error).message }, 'journal: snapshot failed');
      });
    return this.snapshotChain;
  }

  snapshot(): Promise<void> {
    return this.scheduleSnapshot(captureSnapshot(this.exchange, this.journal.lastSeq));
  }

  private kickSink(): void {
    const sink = this.opts.sink;
    if (!sink || this.sinkQueue.length === 0) return;
    const durable = this.journal.durableSeq;
    let n = 0;
    while (n < this.sinkQueue.length && this.sinkQueue[n].seq <= durable) n++;
    if (n === 0) return;
    const chunk = this.sinkQueue.splice(0, n);
    this.sinkChain = this.sinkChain.then(async () => {
      try {
        for (let i = 0; i < chunk.length && this.sinkDetached === null; i += SINK_CHUNK)
          await sink.writeEntries(chunk.slice(i, i + SINK_CHUNK));
      } catch (err) {
        // The journal stays the source of truth; the next open catches the store up.
        this.sinkError = err as Error;
        this.detachSink(`store write failed: ${this.sinkError.message}`);
      } finally {
        this.sinkPending -= chunk.length;
      }
    });
  }

  async drainSink(): Promise<void> {
    await this.journal.sync();
    this.kickSink();
    await this.sinkChain;
  }

  async settle(): Promise<void> {
    await this.journal.sync();
    await this.snapshotChain;
    await this.drainSink();
  }

  async close(): Promise<void> {
    await this.journal.sync();
    if (this.journal.lastSeq > this.lastSnapshotSeq) await this.snapshot();
    await this.snapshotChain;
    await this.drainSink();
    await this.journal.close();
  }
}
