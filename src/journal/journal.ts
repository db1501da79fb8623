/**
 * The write-ahead command journal: one writer, segmented files, group commit.
 *
 * append() encodes the record synchronously (so journal order is call order) into the open batch
 * and returns that batch's promise. One flush runs at a time: it writes the batch, fsyncs it
 * under `batch`/`always`, then resolves every append in it. Appends that arrive meanwhile form the
 * next batch. `always` gives each record its own write + fdatasync; `off` resolves after the
 * write() (safe against a process kill, not against power loss).
 */
import {
  closeSync,
  fdatasync,
  fsyncSync,
  mkdirSync,
  openSync,
  statSync,
  write,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Command } from '../core/index.js';
import { ByteWriter } from './byte-buffer.js';
import { encodeCommand } from './command-codec.js';
import { defaultLogger, type JournalLogger } from './log.js';
import {
  beginRecord,
  encodeSegmentHeader,
  finishRecord,
  KIND_COMMAND,
  KIND_OUTCOME,
} from './record-codec.js';
import { scanJournal, type JournalRecord, type ScanResult } from './journal-reader.js';
import { lockDir } from './dir-lock.js';
import { fsyncDir, listSegments, segmentName } from './segment-files.js';

export type FsyncPolicy = 'always' | 'batch' | 'off';
export const FSYNC_POLICIES: readonly FsyncPolicy[] = ['always', 'batch', 'off'];

export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

export interface JournalOptions {
  dir: string;
  fsync?: FsyncPolicy;
  /** Rotate to a new segment once the current one reaches this size (checked between batches). */
  segmentBytes?: number;
  /** Records with seq <= afterSeq are verified but not delivered to onRecord (a snapshot covers them). */
  afterSeq?: number;
  /** Receives each existing record after afterSeq, in order, while the journal opens. */
  onRecord?: (rec: JournalRecord) => void;
  /**
   * The seq a snapshot covers: when the journal holds nothing past it (e.g. after compaction),
   * numbering continues from here.
   */
  minLastSeq?: number;
  logger?: JournalLogger;
}

interface Batch {
  w: ByteWriter;
  count: number;
  firstSeq: number;
  lastSeq: number;
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

function writeAll(fd: number, buf: Uint8Array, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (off: number): void => {
      write(fd, buf, off, buf.length - off, position + off, (err, n) => {
        if (err) reject(err);
        else if (off + n < buf.length) step(off + n);
        else resolve();
      });
    };
    step(0);
  });
}

const datasync = (fd: number): Promise<void> =>
  new Promise((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));

/**
 * Write-ahead log seen from a mode: commands are appended (already stamped with `ts`) before their
 * events are released. Implemented by Journal; `single` owns one, `sharded` one per shard.
 */
export interface CommandJournal {
  /** Appends one state-changing command; resolves once it is durable under the fsync policy. */
  append(cmd: Command): Promise<void>;
  /**
   * Optional: appends an opaque outcome record. `lockfree` (whose matching order is not its input
   * order) journals each order's outcome (fills reserved, final state) with it before release.
   */
  appendOutcome?(payload: Uint8Array | string, ts?: number): Promise<void>;
  close(): Promise<void>;
}

export class Journal implements CommandJournal {
  readonly dir: string;
  readonly fsync: FsyncPolicy;
  /** What opening found: segments, last seq, any torn tail that was truncated. */
  readonly recovery: ScanResult;
  private readonly segmentBytes: number;
  private readonly logger: JournalLogger;
  private fd = -1;
  private position = 0;
  private nextSeq: number;
  private durable: number;
  private queue: Batch[] = [];
  private flushing = false;
  private scheduled = false;
  private failed: Error | null = null;
  private closed = false;
  private release: () => void = () => undefined;
  private spare: ByteWriter | null = null;
  private waiters: { seq: number; resolve: () => void; reject: (e: Error) => void }[] = [];

  private constructor(opts: JournalOptions, recovery: ScanResult) {
    this.dir = opts.dir;
    this.fsync = opts.fsync ?? 'batch';
    this.segmentBytes = opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.logger = opts.logger ?? defaultLogger();
    this.recovery = recovery;
    const last = Math.max(recovery.lastSeq, opts.minLastSeq ?? 0);
    this.nextSeq = last + 1;
    this.durable = last;
  }

  /**
   * Opens (creating if needed) the journal in `dir`: verifies every record, truncates a torn tail
   * with a warning, throws JournalCorruptionError on corruption in the middle, feeds existing
   * records to onRecord, and positions the writer after the last valid record.
   */
  static open(opts: JournalOptions): Journal {
    if (opts.fsync !== undefined && !FSYNC_POLICIES.includes(opts.fsync)) {
      throw new Error(`Unknown fsync policy "${String(opts.fsync)}": use always, batch or off`);
    }
    mkdirSync(opts.dir, { recursive: true });
    const logger = opts.logger ?? defaultLogger();
    const release = lockDir(opts.dir);
    try {
      const recovery = scanJournal({
        dir: opts.dir,
        afterSeq: opts.afterSeq,
        skipCovered: true,
        repair: true,
        onRecord: opts.onRecord,
        logger,
      });
      const j = new Journal({ ...opts, logger }, recovery);
      j.release = release;
      j.openTail();
      return j;
    } catch (err) {
      release();
      throw err;
    }
  }

  /** Seq the next append gets. */
  get nextSequence(): number {
    return this.nextSeq;
  }

  /** Seq of the last record appended (durable or not). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Seq of the last record known durable under the policy. */
  get durableSeq(): number {
    return this.durable;
  }

  private openTail(): void {
    const segs = listSegments(this.dir);
    const last = segs[segs.length - 1];
    // Continue the last segment only when numbering continues from it (a snapshot may lead it).
    if (last !== undefined && this.recovery.lastSeq === this.nextSeq - 1) {
      this.fd = openSync(last.path, 'r+');
      this.position = statSync(last.path).size;
      if (this.position < this.segmentBytes) return;
      closeSync(this.fd);
    }
    this.createSegment(this.nextSeq);
  }

  /** `firstSeq`: the seq of the next record written, which later queued batches may be past. */
  private createSegment(firstSeq: number): void {
    const path = join(this.dir, segmentName(firstSeq));
    this.fd = openSync(path, 'wx');
    const header = encodeSegmentHeader(firstSeq);
    writeSync(this.fd, header, 0, header.length, 0);
    if (this.fsync !== 'off') fsyncSync(this.fd);
    this.position = header.length;
    if (this.fsync !== 'off') fsyncDir(this.dir);
  }

  private batchFor(): Batch {
    const tail = this.queue[this.queue.length - 1];
    if (tail !== undefined && !(this.fsync === 'always' && tail.count > 0)) return tail;
    let resolve!: () => void;
    let reject!: (err: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Callers that never await (fire-and-forget) must not crash the process on a disk error.
    promise.catch(() => undefined);
    // Reuse the buffer of the last flushed batch: steady state allocates nothing per batch.
    const w = this.spare ?? new ByteWriter(this.fsync === 'always' ? 512 : 64 * 1024);
    this.spare = null;
    const b: Batch = {
      w,
      count: 0,
      firstSeq: this.nextSeq,
      lastSeq: 0,
      promise,
      resolve,
      reject,
    };
    this.queue.push(b);
    return b;
  }

  /** Appends one state-changing command; resolves once it is durable under the fsync policy. */
  append(cmd: Command): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new Error('journal is closed'));
    const b = this.batchFor();
    const at = beginRecord(b.w, KIND_COMMAND, this.nextSeq, cmd.ts);
    try {
      encodeCommand(cmd, b.w);
      finishRecord(b.w, at);
    } catch (err) {
      b.w.length = at;
      return Promise.reject(err);
    }
    return this.appended(b);
  }

  /**
   * Appends an opaque record (lockfree mode journals outcomes, not commands). The payload is
   * returned as-is by the reader as `{ kind: 'outcome', payload }`.
   */
  appendOutcome(payload: Uint8Array | string, ts?: number): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new Error('journal is closed'));
    const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
    const b = this.batchFor();
    const at = beginRecord(b.w, KIND_OUTCOME, this.nextSeq, ts);
    b.w.raw(bytes);
    try {
      finishRecord(b.w, at);
    } catch (err) {
      b.w.length = at;
      return Promise.reject(err);
    }
    return this.appended(b);
  }

  private appended(b: Batch): Promise<void> {
    b.lastSeq = this.nextSeq++;
    b.count++;
    this.schedule();
    return b.promise;
  }

  private schedule(): void {
    if (this.flushing || this.scheduled) return;
    this.scheduled = true;
    // Let the current synchronous burst finish so it shares one write and one fsync.
    setImmediate(() => {
      this.scheduled = false;
      void this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0 && this.failed === null) {
        const b = this.queue.shift()!;
        if (b.count === 0) {
          b.resolve();
          continue;
        }
        try {
          const bytes = b.w.bytes.subarray(0, b.w.length);
          await writeAll(this.fd, bytes, this.position);
          this.position += bytes.length;
          if (this.fsync !== 'off') await datasync(this.fd);
          this.durable = b.lastSeq;
          b.w.length = 0;
          this.spare = b.w;
          b.resolve();
          this.wake();
          if (this.position >= this.segmentBytes) this.rotate(b.lastSeq + 1);
        } catch (err) {
          this.fail(err as Error, b);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private rotate(firstSeq: number): void {
    if (this.fsync === 'off') fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = -1;
    this.createSegment(firstSeq);
  }

  private fail(err: Error, current: Batch): void {
    this.failed = new Error(
      `journal write failed, no further commands are accepted: ${err.message}`,
    );
    this.logger.warn({ err: err.message, dir: this.dir }, 'journal: write failed');
    current.reject(this.failed);
    for (const b of this.queue.splice(0)) b.reject(this.failed);
    for (const w of this.waiters.splice(0)) w.reject(this.failed);
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.seq <= this.durable) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  /** Resolves once record `seq` is durable under the policy. */
  whenDurable(seq: number): Promise<void> {
    if (seq <= this.durable) return Promise.resolve();
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
  }

  /** Resolves once everything appended so far is durable. */
  sync(): Promise<void> {
    return this.whenDurable(this.lastSeq);
  }

  /** Flushes, fsyncs whatever the policy (a clean shutdown loses nothing), and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.sync();
    } finally {
      this.closed = true;
      if (this.fd >= 0) {
        try {
          fsyncSync(this.fd);
        } finally {
          closeSync(this.fd);
          this.fd = -1;
        }
      }
      this.release();
    }
  }
}
