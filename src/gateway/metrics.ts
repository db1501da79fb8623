import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Rolling per-second counts over the last `window` seconds. */
class Rate {
  private readonly buckets: number[];
  private second = 0;

  constructor(private readonly window = 5) {
    this.buckets = new Array<number>(window).fill(0);
  }

  add(n: number, nowMs: number): void {
    this.roll(nowMs);
    this.buckets[this.second % this.window] += n;
  }

  /** Per second over the last full seconds. */
  perSecond(nowMs: number): number {
    this.roll(nowMs);
    let sum = 0;
    for (let i = 1; i < this.window; i++)
      sum += this.buckets[(this.second - i + this.window) % this.window];
    return sum / (this.window - 1);
  }

  private roll(nowMs: number): void {
    const s = Math.floor(nowMs / 1000);
    if (this.second === 0) this.second = s;
    while (this.second < s) {
      this.second++;
      this.buckets[this.second % this.window] = 0;
    }
  }
}

const LATENCY_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
];

/**
 * Prometheus metrics of one server (its own registry, so several servers can share a process in
 * tests), plus cheap rolling rates and recent ack latencies for the dashboard (`GET /engine`).
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly orders = new Counter({
    name: 'crossbook_orders_total',
    help: 'Orders placed, by result',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly trades = new Counter({
    name: 'crossbook_trades_total',
    help: 'Trades executed',
    registers: [this.registry],
  });
  readonly rejects = new Counter({
    name: 'crossbook_rejects_total',
    help: 'Rejected requests, by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly ackLatency = new Histogram({
    name: 'crossbook_ack_latency_seconds',
    help: 'Command submit to durable ack',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'crossbook_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['route', 'status'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'crossbook_engine_queue_depth',
    help: 'Commands submitted and not yet acknowledged',
    registers: [this.registry],
  });
  readonly wsConnections = new Gauge({
    name: 'crossbook_ws_connections',
    help: 'Open WebSocket connections',
    registers: [this.registry],
  });
  readonly wsDropped = new Counter({
    name: 'crossbook_ws_dropped_total',
    help: 'WebSocket connections closed by the server',
    labelNames: ['reason'],
    registers: [this.registry],
  });

  private readonly orderRate = new Rate();
  private readonly tradeRate = new Rate();
  /** Recent ack latencies in µs, a ring for dashboard percentiles. */
  private readonly recent = new Float64Array(8192);
  private recentCount = 0;
  inFlight = 0;
  wsConnectionsCount = 0;

  private readonly accepted = this.orders.labels('accepted');
  private readonly refused = this.orders.labels('rejected');

  recordOrder(result: 'accepted' | 'rejected'): void {
    (result === 'accepted' ? this.accepted : this.refused).inc();
    this.orderRate.add(1, Date.now());
  }

  recordTrades(n: number): void {
    this.trades.inc(n);
    this.tradeRate.add(n, Date.now());
  }

  recordReject(reason: string): void {
    this.rejects.inc({ reason });
  }

  recordAck(seconds: number): void {
    this.ackLatency.observe(seconds);
    this.recent[this.recentCount++ & (this.recent.length - 1)] = seconds * 1e6;
  }

  submitStarted(): void {
    this.queueDepth.set(++this.inFlight);
  }

  submitDone(): void {
    this.queueDepth.set(--this.inFlight);
  }

  dashboard() {
    const now = Date.now();
    const n = Math.min(this.recentCount, this.recent.length);
    const sorted = Array.from(this.recent.subarray(0, n)).sort((a, b) => a - b);
    const pct = (p: number) =>
      n === 0 ? 0 : Math.round(sorted[Math.min(n - 1, Math.floor((p / 100) * n))]);
    return {
      ordersPerSec: this.orderRate.perSecond(now),
      tradesPerSec: this.tradeRate.perSecond(now),
      ackLatencyUs: {
        p50: pct(50),
        p99: pct(99),
        p999: pct(99.9),
        max: n === 0 ? 0 : Math.round(sorted[n - 1]),
      },
    };
  }
}
