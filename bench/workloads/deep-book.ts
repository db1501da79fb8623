/**
 * A deep, ITCH-like book: 1M resting orders (most near the top, a long tail of deep levels), then
 * ~50% adds, ~40% cancels of random resting orders and ~10% marketable IOCs.
 */
import { BUY, SELL, type Side } from '../../src/core/index.js';
import { Prng } from '../prng.js';
import { bestOr, WorkloadBuilder, type Workload } from '../workload.js';

export interface DeepOptions {
  seed?: number;
  resting?: number;
  ops?: number;
}

const MID = 1_000_000;

export function deepBook(opts: DeepOptions = {}): Workload {
  const rnd = new Prng(opts.seed ?? 2);
  const resting = opts.resting ?? 1_000_000;
  const ops = opts.ops ?? 1_000_000;
  const b = new WorkloadBuilder(
    'deep-book',
    [{ symbol: 'DEEP', tickSize: '0.01', lotSize: '1' }],
    resting + ops,
  );
  // Exponential depth profile: ~half the orders within ~350 ticks of the top, tail to ~5000.
  const offset = () => Math.min(5000, Math.floor(-Math.log(1 - rnd.next()) * 500));
  const qty = () => rnd.int(1, 500);
  for (let i = 0; i < resting; i++) {
    const side: Side = i & 1 ? SELL : BUY;
    b.limit(side, side === BUY ? MID - 1 - offset() : MID + 1 + offset(), qty());
  }
  b.endSetup();
  const sim = b.sim;
  for (let i = 0; i < ops; i++) {
    const r = rnd.next();
    const side: Side = rnd.next() < 0.5 ? BUY : SELL;
    const bid = bestOr(sim, BUY, MID - 1);
    const ask = bestOr(sim, SELL, MID + 1);
    if (r < 0.5 || sim.liveCount === 0) {
      b.limit(side, side === BUY ? ask - 1 - offset() : bid + 1 + offset(), qty());
    } else if (r < 0.9) {
      b.cancel(sim.liveAt(rnd.int(0, sim.liveCount - 1)));
    } else {
      b.ioc(side, side === BUY ? ask + rnd.int(0, 2) : bid - rnd.int(0, 2), rnd.int(1, 1500));
    }
  }
  return b.build(`${resting} resting orders, then 50% adds / 40% cancels / 10% marketable IOC`);
}
