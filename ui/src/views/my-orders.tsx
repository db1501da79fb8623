import { useState } from 'preact/hooks';
import type { Order } from '../api';
import { group, session, useTopics } from '../model';
import { hms } from './format';

const STATUS: Record<string, string> = {
  partiallyFilled: 'partial',
  pendingTrigger: 'stop waiting',
};

function OrderRow({ o }: { o: Order }) {
  const [edit, setEdit] = useState<{ price: string; qty: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async () => {
    if (edit === null) return;
    const change: { price?: string; qty?: string } = {};
    if (edit.price.trim() !== (o.price ?? '')) change.price = edit.price.trim();
    if (edit.qty.trim() !== o.leavesQty) change.qty = edit.qty.trim();
    setBusy(true);
    // An empty change goes to the server too: its `no_change` reason says why nothing happened.
    const ok = await session.replace(o.orderId, change);
    setBusy(false);
    if (ok) setEdit(null);
  };
  return (
    <tr data-testid="my-order" data-order-id={o.orderId} data-status={o.status}>
      <td class="num dim">{hms(o.time)}</td>
      <td>{o.symbol}</td>
      <td class={o.side}>{o.side}</td>
      <td class="dim">
        {o.kind}
        {o.postOnly ? ' · PO' : ''} · {o.tif}
      </td>
      <td class="num r">
        {edit === null ? (
          (o.price ?? 'mkt') + (o.stopPrice === null ? '' : ` stop ${o.stopPrice}`)
        ) : (
          <input
            data-testid="replace-price"
            value={edit.price}
            onInput={(e) => setEdit({ ...edit, price: (e.target as HTMLInputElement).value })}
          />
        )}
      </td>
      <td class="num r">
        {edit === null ? (
          group(o.leavesQty)
        ) : (
          <input
            data-testid="replace-qty"
            value={edit.qty}
            onInput={(e) => setEdit({ ...edit, qty: (e.target as HTMLInputElement).value })}
          />
        )}
      </td>
      <td class="dim">
        {STATUS[o.status] ?? o.status}
        {o.filledQty !== '0' && ` · ${group(o.filledQty)} filled`}
      </td>
      <td class="r actions">
        {edit === null ? (
          <>
            <button
              class="act"
              data-testid="replace"
              onClick={() => setEdit({ price: o.price ?? '', qty: o.leavesQty })}
            >
              Replace
            </button>{' '}
            <button
              class="act danger"
              data-testid="cancel"
              disabled={busy}
              onClick={async () => {
                setBusy(true);
                await session.cancel(o.orderId);
                setBusy(false);
              }}
            >
              Cancel
            </button>
          </>
        ) : (
          <>
            <button
              class="act"
              data-testid="replace-save"
              disabled={busy}
              onClick={() => void save()}
            >
              Save
            </button>{' '}
            <button class="act" onClick={() => setEdit(null)}>
              ✕
            </button>
          </>
        )}
      </td>
    </tr>
  );
}

/** Open orders of the logged-in account (every symbol), newest first. */
export function MyOrders() {
  useTopics('orders', 'session');
  if (!session.loggedIn) {
    return (
      <section class="panel" style="grid-area:orders">
        <header>
          <h2>My orders</h2>
        </header>
        <div class="locked">Log in to see your orders</div>
      </section>
    );
  }
  const orders = session.openOrders();
  return (
    <section class="panel" style="grid-area:orders" data-testid="my-orders">
      <header>
        <h2>My open orders</h2>
        <span>{orders.length}</span>
        <span class="right">
          <button
            class="act danger"
            disabled={orders.length === 0}
            onClick={() => void session.massCancel()}
          >
            Cancel all
          </button>
        </span>
      </header>
      <div class="body">
        {orders.length === 0 ? (
          <div class="empty">No open orders</div>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Time</th>
                <th>Sym</th>
                <th>Side</th>
                <th>Type</th>
                <th class="r">Price</th>
                <th class="r">Open</th>
                <th>Status</th>
                <th class="actions" />
              </tr>
            </thead>
            <tbody>
              {orders.map((o) => (
                <OrderRow key={o.orderId} o={o} />
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
