import { useEffect, useState } from 'preact/hooks';
import type { ChaosResult } from '../api';
import { group, session, useTopics } from '../model';

const LABELS: Record<string, string> = {
  single: 'one event loop',
  sharded: 'worker shards',
  lockfree: 'CAS on shared memory',
  racy: "the seed's failing design",
};

const int = (s: string): number => Number(s.split('.')[0]);

/**
 * Filled against available, on one scale per run. The scale stops at twice the largest available
 * quantity so the correct modes stay readable; a bar beyond it is cut with a marker and its
 * multiple is written out.
 */
function Bars({ r, scale }: { r: ChaosResult; scale: number }) {
  const W = 400;
  const a = int(r.available);
  const f = int(r.filled);
  const x = (v: number) => Math.min(W, (v / scale) * W);
  const within = Math.min(a, f);
  return (
    <svg viewBox={`0 0 ${W} 30`} preserveAspectRatio="none">
      <rect x="0" y="3" width={x(a)} height="10" fill="#3a4552" />
      <rect x="0" y="17" width={x(within)} height="10" fill="#1fb58a" />
      {f > a && <rect x={x(a)} y="17" width={x(f) - x(a)} height="10" fill="#f0506e" />}
      {f > scale && <path d={`M${W - 8} 15 L${W} 22 L${W - 8} 29 Z`} fill="#ffb3c1" />}
      <line
        x1={x(a)}
        x2={x(a)}
        y1="0"
        y2="30"
        stroke="#f0b90b"
        stroke-width="1.5"
        stroke-dasharray="3 2"
      />
    </svg>
  );
}

function Verdict({ r }: { r: ChaosResult }) {
  const over = r.overExecution ?? String(Math.max(0, int(r.filled) - int(r.available)));
  if (r.mode === 'racy') {
    return r.overExecuted ? (
      <span class="verdict sell">✗ caught: {group(over)} over-executed</span>
    ) : (
      <span class="verdict dim">race not hit this run</span>
    );
  }
  return r.overExecuted ? (
    <span class="verdict sell">✗ OVER-EXECUTED by {group(over)}</span>
  ) : (
    <span class="verdict buy">
      ✓ zero over-execution{r.conserved === true ? ' · conserved' : ''}
    </span>
  );
}

/**
 * The seed's chaos test, run on the server on fresh engines (POST /api/v1/chaos): 1000 asks of 100,
 * then 10,000 concurrent bids of 10. Filled against available liquidity, per mode.
 */
export function ChaosPanel() {
  useTopics('chaos', 'session');
  const c = session.chaos;
  const [, tick] = useState(0);
  useEffect(() => {
    if (!c.running) return;
    const t = setInterval(() => tick((x) => x + 1), 200);
    return () => clearInterval(t);
  }, [c.running]);
  const results = c.results ?? [];
  const maxAvail = Math.max(1, ...results.map((r) => int(r.available)));
  const maxAll = Math.max(1, ...results.map((r) => Math.max(int(r.filled), int(r.available))));
  const scale = Math.min(maxAll, maxAvail * 2);
  return (
    <section
      class="panel"
      style="grid-area:chaos"
      data-testid="chaos-panel"
      data-running={String(c.running)}
    >
      <header>
        <h2>Chaos test</h2>
        <span>1,000 asks × 100 · then 10,000 concurrent bids × 10</span>
        <span class="right">
          {c.running && c.startedAt !== null && (
            <span class="pill warn">
              running {((Date.now() - c.startedAt) / 1000).toFixed(1)} s
            </span>
          )}
          <button
            class="run"
            data-testid="chaos-run"
            disabled={!session.loggedIn || c.running}
            title={
              session.loggedIn ? 'Runs on fresh engines, never the live venue' : 'Log in to run'
            }
            onClick={() => void session.runChaos()}
          >
            {c.running ? 'Running…' : session.loggedIn ? 'Run on server' : 'Log in to run'}
          </button>
        </span>
      </header>
      <div class="body chaos">
        {c.error !== null && (
          <div class="notice error" data-testid="chaos-error">
            <code>{c.error.reason}</code>
            {c.error.message}
          </div>
        )}
        {results.length === 0 ? (
          <p>
            Two engines that both check the same liquidity before executing is how an exchange sells
            2,000 shares that do not exist. This runs the seed's test in every concurrency mode on
            the server and shows how much was filled against how much was available at the bid.{' '}
            <b>racy</b> is the seed's failing design (check, await, execute), kept to prove that the
            test catches it.
          </p>
        ) : (
          <>
            <div class="legend">
              <span>
                <i style="background:#3a4552" />
                {results[0]?.availableFrom === 'liquidity'
                  ? 'liquidity offered'
                  : 'available at the bid price'}
              </span>
              <span>
                <i style="background:#1fb58a" />
                filled
              </span>
              <span>
                <i style="background:#f0506e" />
                over-executed
              </span>
              {results[0]?.offered != null && results[0].availableFrom !== 'liquidity' && (
                <span class="dim">({group(results[0].offered)} offered in all)</span>
              )}
            </div>
            {results.map((r) => (
              <div
                class="crow"
                key={r.mode}
                data-testid={`chaos-${r.mode}`}
                data-over-executed={String(r.overExecuted)}
                data-filled={r.filled}
                data-available={r.available}
              >
                <span class={`mode${r.mode === 'racy' ? ' sell' : ''}`}>
                  {r.mode}
                  <small style={r.mode === 'racy' ? '' : 'color:var(--dim)'}>
                    {LABELS[r.mode] ?? ''}
                  </small>
                </span>
                <Bars r={r} scale={scale} />
                <span class="cnum">
                  <span class="mono">
                    {group(r.filled)} / {group(r.available)}
                    {int(r.filled) > scale && (
                      <span class="sell"> ({(int(r.filled) / int(r.available)).toFixed(1)}×)</span>
                    )}
                  </span>
                  <Verdict r={r} />
                </span>
                <span class="dim cstat">
                  {r.ms !== null && `${group(String(r.ms))} ms`}
                  {r.ordersPerSec !== null &&
                    `${group(String(Math.round(r.ordersPerSec)))} orders/s`}
                </span>
              </div>
            ))}
          </>
        )}
      </div>
    </section>
  );
}
