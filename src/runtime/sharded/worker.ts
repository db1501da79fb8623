/**
 * One shard: a single-threaded Exchange owning its symbols. Requests arrive as JSON on the command
 * ring ({id, cmd} or {id, hash: true}); one JSON reply per request goes back on the event ring,
 * in request order. An engine throw (a broken invariant) is returned as {id, error}, not fatal.
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
  id: number;
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
    if (req.hash) reply = { id: req.id, hash: exchange.stateHash() };
    else reply = { id: req.id, events: exchange.execute(req.cmd!) };
  } catch (err) {
    reply = { id: req.id, error: err instanceof Error ? err.message : String(err) };
  }
  output.write(codec.encode(reply));
};

while (!input.closed) {
  if (input.poll(handle) === 0 && !input.closed) input.waitSync();
}
output.close();
