import { Worker } from 'node:worker_threads';
import type { DurableSink, JournaledEntry } from '../journal/index.js';
import { workerPath } from '../runtime/index.js';
import type { StoreWorkerReply, StoreWorkerRequest } from './store-worker.js';

type Request = StoreWorkerRequest extends infer R
  ? R extends unknown
    ? Omit<R, 'id'>
    : never
  : never;

/**
 * A DurableSink that hands entries to a store writer thread (store-worker.ts) over its own
 * connection to the same database. Entries keep their order; each call resolves once written.
 */
export class WorkerSink implements DurableSink {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();

  private constructor(private readonly worker: Worker) {
    worker.on('message', (r: StoreWorkerReply) => {
      const p = this.pending.get(r.id);
      if (p === undefined) return;
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r.value);
      else p.reject(new Error(r.error));
    });
    worker.on('error', (err) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  static async open(o: { url: string; dataDir: string }): Promise<WorkerSink> {
    const worker = new Worker(workerPath(import.meta.url, './store-worker.ts'), { workerData: o });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', (r: StoreWorkerReply) =>
        r.ok ? resolve() : reject(new Error(r.error)),
      );
      worker.once('error', reject);
    });
    return new WorkerSink(worker);
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

  /** Entries handed to the writer and not yet written: how far the store lags the journal. */
  lag = 0;
  private failure: Error | undefined;

  /**
   * Hands the entries over and resolves at once: the writer keeps their order, close() waits for
   * all of them, and a failed write is caught up from the journal on the next open. Waiting here
   * would keep every entry the store has not written yet alive on the matching thread's heap.
   */
  async writeEntries(entries: readonly JournaledEntry[]): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    const n = entries.length;
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
