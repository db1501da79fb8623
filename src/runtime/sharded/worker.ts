/**
 * One shard: a single-threaded Exchange owning its symbols. Requests arrive as JSON on the command
 * ring ({cmd} or {hash: true}); replies go back on the event ring in request order (which is how
 * the main thread matches them), as one JSON array per batch of up to 256 requests. An engine throw (a broken
 * invariant) is returned as {error}, not fatal.
 *
 * Durable shard (workerData.durable set): the shard recovers its own journal directory with
 * openDurableExchange before it reads a single request (commands sent meanwhile wait in the ring),
 * posts {recovered} once to the main thread, executes through the DurableExchange, and writes a
 * batch of replies only once the batch's last state-changing command is durable (journal
 * durability is monotone, so that covers the whole batch; batches are written in order). The loop
 * is asynchronous then, because the journal's writes and fsyncs complete on this thread's event
 * loop. On the close marker it writes a snapshot (DurableExchange.close) before closing the
 * event ring, so the main thread waits for it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Exchange, type Command, type EngineEvent } from '../../core/index.js';
import {
  openDurableExchange,
  type DurableExchange,
  type DurableSink,
  type FsyncPolicy,
  type JournaledEntry,
} from '../../journal/index.js';
import {
  JsonCodec,
  makeWaitStrategy,
  RingConsumer,
  RingProducer,
  type WaitStrategyConfig,
} from '../shm/index.js';

interface ShardWorkerData {
  commands: SharedArrayBuffer;
  events: SharedArrayBuffer;
  wait: WaitStrategyConfig;
  /** Set when the shard is durable: its own journal directory. */
  durable?: {
    dir: string;
    shard: number;
    fsync?: FsyncPolicy;
    snapshotEvery?: number;
    /** The main thread holds a sink (the store): forward durable entries to it. */
    sink?: boolean;
  };
}

interface SinkReply {
  sinkReply?: { id: number; ok: boolean; value?: number; error?: string };
}

/**
 * The store lives on the main thread (or behind it): this sink forwards the calls there with
 * postMessage, one per sink write (a journal batch), never per order, and off the matching path.
 */
function remoteSink(): { sink: DurableSink; stop: () => void } {
  const pending = new Map<number, { resolve: (v: number) => void; reject: (e: Error) => void }>();
  let next = 0;
  const onMessage = (msg: SinkReply): void => {
    const r = msg.sinkReply;
    const p = r === undefined ? undefined : pending.get(r.id);
    if (r === undefined || p === undefined) return;
    pending.delete(r.id);
    if (r.ok) p.resolve(r.value ?? 0);
    else p.reject(new Error(r.error ?? 'store call failed'));
  };
  parentPort!.on('message', onMessage);
  const call = (method: string, arg: unknown): Promise<number> =>
    new Promise((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve, reject });
      parentPort!.postMessage({ sinkCall: { id, method, arg } });
    });
  return {
    sink: {
      lastJournalSeq: (shard: number) => call('lastJournalSeq', shard),
      writeEntries: async (entries: readonly JournaledEntry[]) => {
        await call('writeEntries', entries);
      },
      markGap: async (shard: number, seq: number) => {
        await call('markGap', { shard, seq });
      },
    },
    // Without a listener the port no longer keeps this thread alive.
    stop: () => parentPort!.off('message', onMessage),
  };
}

interface Request {
  cmd?: Command;
  hash?: boolean;
  /** Hash of one symbol's state (Exchange.symbolHash). */
  symbolHash?: string;
}

type Reply = { events: EngineEvent[] } | { hash: string | undefined } | { error: string };

const data = workerData as ShardWorkerData;
const wait = makeWaitStrategy(data.wait);
const input = new RingConsumer(data.commands, wait);
const output = new RingProducer(data.events, wait);
const codec = new JsonCodec();

/** Replies of one poll, sent as one message: one ring write and at most one wake per batch. */
let batch: Reply[] = [];

const failure = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function runInMemory(): void {
  const exchange = new Exchange();
  const handle = (msg: Uint8Array): void => {
    const req = codec.decode<Request>(msg);
    try {
      if (req.hash) batch.push({ hash: exchange.stateHash() });
      else if (req.symbolHash !== undefined)
        batch.push({ hash: exchange.symbolHash(req.symbolHash) });
      else batch.push({ events: exchange.execute(req.cmd!) });
    } catch (err) {
      batch.push({ error: failure(err) });
    }
  };
  while (!input.closed) {
    if (input.poll(handle, 256) > 0) {
      output.write(codec.encode(batch));
      batch = [];
    } else if (!input.closed) input.waitSync();
  }
  output.close();
}

async function runDurable(opts: NonNullable<ShardWorkerData['durable']>): Promise<void> {
  let dx: DurableExchange;
  const remote = opts.sink === true ? remoteSink() : null;
  try {
    dx = await openDurableExchange({
      dir: opts.dir,
      fsync: opts.fsync,
      shard: opts.shard,
      snapshotEvery: opts.snapshotEvery,
      sink: remote?.sink,
    });
  } catch (err) {
    remote?.stop();
    parentPort?.postMessage({ fatal: `cannot recover ${opts.dir}: ${failure(err)}` });
    return;
  }
  const r = dx.recovered;
  parentPort?.postMessage({
    recovered: {
      shard: opts.shard,
      records: r.records,
      lastSeq: r.lastSeq,
      snapshotSeq: r.snapshotSeq,
      stateHash: r.stateHash,
      truncatedBytes: r.truncatedBytes,
      instruments: dx.exchange.instruments(),
    },
  });

  /** Durability of the newest state-changing command of the current batch. */
  let durable: Promise<void> | null = null;
  const handle = (msg: Uint8Array): void => {
    const req = codec.decode<Request>(msg);
    try {
      if (req.hash) {
        batch.push({ hash: dx.exchange.stateHash() });
        return;
      }
      if (req.symbolHash !== undefined) {
        batch.push({ hash: dx.exchange.symbolHash(req.symbolHash) });
        return;
      }
      const res = dx.execute(req.cmd!);
      batch.push({ events: res.events });
      durable = res.durable;
    } catch (err) {
      batch.push({ error: failure(err) });
    }
  };
  let out: Promise<void> = Promise.resolve();
  let stopped = false;
  // A pending Atomics.waitAsync does not keep a thread alive: this does, until the close marker.
  const alive = setInterval(() => undefined, 1 << 30);
  for (;;) {
    if (input.poll(handle, 256) > 0) {
      const replies = batch;
      const ready = durable;
      batch = [];
      durable = null;
      // In order behind earlier batches; a failed append turns the batch's answers into errors
      // (the journal rejects every later append too, so nothing after it is ever released).
      out = out.then(async () => {
        let body = replies;
        if (ready !== null) {
          try {
            await ready;
          } catch (err) {
            const why = `journal append failed: ${failure(err)}`;
            body = replies.map((x) => ('events' in x ? { error: why } : x));
            // Fail-stop: the main thread stops the whole engine (nothing later is released).
            if (!stopped) {
              stopped = true;
              parentPort?.postMessage({ unavailable: why });
            }
          }
        }
        await output.writeAsync(codec.encode(body));
      });
      // Lets the journal start its group commit (it flushes from setImmediate).
      await new Promise((r) => setImmediate(r));
    } else if (input.closed) break;
    else await input.waitAsync();
  }
  clearInterval(alive);
  await out;
  try {
    await dx.close();
  } catch (err) {
    parentPort?.postMessage({ closeError: failure(err) });
  }
  remote?.stop();
  await output.closeAsync();
}

if (data.durable) void runDurable(data.durable);
else runInMemory();
