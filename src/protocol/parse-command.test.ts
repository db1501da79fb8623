import { describe, expect, it } from 'vitest';
import type { InstrumentDefined } from '../core/index.js';
import { InstrumentRegistry, parseCommand } from './index.js';

function registryWith(symbol: string, tickSize: string, lotSize: string): InstrumentRegistry {
  const reg = new InstrumentRegistry();
  const event: InstrumentDefined = {
    type: 'instrument',
    seq: 1,
    ts: 0,
    symbol,
    tickSize,
    lotSize,
    stp: 'none',
    phase: 'continuous',
  };
  reg.observe(event);
  return reg;
}

const reg = registryWith('MSFT', '0.01', '1');
const place = (over: Record<string, unknown>) => ({
  type: 'place',
  symbol: 'MSFT',
  orderId: 'A-2',
  account: 'A',
  side: 'buy',
  kind: 'limit',
  price: '420.50',
  qty: '100',
  ...over,
});

describe('parseCommand', () => {
  it('converts decimal strings and JSON numbers exactly to ticks and lots', () => {
    expect(parseCommand(place({}), reg)).toEqual({
      ok: true,
      command: {
        type: 'place',
        symbol: 'MSFT',
        orderId: 'A-2',
        account: 'A',
        side: 'buy',
        kind: 'limit',
        price: 42050,
        qty: 100,
      },
    });
    const r = parseCommand(place({ price: 420.5, qty: 7, tif: 'IOC', ts: 12 }), reg);
    expect(r.ok && r.command).toMatchObject({ price: 42050, qty: 7, tif: 'IOC', ts: 12 });
    // 0.1 + 0.2 style float noise never appears: 0.29 is 29 ticks, not 28.999...
    const cheap = parseCommand(place({ price: '0.29' }), reg);
    expect(cheap.ok && cheap.command).toMatchObject({ price: 29 });
  });

  it('names the order and the tick in an off-tick rejection', () => {
    expect(parseCommand(place({ price: '420.505' }), reg)).toEqual({
      ok: false,
      reason: 'price_off_tick',
      message: 'Cannot place order A-2: price 420.505 is not a multiple of tick 0.01',
      orderId: 'A-2',
      symbol: 'MSFT',
      account: 'A',
    });
  });

  it('rejects values with specific reasons', () => {
    const reason = (over: Record<string, unknown>) => {
      const r = parseCommand(place(over), reg);
      return r.ok ? 'ok' : r.reason;
    };
    expect(reason({ qty: '10.5' })).toBe('qty_off_lot');
    expect(reason({ qty: '0' })).toBe('invalid_qty');
    expect(reason({ qty: '-5' })).toBe('invalid_qty');
    expect(reason({ price: '0' })).toBe('invalid_price');
    expect(reason({ price: '-1.00' })).toBe('invalid_price');
    expect(reason({ symbol: 'AAPL' })).toBe('unknown_symbol');
    expect(reason({ qty: '99999999999999999999' })).toBe('too_large');
    expect(reason({ price: '1000000', qty: '100000000000' })).toBe('too_large');
    expect(reason({ displayQty: '0' })).toBe('invalid_qty');
  });

  it('rejects structure problems as malformed before looking at the symbol', () => {
    const reason = (over: Record<string, unknown>) => {
      const r = parseCommand(place(over), reg);
      return r.ok ? 'ok' : `${r.reason}: ${r.message}`;
    };
    expect(reason({ price: undefined })).toBe(
      'malformed: Cannot place order A-2: a limit order needs a price',
    );
    expect(reason({ symbol: 'NOPE', price: 'abc' })).toBe(
      'malformed: Cannot place order A-2: price "abc" is not a decimal number',
    );
    expect(reason({ qty: true })).toBe(
      'malformed: Cannot place order A-2: field qty must be a decimal string, got a boolean',
    );
    expect(reason({ side: 'long' })).toBe(
      'malformed: Cannot place order A-2: side "long" is not one of buy, sell',
    );
    expect(reason({ tif: 'GTX' })).toMatch(/^malformed: .*tif "GTX"/);
    expect(reason({ price: '1e3' })).toMatch(/^malformed/);
    expect(reason({ price: 1e21 })).toMatch(/^malformed/);
    expect(reason({ tif: 'GTD' })).toBe(
      'malformed: Cannot place order A-2: a GTD order needs expireAt',
    );
    expect(reason({ kind: 'stop', price: undefined })).toMatch(/needs a stopPrice/);
    expect(reason({ account: undefined })).toBe(
      'malformed: Cannot place order A-2: missing required field account',
    );
    expect(parseCommand([1, 2], reg)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(parseCommand({ type: 'fly' }, reg)).toMatchObject({
      ok: false,
      reason: 'malformed',
      message: expect.stringMatching(/^Unknown command type "fly"/),
    });
  });

  it('ignores a price on a market order and infers a missing kind from the prices', () => {
    const r = parseCommand(place({ kind: 'market', price: '1.00' }), reg);
    expect(r.ok && r.command).not.toHaveProperty('price');
    const kindOf = (over: Record<string, unknown>) => {
      const p = parseCommand(place({ kind: undefined, ...over }), reg);
      return p.ok && p.command.type === 'place' ? p.command.kind : p;
    };
    expect(kindOf({})).toBe('limit');
    expect(kindOf({ price: undefined })).toBe('market');
    expect(kindOf({ price: undefined, stopPrice: '1.00' })).toBe('stop');
    expect(kindOf({ stopPrice: '1.00' })).toBe('stopLimit');
  });

  it('parses every other command type', () => {
    const ok = (obj: unknown) => {
      const r = parseCommand(obj, reg);
      if (!r.ok) throw new Error(r.message);
      return r.command;
    };
    expect(
      ok({
        type: 'instrument',
        symbol: 'ES',
        tickSize: '0.25',
        lotSize: '1',
        referencePrice: '5000.25',
        bandPct: '5',
        phase: 'preopen',
        haltPauseNs: 1000,
      }),
    ).toEqual({
      type: 'instrument',
      instrument: {
        symbol: 'ES',
        tickSize: '0.25',
        lotSize: '1',
        referencePrice: 20001,
        bandPct: '5',
        phase: 'preopen',
        haltPauseNs: 1000,
      },
    });
    expect(ok({ type: 'cancel', symbol: 'MSFT', orderId: 'A-1', account: 'A' })).toEqual({
      type: 'cancel',
      symbol: 'MSFT',
      orderId: 'A-1',
      account: 'A',
    });
    expect(
      ok({ type: 'replace', symbol: 'MSFT', orderId: 'A-1', account: 'A', qty: '80', ts: '5' }),
    ).toEqual({ type: 'replace', symbol: 'MSFT', orderId: 'A-1', account: 'A', qty: 80, ts: 5 });
    expect(ok({ type: 'massCancel', account: 'A' })).toEqual({ type: 'massCancel', account: 'A' });
    expect(ok({ type: 'phase', symbol: 'MSFT', phase: 'halted' })).toEqual({
      type: 'phase',
      symbol: 'MSFT',
      phase: 'halted',
    });
    expect(ok({ type: 'clock', ts: 1_000_000 })).toEqual({ type: 'clock', ts: 1_000_000 });
    expect(ok({ type: 'snapshot', symbol: 'MSFT' })).toEqual({ type: 'snapshot', symbol: 'MSFT' });
    expect(parseCommand({ type: 'clock' }, reg)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(parseCommand({ type: 'clock', ts: -1 }, reg)).toMatchObject({ reason: 'malformed' });
    expect(
      parseCommand({ type: 'instrument', symbol: 'X', tickSize: '0', lotSize: '1' }, reg),
    ).toMatchObject({ reason: 'malformed' });
    expect(
      parseCommand({ type: 'replace', symbol: 'MSFT', orderId: 'A', account: 'A', qty: '0' }, reg),
    ).toMatchObject({ reason: 'invalid_qty' });
  });
});

describe('parseCommand: exact arithmetic at the edge (docs/protocol.md#exact-arithmetic)', () => {
  const limited = new InstrumentRegistry();
  limited.observe({
    type: 'instrument',
    seq: 1,
    ts: 0,
    symbol: 'LIM',
    tickSize: '0.01',
    lotSize: '0.001',
    stp: 'none',
    phase: 'continuous',
    maxQty: 1_000_000,
    maxPrice: 50_000,
  });
  const lim = (over: Record<string, unknown>) =>
    parseCommand({ ...place({ symbol: 'LIM', price: '1.00', qty: '1' }), ...over }, limited);

  it('refuses a quantity or price above the instrument maximum, naming it in its units', () => {
    expect(lim({ qty: '1000' })).toMatchObject({ ok: true });
    expect(lim({ qty: '1000.001' })).toMatchObject({
      ok: false,
      reason: 'too_large',
      message:
        'Cannot place order A-2: quantity 1000.001 is above the maximum order quantity 1000.000',
    });
    expect(lim({ price: '500.01' })).toMatchObject({ ok: false, reason: 'too_large' });
    expect(lim({ kind: 'stop', stopPrice: '600' })).toMatchObject({
      ok: false,
      reason: 'too_large',
    });
    const replace = parseCommand(
      { type: 'replace', symbol: 'LIM', orderId: 'A-2', account: 'A', qty: '2000' },
      limited,
    );
    expect(replace).toMatchObject({ ok: false, reason: 'too_large' });
    // The defaults apply to an instrument that sets none: 2^26 lots.
    expect(parseCommand(place({ qty: String(2 ** 26) }), reg)).toMatchObject({ ok: true });
    expect(parseCommand(place({ qty: String(2 ** 26 + 1) }), reg)).toMatchObject({
      ok: false,
      reason: 'too_large',
    });
  });

  it('reads maxQty and maxPrice of an instrument in its units', () => {
    const r = parseCommand(
      {
        type: 'instrument',
        symbol: 'BIG',
        tickSize: '0.5',
        lotSize: '0.01',
        maxQty: '12.34',
        maxPrice: '1000',
      },
      new InstrumentRegistry(),
    );
    expect(r.ok && r.command).toMatchObject({ instrument: { maxQty: 1234, maxPrice: 2000 } });
  });

  it('keeps epoch nanoseconds exact on the 1024 ns grid and refuses 2^63 and more', () => {
    const ts = (v: unknown) => {
      const r = parseCommand(place({ ts: v }), reg);
      return r.ok ? r.command.ts : r.reason;
    };
    expect(ts('12')).toBe(12);
    expect(ts(String(2 ** 53 - 1))).toBe(2 ** 53 - 1);
    // 1700000000000001999 = 1024 x 1660156250000001 + 975: truncated, exactly.
    expect(BigInt(ts('1700000000000001999') as number)).toBe(1_700_000_000_000_001_024n);
    expect(BigInt(ts('9223372036854775807') as number)).toBe(2n ** 63n - 1024n);
    expect(ts('9223372036854775808')).toBe('too_large');
  });
});
