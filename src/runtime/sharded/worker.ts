/**
 * One shard: a single-threaded Exchange owning its symbols. Requests arrive as JSON on the command
 * ring ({cmd} or {hash: true}); one JSON reply per request goes back on the event ring, in
 * request order (which is how the main thread matches them). An engine throw (a broken
 * invariant) is returned as {error}, not fatal.
 */
import { workerData } from 'node:worker_threads';
import { Exchange, type Command } from '../../core/index.js';
import { JsonCodec, RingConsumer, RingProducer, SpinThenPark } from '../shm/index.js';

interface ShardWorkerData {
  commands: SharedArrayBuffer;
  events: SharedArrayBuffer;
  spins: number;
}

interface Request {
  cmd?: Command;
  hash?: boolean;
}

const data = workerData as ShardWorkerData;
const wait = new SpinThenPark({ spins: data.spins });
const input = new RingConsumer(data.commands, wait);
const output = new RingProducer(data.events, wait);
const codec = new JsonCodec();
const exchange = new Exchange();

const handle = (msg: Uint8Array): void => {
  const req = codec.decode<Request>(msg);
  let reply: unknown;
  try {
    if (req.hash) reply = { hash: exchange.stateHash() };
    else reply = { events: exchange.execute(req.cmd!) };
  } catch (err) {
    reply = { error: err instanceof Error ? err.message : String(err) };
  }
  output.write(codec.encode(reply));
};

while (!input.closed) {
  if (input.poll(handle) === 0 && !input.closed) input.waitSync();
}
output.close();
