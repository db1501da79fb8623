/**
 * Matching check: does crossbook fill the same resting orders, in the same order, as NASDAQ?
 * Each run of type-4 executions with one timestamp and one resting side is turned into one
 * aggressive IOC order on the opposite side (size = the run's total, limit = its worst price),
 * sent to a fresh crossbook Exchange holding exactly the reconstructed book at that moment
 * (every resting order placed in priority order). Runs that touch an order the replay never saw
 * cannot be checked and are counted as skipped.
 */
import { Exchange, NONE, type Side } from '../core/index.js';
import type { LobsterMessages, LobsterOrderbook } from './files.js';
import { LobsterBook } from './reconstruct.js';

export interface MatchingResult {
  matched: number;
  total: number;
  skipped: number;
  firstMisses: string[];
}

type Fill = [id: string, qty: number];

export function matchingCheck(msgs: LobsterMessages, ob: LobsterOrderbook): MatchingResult {
  const result: MatchingResult = { matched: 0, total: 0, skipped: 0, firstMisses: [] };
  const lb = new LobsterBook(msgs, ob);
  let runEnd = -1;
  lb.replay((i, book) => {
    if (i < runEnd || msgs.type[i] !== 4) return;
    runEnd = i + 1;
    while (
      runEnd < msgs.rows &&
      msgs.type[runEnd] === 4 &&
      msgs.time[runEnd] === msgs.time[i] &&
      msgs.side[runEnd] === msgs.side[i]
    ) {
      runEnd++;
    }
    const expected: Fill[] = [];
    let known = true;
    for (let k = i; k < runEnd; k++) {
      known &&= book.knows(msgs.id[k]);
      push(expected, 'L' + msgs.id[k], msgs.size[k]);
    }
    if (!known) {
      result.skipped++;
      return;
    }
    result.total++;
    const actual = aggress(book, msgs, i, runEnd);
    const same =
      actual.length === expected.length &&
      actual.every(([id, q], k) => id === expected[k][0] && q === expected[k][1]);
    if (same) result.matched++;
    else if (result.firstMisses.length < 10) {
      result.firstMisses.push(`row ${i + 1}: NASDAQ ${fmt(expected)}, crossbook ${fmt(actual)}`);
    }
  });
  return result;
}

/** Replays rows [from, to) as one aggressive order against an Exchange copy of the book. */
function aggress(lb: LobsterBook, msgs: LobsterMessages, from: number, to: number): Fill[] {
  const ex = new Exchange();
  ex.execute({ type: 'instrument', instrument: { symbol: 'L', tickSize: '0.0001', lotSize: '1' } });
  const book = lb.book;
  for (const side of [0, 1] as Side[]) {
    for (let oid = book.best(side); oid !== NONE; oid = book.next(oid)) {
      const id = lb.idOf[oid];
      ex.execute({
        type: 'place',
        symbol: 'L',
        orderId: id >= 0 ? 'L' + id : 'S' + oid,
        account: 'resting',
        side: side === 0 ? 'buy' : 'sell',
        kind: 'limit',
        price: book.priceOf(oid),
        qty: book.qtyOf(oid),
        tif: 'GTC',
      });
    }
  }
  let qty = 0;
  let worst = msgs.price[from];
  for (let k = from; k < to; k++) {
    qty += msgs.size[k];
    worst = msgs.side[k] === 1 ? Math.max(worst, msgs.price[k]) : Math.min(worst, msgs.price[k]);
  }
  const events = ex.execute({
    type: 'place',
    symbol: 'L',
    orderId: 'aggressor',
    account: 'taker',
    side: msgs.side[from] === 1 ? 'buy' : 'sell',
    kind: 'limit',
    price: worst,
    qty,
    tif: 'IOC',
  });
  const fills: Fill[] = [];
  for (const e of events) if (e.type === 'trade') push(fills, e.makerOrderId, e.qty);
  return fills;
}

/** Appends a fill, merging consecutive fills of one order. */
function push(fills: Fill[], id: string, qty: number): void {
  const last = fills[fills.length - 1];
  if (last !== undefined && last[0] === id) last[1] += qty;
  else fills.push([id, qty]);
}

const fmt = (fills: Fill[]): string => fills.map(([id, q]) => `${id}x${q}`).join(' ') || '(none)';
