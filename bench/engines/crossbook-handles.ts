/**
 * crossbook through its handle API, as an edge that resolved everything once would drive it:
 * the symbol becomes an instrument index when the instruments are defined, every order's handle
 * comes back from `placeAt` and is kept in a numeric table indexed by the workload's order number
 * (the edge's client-id resolution), and cancels and replaces name that handle. Outcomes stay in
 * the engine's reusable typed event buffer; no event object is built unless counted. The
 * command objects are made untimed, as for `crossbook-execute`.
 */
import { hrtime } from 'node:process';
import type {
  CancelOrder,
  OrderBookFactory,
  PlaceOrder,
  ReplaceOrder,
} from '../../src/core/index.js';
import { EV_OBJECT, EV_TRADE, Exchange } from '../../src/core/index.js';
import { OP_CANCEL, OP_MOVE, OP_REDUCE, type Workload } from '../workload.js';
import { command } from './crossbook.js';
import { SAMPLE_MASK, type BenchEngine, type Sampler } from './engine.js';

export class CrossbookHandleEngine implements BenchEngine {
  private ex: Exchange;
  private cmds: (PlaceOrder | CancelOrder | ReplaceOrder)[] = [];
  private base = 0;
  /** Workload order number -> engine handle (the edge's id table). */
  private handles = new Int32Array(0);
  /** Workload instrument number -> engine instrument index. */
  private inst = new Int32Array(0);
  private trades = 0;
  private rejects = 0;
  countEvents = false;

  constructor(
    readonly name: string,
    private readonly book: (orderCapacity: number) => OrderBookFactory,
  ) {
    this.ex = new Exchange();
  }

  reset(w: Workload): void {
    // Pre-sized for the orders the workload can have live at once (bounded by all it places).
    const cap = presize(w.ids.length);
    this.ex = new Exchange({ book: this.book(cap), orderCapacity: cap });
    this.trades = 0;
    this.rejects = 0;
    this.handles = new Int32Array(w.ids.length).fill(-1);
    this.inst = new Int32Array(w.instruments.length);
    w.instruments.forEach((i, k) => {
      this.ex.execute({ type: 'instrument', instrument: { ...i } });
      this.inst[k] = this.ex.instrumentIndex(i.symbol);
    });
  }

  get exchange(): Exchange {
    return this.ex;
  }

  prepare(w: Workload, from: number, to: number): void {
    this.base = from;
    const cmds = this.cmds;
    cmds.length = 0;
    for (let i = from; i < to; i++) cmds.push(command(w, i) as PlaceOrder);
  }

  run(w: Workload, from: number, to: number, sampler: Sampler | null): void {
    const cmds = this.cmds;
    const ex = this.ex;
    const handles = this.handles;
    const kinds = w.kind;
    const refs = w.ref;
    const insts = w.inst;
    for (let i = from, k = from - this.base; i < to; i++, k++) {
      const timed = sampler !== null && (i & SAMPLE_MASK) === 0;
      const t0 = timed ? hrtime.bigint() : 0n;
      const op = kinds[i];
      const inst = this.inst[insts[i]];
      if (op === OP_CANCEL) ex.cancelAt(inst, handles[refs[i]], cmds[k] as CancelOrder);
      else if (op === OP_MOVE || op === OP_REDUCE) {
        ex.replaceAt(inst, handles[refs[i]], cmds[k] as ReplaceOrder);
      } else handles[refs[i]] = ex.placeAt(inst, cmds[k] as PlaceOrder);
      if (timed) {
        const dt = Number(hrtime.bigint() - t0) - sampler.overheadNs;
        sampler.hist.recordValue(dt > 1 ? dt : 1);
      }
      if (this.countEvents) this.tally();
    }
  }

  stats(): { trades: number; rejects: number } {
    return { trades: this.trades, rejects: this.rejects };
  }

  private tally(): void {
    const ev = this.ex.events;
    for (let j = 0; j < ev.length; j++) {
      if (ev.kind[j] === EV_TRADE) this.trades++;
      else if (ev.kind[j] === EV_OBJECT && ev.event(j).type === 'rejected') this.rejects++;
    }
  }
}

/** Order slots to start with: the next power of two of what the workload places, at most 2^21. */
export function presize(orders: number): number {
  let cap = 1024;
  while (cap < orders && cap < 1 << 21) cap *= 2;
  return cap;
}
