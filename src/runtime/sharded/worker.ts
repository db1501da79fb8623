/**
 * One shard: a single-threaded Exchange owning its symbols. Requests arrive as JSON on the command
 * ring ({cmd} or {hash: true}); replies go back on the event ring in request order (which is how
 * the main thread matches them), as one JSON array per batch of up to 256 requests. An engine throw (a broken
 * invariant) is returned as {error}, not fatal.
 */
import { workerData } from 'node:worker_threads';
import { Exchange, type Command } from '../../core/index.js';
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
}

interface Request {
  cmd?: Command;
  hash?: boolean;
}

const data = workerData as ShardWorkerData;
const wait = makeWaitStrategy(data.wait);
const input = new RingConsumer(data.commands, wait);
const output = new RingProducer(data.events, wait);
const codec = new JsonCodec();
const exchange = new Exchange();

/** Replies of one poll, sent as one message: one ring write and at most one wake per batch. */
let batch: unknown[] = [];

const handle = (msg: Uint8Array): void => {
  const req = codec.decode<Request>(msg);
  try {
    if (req.hash) batch.push({ hash: exchange.stateHash() });
    else batch.push({ events: exchange.execute(req.cmd!) });
  } catch (err) {
    batch.push({ error: err instanceof Error ? err.message : String(err) });
  }
};

while (!input.closed) {
  if (input.poll(handle, 256) > 0) {
    output.write(codec.encode(batch));
    batch = [];
  } else if (!input.closed) input.waitSync();
}
output.close();
