/**
 * The handle API (Exchange.placeAt / cancelAt / replaceAt) and the typed event buffer: the same
 * stream through execute(cmd) and through handles gives the same events, byte for byte, and a
 * stale or foreign handle is answered exactly like an unknown id.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CancelOrder, Command, PlaceOrder, ReplaceOrder } from './commands.js';
import { EV_OBJECT, EV_TRADE, T_QTY, NUM_STRIDE } from './event-buffer.js';
import { Exchange } from './exchange.js';

const SYMBOLS = ['AAA', 'BBB'];

function setup(): Exchange {
  const ex = new Exchange();
  for (const symbol of SYMBOLS) {
    ex.execute({ type: 'instrument', instrument: { symbol, tickSize: '1', lotSize: '1' } });
  }
  return ex;
}

const op = fc.record({
  kind: fc.constantFrom(
    'limit',
    'ioc',
    'market',
    'stop',
    'iceberg',
    'day',
    'cancel',
    'move',
    'reduce',
  ),
  inst: fc.integer({ min: 0, max: 1 }),
  buy: fc.boolean(),
  price: fc.integer({ min: 95, max: 105 }),
  qty: fc.integer({ min: 1, max: 50 }),
  target: fc.nat(),
  account: fc.integer({ min: 0, max: 2 }),
  dt: fc.integer({ min: 0, max: 100 }),
});

describe('handle API', () => {
  it('gives the same events as execute(cmd), byte for byte, on random streams', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 300 }), (ops) => {
        const a = setup();
        const b = setup();
        const placed: { cmd: PlaceOrder; inst: number; handle: number }[] = [];
        let ts = 0;
        ops.forEach((o, i) => {
          ts += o.dt;
          const symbol = SYMBOLS[o.inst];
          const account = `acct${o.account}`;
          let cmd: Command;
          let viaHandles: () => void;
          if (o.kind === 'cancel' || o.kind === 'move' || o.kind === 'reduce') {
            if (placed.length === 0) return;
            const p = placed[o.target % placed.length];
            const base = { symbol: p.cmd.symbol, orderId: p.cmd.orderId, account, ts };
            if (o.kind === 'cancel') {
              const c: CancelOrder = { type: 'cancel', ...base };
              cmd = c;
              viaHandles = () => b.cancelAt(p.inst, p.handle, c);
            } else {
              const r: ReplaceOrder = { type: 'replace', ...base };
              if (o.kind === 'move') r.price = o.price;
              else r.qty = o.qty;
              cmd = r;
              viaHandles = () => b.replaceAt(p.inst, p.handle, r);
            }
          } else {
            const pl: PlaceOrder = {
              type: 'place',
              symbol,
              orderId: `o${i}`,
              account,
              side: o.buy ? 'buy' : 'sell',
              kind: o.kind === 'market' ? 'market' : o.kind === 'stop' ? 'stop' : 'limit',
              qty: o.qty,
              ts,
            };
            if (o.kind !== 'market' && o.kind !== 'stop') pl.price = o.price;
            if (o.kind === 'stop') pl.stopPrice = o.price;
            if (o.kind === 'ioc') pl.tif = 'IOC';
            if (o.kind === 'day') pl.tif = 'DAY';
            if (o.kind === 'iceberg') pl.displayQty = Math.max(1, o.qty >> 2);
            cmd = pl;
            viaHandles = () => {
              const handle = b.placeAt(o.inst, pl);
              if (handle >= 0) placed.push({ cmd: pl, inst: o.inst, handle });
            };
          }
          const expected = a.execute(cmd);
          viaHandles();
          const got = b.events.toArray();
          expect(got.map((e) => JSON.stringify(e))).toEqual(expected.map((e) => JSON.stringify(e)));
          expect(got).toStrictEqual(expected);
          // The columns say the same as the objects.
          for (let k = 0; k < b.events.length; k++) {
            if (b.events.kind[k] === EV_TRADE) {
              expect(b.events.num[k * NUM_STRIDE + T_QTY]).toBe(
                (expected[k] as { qty: number }).qty,
              );
            }
          }
        });
        for (const s of SYMBOLS) expect(b.symbolHash(s)).toBe(a.symbolHash(s));
        a.validate();
        b.validate();
      }),
      { numRuns: 60 },
    );
  });

  it('a stale, reused or foreign handle is unknown_order and changes nothing', () => {
    const ex = setup();
    const a: PlaceOrder = {
      type: 'place',
      symbol: 'AAA',
      orderId: 'A',
      account: 'x',
      side: 'buy',
      kind: 'limit',
      price: 100,
      qty: 5,
    };
    const h = ex.placeAt(0, a);
    expect(ex.events.event(0)).toMatchObject({ type: 'accepted', orderId: 'A' });
    ex.cancelAt(0, h, { type: 'cancel', symbol: 'AAA', orderId: 'A', account: 'x' });
    expect(ex.events.event(0)).toMatchObject({ type: 'cancelled', orderId: 'A' });
    // The slot is reused by the next order.
    const h2 = ex.placeAt(0, { ...a, orderId: 'B' });
    expect(h2).toBe(h);
    const before = ex.symbolHash('AAA');
    const stale = { type: 'cancel', symbol: 'AAA', orderId: 'A', account: 'x' } as const;
    ex.cancelAt(0, h, stale);
    expect(ex.events.toArray()).toEqual([
      expect.objectContaining({ type: 'rejected', reason: 'unknown_order', orderId: 'A' }),
    ]);
    ex.replaceAt(0, h2, { type: 'replace', symbol: 'AAA', orderId: 'B', account: 'y', qty: 1 });
    expect(ex.events.event(0)).toMatchObject({ type: 'rejected', reason: 'unknown_order' });
    ex.cancelAt(0, 12345, { type: 'cancel', symbol: 'AAA', orderId: 'B', account: 'x' });
    expect(ex.events.event(0)).toMatchObject({ type: 'rejected', reason: 'unknown_order' });
    ex.cancelAt(7, h2, { type: 'cancel', symbol: 'AAA', orderId: 'B', account: 'x' });
    expect(ex.events.event(0)).toMatchObject({ type: 'rejected', reason: 'unknown_symbol' });
    expect(ex.events.kind[0]).toBe(EV_OBJECT);
    // The book and its orders did not move.
    expect(ex.symbolHash('AAA')).toBe(before);
    expect(ex.matcher('AAA')!.book.count(0)).toBe(1);
    ex.validate();
  });

  it('instrumentIndex resolves symbols once; unknown symbols are -1', () => {
    const ex = setup();
    expect(ex.instrumentIndex('AAA')).toBe(0);
    expect(ex.instrumentIndex('BBB')).toBe(1);
    expect(ex.instrumentIndex('ZZZ')).toBe(-1);
  });
});
