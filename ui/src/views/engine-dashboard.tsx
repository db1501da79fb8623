import { engine, group, useTopics } from '../model';
import { duration, rate } from './format';

function Spark({
  values,
  color,
  area = true,
}: {
  values: number[];
  color: string;
  area?: boolean;
}) {
  if (values.length < 2) return <svg viewBox="0 0 100 22" />;
  const max = Math.max(...values, 1);
  const pts = values
    .map(
      (v, i) =>
        `${((i / (values.length - 1)) * 100).toFixed(2)},${(21 - (v / max) * 19).toFixed(2)}`,
    )
    .join(' ');
  return (
    <svg viewBox="0 0 100 22" preserveAspectRatio="none">
      {area && <polyline points={`0,22 ${pts} 100,22`} fill={color + '22'} stroke="none" />}
      <polyline
        points={pts}
        fill="none"
        stroke={color}
        stroke-width="1.2"
        vector-effect="non-scaling-stroke"
      />
    </svg>
  );
}

/** GET /api/v1/engine, polled each second: what the venue is doing right now. */
export function EngineDashboard() {
  useTopics('engine');
  const s = engine.stats;
  const h = engine.history;
  return (
    <section
      class="panel"
      style="grid-area:engine"
      data-testid="engine-dashboard"
      data-mode={s?.mode}
    >
      <header>
        <h2>Engine</h2>
        {s !== null && <span class="pill warn">{s.mode}</span>}
        <span class="right">
          {engine.error !== null ? (
            <span class="pill bad">{engine.error}</span>
          ) : (
            s !== null && (
              <span class="dim">
                up {duration(s.uptimeSec)} · {s.connections} ws
              </span>
            )
          )}
        </span>
      </header>
      {s === null ? (
        <div class="empty">Loading…</div>
      ) : (
        <div class="body">
          <div class="tiles">
            <div class="tile" data-testid="orders-per-sec">
              <div class="k">Orders / s</div>
              <div class="v">{rate(s.ordersPerSec)}</div>
              <Spark values={h.map((x) => x.ordersPerSec)} color="#3d8bfd" />
            </div>
            <div class="tile">
              <div class="k">Trades / s</div>
              <div class="v">{rate(s.tradesPerSec)}</div>
              <Spark values={h.map((x) => x.tradesPerSec)} color="#1fb58a" />
            </div>
            <div class="tile">
              <div class="k">Journal</div>
              <div class="v">
                {group(String(s.journal.lag))} <small>lag · fsync {s.journal.fsync}</small>
              </div>
            </div>
          </div>
          <div class="tile">
            <div class="k">
              Ack latency <span class="unit-mu">µs</span>, recent · p99 trend
            </div>
            <div class="lat">
              <span>p50</span>
              <span>p99</span>
              <span>p99.9</span>
              <span>max</span>
              <b>{group(String(s.ackLatencyUs.p50))}</b>
              <b>{group(String(s.ackLatencyUs.p99))}</b>
              <b>{group(String(s.ackLatencyUs.p999))}</b>
              <b>{group(String(s.ackLatencyUs.max))}</b>
            </div>
            <Spark values={h.map((x) => x.p99)} color="#f0b90b" area={false} />
          </div>
          <div class="shards" data-testid="shards">
            <span class="dim">Shards</span>
            {s.shards.map((sh) => (
              <span class="shard" key={sh.id}>
                <b>#{sh.id}</b>
                {sh.symbols.join(' ')}
              </span>
            ))}
          </div>
        </div>
      )}
    </section>
  );
}
