/**
 * Diagnostic ceiling, not a peer: the fast book driven directly by the generator's bare
 * price-time matcher (no command objects, no events, no validation, no order ids). The gap
 * between this and `crossbook` is the cost of the engine around the book.
 */
import { hrtime } from 'node:process';
import type { Side } from '../../src/core/index.js';
import { SimMatcher } from '../sim-matcher.js';
import {
  OP_CANCEL,
  OP_IOC,
  OP_LIMIT,
  OP_MARKET,
  OP_MOVE,
  OP_REDUCE,
  type Workload,
} from '../workload.js';
import { SAMPLE_MASK, type BenchEngine, type Sampler } from './engine.js';

export class BookOnlyEngine implements BenchEngine {
  readonly name = 'fastbook-only';
  private sims: SimMatcher[] = [];
  private trades = 0;

  reset(w: Workload): void {
    this.sims = w.instruments.map(() => new SimMatcher(w.ids.length));
    this.trades = 0;
  }

  prepare(): void {}

  run(w: Workload, from: number, to: number, sampler: Sampler | null): void {
    for (let i = from; i < to; i++) {
      if (sampler !== null && (i & SAMPLE_MASK) === 0) {
        const t0 = hrtime.bigint();
        this.op(w, i);
        const dt = Number(hrtime.bigint() - t0) - sampler.overheadNs;
        sampler.hist.recordValue(dt > 1 ? dt : 1);
      } else {
        this.op(w, i);
      }
    }
  }

  stats(): { trades: number; rejects: number } {
    return { trades: this.trades, rejects: 0 };
  }

  private op(w: Workload, i: number): void {
    const sim = this.sims[w.inst[i]];
    const n = w.ref[i];
    const side = w.side[i] as Side;
    switch (w.kind[i]) {
      case OP_LIMIT:
        sim.limit(n, side, w.price[i], w.qty[i], true);
        break;
      case OP_IOC:
        sim.limit(n, side, w.price[i], w.qty[i], false);
        break;
      case OP_MARKET:
        sim.market(side, w.qty[i]);
        break;
      case OP_CANCEL:
        sim.cancel(n);
        break;
      case OP_MOVE:
        sim.move(n, w.price[i]);
        break;
      case OP_REDUCE:
        sim.reduce(n, w.qty[i]);
        break;
    }
  }
}
