import type { Trade } from '../api';

export interface Candle {
  /** Bucket start, seconds since the epoch (lightweight-charts' UTCTimestamp). */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/**
 * OHLCV candles from trades, in trade order. Chart coordinates are floats: they only place pixels,
 * while the tape and tables show the server's decimal strings.
 */
export class CandleBuilder {
  readonly candles: Candle[] = [];

  constructor(readonly intervalSec: number) {}

  /** Adds a trade; returns the candle it changed (new or last). */
  add(t: Trade): Candle {
    const time = Math.floor(t.time / 1000 / this.intervalSec) * this.intervalSec;
    const price = Number(t.price);
    const qty = Number(t.qty);
    const last = this.candles[this.candles.length - 1];
    if (last !== undefined && last.time >= time) {
      last.high = Math.max(last.high, price);
      last.low = Math.min(last.low, price);
      last.close = price;
      last.volume += qty;
      return last;
    }
    const c = { time, open: price, high: price, low: price, close: price, volume: qty };
    this.candles.push(c);
    return c;
  }
}
