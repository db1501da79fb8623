/**
 * Test helper run as a worker thread: copies every message from one ring to another until the
 * input ring is closed, then closes the output. Used by ring.test.ts for cross-thread transfer.
 */
import { workerData } from 'node:worker_threads';
import { RingConsumer, RingProducer } from './ring.js';
import { SpinThenPark } from './wait-strategy.js';

const { input, output } = workerData as { input: SharedArrayBuffer; output: SharedArrayBuffer };
const wait = new SpinThenPark({ spins: 200 });
const inRing = new RingConsumer(input, wait);
const outRing = new RingProducer(output, wait);
while (!inRing.closed) {
  if (inRing.poll((msg) => outRing.write(msg)) === 0 && !inRing.closed) inRing.waitSync();
}
outRing.close();
