import { useEffect, useState } from 'preact/hooks';
import { group, market, session, useTopics } from '../model';

function Logo() {
  return (
    <svg width="22" height="22" viewBox="0 0 22 22" aria-hidden="true">
      <rect x="2" y="9" width="5" height="10" rx="1" fill="#1fb58a" />
      <line x1="4.5" y1="5" x2="4.5" y2="21" stroke="#1fb58a" stroke-width="1.5" />
      <rect x="9" y="4" width="5" height="11" rx="1" fill="#f0506e" />
      <line x1="11.5" y1="1" x2="11.5" y2="18" stroke="#f0506e" stroke-width="1.5" />
      <rect x="16" y="7" width="5" height="8" rx="1" fill="#1fb58a" />
      <line x1="18.5" y1="3" x2="18.5" y2="19" stroke="#1fb58a" stroke-width="1.5" />
    </svg>
  );
}

export function SymbolSelect() {
  useTopics('instruments');
  return (
    <nav class="symbols" data-testid="symbol-select" aria-label="Symbol">
      {market.instruments.map((i) => {
        const q = market.quotes.get(i.symbol);
        const phase = market.phases.get(i.symbol) ?? i.phase;
        return (
          <button
            key={i.symbol}
            data-symbol={i.symbol}
            class={i.symbol === market.symbol ? 'active' : ''}
            onClick={() => market.select(i.symbol)}
            title={`tick ${i.tickSize} · lot ${i.lotSize} · band ±${i.bandPct ?? '–'}%`}
          >
            <span class="sym">{i.symbol}</span>
            <span class="last">
              {i.lastPrice ?? <span class="dim">{i.referencePrice ?? '–'}</span>}{' '}
              {phase !== 'continuous' && <span class="phase">{phase}</span>}
            </span>
            <span class="bbo">
              <span class="buy">{q?.bid?.price ?? '—'}</span>
              {' / '}
              <span class="sell">{q?.ask?.price ?? '—'}</span>
            </span>
          </button>
        );
      })}
      {market.instrumentsError !== null && (
        <span class="muted" style="align-self:center">
          instruments: {market.instrumentsError}
        </span>
      )}
    </nav>
  );
}

export function ConnBadge() {
  useTopics('conn');
  const [, tick] = useState(0);
  const c = market.conn;
  useEffect(() => {
    if (c.status !== 'waiting') return;
    const t = setInterval(() => tick((x) => x + 1), 250);
    return () => clearInterval(t);
  }, [c.status]);
  let text: string;
  if (c.status === 'open') {
    text = `live${c.rttMs === null ? '' : ` · rtt ${c.rttMs} ms`} · ${group(String(c.msgsPerSec))} msg/s`;
  } else if (c.status === 'waiting') {
    const s = Math.max(0, ((c.retryAt ?? Date.now()) - Date.now()) / 1000);
    text = `offline (${c.lastClose ?? '?'}) · retry ${c.attempt} in ${s.toFixed(1)} s`;
  } else text = c.status;
  return (
    <button
      class={`conn ${c.status}`}
      data-testid="connection"
      data-status={c.status}
      onClick={() => market.feed.retryNow()}
      title={`reconnects: ${c.reconnects}${c.lastClose === null ? '' : ` · last close: ${c.lastClose}`}`}
    >
      <span class="dot" />
      {text}
    </button>
  );
}

export function WhoAmI() {
  useTopics('session');
  const a = session.account;
  if (a === null) return <div class="whoami muted">public market data · log in to trade</div>;
  return (
    <div class="whoami" data-testid="account">
      <span class="mono">{a.account}</span>
      <span class="role">{a.role}</span>
      <button class="act" onClick={() => session.logout()}>
        Log out
      </button>
    </div>
  );
}

export function Header() {
  return (
    <header class="topbar">
      <div class="brand">
        <Logo />
        crossbook <small>exchange</small>
      </div>
      <SymbolSelect />
      <ConnBadge />
      <WhoAmI />
    </header>
  );
}
