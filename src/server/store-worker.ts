/**
 * The store's writer thread: journaled entries are written here, so SQLite's synchronous inserts
 * never stall the event loop that matches orders and serves clients.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../store/index.js';

export type StoreWorkerRequest =
  | { id: number; op: 'lastJournalSeq'; shard: number }
  | { id: number; op: 'writeEntries'; json: string }
  | { id: number; op: 'flush' }
  | { id: number; op: 'close' };

export type StoreWorkerReply =
  { id: number; ok: true; value?: unknown } | { id: number; ok: false; error: string };

/** Most entries merged into one store transaction. */
const MAX_MERGED = 10_000;

/**
 * The store is a mirror that is never on the acknowledgement path (the journal is the record), so
 * under CPU contention this thread yields to the matching thread: on Linux a thread has its own
 * nice value, set through its thread id. Elsewhere, or when not allowed, nothing changes. The
 * writer still gets every idle cycle, and its backlog is bounded by the DurableExchange.
 */
function lowerPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isSafeInteger(tid) && tid > 0) setPriority(tid, 10);
  } catch {
    // Not Linux, or not permitted: the writer runs at the process's priority.
  }
}

async function main(o: { url: string; dataDir: string }): Promise<void> {
  const port = parentPort!;
  lowerPriority();
  const store = await openStore(o);
  const queue: StoreWorkerRequest[] = [];
  let running = false;
  const reply = (r: StoreWorkerReply) => port.postMessage(r);

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
          try {
            await store.writeEntries(entries as never);
            for (const id of ids) reply({ id, ok: true });
          } catch (err) {
            for (const id of ids) reply({ id, ok: false, error: (err as Error).message });
          }
        } else if (req.op === 'flush') {
          // Requests run in arrival order: every write sent before this one is committed.
          reply({ id: req.id, ok: true });
        } else if (req.op === 'lastJournalSeq') {
          reply({ id: req.id, ok: true, value: await store.lastJournalSeq(req.shard) });
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
    queue.push(req);
    if (!running) void drain();
  });
  reply({ id: 0, ok: true });
}

if (parentPort !== null && workerData !== undefined) {
  main(workerData as { url: string; dataDir: string }).catch((err: unknown) => {
    parentPort!.postMessage({ id: 0, ok: false, error: (err as Error).message });
  });
}
