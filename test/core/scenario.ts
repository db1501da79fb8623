/**
 * A small driver for conformance cases: one instrument, terse order helpers, and after every
 * command the independent invariant model and the engine's own validate(). Pure (no test runner):
 * failures are thrown Errors, so the same cases run under any runner.
 */
import {
  Exchange,
  type Command,
  type EngineEvent,
  type InstrumentConfig,
  type OrderBookFactory,
  type PlaceOrder,
  type ReplaceOrder,
} from '../../src/core/index.js';
import { InvariantChecker } from './invariants.js';

export const SYM = 'MSFT';

type OrderExtras = Partial<Omit<PlaceOrder, 'type' | 'symbol' | 'orderId' | 'side' | 'qty'>>;

export class Scenario {
  readonly ex: Exchange;
  readonly checker = new InvariantChecker();
  readonly events: EngineEvent[] = [];

  constructor(
    readonly book: OrderBookFactory,
    instrument: Partial<InstrumentConfig> = {},
  ) {
    this.ex = new Exchange({ book });
    const ev = this.run({
      type: 'instrument',
      instrument: { symbol: SYM, tickSize: '1', lotSize: '1', ...instrument },
    });
    expectEqual(ev[0]?.type, 'instrument', 'instrument defined');
  }

  run(cmd: Command): EngineEvent[] {
    const ev = this.ex.execute(cmd);
    this.checker.apply(ev);
    this.ex.validate();
    this.events.push(...ev);
    return ev;
  }

  buy(
    orderId: string,
    price: number | undefined,
    qty: number,
    extra: OrderExtras = {},
  ): EngineEvent[] {
    return this.place('buy', orderId, price, qty, extra);
  }

  sell(
    orderId: string,
    price: number | undefined,
    qty: number,
    extra: OrderExtras = {},
  ): EngineEvent[] {
    return this.place('sell', orderId, price, qty, extra);
  }

  place(
    side: 'buy' | 'sell',
    orderId: string,
    price: number | undefined,
    qty: number,
    extra: OrderExtras = {},
  ): EngineEvent[] {
    return this.run({
      type: 'place',
      symbol: SYM,
      orderId,
      account: 'A',
      side,
      kind: price === undefined ? 'market' : 'limit',
      price,
      qty,
      ...extra,
    });
  }

  cancel(orderId: string, account = 'A'): EngineEvent[] {
    return this.run({ type: 'cancel', symbol: SYM, orderId, account });
  }

  replace(
    orderId: string,
    change: Partial<Pick<ReplaceOrder, 'price' | 'qty' | 'stopPrice'>>,
    account = 'A',
  ): EngineEvent[] {
    return this.run({ type: 'replace', symbol: SYM, orderId, account, ...change });
  }

  phase(phase: InstrumentConfig['phase'] & string, ts?: number): EngineEvent[] {
    return this.run({ type: 'phase', symbol: SYM, phase, ts });
  }

  clock(ts: number): EngineEvent[] {
    return this.run({ type: 'clock', ts });
  }

  /** The book as [price, [[orderId, visibleQty], ...]] levels, best first. */
  book2(): { bids: [number, [string, number][]][]; asks: [number, [string, number][]][] } {
    const ev = this.ex.execute({ type: 'snapshot', symbol: SYM });
    const b = ev[0];
    if (b?.type !== 'book') throw new Error('snapshot gave no book');
    const levels = (ls: typeof b.bids) =>
      ls.map(
        (l) => [l.price, l.orders.map((o) => [o.orderId, o.qty])] as [number, [string, number][]],
      );
    return { bids: levels(b.bids), asks: levels(b.asks) };
  }
}

/** Trades of a batch as [maker, taker, price, qty]. */
export function trades(events: readonly EngineEvent[]): [string, string, number, number][] {
  const out: [string, string, number, number][] = [];
  for (const e of events)
    if (e.type === 'trade') out.push([e.makerOrderId, e.takerOrderId, e.price, e.qty]);
  return out;
}

/** Event types of a batch, in order. */
export function types(events: readonly EngineEvent[]): string[] {
  return events.map((e) => e.type);
}

export function only<T extends EngineEvent['type']>(
  events: readonly EngineEvent[],
  type: T,
): Extract<EngineEvent, { type: T }>[] {
  return events.filter((e) => e.type === type) as Extract<EngineEvent, { type: T }>[];
}

export function expectEqual(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const b = JSON.stringify(expected);
  if (a !== b) throw new Error(`${what}: expected ${b}, got ${a}`);
}

export function expectTrue(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}
