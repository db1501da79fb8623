import { describe, expect, it } from 'vitest';
import { parseStep } from '../../core/index.js';
import { RiskChecker, TokenBucket, type RiskOrder } from './index.js';

const tick = parseStep('0.01');
const lot = parseStep('1');

function checker(open = 0, now = { t: 0 }) {
  return new RiskChecker({
    openOrders: () => open,
    band: () => ({ reference: 42000, bandPct: '10' }),
    now: () => now.t,
  });
}

const order = (o: Partial<RiskOrder> = {}): RiskOrder => ({
  account: 'a',
  symbol: 'MSFT',
  side: 'buy',
  kind: 'limit',
  price: 42000,
  qty: 10,
  tick,
  lot,
  ...o,
});

describe('RiskChecker', () => {
  it('passes an ordinary order', () => {
    expect(checker().admit(order())).toBeNull();
  });

  it('refuses quantity, notional, open orders and band breaches with their reasons', () => {
    const r = checker(5);
    r.setLimits('a', { maxOrderQty: '100', maxNotional: '42000', maxOpenOrders: 5 });
    expect(r.admit(order({ qty: 101 }))?.reason).toBe('risk_max_qty');
    // 100 x 420.01 = 42001 > 42000.
    expect(r.admit(order({ qty: 100, price: 42001 }))?.reason).toBe('risk_max_notional');
    expect(r.admit(order({ price: 46201 }))?.reason).toBe('outside_price_band');
    expect(r.admit(order({ price: 37799 }))?.reason).toBe('outside_price_band');
    expect(r.admit(order({ price: 46200, qty: 1 }))?.reason).toBe('risk_max_open_orders');
    // A market order is valued at the band edge: 100 x 462.00 > 42000.
    expect(r.admit(order({ kind: 'market', price: undefined, qty: 100 }))?.reason).toBe(
      'risk_max_notional',
    );
  });

  it('applies the kill switch and keeps its state', () => {
    const r = checker();
    r.setEnabled('a', false);
    expect(r.admit(order())?.reason).toBe('account_disabled');
    const copy = checker();
    copy.load(r.state());
    expect(copy.isEnabled('a')).toBe(false);
    copy.setEnabled('a', true);
    expect(copy.admit(order())).toBeNull();
  });

  it('limits the order rate with a token bucket', () => {
    const now = { t: 0 };
    const r = checker(0, now);
    r.setLimits('a', { ordersPerSecond: 10, burst: 2 });
    expect(r.admit(order())).toBeNull();
    expect(r.admit(order())).toBeNull();
    expect(r.admit(order())?.reason).toBe('risk_rate_limit');
    now.t += 100;
    expect(r.admit(order())).toBeNull();
  });

  it('reserves open orders at admission and releases them on the outcome', () => {
    const r = checker(0);
    r.setLimits('a', { maxOpenOrders: 3 });
    expect([r.admit(order()), r.admit(order()), r.admit(order())]).toEqual([null, null, null]);
    expect(r.pending('a')).toBe(3);
    // Nothing has reached the engine yet, and still a fourth order is refused.
    expect(r.admit(order())?.reason).toBe('risk_max_open_orders');
    r.release('a');
    expect(r.admit(order())).toBeNull();
  });

  it('takes a rate token for replaces and cancels too', () => {
    const r = checker(0, { t: 0 });
    r.setLimits('a', { ordersPerSecond: 1, burst: 2 });
    expect(r.admitCancel('a')).toBeNull();
    expect(r.admitReplace(order())).toBeNull();
    expect(r.admit(order())?.reason).toBe('risk_rate_limit');
    expect(r.admitCancel('a')?.reason).toBe('risk_rate_limit');
  });

  it('names the allowed range in a band rejection', () => {
    expect(checker().admit(order({ price: 46201 }))?.message).toContain('378.00 to 462.00');
  });

  it('refills a bucket at its rate up to its burst', () => {
    const b = new TokenBucket(1000, 3, 0);
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false]);
    expect(b.take(1)).toBe(true);
    expect(b.take(1)).toBe(false);
  });
});
