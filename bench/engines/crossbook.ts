/**
 * crossbook through its public engine API: `new Exchange({ book })` and `ex.execute(cmd)`, with
 * one plain command object per op, built in the timed loop exactly as a gateway would.
 */
import { hrtime } from 'node:process';
import type { Command, EngineEvent, OrderBookFactory } from '../../src/core/index.js';
import { Exchange } from '../../src/core/index.js';
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

const ACCOUNTS = Array.from({ length: 16 }, (_, i) => 'acct' + i);

export class CrossbookEngine implements BenchEngine {
  private ex: Exchange;
  private readonly cmds: Command[] = [];
  /** Workload index of cmds[0]. */
  private base = 0;
  private trades = 0;
  private rejects = 0;
  /** Count events only when asked: the timed runs must not pay for it. */
  countEvents = false;

  constructor(
    readonly name: string,
    private readonly book: OrderBookFactory,
  ) {
    this.ex = new Exchange({ book });
  }

  reset(w: Workload): void {
    this.ex = new Exchange({ book: this.book });
    this.trades = 0;
    this.rejects = 0;
    for (const i of w.instruments) {
      this.tally(this.ex.execute({ type: 'instrument', instrument: { ...i } }));
    }
  }

  get exchange(): Exchange {
    return this.ex;
  }

  prepare(w: Workload, from: number, to: number): void {
    this.base = from;
    const cmds = this.cmds;
    cmds.length = 0;
    for (let i = from; i < to; i++) cmds.push(command(w, i));
  }

  run(_w: Workload, from: number, to: number, sampler: Sampler | null): void {
    const cmds = this.cmds;
    const ex = this.ex;
    // One call site for execute, so the timed and untimed paths share one inlining decision.
    for (let i = from, k = from - this.base; i < to; i++, k++) {
      const timed = sampler !== null && (i & SAMPLE_MASK) === 0;
      const t0 = timed ? hrtime.bigint() : 0n;
      const ev = ex.execute(cmds[k]);
      if (timed) {
        const dt = Number(hrtime.bigint() - t0) - sampler.overheadNs;
        sampler.hist.recordValue(dt > 1 ? dt : 1);
      }
      if (this.countEvents) this.tally(ev);
    }
  }

  stats(): { trades: number; rejects: number } {
    return { trades: this.trades, rejects: this.rejects };
  }

  private tally(events: EngineEvent[]): void {
    for (const e of events) {
      if (e.type === 'trade') this.trades++;
      else if (e.type === 'rejected') this.rejects++;
    }
  }
}

/** The command for op i of a workload. */
export function command(w: Workload, i: number): Command {
  const n = w.ref[i];
  const symbol = w.instruments[w.inst[i]].symbol;
  const orderId = w.ids[n];
  const account = ACCOUNTS[n & 15];
  switch (w.kind[i]) {
    case OP_LIMIT:
    case OP_IOC:
      return {
        type: 'place',
        symbol,
        orderId,
        account,
        side: w.side[i] === 0 ? 'buy' : 'sell',
        kind: 'limit',
        price: w.price[i],
        qty: w.qty[i],
        tif: w.kind[i] === OP_LIMIT ? 'GTC' : 'IOC',
      };
    case OP_MARKET:
      return {
        type: 'place',
        symbol,
        orderId,
        account,
        side: w.side[i] === 0 ? 'buy' : 'sell',
        kind: 'market',
        qty: w.qty[i],
        tif: 'IOC',
      };
    case OP_CANCEL:
      return { type: 'cancel', symbol, orderId, account };
    case OP_MOVE:
      return { type: 'replace', symbol, orderId, account, price: w.price[i] };
    case OP_REDUCE:
      return { type: 'replace', symbol, orderId, account, qty: w.qty[i] };
    default:
      throw new Error(`unknown op kind ${w.kind[i]} at ${i}`);
  }
}
