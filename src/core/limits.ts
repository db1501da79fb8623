/**
 * Exact arithmetic: every quantity, price and sum the engine forms is an integer held in a double,
 * which is exact up to 2^53. Rather than BigInt on the hot path, each instrument has a maximum
 * order quantity (lots) and a maximum price (ticks), and a live-order cap derived from them, so
 * that no sum can pass 2^53 - 1 (docs/protocol.md, "Exact arithmetic", has the arithmetic):
 *
 * - any total of open quantities (a level, a side, an auction's volumes and imbalance, the FOK
 *   availability walk, market-data levels) <= maxLive x maxQty <= 2^53 - 1;
 * - everything one order ever fills (filled <= maxQty, replaces included) times any price it can
 *   fill at (<= maxPrice), so its filled notional in tick-lots <= maxQty x maxPrice <= 2^53 - 1,
 *   market orders included;
 * - price-band arithmetic: |price - ref| x 10,000 and ref x bandBps stay below 2^53.
 */

/** 2^53 - 1: the largest integer a double holds exactly together with all smaller ones. */
export const MAX_EXACT = Number.MAX_SAFE_INTEGER;

/** Default maximum order quantity: 2^26 lots (67,108,864). */
export const DEFAULT_MAX_QTY = 2 ** 26;
/** Default maximum price: 2^27 - 1 ticks (134,217,727; $1,342,177.27 at a tick of 0.01). */
export const DEFAULT_MAX_PRICE = 2 ** 27 - 1;
/** Live orders one instrument may hold, whatever its maxQty: 2^27 (order handles stay Int32). */
export const MAX_LIVE_CAP = 2 ** 27 - 1;
/** Widest price band: 1000% (100,000 basis points). */
export const MAX_BAND_BPS = 100_000;

export interface InstrumentLimits {
  maxQty: number;
  maxPrice: number;
  /** Live orders (resting, stops, call-phase market orders) the instrument may hold. */
  maxLive: number;
}

/** The limits an instrument runs with (its config's, or the defaults). */
export function limitsOf(config: { maxQty?: number; maxPrice?: number }): InstrumentLimits {
  const maxQty = config.maxQty ?? DEFAULT_MAX_QTY;
  const maxPrice = config.maxPrice ?? DEFAULT_MAX_PRICE;
  return { maxQty, maxPrice, maxLive: Math.min(MAX_LIVE_CAP, Math.floor(MAX_EXACT / maxQty)) };
}

/** Why a configured maxQty / maxPrice / band cannot keep every sum exact, or null. */
export function checkLimits(config: {
  maxQty?: number;
  maxPrice?: number;
  referencePrice?: number;
  bandBps?: number;
}): string | null {
  const { maxQty, maxPrice } = limitsOf(config);
  if (!(Number.isSafeInteger(maxQty) && maxQty > 0))
    return 'maxQty must be a positive number of lots';
  if (!(Number.isSafeInteger(maxPrice) && maxPrice > 0)) {
    return 'maxPrice must be a positive number of ticks';
  }
  // maxQty x maxPrice <= 2^53 - 1, without forming an inexact product.
  if (maxQty > Math.floor(MAX_EXACT / maxPrice)) {
    return `maxQty x maxPrice must not exceed 2^53 - 1 (${maxQty} x ${maxPrice} does)`;
  }
  // The band test forms ref x bandBps, with bandBps up to MAX_BAND_BPS.
  if (maxPrice > Math.floor(MAX_EXACT / MAX_BAND_BPS)) {
    return `maxPrice must be at most ${Math.floor(MAX_EXACT / MAX_BAND_BPS)} ticks`;
  }
  if (config.referencePrice !== undefined && config.referencePrice > maxPrice) {
    return `referencePrice ${config.referencePrice} is above maxPrice ${maxPrice}`;
  }
  if (config.bandBps !== undefined && config.bandBps > MAX_BAND_BPS) {
    return 'bandPct must be at most 1000';
  }
  return null;
}

/**
 * Times are integer nanoseconds, exact up to 2^53 ns (104 days). Epoch nanoseconds (~1.7e18) are
 * beyond that, where doubles are 256 ns apart; such a time is truncated to a multiple of 1024 ns,
 * which doubles hold exactly up to 2^63 ns, so every time the engine keeps is an exact integer.
 */
export const TIME_GRID_NS = 1024;

/** A time as the engine holds it: itself up to 2^53 ns, else truncated to the 1024 ns grid. */
export function onTimeGrid(ns: number): number {
  return ns > MAX_EXACT ? ns - (ns % TIME_GRID_NS) : ns;
}
