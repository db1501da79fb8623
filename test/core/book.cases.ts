/**
 * The conformance suite: every case runs unchanged against every OrderBook implementation
 * (book.conformance.test.ts). Cases drive the whole engine, so they pin down the order semantics
 * as well as the book's price-time ordering. Prices here are ticks of size 1.
 */
import type { OrderBookFactory } from '../../src/core/index.js';
import { expectEqual, expectTrue, only, Scenario, trades, types } from './scenario.js';

export interface BookCase {
  name: string;
  run(book: OrderBookFactory): void;
}

const B = { account: 'B' };
const C = { account: 'C' };

export const bookCases: BookCase[] = [
  // ---- price-time priority -----------------------------------------------------------------
  {
    name: 'fills go in time order within a level',
    run(book) {
      const s = new Scenario(book);
      s.sell('S1', 100, 100, B);
      s.sell('S2', 100, 100, C);
      s.sell('S3', 100, 100, C);
      expectEqual(
        trades(s.buy('X', 100, 150)),
        [
          ['S1', 'X', 100, 100],
          ['S2', 'X', 100, 50],
        ],
        'FIFO',
      );
      expectEqual(
        s.book2().asks,
        [
          [
            100,
            [
              ['S2', 50],
              ['S3', 100],
            ],
          ],
        ],
        'book',
      );
    },
  },
  {
    name: 'an aggressive order walks the levels at the makers prices',
    run(book) {
      const s = new Scenario(book);
      s.sell('S3', 103, 10, B);
      s.sell('S1', 101, 10, B);
      s.sell('S2', 102, 10, B);
      s.buy('B0', 99, 10, C);
      const ev = s.buy('X', 103, 25);
      expectEqual(
        trades(ev),
        [
          ['S1', 'X', 101, 10],
          ['S2', 'X', 102, 10],
          ['S3', 'X', 103, 5],
        ],
        'walk',
      );
      expectEqual(s.book2(), { bids: [[99, [['B0', 10]]]], asks: [[103, [['S3', 5]]]] }, 'book');
    },
  },
  {
    name: 'a limit remainder rests at its price and the book is not crossed',
    run(book) {
      const s = new Scenario(book);
      s.sell('S1', 101, 10, B);
      s.sell('S2', 104, 10, B);
      expectEqual(trades(s.buy('X', 102, 30)), [['S1', 'X', 101, 10]], 'fill');
      expectEqual(s.book2(), { bids: [[102, [['X', 20]]]], asks: [[104, [['S2', 10]]]] }, 'book');
    },
  },
  {
    name: 'a sell walks bids from the highest down',
    run(book) {
      const s = new Scenario(book);
      s.buy('B1', 99, 5, B);
      s.buy('B2', 101, 5, B);
      s.buy('B3', 100, 5, B);
      expectEqual(
        trades(s.sell('X', 100, 12)),
        [
          ['B2', 'X', 101, 5],
          ['B3', 'X', 100, 5],
        ],
        'walk',
      );
      expectEqual(s.book2().asks, [[100, [['X', 2]]]], 'rest');
    },
  },
  {
    name: 'a market order never rests: the remainder is cancelled with no_liquidity',
    run(book) {
      const s = new Scenario(book);
      s.sell('S1', 101, 10, B);
      const ev = s.buy('M', undefined, 25);
      expectEqual(trades(ev), [['S1', 'M', 101, 10]], 'fill');
      const c = only(ev, 'cancelled')[0];
      expectEqual([c.orderId, c.remainingQty, c.reason], ['M', 15, 'no_liquidity'], 'cancel');
      const empty = s.sell('M2', undefined, 5);
      expectEqual(types(empty), ['accepted', 'cancelled'], 'empty book');
    },
  },
  {
    name: 'IOC trades what it can and cancels the rest',
    run(book) {
      const s = new Scenario(book);
      s.sell('S1', 101, 10, B);
      const ev = s.buy('I', 102, 15, { tif: 'IOC' });
      expectEqual(trades(ev), [['S1', 'I', 101, 10]], 'fill');
      expectEqual(
        only(ev, 'cancelled').map((c) => [c.remainingQty, c.reason]),
        [[5, 'ioc']],
        'cancel',
      );
      expectEqual(s.book2().bids, [], 'nothing rests');
    },
  },
  {
    name: 'FOK fills in full or executes nothing',
    run(book) {
      const s = new Scenario(book);
      s.sell('S1', 101, 10, B);
      s.sell('S2', 102, 10, B);
      const no = s.buy('F1', 101, 15, { tif: 'FOK' });
      expectEqual(types(no), ['rejected'], 'unfillable');
      expectEqual(only(no, 'rejected')[0].reason, 'fok_unfillable', 'reason');
      const yes = s.buy('F2', 102, 15, { tif: 'FOK' });
      expectEqual(
        trades(yes),
        [
          ['S1', 'F2', 101, 10],
          ['S2', 'F2', 102, 5],
        ],
        'filled',
      );
    },
  },
  {
    name: 'post-only rests, or is rejected when it would cross',
    run(book) {
      const s = new Scenario(book);
      s.sell('S1', 101, 10, B);
      const bad = s.buy('P1', 101, 5, { postOnly: true });
      expectEqual(only(bad, 'rejected')[0].reason, 'post_only_would_cross', 'reject');
      expectEqual(types(s.buy('P2', 100, 5, { postOnly: true })), ['accepted'], 'rests');
      expectEqual(s.book2().bids, [[100, [['P2', 5]]]], 'book');
    },
  },
  // ---- replace and cancel ------------------------------------------------------------------
  {
    name: 'replace to a smaller quantity keeps time priority',
    run(book) {
      const s = new Scenario(book);
      s.buy('B1', 100, 10);
      s.buy('B2', 100, 10, B);
      const ev = s.replace('B1', { qty: 4 });
      expectEqual(
        only(ev, 'replaced').map((r) => [r.qty, r.priorityKept]),
        [[4, true]],
        'replaced',
      );
      expectEqual(
        trades(s.sell('X', 100, 6, C)),
        [
          ['B1', 'X', 100, 4],
          ['B2', 'X', 100, 2],
        ],
        'order',
      );
    },
  },
  {
    name: 'replace to a larger quantity or a new price loses time priority',
    run(book) {
      const s = new Scenario(book);
      s.buy('B1', 100, 10);
      s.buy('B2', 100, 10, B);
      s.buy('B3', 99, 10);
      expectEqual(only(s.replace('B1', { qty: 12 }), 'replaced')[0].priorityKept, false, 'qty up');
      expectEqual(
        s.book2().bids[0],
        [
          100,
          [
            ['B2', 10],
            ['B1', 12],
          ],
        ],
        'back of queue',
      );
      s.buy('B4', 100, 1, B);
      s.replace('B3', { price: 100 });
      expectEqual(
        s.book2().bids[0][1].map((o) => o[0]),
        ['B2', 'B1', 'B4', 'B3'],
        'moved in last',
      );
    },
  },
  {
    name: 'a replace that crosses reports replaced before its trades',
    run(book) {
      const s = new Scenario(book);
      s.sell('S1', 101, 5, B);
      s.buy('B1', 100, 10);
      const ev = s.replace('B1', { price: 101, qty: 8 });
      expectEqual(types(ev), ['replaced', 'trade'], 'order of events');
      expectEqual(trades(ev), [['S1', 'B1', 101, 5]], 'trade');
      expectEqual(s.book2().bids, [[101, [['B1', 3]]]], 'remainder rests');
    },
  },
  {
    name: 'a replace that changes nothing is rejected with no_change',
    run(book) {
      const s = new Scenario(book);
      s.buy('B1', 100, 10);
      expectEqual(
        only(s.replace('B1', { price: 100, qty: 10 }), 'rejected')[0].reason,
        'no_change',
        'no change',
      );
    },
  },
  {
    name: 'another account cannot see, cancel or replace an order: it looks unknown',
    run(book) {
      const s = new Scenario(book);
      s.buy('B1', 100, 10);
      const foreign = only(s.cancel('B1', 'EVE'), 'rejected')[0];
      const unknown = only(s.cancel('NOPE', 'EVE'), 'rejected')[0];
      expectEqual(foreign.reason, 'unknown_order', 'reason');
      expectEqual(
        foreign.message.replace('B1', 'X'),
        unknown.message.replace('NOPE', 'X'),
        'same answer',
      );
      expectEqual(
        only(s.replace('B1', { qty: 1 }, 'EVE'), 'rejected')[0].reason,
        'unknown_order',
        'replace',
      );
      expectEqual(s.book2().bids, [[100, [['B1', 10]]]], 'untouched');
    },
  },
  {
    name: 'order ids are unique for the whole run, even after the order is done',
    run(book) {
      const s = new Scenario(book);
      s.buy('B1', 100, 10);
      expectEqual(only(s.buy('B1', 100, 10), 'rejected')[0].reason, 'duplicate_order_id', 'live');
      s.cancel('B1');
      expectEqual(only(s.buy('B1', 100, 10), 'rejected')[0].reason, 'duplicate_order_id', 'done');
      expectEqual(only(s.cancel('B1'), 'rejected')[0].reason, 'unknown_order', 'cancel done order');
    },
  },
  {
    name: 'bad quantities and prices are rejected and change nothing',
    run(book) {
      const s = new Scenario(book);
      s.buy('B1', 100, 10);
      const before = s.ex.stateHash();
      expectEqual(only(s.buy('Z', 100, 0), 'rejected')[0].reason, 'invalid_qty', 'zero');
      expectEqual(only(s.buy('N', 100, -5), 'rejected')[0].reason, 'invalid_qty', 'negative');
      expectEqual(only(s.buy('P', -1, 5), 'rejected')[0].reason, 'invalid_price', 'price');
      const unknown = s.run({
        type: 'place',
        symbol: 'NOPE',
        orderId: 'U',
        account: 'A',
        side: 'buy',
        kind: 'limit',
        price: 1,
        qty: 1,
      });
      expectEqual(only(unknown, 'rejected')[0].reason, 'unknown_symbol', 'symbol');
      for (const r of only(s.events, 'rejected')) {
        expectTrue(
          r.message.startsWith(`Cannot place order ${r.orderId}: `),
          `message "${r.message}"`,
        );
      }
      expectTrue(s.ex.stateHash() !== before, 'seq moved (rejects are events)');
      expectEqual(s.book2().bids, [[100, [['B1', 10]]]], 'book untouched');
    },
  },
  // ---- stops --------------------------------------------------------------------------------
  {
    name: 'a buy stop triggers when the last trade reaches it and executes at once',
    run(book) {
      const s = new Scenario(book);
      s.sell('S1', 105, 5, B);
      s.sell('S2', 106, 5, B);
      expectEqual(
        types(s.buy('ST', undefined, 5, { kind: 'stop', stopPrice: 105 })),
        ['accepted'],
        'dormant',
      );
      expectEqual(s.book2().bids, [], 'stops are not in the book');
      const ev = s.buy('X', 105, 5, C);
      expectEqual(types(ev), ['accepted', 'trade', 'triggered', 'trade'], 'same command');
      expectEqual(
        trades(ev),
        [
          ['S1', 'X', 105, 5],
          ['S2', 'ST', 106, 5],
        ],
        'stop fills',
      );
    },
  },
  {
    name: 'stop cascades fire in arrival order and terminate',
    run(book) {
      const s = new Scenario(book);
      s.buy('B1', 100, 5, B);
      s.buy('B2', 99, 5, B);
      s.buy('B3', 98, 5, B);
      s.sell('T2', undefined, 5, { kind: 'stop', stopPrice: 99 });
      s.sell('T1', undefined, 5, { kind: 'stop', stopPrice: 100 });
      const ev = s.sell('X', 100, 5, C);
      expectEqual(
        only(ev, 'triggered').map((t) => t.orderId),
        ['T1', 'T2'],
        'T1 fires on 100; T2 fires after T1 prints 99',
      );
      expectEqual(
        trades(ev),
        [
          ['B1', 'X', 100, 5],
          ['B2', 'T1', 99, 5],
          ['B3', 'T2', 98, 5],
        ],
        'cascade',
      );
    },
  },
  {
    name: 'a stop whose condition already holds is rejected',
    run(book) {
      const s = new Scenario(book);
      s.sell('S1', 100, 5, B);
      s.buy('X', 100, 5, C);
      const ev = s.buy('ST', undefined, 5, { kind: 'stop', stopPrice: 100 });
      expectEqual(only(ev, 'rejected')[0].reason, 'stop_already_triggered', 'reason');
    },
  },
  {
    name: 'an untriggered stop can be replaced and cancelled',
    run(book) {
      const s = new Scenario(book);
      s.buy('SL', 110, 5, { kind: 'stopLimit', stopPrice: 108 });
      const r = only(s.replace('SL', { stopPrice: 109, qty: 3 }), 'replaced')[0];
      expectEqual([r.stopPrice, r.qty, r.price], [109, 3, 110], 'replaced');
      expectEqual(
        only(s.cancel('SL'), 'cancelled').map((c) => [c.remainingQty, c.reason]),
        [[3, 'user']],
        'cancelled',
      );
    },
  },
  {
    name: 'a triggered stop-limit rests at its limit',
    run(book) {
      const s = new Scenario(book);
      s.sell('S1', 100, 5, B);
      s.sell('S2', 103, 5, B);
      s.buy('SL', 101, 8, { kind: 'stopLimit', stopPrice: 100 });
      const ev = s.buy('X', 100, 5, C);
      expectEqual(types(ev), ['accepted', 'trade', 'triggered'], 'nothing to take at 101');
      expectEqual(s.book2().bids, [[101, [['SL', 8]]]], 'rests at limit');
    },
  },
  // ---- icebergs -----------------------------------------------------------------------------
  {
    name: 'an iceberg shows its slice, refills at the back, and its reserve fully executes',
    run(book) {
      const s = new Scenario(book);
      s.sell('ICE', 100, 50, { account: 'B', displayQty: 10 });
      s.sell('S2', 100, 10, C);
      expectEqual(
        s.book2().asks,
        [
          [
            100,
            [
              ['ICE', 10],
              ['S2', 10],
            ],
          ],
        ],
        'only the slice shows',
      );
      const ev = s.buy('X', 100, 15);
      expectEqual(
        trades(ev),
        [
          ['ICE', 'X', 100, 10],
          ['S2', 'X', 100, 5],
        ],
        'refilled slice goes behind S2',
      );
      expectEqual(
        s.book2().asks,
        [
          [
            100,
            [
              ['S2', 5],
              ['ICE', 10],
            ],
          ],
        ],
        'refill at back',
      );
      const big = s.buy('Y', 100, 45);
      expectEqual(
        trades(big).reduce((n, t) => n + t[3], 0),
        45,
        'hidden quantity executes',
      );
      expectEqual(s.book2().asks, [], 'all gone');
    },
  },
  // ---- self-trade prevention ------------------------------------------------------------------
  {
    name: 'STP cancelNewest cancels the taker remainder',
    run(book) {
      const s = new Scenario(book);
      s.sell('S1', 100, 5, B);
      s.sell('OWN', 101, 5);
      s.sell('S3', 102, 5, B);
      const ev = s.buy('X', 102, 15, { stp: 'cancelNewest' });
      expectEqual(trades(ev), [['S1', 'X', 100, 5]], 'stops at own order');
      expectEqual(
        only(ev, 'cancelled').map((c) => [c.orderId, c.remainingQty, c.reason]),
        [['X', 10, 'stp']],
        'taker',
      );
      expectEqual(s.book2().asks.length, 2, 'own order stays');
    },
  },
  {
    name: 'STP cancelOldest cancels the resting order and continues',
    run(book) {
      const s = new Scenario(book);
      s.sell('OWN', 100, 5);
      s.sell('S2', 100, 5, B);
      const ev = s.buy('X', 100, 5, { stp: 'cancelOldest' });
      expectEqual(
        only(ev, 'cancelled').map((c) => [c.orderId, c.reason]),
        [['OWN', 'stp']],
        'maker',
      );
      expectEqual(trades(ev), [['S2', 'X', 100, 5]], 'continues');
    },
  },
  {
    name: 'STP cancelBoth cancels both orders',
    run(book) {
      const s = new Scenario(book);
      s.sell('OWN', 100, 5);
      const ev = s.buy('X', 100, 8, { stp: 'cancelBoth' });
      expectEqual(
        only(ev, 'cancelled').map((c) => [c.orderId, c.remainingQty]),
        [
          ['OWN', 5],
          ['X', 8],
        ],
        'both',
      );
      expectEqual(trades(ev), [], 'no trade');
    },
  },
  {
    name: 'STP decrement reduces both by the overlap with no trade printed',
    run(book) {
      const s = new Scenario(book);
      s.sell('OWN', 100, 5);
      s.sell('S2', 100, 5, B);
      const ev = s.buy('X', 100, 8, { stp: 'decrement' });
      expectEqual(types(ev), ['accepted', 'cancelled', 'reduced', 'trade'], 'events');
      expectEqual(trades(ev), [['S2', 'X', 100, 3]], 'the rest trades with others');
      const big = new Scenario(book);
      big.sell('OWN', 100, 9);
      const ev2 = big.buy('X', 100, 4, { stp: 'decrement' });
      expectEqual(
        only(ev2, 'reduced').map((r) => [r.orderId, r.leavesQty]),
        [['OWN', 5]],
        'maker shrinks',
      );
      expectEqual(big.book2().asks, [[100, [['OWN', 5]]]], 'maker keeps its place');
    },
  },
  {
    name: 'STP none lets an account trade with itself; the instrument default applies',
    run(book) {
      const s = new Scenario(book);
      s.sell('OWN', 100, 5);
      expectEqual(trades(s.buy('X', 100, 5)), [['OWN', 'X', 100, 5]], 'self trade allowed');
      const d = new Scenario(book, { stp: 'cancelNewest' });
      d.sell('OWN', 100, 5);
      expectEqual(only(d.buy('X', 100, 5), 'cancelled')[0].reason, 'stp', 'default applies');
    },
  },
  // ---- time in force ----------------------------------------------------------------------------
  {
    name: 'DAY orders expire at the end of the day; GTD at expireAt; both by the clock',
    run(book) {
      const s = new Scenario(book);
      const day = 86_400_000_000_000;
      s.clock(1000);
      s.buy('D', 100, 5, { tif: 'DAY' });
      s.buy('G', 99, 5, { tif: 'GTD', expireAt: 5000 });
      s.buy('K', 98, 5);
      expectEqual(
        only(s.clock(5000), 'cancelled').map((c) => [c.orderId, c.reason]),
        [['G', 'expired']],
        'GTD',
      );
      expectEqual(
        only(s.clock(day), 'cancelled').map((c) => [c.orderId, c.reason]),
        [['D', 'expired']],
        'DAY',
      );
      expectEqual(s.book2().bids, [[98, [['K', 5]]]], 'GTC stays');
      expectEqual(
        only(s.buy('L', 100, 5, { tif: 'GTD', expireAt: 10 }), 'rejected')[0].reason,
        'expired',
        'past',
      );
    },
  },
  {
    name: 'mass cancel removes every order of an account, optionally on one symbol',
    run(book) {
      const s = new Scenario(book);
      s.buy('A1', 100, 5);
      s.sell('A2', 110, 5);
      s.buy('B1', 99, 5, B);
      s.buy('ST', undefined, 5, { kind: 'stop', stopPrice: 120 });
      const ev = s.run({ type: 'massCancel', account: 'A', symbol: 'MSFT' });
      expectEqual(
        only(ev, 'cancelled').map((c) => [c.orderId, c.reason]),
        [
          ['A1', 'mass_cancel'],
          ['A2', 'mass_cancel'],
          ['ST', 'mass_cancel'],
        ],
        'all of A',
      );
      expectEqual(only(ev, 'massCancelled')[0].count, 3, 'count');
      expectEqual(s.book2(), { bids: [[99, [['B1', 5]]]], asks: [] }, 'B untouched');
    },
  },
  // ---- price protection -------------------------------------------------------------------------
  {
    name: 'a limit outside the price band is rejected; a market order stops at the band',
    run(book) {
      const s = new Scenario(book, { bandPct: '10', referencePrice: 100 });
      expectEqual(only(s.buy('HI', 111, 5), 'rejected')[0].reason, 'outside_price_band', 'above');
      expectEqual(types(s.buy('OK', 110, 5)), ['accepted'], 'edge of band');
      s.cancel('OK');
      s.sell('S1', 105, 5, B);
      s.sell('S2', 110, 5, B);
      const ev = s.buy('M', undefined, 20);
      expectEqual(
        trades(ev),
        [
          ['S1', 'M', 105, 5],
          ['S2', 'M', 110, 5],
        ],
        'inside band',
      );
      expectEqual(only(ev, 'cancelled')[0].reason, 'no_liquidity', 'nothing left');
      // A resting ask that was in the band when placed, and is outside it once the price falls.
      const p = new Scenario(book, { bandPct: '10', referencePrice: 100 });
      p.sell('S3', 108, 5, B);
      p.buy('B0', 92, 5, B);
      p.sell('X', 92, 5, C); // last 92: the band is now 82.8..101.2
      const ev2 = p.buy('M2', undefined, 5);
      expectEqual(trades(ev2), [], 'no print outside the band');
      expectEqual(
        only(ev2, 'cancelled').map((c) => c.reason),
        ['price_band'],
        'protection',
      );
    },
  },
  // ---- phases and auctions ----------------------------------------------------------------------
  {
    name: 'preopen accepts orders without matching; the opening auction uncrosses at one price',
    run(book) {
      const s = new Scenario(book, { phase: 'preopen', referencePrice: 100 });
      s.buy('B1', 102, 10, B);
      s.buy('B2', 101, 10, B);
      s.sell('S1', 99, 5, C);
      const ind = only(s.sell('S2', 100, 10, C), 'indicative')[0];
      expectEqual([ind.price, ind.volume], [101, 15], 'indicative');
      expectEqual(s.book2().bids.length, 2, 'no matching in the call');
      const ev = s.phase('continuous');
      const au = only(ev, 'auction')[0];
      expectEqual([au.price, au.volume, au.kind], [101, 15, 'opening'], 'uncross');
      expectTrue(
        trades(ev).every((t) => t[2] === 101),
        'one price for every print',
      );
      expectEqual(
        trades(ev)
          .map((t) => t[3])
          .reduce((a, b) => a + b, 0),
        15,
        'volume',
      );
      expectEqual(s.book2(), { bids: [[101, [['B2', 5]]]], asks: [] }, 'remainder rests');
      expectEqual(only(ev, 'phase')[0].phase, 'continuous', 'phase');
    },
  },
  {
    name: 'auction market orders fill first; unfilled market quantity is cancelled',
    run(book) {
      const s = new Scenario(book, { phase: 'preopen', referencePrice: 100 });
      s.buy('L', 101, 5, B);
      s.buy('M', undefined, 10, B);
      s.sell('S', 100, 12, C);
      const ev = s.phase('continuous');
      expectEqual(only(ev, 'auction')[0].price, 101, 'buy surplus takes the highest price');
      const fills = new Map<string, number>();
      for (const t of trades(ev))
        for (const id of [t[0], t[1]]) fills.set(id, (fills.get(id) ?? 0) + t[3]);
      expectEqual([fills.get('M'), fills.get('L'), fills.get('S')], [10, 2, 12], 'market first');
      expectEqual(s.book2().bids, [[101, [['L', 3]]]], 'limit remainder rests');
      const s2 = new Scenario(book, { phase: 'preopen', referencePrice: 100 });
      s2.buy('M', undefined, 10, B);
      s2.sell('S', 100, 4, C);
      const ev2 = s2.phase('continuous');
      expectEqual(
        only(ev2, 'cancelled').map((c) => [c.orderId, c.remainingQty, c.reason]),
        [['M', 6, 'no_liquidity']],
        'leftover',
      );
    },
  },
  {
    name: 'auction ties: minimum imbalance, then market pressure, then the reference price',
    run(book) {
      // Volume 10 at every price 98..102; no imbalance anywhere; the reference decides.
      const s = new Scenario(book, { phase: 'preopen', referencePrice: 100 });
      s.buy('B', 102, 10, B);
      s.sell('S', 98, 10, C);
      expectEqual(only(s.phase('continuous'), 'auction')[0].price, 100, 'reference');
      // Sell surplus at every max-volume price: the lowest one.
      const t = new Scenario(book, { phase: 'preopen', referencePrice: 100 });
      t.buy('B', 100, 10, B);
      t.sell('S1', 98, 15, C);
      expectEqual(only(t.phase('continuous'), 'auction')[0].price, 98, 'sell pressure');
      // Minimum imbalance beats the reference.
      const u = new Scenario(book, { phase: 'preopen', referencePrice: 95 });
      u.buy('B1', 101, 10, B);
      u.buy('B2', 100, 5, B);
      u.sell('S1', 99, 10, C);
      u.sell('S2', 100, 5, C);
      expectEqual(only(u.phase('continuous'), 'auction')[0].price, 100, 'imbalance');
    },
  },
  {
    name: 'halted takes cancels but no new orders; closed expires DAY orders',
    run(book) {
      const s = new Scenario(book);
      s.buy('D', 100, 5, { tif: 'DAY' });
      s.buy('G', 99, 5);
      s.phase('halted');
      expectEqual(only(s.buy('X', 100, 5), 'rejected')[0].reason, 'halted', 'no new orders');
      expectEqual(only(s.cancel('G'), 'cancelled').length, 1, 'cancel allowed');
      const ev = s.phase('closed');
      expectEqual(
        only(ev, 'cancelled').map((c) => [c.orderId, c.reason]),
        [['D', 'expired']],
        'DAY expires',
      );
      expectEqual(only(s.buy('Y', 100, 5), 'rejected')[0].reason, 'market_closed', 'closed');
    },
  },
  {
    name: 'the closing call ends in a closing auction',
    run(book) {
      const s = new Scenario(book, { referencePrice: 100 });
      s.buy('B1', 100, 5, B);
      s.phase('preclose');
      s.sell('S1', 100, 5, C);
      expectEqual(s.book2().asks.length, 1, 'no matching in the call');
      const ev = s.phase('closed');
      expectEqual(
        only(ev, 'auction').map((a) => [a.kind, a.price, a.volume]),
        [['closing', 100, 5]],
        'closing',
      );
    },
  },
  {
    name: 'a stop cascade that would print outside the band halts; an auction reopens after the pause',
    run(book) {
      const s = new Scenario(book, { bandPct: '10', referencePrice: 100, haltPauseNs: 1000 });
      s.buy('B1', 95, 5, B);
      s.buy('B2', 90, 5, B); // inside the band around 100 when placed
      s.sell('U', 105, 5, B);
      s.buy('V', 105, 5, C); // last 105: the band is now 94.5..115.5
      s.sell('T', undefined, 5, { kind: 'stop', stopPrice: 96 });
      const ev = s.sell('X', 95, 5, C);
      expectEqual(trades(ev), [['B1', 'X', 95, 5]], 'only the in-band print');
      expectEqual(
        only(ev, 'phase').map((p) => [p.phase, p.reason]),
        [['halted', 'volatility']],
        'halt',
      );
      expectEqual(
        only(s.buy('N', 90, 1, C), 'rejected')[0].reason,
        'halted',
        'no new orders while halted',
      );
      const re = s.clock(s.ex.matcher('MSFT')!.clock + 1000);
      expectEqual(
        only(re, 'auction').map((a) => [a.kind, a.price, a.volume]),
        [['reopening', 90, 5]],
        'reopening',
      );
      expectEqual(trades(re), [['B2', 'T', 90, 5]], 'the stop fills in the auction');
      expectEqual(only(re, 'phase')[0].phase, 'continuous', 'back to continuous');
    },
  },
];
