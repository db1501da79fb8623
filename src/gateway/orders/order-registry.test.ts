import { describe, expect, it } from 'vitest';
import { Exchange, type Command } from '../../core/index.js';
import { OrderRegistry, Ring } from './order-registry.js';

function venue() {
  const ex = new Exchange();
  ex.execute({ type: 'instrument', instrument: { symbol: 'X', tickSize: '1', lotSize: '1' } });
  const reg = new OrderRegistry(1000);
  let n = 0;
  const run = (cmd: Command) => reg.apply(ex.execute(cmd));
  const place = (account: string, side: 'buy' | 'sell', price: number, cid?: string) => {
    const orderId = `o${++n}`;
    reg.expect(orderId, cid);
    run({ type: 'place', symbol: 'X', orderId, account, side, kind: 'limit', price, qty: 1 });
    reg.forget(orderId);
    return orderId;
  };
  return { reg, run, place };
}

describe('Ring', () => {
  it('keeps the newest entries and returns the evicted one', () => {
    const r = new Ring<number>(3);
    expect([1, 2, 3].map((v) => r.push(v))).toEqual([undefined, undefined, undefined]);
    expect(r.push(4)).toBe(1);
    expect([...r.newest()]).toEqual([4, 3, 2]);
  });
});

describe('OrderRegistry', () => {
  it('stays bounded by its history while keeping every open order, at any length', () => {
    const { reg, place, run } = venue();
    // 30,000 orders from one account: 1 in 3 rests (open), the rest cross and finish. With the
    // old shifting history this took minutes of main-thread time; now each order is O(1).
    const open: string[] = [];
    for (let i = 0; i < 30_000; i++) {
      if (i % 3 === 0) open.push(place('a', 'buy', 10, `c${i}`));
      else place('a', i % 3 === 1 ? 'sell' : 'buy', 100);
    }
    expect(reg.openCount('a')).toBe(10_000);
    // History of 1000 plus the open orders that fell out of it; finished old ones are forgotten.
    expect(reg.size).toBeLessThanOrEqual(1000 + 10_000);
    expect(reg.get(open[0])?.status).toBe('open');
    expect(reg.byClientOrderId('a', 'c0')?.orderId).toBe(open[0]);
    expect(reg.list('a', { open: true, limit: 2 }).map((o) => o.orderId)).toEqual(
      open.slice(-2).reverse(),
    );
    expect(reg.list('a', { open: false, limit: 1000 })).toHaveLength(1000);
    expect(reg.fills('a', { limit: 5000 })).toHaveLength(1000);
    // An old open order that finishes comes back into the history, then ages out normally.
    run({ type: 'cancel', symbol: 'X', orderId: open[0], account: 'a' });
    expect(reg.list('a', { open: false, limit: 1 })[0].orderId).toBe(open[0]);
    for (let i = 0; i < 1000; i++) place('a', i % 2 ? 'sell' : 'buy', 100);
    expect(reg.get(open[0])).toBeUndefined();
    expect(reg.byClientOrderId('a', 'c0')).toBeUndefined();
  });
});
