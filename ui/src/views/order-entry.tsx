import { useEffect, useState } from 'preact/hooks';
import type { OrderKind, PlaceRequest, Side, Tif } from '../api';
import { group, market, scaleOf, session, useTopics } from '../model';
import { hms } from './format';
import { LoginPanel } from './login-panel';
import { ticket } from './ticket';

const KINDS: { kind: OrderKind; label: string }[] = [
  { kind: 'limit', label: 'Limit' },
  { kind: 'market', label: 'Market' },
  { kind: 'stop', label: 'Stop' },
  { kind: 'stopLimit', label: 'Stop lmt' },
];
const TIFS: Tif[] = ['GTC', 'IOC', 'FOK', 'DAY', 'GTD'];
let seq = 0;

/** Exact notional price x qty from decimal strings, or null when either is not a plain decimal. */
function notional(price: string, qty: string, tick: string, lot: string): string | null {
  if (!/^\d+(\.\d+)?$/.test(price) || !/^\d+(\.\d+)?$/.test(qty)) return null;
  const ps = Math.max(scaleOf(tick), scaleOf(price));
  const qs = Math.max(scaleOf(lot), scaleOf(qty));
  const big = (s: string, sc: number) => BigInt(s.replace('.', '') + '0'.repeat(sc - scaleOf(s)));
  const digits = (big(price, ps) * big(qty, qs)).toString().padStart(ps + qs + 1, '0');
  const sc = ps + qs;
  return group(sc === 0 ? digits : `${digits.slice(0, -sc)}.${digits.slice(-sc)}`);
}

/**
 * The order ticket. It validates nothing itself beyond what the fields need: the server's reject
 * reason and message are shown as they come, so the rules live in one place.
 */
function Ticket() {
  useTopics('ticket', 'instruments', 'session');
  const inst = market.instrument();
  const [side, setSide] = useState<Side>(ticket.side);
  const [kind, setKind] = useState<OrderKind>('limit');
  const [price, setPrice] = useState(ticket.price);
  const [stopPrice, setStopPrice] = useState('');
  const [qty, setQty] = useState('100');
  const [tif, setTif] = useState<Tif>('GTC');
  const [gtdMin, setGtdMin] = useState('60');
  const [postOnly, setPostOnly] = useState(false);
  const [display, setDisplay] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (ticket.version === 0) return;
    setPrice(ticket.price);
    setSide(ticket.side);
    if (kind === 'market' || kind === 'stop') setKind('limit');
  }, [ticket.version]);

  const needsPrice = kind === 'limit' || kind === 'stopLimit';
  const needsStop = kind === 'stop' || kind === 'stopLimit';
  const submit = async (e: Event) => {
    e.preventDefault();
    if (inst === undefined) return;
    const req: PlaceRequest = {
      symbol: inst.symbol,
      side,
      kind,
      qty: qty.trim(),
      clientOrderId: `ui-${Date.now().toString(36)}-${(seq++).toString(36)}`,
    };
    if (needsPrice) req.price = price.trim();
    if (needsStop) req.stopPrice = stopPrice.trim();
    if (kind !== 'market') req.tif = tif;
    if (tif === 'GTD' && kind !== 'market') req.expireAt = Date.now() + Number(gtdMin) * 60_000;
    if (postOnly && kind === 'limit') req.postOnly = true;
    if (display.trim() !== '') req.displayQty = display.trim();
    setBusy(true);
    await session.place(req);
    setBusy(false);
  };
  const n =
    inst !== undefined && needsPrice
      ? notional(price.trim(), qty.trim(), inst.tickSize, inst.lotSize)
      : null;
  const cls = side === 'buy' ? 'b' : 's';
  return (
    <form class="ticket" onSubmit={(e) => void submit(e)}>
      <div class="sides">
        <button
          type="button"
          data-testid="side-buy"
          class={`b${side === 'buy' ? ' on' : ''}`}
          onClick={() => setSide('buy')}
        >
          Buy
        </button>
        <button
          type="button"
          data-testid="side-sell"
          class={`s${side === 'sell' ? ' on' : ''}`}
          onClick={() => setSide('sell')}
        >
          Sell
        </button>
      </div>
      <div class="kinds" role="tablist">
        {KINDS.map((k) => (
          <button
            type="button"
            key={k.kind}
            data-kind={k.kind}
            class={kind === k.kind ? 'on' : ''}
            onClick={() => setKind(k.kind)}
          >
            {k.label}
          </button>
        ))}
      </div>
      {needsStop && (
        <label class="field">
          <span>Stop price</span>
          <span class="unit">
            <input
              name="stopPrice"
              data-testid="order-stop"
              inputMode="decimal"
              value={stopPrice}
              onInput={(e) => setStopPrice((e.target as HTMLInputElement).value)}
              placeholder={inst?.tickSize}
            />
            <em>USD</em>
          </span>
        </label>
      )}
      {needsPrice && (
        <label class="field">
          <span>Limit price</span>
          <span class="unit">
            <input
              name="price"
              data-testid="order-price"
              inputMode="decimal"
              value={price}
              onInput={(e) => setPrice((e.target as HTMLInputElement).value)}
              placeholder={inst?.lastPrice ?? inst?.referencePrice ?? ''}
            />
            <em>USD</em>
          </span>
        </label>
      )}
      <label class="field">
        <span>Quantity</span>
        <span class="unit">
          <input
            name="qty"
            data-testid="order-qty"
            inputMode="decimal"
            value={qty}
            onInput={(e) => setQty((e.target as HTMLInputElement).value)}
          />
          <em>{inst?.symbol}</em>
        </span>
      </label>
      {kind !== 'market' && (
        <label class="field">
          <span>Time in force</span>
          <select
            name="tif"
            data-testid="order-tif"
            value={tif}
            onChange={(e) => setTif((e.target as HTMLSelectElement).value as Tif)}
          >
            {TIFS.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
      )}
      {tif === 'GTD' && kind !== 'market' && (
        <label class="field">
          <span>Expires in</span>
          <span class="unit">
            <input
              name="gtd"
              value={gtdMin}
              inputMode="numeric"
              onInput={(e) => setGtdMin((e.target as HTMLInputElement).value)}
            />
            <em>min</em>
          </span>
        </label>
      )}
      <label class="field">
        <span>Iceberg show</span>
        <input
          name="displayQty"
          value={display}
          inputMode="decimal"
          placeholder="optional"
          onInput={(e) => setDisplay((e.target as HTMLInputElement).value)}
        />
      </label>
      <div class="checks">
        <label>
          <input
            type="checkbox"
            data-testid="order-postonly"
            disabled={kind !== 'limit'}
            checked={postOnly && kind === 'limit'}
            onChange={(e) => setPostOnly((e.target as HTMLInputElement).checked)}
          />
          <span>Post-only</span>
        </label>
      </div>
      <div class="summary">
        <span>Notional</span>
        <span class="mono">{n ?? '—'}</span>
      </div>
      <button
        class={`submit ${cls}`}
        data-testid="order-submit"
        disabled={busy || inst === undefined}
      >
        {busy ? 'Sending…' : `${side === 'buy' ? 'Buy' : 'Sell'} ${inst?.symbol ?? ''}`}
      </button>
      <div class="notices" data-testid="order-messages">
        {session.notices.map((m) => (
          <div key={m.time + m.text} class={`notice ${m.kind}`} data-reason={m.reason}>
            <span class="dim mono">{hms(m.time)} </span>
            {m.reason !== undefined && m.kind === 'error' && <code>{m.reason}</code>}
            {m.text}
          </div>
        ))}
      </div>
    </form>
  );
}

export function OrderEntry() {
  useTopics('session');
  return (
    <section
      class="panel"
      style="grid-area:entry"
      data-testid={session.loggedIn ? 'order-entry' : 'login-panel'}
    >
      <header>
        <h2>{session.loggedIn ? 'Order entry' : 'Account'}</h2>
        {session.loggedIn && <span>{market.symbol}</span>}
      </header>
      <div class="body">{session.loggedIn ? <Ticket /> : <LoginPanel />}</div>
    </section>
  );
}
