/**
 * The K matching threads of `lockfree`, each with its own pair of rings: requests go round-robin,
 * every request gets exactly one result back from the thread it went to. A thread that dies
 * fails every pending request and every later one (the engine reports it; nothing hangs).
 */
import { Worker } from 'node:worker_threads';
import {
  createRing,
  OrderedRingWriter,
  RingConsumer,
  RingProducer,
  makeWaitStrategy,
  type WaitStrategyConfig,
} from '../shm/index.js';
import { workerPath } from '../worker-path.js';

export interface LanesOptions {
  threads: number;
  book: SharedArrayBuffer;
  delaySpins: number;
  wait: WaitStrategyConfig;
  onFailure: (err: Error) => void;
}

interface Lane {
  worker: Worker;
  writer: OrderedRingWriter;
  reader: RingConsumer;
  commands: SharedArrayBuffer;
  pending: Map<number, { resolve: (r: Int32Array) => void; reject: (e: Error) => void }>;
}

export class MatchingLanes {
  private readonly lanes: Lane[] = [];
  private readonly reading: Promise<void>[] = [];
  private next = 0;
  private nextReq = 1;
  private failure: Error | null = null;

  constructor(private readonly opts: LanesOptions) {
    for (let i = 0; i < opts.threads; i++) {
      const commands = createRing({ slots: 4096, slotBytes: 32 });
      const results = createRing({ slots: 8192, slotBytes: 32 });
      const worker = new Worker(workerPath(import.meta.url, './worker.ts'), {
        workerData: {
          book: opts.book,
          commands,
          results,
          delaySpins: opts.delaySpins,
          seed: 0x2545f491 + i * 0x9e3779b9,
          wait: opts.wait,
        },
      });
      worker.on('error', (err) => this.fail(err));
      const wait = makeWaitStrategy({ name: opts.wait.name });
      const lane: Lane = {
        worker,
        writer: new OrderedRingWriter(new RingProducer(commands, wait)),
        reader: new RingConsumer(results, wait),
        commands,
        pending: new Map(),
      };
      this.lanes.push(lane);
      this.reading.push(this.read(lane));
    }
  }

  /** Sends [slot, side, level, qty, mode] to the next thread; resolves with its result words. */
  place(words: number[]): Promise<Int32Array> {
    const lane = this.lanes[this.next];
    this.next = (this.next + 1) % this.lanes.length;
    const req = this.nextReq++;
    const msg = Int32Array.of(req, ...words);
    return new Promise<Int32Array>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      lane.pending.set(req, { resolve, reject });
      void lane.writer.write(new Uint8Array(msg.buffer));
    });
  }

  async close(): Promise<void> {
    for (const lane of this.lanes) {
      await lane.writer.flushed();
      await new RingProducer(lane.commands).closeAsync();
    }
    await Promise.race([
      Promise.all(this.reading),
      new Promise((r) => setTimeout(r, 2000).unref()),
    ]);
    await Promise.all(this.lanes.map((l) => l.worker.terminate()));
  }

  private async read(lane: Lane): Promise<void> {
    while (!lane.reader.closed && !this.failure) {
      const got = lane.reader.poll((msg) => {
        // Copied out: the ring slot is reused as soon as this callback returns.
        const result = new Int32Array(msg.byteLength >> 2);
        result.set(new Int32Array(msg.buffer, msg.byteOffset, msg.byteLength >> 2));
        const waiter = lane.pending.get(result[0]);
        lane.pending.delete(result[0]);
        waiter?.resolve(result);
      });
      if (got === 0 && !lane.reader.closed) await lane.reader.waitAsync();
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const lane of this.lanes) {
      for (const waiter of lane.pending.values()) waiter.reject(err);
      lane.pending.clear();
    }
    this.opts.onFailure(err);
  }
}
