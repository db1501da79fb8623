import { StateHasher } from '../hash.js';
import { BUY, SELL } from '../types.js';
import { NONE, type OrderBook } from './order-book.js';

/** Hashes a book by walking it in priority order, so equal books hash equally whatever their type. */
export function hashBook(book: OrderBook, hasher = new StateHasher()): StateHasher {
  for (const side of [BUY, SELL] as const) {
    hasher.number(side);
    for (let oid = book.best(side); oid !== NONE; oid = book.next(oid)) {
      hasher.number(book.priceOf(oid)).number(oid).number(book.qtyOf(oid));
    }
  }
  return hasher;
}
