/**
 * Rebuilds a LOBSTER day on the fast book (OrderBook API, no engine) and checks it against the
 * orderbook file after every row.
 *
 * Orders resting before 09:30, and (in a level-N file) orders placed, cancelled or renamed by a
 * NASDAQ replace while their price was deeper than the N visible levels, have no rows. We LEARN
 * them: when a price comes into view (it was outside the previous row's window) its level is
 * reconciled with the file. Missing quantity becomes one synthetic order at the back of the
 * level; surplus becomes a per-level "stale debt": quantity that some known orders there no
 * longer have, without guessing which (a later row names the live ones). The visible level is
 * book quantity minus debt; a level whose debt covers all its orders is cleared. Deletes and
 * executions of unknown orders take their size from the synthetic order, then add to the debt.
 * Prices that stay in view from one row to the next get no help: there the book must equal the
 * file exactly, or the row counts as a mismatch (then it is resynchronised, so one error counts
 * once).
 */
import { BUY, FastBook, NONE, type Side } from '../core/index.js';
import type { LobsterMessages, LobsterOrderbook } from './files.js';

export interface ReplayStats {
  rows: number;
  mismatches: number;
  /** Levels whose unknown liquidity was learned from the file. */
  learned: number;
  /** Messages about orders the book never knew (tolerated). */
  unknown: number;
  firstMismatches: string[];
}

/** Hook called before each message; the matching check uses it to look at the book first. */
export type BeforeMessage = (i: number, book: LobsterBook) => void;

export class LobsterBook {
  readonly book = new FastBook();
  /** LOBSTER id -> oid, for orders we know. */
  private readonly oidOf = new Map<number, number>();
  /** oid -> LOBSTER id (-1 for synthetic orders). */
  readonly idOf: number[] = [];
  /** Per side: price -> oid of the synthetic order at that level. */
  private readonly synth: [Map<number, number>, Map<number, number>] = [new Map(), new Map()];
  private readonly freeOids: number[] = [];
  /** Per side: price -> stale quantity still counted in the book at that level. */
  private readonly debt: [Map<number, number>, Map<number, number>] = [new Map(), new Map()];
  private nextOid = 0;
  stats: ReplayStats = { rows: 0, mismatches: 0, learned: 0, unknown: 0, firstMismatches: [] };

  constructor(
    private readonly msgs: LobsterMessages,
    private readonly ob: LobsterOrderbook,
  ) {
    if (msgs.rows !== ob.rows) {
      throw new Error(`message file has ${msgs.rows} rows but orderbook file has ${ob.rows}`);
    }
  }

  knows(id: number): boolean {
    return this.oidOf.has(id);
  }

  /** Replays every row; returns the stats. */
  replay(before?: BeforeMessage): ReplayStats {
    if (this.msgs.rows === 0) return this.stats;
    this.learnInitial();
    for (let i = 0; i < this.msgs.rows; i++) {
      before?.(i, this);
      this.apply(i);
      this.check(i);
    }
    this.stats.rows = this.msgs.rows;
    return this.stats;
  }

  /** The book before message 0 is row 0 with message 0 undone; learn it all as synthetic. */
  private learnInitial(): void {
    const m = this.msgs;
    for (const side of [BUY, 1] as Side[]) {
      for (let l = 0; l < this.ob.levels; l++) {
        const [price, size] = this.level(0, side, l);
        if (size === 0) continue;
        let qty = size;
        if (m.side[0] === side && m.price[0] === price) {
          if (m.type[0] === 1) qty -= m.size[0];
          else if (m.type[0] >= 2 && m.type[0] <= 4) qty += m.size[0];
        }
        if (qty > 0) this.addSynthetic(side, price, qty);
      }
    }
  }

  private apply(i: number): void {
    const m = this.msgs;
    const type = m.type[i];
    const id = m.id[i];
    const side = m.side[i] as Side;
    if (type === 1) {
      if (this.oidOf.has(id)) throw new Error(`row ${i + 1}: order ${id} added twice`);
      const oid = this.allocOid();
      this.oidOf.set(id, oid);
      this.idOf[oid] = id;
      this.book.add(oid, side, m.price[i], m.size[i]);
    } else if (type === 2 || type === 3 || type === 4) {
      const oid = this.oidOf.get(id);
      if (oid === undefined) {
        // An order we never saw: pre-open, placed outside the window, or a NASDAQ replace (new
        // order number) made outside it. Its liquidity is the level's unexplained part.
        this.stats.unknown++;
        this.takeFromLevel(side, m.price[i], m.size[i]);
        return;
      }
      const open = this.book.qtyOf(oid);
      if (type === 3 && open > m.size[i]) {
        // A delete states the order's real remaining size: the difference was part of the debt.
        const debt = this.debt[side].get(m.price[i]) ?? 0;
        this.setDebt(side, m.price[i], debt - Math.min(debt, open - m.size[i]));
      }
      const left = type === 3 ? 0 : open - m.size[i];
      if (left > 0) this.book.setQty(oid, left);
      else this.forget(id, oid);
      this.settleDebt(side, m.price[i]);
    }
    // 5 (hidden execution), 6 (cross trade) and 7 (halt) leave the visible book unchanged.
  }

  /** Compares the visible window of row i with the book; learns entering levels. */
  private check(i: number): void {
    if (this.sideMatches(i, BUY) && this.sideMatches(i, 1)) return;
    let bad = '';
    for (const side of [BUY, 1] as Side[]) {
      const fileLevels = new Map<number, number>();
      for (let l = 0; l < this.ob.levels; l++) {
        const [price, size] = this.level(i, side, l);
        if (size > 0) fileLevels.set(price, size);
      }
      const [bound, full] = this.window(i, side);
      const [prevBound, prevFull] = this.window(i === 0 ? 0 : i - 1, side);
      const ours = new Map<number, number>();
      for (let oid = this.book.best(side); oid !== NONE; oid = this.book.next(oid)) {
        const price = this.book.priceOf(oid);
        if (full && (side === BUY ? price < bound : price > bound)) break;
        ours.set(price, (ours.get(price) ?? 0) + this.book.qtyOf(oid));
      }
      for (const [price, d] of this.debt[side]) {
        const q = ours.get(price);
        if (q !== undefined) ours.set(price, q - d);
      }
      for (const [price, q] of ours) if (q === 0) ours.delete(price);
      const prices = new Set([...fileLevels.keys(), ...ours.keys()]);
      for (const price of prices) {
        const want = fileLevels.get(price) ?? 0;
        const have = ours.get(price) ?? 0;
        const wasVisible =
          i > 0 && (!prevFull || (side === BUY ? price >= prevBound : price <= prevBound));
        if (want === have) continue;
        if (wasVisible && bad === '') {
          bad = `row ${i + 1}: ${side === BUY ? 'bid' : 'ask'} ${price} has ${have}, file says ${want}`;
        }
        if (!wasVisible) this.stats.learned++;
        this.reconcile(side, price, want, have);
      }
    }
    if (bad !== '') {
      this.stats.mismatches++;
      if (this.stats.firstMismatches.length < 10) this.stats.firstMismatches.push(bad);
    }
  }

  /** Fast path, no allocation: does the book's visible window equal row i on one side? */
  private sideMatches(i: number, side: Side): boolean {
    const book = this.book;
    const data = this.ob.data;
    const n = this.ob.levels;
    const row = i * n * 4 + (side === BUY ? 2 : 0);
    const full = data[row + (n - 1) * 4 + 1] > 0;
    const bound = data[row + (n - 1) * 4];
    const debt = this.debt[side];
    let l = 0;
    let oid = book.best(side);
    while (oid !== NONE) {
      const price = book.priceOf(oid);
      if (full && (side === BUY ? price < bound : price > bound)) break;
      let qty = 0;
      while (oid !== NONE && book.priceOf(oid) === price) {
        qty += book.qtyOf(oid);
        oid = book.next(oid);
      }
      if (debt.size > 0) qty -= debt.get(price) ?? 0;
      if (qty === 0) continue;
      if (l >= n || data[row + l * 4] !== price || data[row + l * 4 + 1] !== qty) return false;
      l++;
    }
    return l >= n || data[row + l * 4 + 1] === 0;
  }

  /** [price, size] of level l (0-based) of a side in orderbook row i; size 0 when empty. */
  private level(i: number, side: Side, l: number): [number, number] {
    const at = (i * this.ob.levels + l) * 4 + (side === BUY ? 2 : 0);
    return [this.ob.data[at], this.ob.data[at + 1]];
  }

  /** The visible price range of a side: [worst visible price, whether all N levels are used]. */
  private window(i: number, side: Side): [number, boolean] {
    const [price, size] = this.level(i, side, this.ob.levels - 1);
    return [price, size > 0];
  }

  private reconcile(side: Side, price: number, want: number, have: number): void {
    if (want > have) {
      const debt = this.debt[side].get(price) ?? 0;
      const paid = Math.min(debt, want - have);
      if (paid > 0) this.setDebt(side, price, debt - paid);
      const add = want - have - paid;
      if (add <= 0) return;
      const s = this.synth[side].get(price);
      if (s === undefined) this.addSynthetic(side, price, add);
      else this.book.setQty(s, this.book.qtyOf(s) + add);
      return;
    }
    this.takeFromLevel(side, price, have - want);
  }

  /** Removes `qty` of unexplained liquidity from a level: the synthetic order, then as debt. */
  private takeFromLevel(side: Side, price: number, qty: number): void {
    const left = qty - this.reduceSynthetic(side, price, qty);
    if (left <= 0) return;
    this.setDebt(side, price, (this.debt[side].get(price) ?? 0) + left);
    this.settleDebt(side, price);
  }

  private setDebt(side: Side, price: number, d: number): void {
    if (d > 0) this.debt[side].set(price, d);
    else this.debt[side].delete(price);
  }

  /** A debt that covers every order of its level means all of them are gone: clear the level. */
  private settleDebt(side: Side, price: number): void {
    const d = this.debt[side].get(price);
    if (d === undefined) return;
    const total = this.book.levelQty(side, price);
    if (d < total) return;
    this.debt[side].delete(price);
    const level: number[] = [];
    for (let oid = this.book.best(side); oid !== NONE; oid = this.book.next(oid)) {
      const p = this.book.priceOf(oid);
      if (p === price) level.push(oid);
      else if (side === BUY ? p < price : p > price) break;
    }
    for (const oid of level) {
      if (this.idOf[oid] < 0) this.reduceSynthetic(side, price, this.book.qtyOf(oid));
      else this.forget(this.idOf[oid], oid);
    }
  }

  private addSynthetic(side: Side, price: number, qty: number): void {
    const oid = this.allocOid();
    this.idOf[oid] = -1;
    this.synth[side].set(price, oid);
    this.book.add(oid, side, price, qty);
  }

  /** Takes up to `qty` from the synthetic order at a price; returns how much it took. */
  private reduceSynthetic(side: Side, price: number, qty: number): number {
    const s = this.synth[side].get(price);
    if (s === undefined) return 0;
    const open = this.book.qtyOf(s);
    if (open > qty) {
      this.book.setQty(s, open - qty);
      return qty;
    }
    this.book.remove(s);
    this.synth[side].delete(price);
    this.freeOids.push(s);
    return open;
  }

  private forget(id: number, oid: number): void {
    this.book.remove(oid);
    if (id >= 0) this.oidOf.delete(id);
    this.freeOids.push(oid);
  }

  private allocOid(): number {
    return this.freeOids.length > 0 ? this.freeOids.pop()! : this.nextOid++;
  }
}
