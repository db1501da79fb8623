/**
 * exchange-core's benchmark mix: ~1000 resting orders over ~750 levels around a mid, then 9% GTC
 * placements, 3% IOC, 6% cancels and 82% moves (replace with a new price). About 6% of ops trade:
 * IOCs always cross, a share of GTCs cross, and moves toward the spread sometimes do.
 */
import { BUY, SELL, type Side } from '../../src/core/index.js';
import { Prng } from '../prng.js';
import { bestOr, WorkloadBuilder, type Workload } from '../workload.js';

export interface MixOptions {
  seed?: number;
  /** Timed ops after the starting book. */
  ops?: number;
}

const MID = 100_000;
const HALF_LEVELS = 375;

export function exchangeCoreMix(opts: MixOptions = {}): Workload {
  const rnd = new Prng(opts.seed ?? 1);
  const ops = opts.ops ?? 300_000;
  const b = new WorkloadBuilder(
    'exchange-core-mix',
    [{ symbol: 'XCM', tickSize: '0.01', lotSize: '1' }],
    ops + 2000,
  );
  const qty = () => rnd.int(1, 100);
  for (let i = 0; i < HALF_LEVELS; i++) {
    b.limit(BUY, MID - 1 - i, qty());
    b.limit(SELL, MID + 1 + i, qty());
  }
  for (let i = 0; i < 250; i++) {
    const side: Side = rnd.next() < 0.5 ? BUY : SELL;
    const off = rnd.int(0, HALF_LEVELS - 1);
    b.limit(side, side === BUY ? MID - 1 - off : MID + 1 + off, qty());
  }
  b.endSetup();
  const sim = b.sim;
  for (let i = 0; i < ops; i++) {
    const bid = bestOr(sim, BUY, MID - 1);
    const ask = bestOr(sim, SELL, MID + 1);
    const center = Math.round((bid + ask) / 2);
    const live = sim.liveCount;
    let r = rnd.next();
    if (r >= 0.12 && r < 0.18 && live < 700) r = 0; // keep the book from draining
    if (r < 0.09 && live > 1300) r = 0.15; // or from growing without bound
    if (r < 0.09 || live === 0) {
      const side: Side = rnd.next() < 0.5 ? BUY : SELL;
      if (rnd.next() < 0.33) {
        b.limit(side, side === BUY ? ask + rnd.int(0, 2) : bid - rnd.int(0, 2), qty());
      } else {
        const off = Math.floor(rnd.next() * rnd.next() * HALF_LEVELS);
        b.limit(side, side === BUY ? center - 1 - off : center + 1 + off, qty());
      }
    } else if (r < 0.12) {
      const side: Side = rnd.next() < 0.5 ? BUY : SELL;
      b.ioc(side, side === BUY ? ask + rnd.int(0, 3) : bid - rnd.int(0, 3), qty());
    } else if (r < 0.18) {
      b.cancel(sim.liveAt(rnd.int(0, live - 1)));
    } else {
      const n = sim.liveAt(rnd.int(0, live - 1));
      const price = sim.book.priceOf(n);
      const delta = rnd.int(1, 10) * (rnd.next() < 0.5 ? -1 : 1);
      b.move(n, Math.max(1, price + delta));
    }
  }
  return b.build('9% GTC, 3% IOC, 6% cancel, 82% move; starting book 1000 orders / 750 levels');
}
