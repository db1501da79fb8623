/**
 * The price index of one side of a FastBook: its levels sorted by key with the best at the END
 * (key = price for bids, -price for asks, so "higher key = better" on both sides), plus an exact
 * direct-mapped window over keys near the best, so finding a level there is one array read.
 *
 * Window invariant: every level whose key lies in [base, base + size) sits in `win` at
 * key - base, and every other slot is NONE (winCount counts the filled slots). Outside the window
 * a lookup falls back to a binary search. The window is re-centred when a new best level lands
 * outside it, leaving 3/4 of it behind the best, where resting orders are. It starts small (a
 * book per instrument, thousands of instruments) and doubles while levels land just behind it.
 */
import { NONE } from './order-book.js';

/** Window slots at first; it doubles (to WINDOW_MAX) when levels land behind it. */
export const WINDOW_MIN = 256;
/** Largest window: 8192 slots, 32 KiB of Int32 per side. */
export const WINDOW_MAX = 8192;
/** A lookup scans this many entries from the best end before it binary-searches. */
const NEAR_SCAN = 8;

export class FastSide {
  keys: Float64Array;
  levels: Int32Array;
  /** Levels in the index, including retained empty ones (never the top). */
  len: number;
  /** Levels holding at least one order. */
  nonEmpty: number;
  /** Resting orders on this side. */
  orders: number;
  win: Int32Array;
  /** win.length, kept as a field so the hot path reads a Smi. */
  size: number;
  base: number;
  winCount: number;

  constructor(capacity: number) {
    this.keys = new Float64Array(capacity);
    this.levels = new Int32Array(capacity);
    this.len = 0;
    this.nonEmpty = 0;
    this.orders = 0;
    this.win = new Int32Array(WINDOW_MIN).fill(NONE);
    this.size = WINDOW_MIN;
    this.base = NaN;
    this.winCount = 0;
  }

  /** The level with this key, or NONE. */
  find(key: number): number {
    const off = key - this.base;
    if (off >= 0 && off < this.size && (off | 0) === off) return this.win[off];
    const i = this.indexOf(key);
    return i >= 0 ? this.levels[i] : NONE;
  }

  /** Index of `key`, or -(insertion point) - 1 when absent. */
  indexOf(key: number): number {
    const keys = this.keys;
    const len = this.len;
    // Most traffic is at or near the top of the book: scan from the best end first.
    const stop = len > NEAR_SCAN ? len - NEAR_SCAN : 0;
    for (let i = len - 1; i >= stop; i--) {
      const k = keys[i];
      if (k === key) return i;
      if (k < key) return -(i + 1) - 1;
    }
    if (stop === 0) return -1;
    let lo = 0;
    let hi = stop - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = keys[mid];
      if (k < key) lo = mid + 1;
      else if (k > key) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }

  /** Adds a level whose key is absent. */
  insert(key: number, lvl: number): void {
    const at = -this.indexOf(key) - 1;
    const len = this.len;
    if (len === this.keys.length) this.grow(len * 2);
    if (at < len) {
      this.keys.copyWithin(at + 1, at, len);
      this.levels.copyWithin(at + 1, at, len);
    }
    this.keys[at] = key;
    this.levels[at] = lvl;
    this.len = len + 1;
    const off = key - this.base;
    if (off >= 0 && off < this.size && (off | 0) === off) {
      this.win[off] = lvl;
      this.winCount++;
    } else if (at === len) {
      this.recenter(key);
    } else if (this.size < WINDOW_MAX && off < 0) {
      // A level just behind the window: widen it (up to WINDOW_MAX) so it is covered.
      const best = this.keys[this.len - 1];
      let size = this.size;
      while (size < WINDOW_MAX && best - key >= size - size / 4) size *= 2;
      this.win = new Int32Array(size);
      this.size = size;
      this.recenter(best);
    }
  }

  /** Drops the level at index i from the index (the caller frees it). */
  removeAt(i: number): void {
    this.unmap(this.keys[i]);
    const len = this.len - 1;
    if (i < len) {
      this.keys.copyWithin(i, i + 1, len + 1);
      this.levels.copyWithin(i, i + 1, len + 1);
    }
    this.len = len;
  }

  /** Clears the window slot of a key that is leaving the index. */
  unmap(key: number): void {
    const off = key - this.base;
    if (off >= 0 && off < this.size && (off | 0) === off) {
      this.win[off] = NONE;
      this.winCount--;
    }
  }

  /** Rebuilds the window so `best` sits 3/4 of the way up it. */
  recenter(best: number): void {
    this.base = best - (this.size - this.size / 4);
    this.win.fill(NONE);
    this.winCount = 0;
    for (let i = 0; i < this.len; i++) {
      const off = this.keys[i] - this.base;
      if (off >= 0 && off < this.size && (off | 0) === off) {
        this.win[off] = this.levels[i];
        this.winCount++;
      }
    }
  }

  grow(capacity: number): void {
    const keys = new Float64Array(capacity);
    keys.set(this.keys.subarray(0, this.len));
    this.keys = keys;
    const levels = new Int32Array(capacity);
    levels.set(this.levels.subarray(0, this.len));
    this.levels = levels;
  }

  /** Checks sort order and the window invariant; `describe` names the side in errors. */
  validateIndex(describe: string): void {
    let mapped = 0;
    for (let i = 0; i < this.len; i++) {
      if (i > 0 && !(this.keys[i - 1] < this.keys[i])) {
        throw new Error(`FastBook: ${describe} keys not strictly sorted at index ${i}`);
      }
      const off = this.keys[i] - this.base;
      if (off >= 0 && off < this.size && (off | 0) === off) {
        if (this.win[off] !== this.levels[i]) {
          throw new Error(`FastBook: ${describe} window slot ${off} does not hold its level`);
        }
        mapped++;
      }
    }
    if (mapped !== this.winCount) {
      throw new Error(`FastBook: ${describe} window holds ${this.winCount} slots, ${mapped} valid`);
    }
  }
}
