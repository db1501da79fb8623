import { Worker } from 'node:worker_threads';
import type { DurableSink, JournaledEntry } from '../journal/index.js';
import { workerPath } from '../runtime/index.js';
import type {
  StoreWorkerData,
  StoreWorkerReply,
  StoreWorkerRequest,
  StoreWriterStatus,
} from './store-worker.js';

type Request = StoreWorkerRequest extends infer R
  ? R extends unknown
    ? Omit<R, 'id'>
    : never
  : never;

/** Entries the writer may fall behind by before this run stops feeding it (memory stays bounded). */
const DEFAULT_MAX_LAG = 500_000;

/**
 * A DurableSink that hands entries to a store writer thread (store-worker.ts) over its own
 * connection to the same database. Entries keep their order; the writer retries a failed write
 * until it commits, so the store's progress only advances over a contiguous committed range, and
 * status() says `degraded` meanwhile (/health shows it).
 */
export class WorkerSink implements DurableSink {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  private writer: StoreWriterStatus = { state: 'ok' };

  private constructor(
    private readonly worker: Worker,
    private readonly maxLag: number,
  ) {
    worker.on('message', (r: StoreWorkerReply) => {
      if (r.id === undefined) {
        this.writer = r.status;
        return;
      }
      const p = this.pending.get(r.id);
      if (p === undefined) return;
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r.value);
      else p.reject(new Error(r.error));
    });
    worker.on('error', (err) => {
      this.failure ??= err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  static async open(o: StoreWorkerData & { maxLag?: number }): Promise<WorkerSink> {
    const { maxLag, ...data } = o;
    const worker = new Worker(workerPath(import.meta.url, './store-worker.ts'), {
      workerData: data,
    });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', (r: StoreWorkerReply) =>
        r.id === 0 && r.ok
          ? resolve()
          : reject(new Error('error' in r ? r.error : 'store writer failed')),
      );
      worker.once('error', reject);
    });
    return new WorkerSink(worker, maxLag ?? DEFAULT_MAX_LAG);
  }

  private call(req: Request): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id });
    });
  }

  async lastJournalSeq(shard: number): Promise<number> {
    return (await this.call({ op: 'lastJournalSeq', shard })) as number;
  }

  async markGap(shard: number, seq: number): Promise<void> {
    await this.call({ op: 'markGap', shard, seq });
  }

  /** Entries handed to the writer and not yet written: how far the store lags the journal. */
  lag = 0;
  private failure: Error | undefined;

  /** `degraded` while the writer retries a failed write, or after this run stopped feeding it. */
  status(): { state: 'ok' | 'degraded'; reason?: string } {
    if (this.failure !== undefined)
      return { state: 'degraded', reason: `store detached until restart: ${this.failure.message}` };
    return this.writer.state === 'ok'
      ? { state: 'ok' }
      : { state: 'degraded', reason: this.writer.reason };
  }

  /**
   * Hands the entries over and resolves at once: the writer keeps their order and retries a
   * failed write, close() waits for all of them, and anything not written is caught up from the
   * journal on the next open. Waiting here would keep every entry the store has not written yet
   * alive on the matching thread's heap. Past `maxLag` entries behind, it throws (the journal's
   * DurableExchange then stops feeding this run: no gap, caught up on restart).
   */
  async writeEntries(entries: readonly JournaledEntry[]): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    const n = entries.length;
    if (this.lag + n > this.maxLag) {
      this.failure = new Error(`the store writer fell more than ${this.maxLag} entries behind`);
      throw this.failure;
    }
    this.lag += n;
    // One JSON string crosses the thread boundary far cheaper than a structured clone of objects.
    this.call({ op: 'writeEntries', json: JSON.stringify(entries) }).then(
      () => (this.lag -= n),
      (err: Error) => (this.failure ??= err),
    );
  }

  /** Resolves once every entry handed over so far is committed to the store. */
  async flush(): Promise<void> {
    await this.call({ op: 'flush' });
    if (this.failure !== undefined) throw this.failure;
  }

  /** Waits for every write so far, closes the writer's connection and stops the thread. */
  async close(): Promise<void> {
    await this.call({ op: 'close' });
    await this.worker.terminate();
  }
}
