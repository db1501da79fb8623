/**
 * Sweeps: market orders that walk 10 to 50 levels, alternating sides. After each sweep the
 * consumed levels are refilled with fresh limit orders, so the book stays the same shape; the
 * timed stream is therefore one market order followed by its refills.
 */
import { BUY, NONE, SELL, type Side } from '../../src/core/index.js';
import { Prng } from '../prng.js';
import { WorkloadBuilder, type Workload } from '../workload.js';

export interface SweepOptions {
  seed?: number;
  sweeps?: number;
}

const MID = 500_000;
const LEVELS = 2000;
const PER_LEVEL = 2;

export function sweep(opts: SweepOptions = {}): Workload {
  const rnd = new Prng(opts.seed ?? 3);
  const sweeps = opts.sweeps ?? 10_000;
  const b = new WorkloadBuilder(
    'sweep',
    [{ symbol: 'SWP', tickSize: '0.01', lotSize: '1' }],
    sweeps * 70,
  );
  for (let l = 0; l < LEVELS; l++) {
    for (let k = 0; k < PER_LEVEL; k++) {
      b.limit(BUY, MID - 1 - l, rnd.int(1, 100));
      b.limit(SELL, MID + 1 + l, rnd.int(1, 100));
    }
  }
  b.endSetup();
  const sim = b.sim;
  let levelsWalked = 0;
  for (let s = 0; s < sweeps; s++) {
    const side: Side = s & 1 ? SELL : BUY;
    const opp: Side = side === BUY ? SELL : BUY;
    const walk = rnd.int(10, 50);
    // Size the order to end inside level `walk`, so it touches exactly `walk` levels.
    let qty = 0;
    let levels = 0;
    let last = NaN;
    const prices: number[] = [];
    for (let oid = sim.book.best(opp); oid !== NONE; oid = sim.book.next(oid)) {
      const p = sim.book.priceOf(oid);
      if (p !== last) {
        if (++levels > walk) break;
        prices.push(p);
        last = p;
      }
      qty += sim.book.qtyOf(oid);
    }
    b.market(side, qty - 1);
    levelsWalked += sim.lastLevels;
    for (const p of prices) {
      const gap = PER_LEVEL - countAt(sim.book, opp, p);
      for (let k = 0; k < gap; k++) b.limit(opp, p, rnd.int(1, 100));
    }
  }
  return b.build(
    `${sweeps} market orders walking 10-50 levels (mean ${(levelsWalked / sweeps).toFixed(1)}), each followed by its refills`,
  );
}

function countAt(book: WorkloadBuilder['sim']['book'], side: Side, price: number): number {
  let n = 0;
  for (let oid = book.best(side); oid !== NONE; oid = book.next(oid)) {
    const p = book.priceOf(oid);
    if (p === price) n++;
    else if (side === BUY ? p < price : p > price) break;
  }
  return n;
}
