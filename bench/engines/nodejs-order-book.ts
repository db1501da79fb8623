/**
 * The peer: the npm package `nodejs-order-book`, driven through its public API on the same ops.
 * Its `modify` is cancel + re-add (a reduce loses priority there); its market order takes no id.
 */
import { createRequire } from 'node:module';
import { hrtime } from 'node:process';
import type * as Nob from 'nodejs-order-book/dist/types/index.js';
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

// The package ships CommonJS with a broken "types" path, so load it by require and type it here.
const nob = createRequire(import.meta.url)('nodejs-order-book') as typeof Nob;
type OrderBook = Nob.OrderBook;
type TimeInForce = NonNullable<Nob.LimitOrderOptions['timeInForce']>;
const GTC = 'GTC' as TimeInForce;
const IOC = 'IOC' as TimeInForce;

export class NodejsOrderBookEngine implements BenchEngine {
  readonly name = 'nodejs-order-book';
  private books: OrderBook[] = [];
  /** Workload index of args[0]. */
  private base = 0;
  /** Prepared option objects (null for a cancel). */
  private readonly args: (
    | Nob.LimitOrderOptions
    | Nob.MarketOrderOptions
    | Nob.OrderUpdatePrice
    | Nob.OrderUpdateSize
    | null
  )[] = [];
  private trades = 0;
  private rejects = 0;
  countEvents = false;

  reset(w: Workload): void {
    this.books = w.instruments.map(() => new nob.OrderBook());
    this.trades = 0;
    this.rejects = 0;
  }

  prepare(w: Workload, from: number, to: number): void {
    this.base = from;
    const args = this.args;
    args.length = 0;
    for (let i = from; i < to; i++) {
      const id = w.ids[w.ref[i]];
      const side = w.side[i] === 0 ? nob.Side.BUY : nob.Side.SELL;
      switch (w.kind[i]) {
        case OP_LIMIT:
        case OP_IOC:
          args.push({
            id,
            side,
            size: w.qty[i],
            price: w.price[i],
            timeInForce: w.kind[i] === OP_LIMIT ? GTC : IOC,
          });
          break;
        case OP_MARKET:
          args.push({ side, size: w.qty[i] });
          break;
        case OP_MOVE:
          args.push({ price: w.price[i] });
          break;
        case OP_REDUCE:
          args.push({ size: w.qty[i] });
          break;
        default:
          args.push(null);
      }
    }
  }

  run(w: Workload, from: number, to: number, sampler: Sampler | null): void {
    for (let i = from, k = from - this.base; i < to; i++, k++) {
      if (sampler !== null && (i & SAMPLE_MASK) === 0) {
        const t0 = hrtime.bigint();
        this.op(w, i, k);
        const dt = Number(hrtime.bigint() - t0) - sampler.overheadNs;
        sampler.hist.recordValue(dt > 1 ? dt : 1);
      } else {
        this.op(w, i, k);
      }
    }
  }

  stats(): { trades: number; rejects: number } {
    return { trades: this.trades, rejects: this.rejects };
  }

  private op(w: Workload, i: number, k: number): void {
    const ob = this.books[w.inst[i]];
    const a = this.args[k];
    let res: { err: unknown; done: unknown[] } | undefined;
    switch (w.kind[i]) {
      case OP_LIMIT:
      case OP_IOC:
        res = ob.limit(a as Nob.LimitOrderOptions);
        break;
      case OP_MARKET:
        res = ob.market(a as Nob.MarketOrderOptions);
        break;
      case OP_CANCEL:
        if (ob.cancel(w.ids[w.ref[i]]) === undefined && this.countEvents) this.rejects++;
        return;
      case OP_MOVE:
      case OP_REDUCE:
        res = ob.modify(w.ids[w.ref[i]], a as Nob.OrderUpdatePrice);
        break;
    }
    if (this.countEvents && res !== undefined) {
      if (res.err) this.rejects++;
      this.trades += res.done.length;
    }
  }
}
