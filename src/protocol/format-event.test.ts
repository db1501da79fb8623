import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../core/index.js';
import { decodeLine, encodeLine, formatEvent, InstrumentRegistry } from './index.js';

const instrument = (symbol: string, tickSize: string, lotSize: string): EngineEvent => ({
  type: 'instrument',
  seq: 1,
  ts: 0,
  symbol,
  tickSize,
  lotSize,
  stp: 'none',
  phase: 'continuous',
});

describe('formatEvent', () => {
  const reg = new InstrumentRegistry();
  reg.observe(instrument('MSFT', '0.01', '1'));
  reg.observe(instrument('BTC', '1', '0.001'));

  it('prints canonical decimals in the instrument units and drops the engine seq', () => {
    const trade: EngineEvent = {
      type: 'trade',
      seq: 41,
      ts: 7,
      symbol: 'MSFT',
      tradeId: 3,
      price: 42050,
      qty: 500,
      makerOrderId: 'B-1',
      takerOrderId: 'A-1',
      makerAccount: 'B',
      takerAccount: 'A',
      aggressor: 'buy',
      makerLeaves: 0,
      takerLeaves: 500,
    };
    expect(formatEvent(trade, reg)).toEqual({
      type: 'trade',
      symbol: 'MSFT',
      tradeId: '3',
      price: '420.50',
      qty: '500',
      makerOrderId: 'B-1',
      takerOrderId: 'A-1',
      makerAccount: 'B',
      takerAccount: 'A',
      aggressor: 'buy',
      makerLeaves: '0',
      takerLeaves: '500',
    });
    expect(formatEvent(trade, reg, { ts: true })).toMatchObject({ ts: 7 });
  });

  it('formats book levels with tick 1 and fractional lots', () => {
    const book: EngineEvent = {
      type: 'book',
      seq: 2,
      ts: 0,
      symbol: 'BTC',
      bids: [{ price: 1250, orders: [{ orderId: 'X', qty: 1500 }] }],
      asks: [],
    };
    expect(formatEvent(book, reg)).toEqual({
      type: 'book',
      symbol: 'BTC',
      bids: [{ price: '1250', orders: [{ orderId: 'X', qty: '1.500' }] }],
      asks: [],
    });
  });

  it('formats an instrument with its own units and a null auction price as null', () => {
    const def: EngineEvent = {
      type: 'instrument',
      seq: 1,
      ts: 0,
      symbol: 'ES',
      tickSize: '0.25',
      lotSize: '1',
      referencePrice: 20001,
      stp: 'none',
      phase: 'continuous',
    };
    expect(formatEvent(def, new InstrumentRegistry())).toMatchObject({
      symbol: 'ES',
      referencePrice: '5000.25',
    });
    const ind: EngineEvent = {
      type: 'indicative',
      seq: 3,
      ts: 0,
      symbol: 'MSFT',
      price: null,
      volume: 0,
      imbalance: 0,
      imbalanceSide: null,
    };
    expect(formatEvent(ind, reg)).toEqual({
      type: 'indicative',
      symbol: 'MSFT',
      price: null,
      volume: '0',
      imbalance: '0',
      imbalanceSide: null,
    });
  });
});

describe('line codec', () => {
  const reg = new InstrumentRegistry();
  it('skips blank lines and names the line of malformed JSON', () => {
    expect(decodeLine('   ', 4, reg)).toEqual({ kind: 'blank' });
    const bad = decodeLine('{"type":', 5, reg);
    expect(bad.kind).toBe('rejected');
    if (bad.kind === 'rejected') {
      expect(bad.event).toMatchObject({ type: 'rejected', reason: 'malformed', line: 5 });
      expect(encodeLine(9, bad.event)).toMatch(
        /^\{"seq":9,"type":"rejected","reason":"malformed","line":5,/,
      );
    }
  });
  it('reports the order id and symbol of a refused command', () => {
    const r = decodeLine('{"type":"cancel","symbol":"ZZZ","orderId":"Q","account":"A"}', 1, reg);
    expect(r).toEqual({
      kind: 'rejected',
      event: {
        type: 'rejected',
        orderId: 'Q',
        symbol: 'ZZZ',
        account: 'A',
        reason: 'unknown_symbol',
        message: 'Cannot cancel order Q: unknown symbol ZZZ',
      },
    });
  });
});
