import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../core/events.js';
import { MarketData, type L2Message, type PriceQty } from './index.js';

let seq = 0;
const ev = (e: Record<string, unknown>): EngineEvent =>
  ({ seq: ++seq, ts: 1_700_000_000_000_000_000, ...e }) as unknown as EngineEvent;
const acc = (orderId: string, side: string, price: number, qty: number, extra = {}) =>
  ev({
    type: 'accepted',
    symbol: 'MSFT',
    orderId,
    account: 'a',
    side,
    kind: 'limit',
    price,
    qty,
    tif: 'GTC',
    ...extra,
  });

function applyUpdates(
  snap: L2Message,
  updates: L2Message[],
): { bids: PriceQty[]; asks: PriceQty[] } {
  const bids = new Map(snap.bids);
  const asks = new Map(snap.asks);
  let last = snap.seq;
  for (const u of updates) {
    if (u.seq <= last) continue;
    expect(u.seq).toBe(last + 1);
    last = u.seq;
    for (const [p, q] of u.bids) {
      if (q === '0') bids.delete(p);
      else bids.set(p, q);
    }
    for (const [p, q] of u.asks) {
      if (q === '0') asks.delete(p);
      else asks.set(p, q);
    }
  }
  const sort = (m: Map<string, string>, desc: boolean) =>
    [...m.entries()].sort((x, y) =>
      desc ? Number(y[0]) - Number(x[0]) : Number(x[0]) - Number(y[0]),
    );
  return { bids: sort(bids, true), asks: sort(asks, false) };
}

describe('MarketData', () => {
  it('builds L2 from events and its updates replay onto a snapshot', () => {
    const md = new MarketData();
    md.addInstrument({ symbol: 'MSFT', tickSize: '0.01', lotSize: '1' });
    const updates: L2Message[] = [];
    md.subscribe((_s, msg) => {
      if (msg.type === 'l2') updates.push(msg);
    });
    md.apply([
      acc('b1', 'buy', 42000, 100),
      acc('b2', 'buy', 42000, 50),
      acc('s1', 'sell', 42010, 70),
    ]);
    const snap0 = md.l2Snapshot('MSFT')!;
    expect(snap0.bids).toEqual([['420.00', '150']]);
    expect(snap0.asks).toEqual([['420.10', '70']]);
    // A crossing buy: accepted, two fills, rests the remainder.
    md.apply([
      acc('b3', 'buy', 42020, 100),
      ev({
        type: 'trade',
        symbol: 'MSFT',
        tradeId: 1,
        price: 42010,
        qty: 70,
        makerOrderId: 's1',
        takerOrderId: 'b3',
        makerAccount: 'x',
        takerAccount: 'a',
        aggressor: 'buy',
        makerLeaves: 0,
        takerLeaves: 30,
      }),
    ]);
    md.apply([
      ev({
        type: 'cancelled',
        symbol: 'MSFT',
        orderId: 'b1',
        account: 'a',
        remainingQty: 100,
        reason: 'user',
      }),
    ]);
    md.apply([
      ev({
        type: 'replaced',
        symbol: 'MSFT',
        orderId: 'b2',
        account: 'a',
        price: 41990,
        qty: 40,
        priorityKept: false,
      }),
    ]);
    // IOC that takes nothing: no visible change at all.
    md.apply([
      acc('b4', 'buy', 41000, 5),
      ev({
        type: 'cancelled',
        symbol: 'MSFT',
        orderId: 'b4',
        account: 'a',
        remainingQty: 5,
        reason: 'ioc',
      }),
    ]);
    const snap = md.l2Snapshot('MSFT')!;
    expect(snap.bids).toEqual([
      ['420.20', '30'],
      ['419.90', '40'],
    ]);
    expect(snap.asks).toEqual([]);
    expect(snap.seq).toBe(4);
    expect(applyUpdates(snap0, updates)).toEqual({ bids: snap.bids, asks: snap.asks });
    expect(md.trades('MSFT')![0]).toMatchObject({ price: '420.10', qty: '70', tradeId: '1' });
    expect(md.l1('MSFT')!.bid).toEqual({ price: '420.20', qty: '30' });
    expect(md.l3Snapshot('MSFT')!.bids[1].orders).toEqual([{ orderId: 'b2', qty: '40' }]);
  });

  it('shows only the iceberg slice and refills it at the back', () => {
    const md = new MarketData();
    md.addInstrument({ symbol: 'MSFT', tickSize: '0.01', lotSize: '1' });
    md.apply([acc('i1', 'sell', 100, 100, { displayQty: 10 }), acc('s2', 'sell', 100, 5)]);
    expect(md.l2Snapshot('MSFT')!.asks).toEqual([['1.00', '15']]);
    md.apply([
      acc('t1', 'buy', 100, 10, { tif: 'IOC' }),
      ev({
        type: 'trade',
        symbol: 'MSFT',
        tradeId: 1,
        price: 100,
        qty: 10,
        makerOrderId: 'i1',
        takerOrderId: 't1',
        makerAccount: 'x',
        takerAccount: 'a',
        aggressor: 'buy',
        makerLeaves: 90,
        takerLeaves: 0,
      }),
    ]);
    const l3 = md.l3Snapshot('MSFT')!;
    expect(l3.asks[0].orders).toEqual([
      { orderId: 's2', qty: '5' },
      { orderId: 'i1', qty: '10' },
    ]);
  });
});

describe('formatStepsFast', () => {
  it('matches formatSteps', async () => {
    const { formatSteps, parseStep } = await import('../core/index.js');
    const { formatStepsFast } = await import('./index.js');
    for (const step of ['0.01', '1', '0.5', '0.001', '25', '0.0001']) {
      const d = parseStep(step);
      for (const n of [0, 1, 7, 42050, -3, 123456789, 2 ** 53 - 1]) {
        expect(formatStepsFast(n, d)).toBe(formatSteps(n, d));
      }
    }
  });
});

describe('MarketData built only for its readers', () => {
  /** Events of a real engine: 600 limit and market orders around 100.00, about half trade. */
  async function engineEvents(): Promise<EngineEvent[][]> {
    const { Exchange } = await import('../core/index.js');
    const ex = new Exchange();
    const out: EngineEvent[][] = [
      ex.execute({
        type: 'instrument',
        instrument: { symbol: 'MSFT', tickSize: '0.01', lotSize: '1' },
      }),
    ];
    let r = 7;
    const rnd = (n: number) => (r = (r * 48271) % 2147483647) % n;
    for (let i = 0; i < 600; i++) {
      out.push(
        ex.execute({
          type: 'place',
          symbol: 'MSFT',
          orderId: `o${i}`,
          account: `a${rnd(3)}`,
          side: rnd(2) === 0 ? 'buy' : 'sell',
          kind: rnd(10) === 0 ? 'market' : 'limit',
          price: 10_000 + rnd(21) - 10,
          qty: 1 + rnd(50),
          displayQty: rnd(8) === 0 ? 5 : undefined,
          ts: 1_000_000 * (i + 1),
        }),
      );
    }
    return out;
  }

  it('publishes nothing but status with no reader, and keeps the same books, seqs and tape', async () => {
    const batches = await engineEvents();
    const eager = new MarketData();
    const lazy = new MarketData();
    const eagerTypes = new Set<string>();
    const lazyTypes: string[] = [];
    eager.subscribe((_s, msg) => eagerTypes.add(msg.type));
    lazy.subscribe(
      (_s, msg) => lazyTypes.push(msg.type),
      () => false,
    );
    for (const b of batches) {
      eager.apply(b);
      lazy.apply(b);
      expect(lazy.l2Snapshot('MSFT')).toEqual(eager.l2Snapshot('MSFT'));
    }
    expect([...eagerTypes].sort()).toEqual(['l1', 'l2', 'trade']);
    expect(lazyTypes).toEqual([]);
    expect(lazy.l1('MSFT')).toEqual(eager.l1('MSFT'));
    expect(lazy.l3Snapshot('MSFT')).toEqual(eager.l3Snapshot('MSFT'));
    expect(lazy.trades('MSFT', 1000)).toEqual(eager.trades('MSFT', 1000));
    expect(lazy.trades('MSFT')!.length).toBeGreaterThan(50);
  });

  it('a reader that arrives later gets a snapshot its updates replay onto', async () => {
    const batches = await engineEvents();
    const md = new MarketData();
    let reading = false;
    const updates: L2Message[] = [];
    md.subscribe(
      (_s, msg) => {
        if (msg.type === 'l2') updates.push(msg);
      },
      (_s, channel) => reading && channel === 'l2',
    );
    let snap: L2Message | undefined;
    batches.forEach((b, i) => {
      if (i === 300) {
        reading = true;
        snap = md.l2Snapshot('MSFT');
      }
      md.apply(b);
    });
    expect(updates.length).toBeGreaterThan(100);
    expect(updates[0].seq).toBe(snap!.seq + 1);
    const last = md.l2Snapshot('MSFT')!;
    expect(applyUpdates(snap!, updates)).toEqual({ bids: last.bids, asks: last.asks });
  });
});
