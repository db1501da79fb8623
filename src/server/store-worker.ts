/**
 * The store's writer thread: journaled entries are written here, so SQLite's synchronous inserts
 * never stall the event loop that matches orders and serves clients.
 *
 * Progress is contiguous: requests run one at a time in arrival order (journal order), and a
 * write that fails (the database busy or unreachable) is retried with a capped backoff, while
 * every later write waits behind it; the thread reports `degraded` to the main thread meanwhile
 * and `ok` once it commits. A later batch can therefore never commit past a failed one (and the
 * store itself refuses an entry past its progress + 1). Only a close gives up retrying: what was
 * not written is caught up from the journal on the next start.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../store/index.js';

export type StoreWorkerRequest =
  | { id: number; op: 'lastJournalSeq'; shard: number }
  | { id: number; op: 'markGap'; shard: number; seq: number }
  | { id: number; op: 'writeEntries'; json: string }
  | { id: number; op: 'flush' }
  | { id: number; op: 'close' };

export type StoreWorkerReply =
  | { id: number; ok: true; value?: unknown }
  | { id: number; ok: false; error: string }
  | { id?: undefined; status: StoreWriterStatus };

export interface StoreWriterStatus {
  state: 'ok' | 'degraded';
  reason?: string;
  /** Failed attempts of the write being retried. */
  attempts?: number;
}

export interface StoreWorkerData {
  url: string;
  dataDir: string;
  /** SQLite busy timeout of the writer's connection (default 5000 ms). */
  busyTimeoutMs?: number;
  /** Retry backoff: first delay and cap, ms (defaults 50 and 2000). */
  retryMs?: number;
  retryMaxMs?: number;
}

/** Most entries merged into one store transaction. */
const MAX_MERGED = 10_000;

/**
 * The store is a mirror that is never on the acknowledgement path (the journal is the record), so
 * under CPU contention this thread yields to the matching thread: on Linux a thread has its own
 * nice value, set through its thread id. Elsewhere, or when not allowed, nothing changes. The
 * writer still gets every idle cycle, and its backlog is bounded by the WorkerSink.
 */
function lowerPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isSafeInteger(tid) && tid > 0) setPriority(tid, 10);
  } catch {
    // Not Linux, or not permitted: the writer runs at the process's priority.
  }
}

/** A gap can never heal by retrying: the entries in between must come from the journal. */
const permanent = (err: Error): boolean => err.message.startsWith('store gap');

async function main(o: StoreWorkerData): Promise<void> {
  const port = parentPort!;
  lowerPriority();
  const store = await openStore({ url: o.url, dataDir: o.dataDir, busyTimeoutMs: o.busyTimeoutMs });
  const queue: StoreWorkerRequest[] = [];
  let running = false;
  let closing = false;
  /** Set by a write that can never succeed: every later write fails with it. */
  let broken: string | null = null;
  const reply = (r: StoreWorkerReply) => port.postMessage(r);
  let degraded = false;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** Writes one merged batch, retrying until it commits, the store is closing, or it cannot heal. */
  const writeWithRetry = async (entries: unknown[]): Promise<string | null> => {
    let delay = o.retryMs ?? 50;
    for (let attempt = 1; ; attempt++) {
      if (broken !== null) return broken;
      try {
        await store.writeEntries(entries as never);
        if (degraded) {
          degraded = false;
          reply({ status: { state: 'ok' } });
        }
        return null;
      } catch (err) {
        const message = (err as Error).message;
        degraded = true;
        reply({
          status: {
            state: 'degraded',
            reason: `store write failed: ${message}`,
            attempts: attempt,
          },
        });
        if (permanent(err as Error)) {
          broken = `store stopped: ${message}`;
          return broken;
        }
        if (closing) return `store write failed (not retried on close): ${message}`;
        await sleep(delay);
        delay = Math.min(delay * 2, o.retryMaxMs ?? 2000);
      }
    }
  };

  // One request at a time, in arrival order: entries must reach the store in journal order.
  // Writes that queued up meanwhile are merged into one transaction: far fewer commits.
  const drain = async () => {
    running = true;
    while (queue.length > 0) {
      const req = queue.shift()!;
      try {
        if (req.op === 'writeEntries') {
          const ids = [req.id];
          const entries = JSON.parse(req.json) as unknown[];
          while (queue[0]?.op === 'writeEntries' && entries.length < MAX_MERGED) {
            const next = queue.shift() as Extract<StoreWorkerRequest, { op: 'writeEntries' }>;
            ids.push(next.id);
            for (const e of JSON.parse(next.json) as unknown[]) entries.push(e);
          }
          const error = await writeWithRetry(entries);
          for (const id of ids) reply(error === null ? { id, ok: true } : { id, ok: false, error });
        } else if (req.op === 'flush') {
          // Requests run in arrival order: every write sent before this one is committed.
          reply({ id: req.id, ok: true });
        } else if (req.op === 'lastJournalSeq') {
          reply({ id: req.id, ok: true, value: await store.lastJournalSeq(req.shard) });
        } else if (req.op === 'markGap') {
          await store.markGap(req.shard, req.seq);
          reply({ id: req.id, ok: true });
        } else {
          await store.close();
          reply({ id: req.id, ok: true });
        }
      } catch (err) {
        reply({ id: req.id, ok: false, error: (err as Error).message });
      }
      // Let messages that arrived meanwhile join the queue before the next write.
      await new Promise((r) => setImmediate(r));
    }
    running = false;
  };
  port.on('message', (req: StoreWorkerRequest) => {
    if (req.op === 'close') closing = true;
    queue.push(req);
    if (!running) void drain();
  });
  reply({ id: 0, ok: true });
}

if (parentPort !== null && workerData !== undefined) {
  main(workerData as StoreWorkerData).catch((err: unknown) => {
    parentPort!.postMessage({ id: 0, ok: false, error: (err as Error).message });
  });
}
