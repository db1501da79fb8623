import { group, session, useTopics } from '../model';
import { clock } from './format';

/** The account's fills, newest first (GET /fills, then execution reports). */
export function MyFills() {
  useTopics('fills', 'session');
  if (!session.loggedIn) {
    return (
      <section class="panel" style="grid-area:fills">
        <header>
          <h2>My fills</h2>
        </header>
        <div class="locked">Log in to see your fills</div>
      </section>
    );
  }
  const fills = session.fills.slice(0, 200);
  return (
    <section class="panel" style="grid-area:fills" data-testid="my-fills">
      <header>
        <h2>My fills</h2>
        <span>{session.fills.length}</span>
      </header>
      <div class="body">
        {fills.length === 0 ? (
          <div class="empty">No fills yet</div>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Time</th>
                <th>Sym</th>
                <th>Side</th>
                <th class="r">Price</th>
                <th class="r">Qty</th>
                <th>Liq</th>
                <th class="r">Trade</th>
              </tr>
            </thead>
            <tbody>
              {fills.map((f) => (
                <tr
                  key={`${f.tradeId}:${f.orderId}`}
                  data-testid="my-fill"
                  data-trade-id={f.tradeId}
                >
                  <td class="num dim">{clock(f.time)}</td>
                  <td>{f.symbol}</td>
                  <td class={f.side}>{f.side}</td>
                  <td class="num r">{f.price}</td>
                  <td class="num r">{group(f.qty)}</td>
                  <td class="dim">{f.liquidity}</td>
                  <td class="num r dim">#{f.tradeId}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
