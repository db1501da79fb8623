/**
 * Child process for the memory measurement (run with --expose-gc): builds the deep-book starting
 * book (1M resting orders) in one engine and prints {"engine","orders","bytes","bytesPerOrder"}.
 * Bytes = heapUsed + external (typed arrays live outside the JS heap), after full GCs.
 * The client order id strings are made after the baseline, so engines that keep them pay for them.
 */
import {
  BookOnlyEngine,
  CrossbookEngine,
  CrossbookHandleEngine,
  NodejsOrderBookEngine,
} from './engines/index.js';
import { FastBook } from '../src/core/index.js';
import type { BenchEngine } from './engines/index.js';
import { bookFactories } from './books.js';
import { runUntimed } from './harness.js';
import { deepBook } from './workloads/deep-book.js';

const gc = (globalThis as { gc?: () => void }).gc;

function used(): number {
  for (let i = 0; i < 4; i++) gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

async function main(): Promise<void> {
  if (!gc) throw new Error('memory-probe needs node --expose-gc');
  const name = process.argv[2];
  const orders = Number(process.argv[3] ?? 1_000_000);
  const w = deepBook({ resting: orders, ops: 0 });
  const books = await bookFactories();
  let engine: BenchEngine;
  if (name === 'nodejs-order-book') engine = new NodejsOrderBookEngine();
  else if (name === 'fastbook-only') engine = new BookOnlyEngine();
  else if (name === 'crossbook') {
    engine = new CrossbookHandleEngine(name, (cap) => () => new FastBook({ orderCapacity: cap }));
  } else if (name === 'crossbook-execute') engine = new CrossbookEngine(name, books.fast);
  else if (name === 'crossbook-reference' && books.reference) {
    engine = new CrossbookEngine(name, books.reference);
  } else throw new Error(`memory-probe: unknown engine ${name}`);
  const ids = w.ids;
  w.ids = new Array<string>(ids.length).fill('');
  const before = used();
  engine.reset(w);
  if (name !== 'fastbook-only') for (let n = 0; n < ids.length; n++) w.ids[n] = 'o' + n;
  runUntimed(engine, w, 0, w.setup);
  const after = used();
  const bytes = after - before;
  process.stdout.write(
    JSON.stringify({ engine: name, orders, bytes, bytesPerOrder: Math.round(bytes / orders) }) +
      '\n',
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
