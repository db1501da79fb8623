/**
 * Independent oracle (issue 13 item 10): random command streams go through the real `Exchange`
 * and through NaiveExchange (test/oracle/naive-engine.ts), which shares no code with src/core.
 * After every command the two must have produced the same events (every field but the
 * human-readable `message` of a rejection) and hold the same state: every level of both books
 * (orders in time priority with their visible quantity), the untriggered stops in trigger order,
 * the market orders waiting for an auction, the phase and the last trade price.
 *
 * Rules the oracle implements and this test exercises:
 * - price-time priority, trades at the maker's price, walking levels up to the limit;
 * - limit, market, stop and stop-limit orders; GTC, IOC, FOK, DAY and GTD; post-only;
 * - icebergs (visible slice, refill at the back of the level, hidden quantity executable);
 * - self-trade prevention: none, cancelNewest, cancelOldest, cancelBoth, decrement (taker's mode
 *   or the instrument default), including FOK availability under STP;
 * - stops: trigger on the last trade price after the command's matching, in queue order,
 *   cascades, `stop_already_triggered`, replace of stop price / price / quantity;
 * - replace (priority kept only for the same price and a smaller quantity), cancel, mass cancel
 *   (on one symbol or all), unknown / foreign / duplicate order ids;
 * - DAY and GTD expiry driven by command times and `clock`, DAY expiry at the close;
 * - price bands (limit rejection, market protection), volatility halts and the timed reopening;
 * - phases: preopen, preclose, halted, closed, continuous; indicative updates during a call;
 *   opening, closing and reopening auctions (price by brute force over every tick: volume,
 *   imbalance, market pressure, nearest the reference; the no-reference rule, middle of the range,
 *   only in the `it.fails` case below), market-first allocation, leftover cancels;
 * - trade ids per instrument, event sequence numbers, event times per instrument clock.
 * Not covered: instrument definition errors (the generator defines valid instruments), malformed
 * commands (the edge's job, src/protocol), and quantities whose sums pass 2^53 (issue 13 item 9).
 *
 * CI runs ORACLE_COMMANDS (default 100,000, about 15 s) commands; CROSSBOOK_SOAK=1 runs 2,000,000.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/core/index.js';
import { Exchange } from '../../src/core/index.js';
import { NaiveExchange } from './naive-engine.js';
import { compare, opsArb, PER_RUN, RUNS, toCommands, type Tally } from './streams.js';

describe('independent oracle: the naive engine agrees with the real one', () => {
  it(`on ${RUNS * PER_RUN} random commands (3 symbols, 61 levels, bursts of one account and of stops)`, () => {
    const tally: Tally = {
      commands: 0,
      trades: 0,
      auctionTrades: 0,
      stp: 0,
      triggered: 0,
      halts: 0,
      expired: 0,
      icebergRefills: 0,
    };
    fc.assert(
      fc.property(opsArb, (ops) => compare(toCommands(ops), tally)),
      {
        numRuns: RUNS,
        seed: Number(process.env.ORACLE_SEED ?? 20261203),
        endOnFailure: true,
      },
    );
    expect(tally.commands).toBeGreaterThanOrEqual(RUNS * PER_RUN);
    // The streams must exercise what the oracle is for, not just fill books.
    expect(tally.trades).toBeGreaterThan(tally.commands / 20);
    expect(tally.auctionTrades).toBeGreaterThan(0);
    expect(tally.stp).toBeGreaterThan(0);
    expect(tally.triggered).toBeGreaterThan(0);
    expect(tally.halts).toBeGreaterThan(0);
    expect(tally.expired).toBeGreaterThan(0);
  });

  /**
   * Found by this oracle. docs/protocol.md: candidates are every tick between the limits, and
   * without a reference price the tie-break takes the middle of the remaining range. Here every
   * tick from 100 to 110 trades 10 with no imbalance, so the opening price is the middle, 105.
   * The real engine evaluates only the limits and their neighbours (100, 101, 109, 110) and takes
   * the one nearest the middle: 101. The rule "exact to evaluate only each limit and its
   * neighbours" (src/core/auction.ts) holds for every rule but this one. Left to the core owner:
   * either evaluate the middle tick too, or change the protocol text. Remove `.fails` then.
   */
  it.fails('opens at the middle of the tied range when there is no reference price', () => {
    const cmds: Command[] = [
      {
        type: 'instrument',
        instrument: { symbol: 'Q', tickSize: '1', lotSize: '1', phase: 'preopen' },
      },
      {
        type: 'place',
        symbol: 'Q',
        orderId: 'B',
        account: 'A',
        side: 'buy',
        kind: 'limit',
        price: 110,
        qty: 10,
      },
      {
        type: 'place',
        symbol: 'Q',
        orderId: 'S',
        account: 'B',
        side: 'sell',
        kind: 'limit',
        price: 100,
        qty: 10,
      },
      { type: 'phase', symbol: 'Q', phase: 'continuous' },
    ];
    const real = new Exchange();
    const naive = new NaiveExchange();
    const last = (ex: { execute(c: Command): unknown[] }) => cmds.map((c) => ex.execute(c)).at(-1);
    const auction = (events: unknown) =>
      (events as { type: string; price: number }[]).find((e) => e.type === 'auction')?.price;
    expect(auction(last(naive))).toBe(105);
    expect(auction(last(real))).toBe(105);
  });

  it('shares no code with src/core: the naive engine imports types only', () => {
    const src = readFileSync(new URL('./naive-engine.ts', import.meta.url), 'utf8');
    const imports = [...src.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms)];
    expect(imports.length).toBeGreaterThan(0);
    for (const m of imports) expect(m[1], `import from ${m[2]}`).toBe('type ');
  });
});
