import { group, market, useTopics } from '../model';
import { clock } from './format';
import { prefill } from './ticket';

const SHOW = 80;

/** The public trade tape of the selected symbol, newest first, coloured by the aggressor. */
export function TradeTape() {
  useTopics('trades');
  const trades = market.tape.latest(SHOW);
  return (
    <section class="panel" style="grid-area:tape" data-testid="trade-tape">
      <header>
        <h2>Trades</h2>
        <span>{market.symbol}</span>
        <span class="right dim">{group(String(market.tape.trades.length))} since load</span>
      </header>
      <div class="body">
        {trades.length === 0 ? (
          <div class="empty">No trades yet</div>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Time</th>
                <th class="r">Price</th>
                <th class="r">Size</th>
              </tr>
            </thead>
            <tbody>
              {trades.map((t) => (
                <tr key={t.tradeId} data-trade-id={t.tradeId} onClick={() => prefill(t.price)}>
                  <td class="num dim">{clock(t.time)}</td>
                  <td class={`num r ${t.aggressor}`}>{t.price}</td>
                  <td class="num r">{group(t.qty)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
