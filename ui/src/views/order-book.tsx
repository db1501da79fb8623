import { useEffect, useRef, useState } from 'preact/hooks';
import { fromUnits, group, market, session, toUnits, useTopics, type LadderLevel } from '../model';
import { prefill } from './ticket';

const ROW_PX = 19;
/** Ladder chrome besides the rows: column titles, spread line, footer. */
const CHROME_PX = 80;

/** How many rows per side fit the panel, so no row is cut in half. */
function useRows(ref: { current: HTMLElement | null }): number {
  const [rows, setRows] = useState(12);
  useEffect(() => {
    const el = ref.current;
    if (el === null) return;
    const ro = new ResizeObserver(() =>
      setRows(Math.max(3, Math.floor((el.clientHeight - CHROME_PX) / 2 / ROW_PX))),
    );
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref.current]);
  return rows;
}

/** My open size per price on one side of the current symbol, in lot units. */
function mine(side: 'buy' | 'sell', priceScale: number, qtyScale: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const o of session.orders.values()) {
    if (o.symbol !== market.symbol || o.side !== side || o.price === null) continue;
    if (o.status === 'pendingTrigger') continue;
    const p = toUnits(o.price, priceScale);
    out.set(p, (out.get(p) ?? 0) + toUnits(o.leavesQty, qtyScale));
  }
  return out;
}

function Row(props: {
  l: LadderLevel;
  total: number;
  max: number;
  own: number | undefined;
  side: 'buy' | 'sell';
  qtyScale: number;
}) {
  const { l, own } = props;
  return (
    <div
      class={`row${own === undefined ? '' : ' mine'}`}
      data-price={l.price}
      data-qty={l.qty}
      data-mine={own === undefined ? undefined : fromUnits(own, props.qtyScale)}
      onClick={() => prefill(l.price, props.side === 'buy' ? 'sell' : 'buy')}
      title="Click to use this price"
    >
      <div class="bar" style={{ width: `${(100 * l.qtyU) / props.max}%` }} />
      <span class="own">{own === undefined ? '' : group(fromUnits(own, props.qtyScale))}</span>
      <span class="px">{l.price}</span>
      <span>{group(l.qty)}</span>
      <span class="muted">{group(fromUnits(props.total, props.qtyScale))}</span>
    </div>
  );
}

/** The L2 ladder: asks above (best at the bottom), spread and last trade, bids below. */
export function OrderBook() {
  useTopics('book', 'orders', 'trades');
  const ladder = useRef<HTMLDivElement>(null);
  const ROWS = useRows(ladder);
  const book = market.book;
  const inst = market.instrument();
  if (book === null || inst === undefined) {
    return (
      <section class="panel" style="grid-area:book" data-testid="order-book">
        <header>
          <h2>Order book</h2>
        </header>
        <div class="empty">Waiting for instruments…</div>
      </section>
    );
  }
  const { bids, asks } = book.levels();
  const topAsks = asks.slice(0, ROWS);
  const topBids = bids.slice(0, ROWS);
  const max = Math.max(1, ...topAsks.map((l) => l.qtyU), ...topBids.map((l) => l.qtyU));
  const myBids = mine('buy', book.priceScale, book.qtyScale);
  const myAsks = mine('sell', book.priceScale, book.qtyScale);
  let cum = 0;
  const askTotals = topAsks.map((l) => (cum += l.qtyU));
  cum = 0;
  const bidTotals = topBids.map((l) => (cum += l.qtyU));
  const bestBid = topBids[0];
  const bestAsk = topAsks[0];
  const last = market.tape.trades[market.tape.trades.length - 1];
  const spread =
    bestBid !== undefined && bestAsk !== undefined
      ? fromUnits(bestAsk.priceU - bestBid.priceU, book.priceScale)
      : null;
  return (
    <section
      class="panel"
      style="grid-area:book"
      data-testid="order-book"
      data-symbol={book.symbol}
      data-seq={book.seq}
      data-synced={String(book.synced)}
      data-gaps={book.gaps}
      data-snapshots={book.snapshots}
    >
      <header>
        <h2>Order book</h2>
        <span>{book.symbol}</span>
        <span class="right">
          {book.synced ? (
            <span class="pill ok" title="snapshot + every update in sequence">
              seq {book.seq}
            </span>
          ) : (
            <span class="pill warn">resyncing…</span>
          )}
          {book.gaps > 0 && <span class="pill warn">{book.gaps} gap(s) resynced</span>}
        </span>
      </header>
      <div class={`ladder${book.synced ? '' : ' stale'}`} ref={ladder}>
        <div class="cols">
          <span>Mine</span>
          <span>Price</span>
          <span>Size</span>
          <span>Total</span>
        </div>
        <div class="side asks">
          {topAsks.length === 0 && <div class="empty">No asks</div>}
          {topAsks
            .map((l, i) => (
              <Row
                key={l.price}
                l={l}
                total={askTotals[i]}
                max={max}
                own={myAsks.get(l.priceU)}
                side="sell"
                qtyScale={book.qtyScale}
              />
            ))
            .reverse()}
        </div>
        <div class="spread">
          <span class={`lastpx ${last === undefined ? 'muted' : last.aggressor}`}>
            {last?.price ?? inst.referencePrice ?? '—'}
          </span>
          <span class="muted">
            {last === undefined ? 'reference' : 'last'} · spread{' '}
            <span class="mono">{spread ?? '—'}</span>
          </span>
        </div>
        <div class="side bids">
          {topBids.length === 0 && <div class="empty">No bids</div>}
          {topBids.map((l, i) => (
            <Row
              key={l.price}
              l={l}
              total={bidTotals[i]}
              max={max}
              own={myBids.get(l.priceU)}
              side="buy"
              qtyScale={book.qtyScale}
            />
          ))}
        </div>
        <div class="foot">
          <span>
            {bids.length} bid / {asks.length} ask levels
          </span>
          <span>{group(String(book.updates))} updates</span>
        </div>
      </div>
    </section>
  );
}
