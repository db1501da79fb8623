/**
 * One lock-free matching thread. Reads place requests from its own command ring, matches them on
 * the shared book (concurrently with its sibling threads), writes one result per request.
 *
 * Request (Int32): [reqId, slot, side, level, qty, mode]. Result (Int32): [reqId, outcome, leaves,
 * fillCount, then per fill: makerSlot, level, qty, makerLeaves].
 */
import { workerData } from 'node:worker_threads';
import {
  makeWaitStrategy,
  RingConsumer,
  RingProducer,
  type WaitStrategyConfig,
} from '../shm/index.js';
import { LockfreeMatcher } from './matcher.js';
import { viewSharedBook } from './shared-book.js';

interface LockfreeWorkerData {
  book: SharedArrayBuffer;
  commands: SharedArrayBuffer;
  results: SharedArrayBuffer;
  delaySpins: number;
  seed: number;
  wait: WaitStrategyConfig;
}

const data = workerData as LockfreeWorkerData;
const wait = makeWaitStrategy(data.wait);
const input = new RingConsumer(data.commands, wait);
const output = new RingProducer(data.results, wait);
const matcher = new LockfreeMatcher(viewSharedBook(data.book), {
  delaySpins: data.delaySpins,
  seed: data.seed,
});
let out = new Int32Array(64);

const handle = (msg: Uint8Array): void => {
  const req = new Int32Array(msg.buffer, msg.byteOffset, msg.byteLength >> 2);
  const outcome = matcher.place(req[1], req[2], req[3], req[4], req[5]);
  const n = matcher.fillCount * 4;
  if (out.length < 4 + n) out = new Int32Array(2 * (4 + n));
  out[0] = req[0];
  out[1] = outcome;
  out[2] = matcher.leaves;
  out[3] = matcher.fillCount;
  out.set(matcher.fills.subarray(0, n), 4);
  output.write(new Uint8Array(out.buffer, 0, (4 + n) * 4));
};

while (!input.closed) {
  if (input.poll(handle) === 0 && !input.closed) input.waitSync();
}
output.close();
