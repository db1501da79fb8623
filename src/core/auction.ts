/**
 * The uncross: the single price that maximises executable volume. Ties go to the minimum
 * imbalance, then to market pressure (a buy surplus at every remaining candidate takes the highest,
 * a sell surplus the lowest), then to the price closest to the reference (lower on a tie).
 * Candidates are every tick between the limits involved plus the reference. Volume and imbalance
 * are constant between two adjacent limits, so it is exact to evaluate only each limit, its two
 * neighbouring ticks and the reference: the best tick of any flat stretch is one of those.
 * With no reference at all (no trade, none configured), the last rule uses the middle of the
 * remaining candidates instead, and picks the evaluated candidate nearest to it.
 */

export interface AuctionInterest {
  /** Limit price in ticks, or NaN for a market order. */
  price: number;
  qty: number;
}

export interface UncrossResult {
  /** Null when nothing can execute. */
  price: number | null;
  volume: number;
  /** Buy quantity executable at the price minus sell quantity (positive = buy surplus). */
  surplus: number;
}

export const NO_UNCROSS: UncrossResult = { price: null, volume: 0, surplus: 0 };

export function findUncross(
  buys: readonly AuctionInterest[],
  sells: readonly AuctionInterest[],
  reference: number,
): UncrossResult {
  let marketBuy = 0;
  let marketSell = 0;
  const limits = new Set<number>();
  const buyLimits: AuctionInterest[] = [];
  const sellLimits: AuctionInterest[] = [];
  for (const b of buys) {
    if (Number.isNaN(b.price)) marketBuy += b.qty;
    else buyLimits.push(b);
  }
  for (const s of sells) {
    if (Number.isNaN(s.price)) marketSell += s.qty;
    else sellLimits.push(s);
  }
  for (const o of buyLimits) limits.add(o.price);
  for (const o of sellLimits) limits.add(o.price);

  const candidates = new Set<number>();
  if (limits.size > 0) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of limits) {
      lo = Math.min(lo, p);
      hi = Math.max(hi, p);
    }
    for (const p of limits) {
      candidates.add(p);
      if (p - 1 >= lo) candidates.add(p - 1);
      if (p + 1 <= hi) candidates.add(p + 1);
    }
  }
  if (Number.isFinite(reference)) candidates.add(reference);
  if (candidates.size === 0) return NO_UNCROSS;

  const sorted = [...candidates].sort((a, b) => a - b);
  buyLimits.sort((a, b) => a.price - b.price);
  sellLimits.sort((a, b) => a.price - b.price);
  let totalBuy = marketBuy;
  for (const b of buyLimits) totalBuy += b.qty;

  // Sweep candidates upwards: sells at or below p join, buys below p leave.
  const volume: number[] = [];
  const surplus: number[] = [];
  let cumSell = marketSell;
  let cumBuy = totalBuy;
  let si = 0;
  let bi = 0;
  for (const p of sorted) {
    while (si < sellLimits.length && sellLimits[si].price <= p) cumSell += sellLimits[si++].qty;
    while (bi < buyLimits.length && buyLimits[bi].price < p) cumBuy -= buyLimits[bi++].qty;
    volume.push(Math.min(cumBuy, cumSell));
    surplus.push(cumBuy - cumSell);
  }

  let best = 0;
  for (const v of volume) best = Math.max(best, v);
  if (best === 0) return NO_UNCROSS;
  let keep = sorted.map((_, i) => i).filter((i) => volume[i] === best);
  const minImbalance = Math.min(...keep.map((i) => Math.abs(surplus[i])));
  keep = keep.filter((i) => Math.abs(surplus[i]) === minImbalance);

  let pick: number;
  if (keep.every((i) => surplus[i] > 0)) {
    pick = keep[keep.length - 1];
  } else if (keep.every((i) => surplus[i] < 0)) {
    pick = keep[0];
  } else {
    const anchor = Number.isFinite(reference)
      ? reference
      : Math.floor((sorted[keep[0]] + sorted[keep[keep.length - 1]]) / 2);
    pick = keep[0];
    for (const i of keep) {
      if (Math.abs(sorted[i] - anchor) < Math.abs(sorted[pick] - anchor)) pick = i;
    }
  }
  return { price: sorted[pick], volume: best, surplus: surplus[pick] };
}
