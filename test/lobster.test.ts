import { describe, expect, it } from 'vitest';
import {
  LobsterBook,
  matchingCheck,
  readMessages,
  readOrderbook,
  replayDay,
  shippedDays,
} from '../src/lobster/index.js';

describe('LOBSTER replay of the shipped NASDAQ days', () => {
  for (const day of shippedDays()) {
    it(`${day.symbol} (${day.levels} level(s)) reconstructs with 0 mismatches`, () => {
      const r = replayDay({ messages: day.messages, orderbook: day.orderbook });
      expect(r.rows).toBeGreaterThan(900);
      expect(r.firstMismatches).toEqual([]);
      expect(r.mismatches).toBe(0);
    });
  }

  it('AAPL level 10: crossbook fills the same resting orders, in order, as NASDAQ', () => {
    const day = shippedDays().find((d) => d.symbol === 'AAPL')!;
    const r = matchingCheck(readMessages(day.messages), readOrderbook(day.orderbook));
    expect(r.firstMisses).toEqual([]);
    expect(r.total).toBeGreaterThan(50);
    expect(r.matched).toBe(r.total);
  });

  it('the check is strict: a corrupted message is caught as a mismatch', () => {
    const day = shippedDays().find((d) => d.symbol === 'AAPL')!;
    const msgs = readMessages(day.messages);
    const ob = readOrderbook(day.orderbook);
    // Inflate one visible new order: its level must disagree with the file from then on.
    const row = msgs.type.findIndex((t, i) => t === 1 && i > 100);
    msgs.size[row] += 7;
    const stats = new LobsterBook(msgs, ob).replay();
    expect(stats.mismatches).toBeGreaterThan(0);
  });

  it('rejects a missing file with a clear error', () => {
    expect(() => readMessages('/nonexistent/x_message_1.csv')).toThrow(/not found/);
  });
});
