/**
 * A workload is a pre-generated op stream in struct-of-arrays form, built from a seed before any
 * timing. Ops [0, setup) build the starting book and are not timed; ops [setup, length) are.
 * Every placement gets a fresh order number (ids are never reused); cancels, moves and reduces
 * name the order number they act on, and only ever target an order that is still resting.
 */
import { BUY, type Side } from '../src/core/index.js';
import { SimMatcher } from './sim-matcher.js';

export const OP_LIMIT = 0; // GTC limit
export const OP_IOC = 1; // IOC limit
export const OP_CANCEL = 2;
export const OP_MOVE = 3; // replace with a new price (loses priority, may trade)
export const OP_MARKET = 4;
export const OP_REDUCE = 5; // replace with a smaller qty (keeps priority)

export interface InstrumentSpec {
  symbol: string;
  tickSize: string;
  lotSize: string;
}

export interface Workload {
  name: string;
  instruments: InstrumentSpec[];
  /** Number of leading ops that only build the starting book. */
  setup: number;
  length: number;
  inst: Uint8Array;
  kind: Uint8Array;
  side: Uint8Array;
  price: Float64Array;
  qty: Float64Array;
  /** Order number the op places or acts on (index into `ids`). */
  ref: Int32Array;
  /** Order number -> client order id; built before timing so the run allocates no ids. */
  ids: string[];
  /** Timed ops that traded, per the generator's model. */
  tradingOps: number;
  /** Free-form notes for the report (composition, levels walked, ...). */
  notes: string;
}

/** Records ops, runs them through one SimMatcher per instrument, and packs the result. */
export class WorkloadBuilder {
  readonly sims: SimMatcher[];
  private len = 0;
  private cap: number;
  private inst: Uint8Array;
  private kind: Uint8Array;
  private side: Uint8Array;
  private price: Float64Array;
  private qty: Float64Array;
  private ref: Int32Array;
  private orders = 0;
  private setupEnd = -1;
  private trading = 0;

  constructor(
    readonly name: string,
    readonly instruments: InstrumentSpec[],
    expectedOps = 1 << 16,
  ) {
    this.cap = Math.max(1024, expectedOps);
    this.inst = new Uint8Array(this.cap);
    this.kind = new Uint8Array(this.cap);
    this.side = new Uint8Array(this.cap);
    this.price = new Float64Array(this.cap);
    this.qty = new Float64Array(this.cap);
    this.ref = new Int32Array(this.cap);
    this.sims = instruments.map(() => new SimMatcher(Math.max(1024, expectedOps)));
  }

  get sim(): SimMatcher {
    return this.sims[0];
  }

  get opCount(): number {
    return this.len;
  }

  /** Marks the end of the untimed setup phase. */
  endSetup(): void {
    this.setupEnd = this.len;
  }

  limit(side: Side, price: number, qty: number, inst = 0): number {
    const n = this.orders++;
    this.push(inst, OP_LIMIT, side, price, qty, n);
    this.count(this.sims[inst].limit(n, side, price, qty, true));
    return n;
  }

  ioc(side: Side, price: number, qty: number, inst = 0): number {
    const n = this.orders++;
    this.push(inst, OP_IOC, side, price, qty, n);
    this.count(this.sims[inst].limit(n, side, price, qty, false));
    return n;
  }

  market(side: Side, qty: number, inst = 0): number {
    const n = this.orders++;
    this.push(inst, OP_MARKET, side, NaN, qty, n);
    this.count(this.sims[inst].market(side, qty));
    return n;
  }

  cancel(n: number, inst = 0): void {
    const sim = this.sims[inst];
    this.push(inst, OP_CANCEL, sim.book.sideOf(n), sim.book.priceOf(n), 0, n);
    sim.cancel(n);
  }

  move(n: number, price: number, inst = 0): void {
    const sim = this.sims[inst];
    this.push(inst, OP_MOVE, sim.book.sideOf(n), price, sim.book.qtyOf(n), n);
    this.count(sim.move(n, price));
  }

  reduce(n: number, qty: number, inst = 0): void {
    const sim = this.sims[inst];
    this.push(inst, OP_REDUCE, sim.book.sideOf(n), sim.book.priceOf(n), qty, n);
    sim.reduce(n, qty);
  }

  build(notes = ''): Workload {
    const setup = this.setupEnd < 0 ? 0 : this.setupEnd;
    const ids = new Array<string>(this.orders);
    for (let n = 0; n < this.orders; n++) ids[n] = 'o' + n;
    return {
      name: this.name,
      instruments: this.instruments,
      setup,
      length: this.len,
      inst: this.inst.slice(0, this.len),
      kind: this.kind.slice(0, this.len),
      side: this.side.slice(0, this.len),
      price: this.price.slice(0, this.len),
      qty: this.qty.slice(0, this.len),
      ref: this.ref.slice(0, this.len),
      ids,
      tradingOps: this.trading,
      notes,
    };
  }

  private count(filled: number): void {
    if (filled > 0 && this.setupEnd >= 0) this.trading++;
  }

  private push(inst: number, kind: number, side: Side, price: number, qty: number, ref: number) {
    if (this.len === this.cap) this.grow();
    const i = this.len++;
    this.inst[i] = inst;
    this.kind[i] = kind;
    this.side[i] = side;
    this.price[i] = price;
    this.qty[i] = qty;
    this.ref[i] = ref;
  }

  private grow(): void {
    this.cap *= 2;
    const g8 = (a: Uint8Array) => {
      const b = new Uint8Array(this.cap);
      b.set(a);
      return b;
    };
    this.inst = g8(this.inst);
    this.kind = g8(this.kind);
    this.side = g8(this.side);
    const p = new Float64Array(this.cap);
    p.set(this.price);
    this.price = p;
    const q = new Float64Array(this.cap);
    q.set(this.qty);
    this.qty = q;
    const r = new Int32Array(this.cap);
    r.set(this.ref);
    this.ref = r;
  }
}

/** Best price of a side, or `fallback` when empty. */
export function bestOr(sim: SimMatcher, side: Side, fallback: number): number {
  const p = sim.book.bestPrice(side);
  return Number.isNaN(p) ? fallback : p;
}

export const isBuy = (side: Side): boolean => side === BUY;
