/**
 * The store's writer thread: journaled entries are written here, so SQLite's synchronous inserts
 * never stall the event loop that matches orders and serves clients.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../store/index.js';

export type StoreWorkerRequest =
  | { id: number; op: 'lastJournalSeq'; shard: number }
  | { id: number; op: 'writeEntries'; json: string }
  | { id: number; op: 'close' };

export type StoreWorkerReply =
  { id: number; ok: true; value?: unknown } | { id: number; ok: false; error: string };

async function main(o: { url: string; dataDir: string }): Promise<void> {
  const port = parentPort!;
  const store = await openStore(o);
  // One request at a time, in arrival order: entries must reach the store in journal order.
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (req: StoreWorkerRequest) => {
    chain = chain.then(async () => {
      try {
        let value: unknown;
        if (req.op === 'lastJournalSeq') value = await store.lastJournalSeq(req.shard);
        else if (req.op === 'writeEntries') await store.writeEntries(JSON.parse(req.json) as never);
        else await store.close();
        port.postMessage({ id: req.id, ok: true, value } satisfies StoreWorkerReply);
      } catch (err) {
        port.postMessage({
          id: req.id,
          ok: false,
          error: (err as Error).message,
        } satisfies StoreWorkerReply);
      }
    });
  });
  port.postMessage({ id: 0, ok: true } satisfies StoreWorkerReply);
}

if (parentPort !== null && workerData !== undefined) {
  main(workerData as { url: string; dataDir: string }).catch((err: unknown) => {
    parentPort!.postMessage({ id: 0, ok: false, error: (err as Error).message });
  });
}
