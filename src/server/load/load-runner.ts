import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import hdr from 'hdr-histogram-js';
import { workerPath } from '../../runtime/index.js';
import type { WorkerConfig, WorkerMessage } from './load-worker.js';

export interface LoadOptions {
  /** Server base URL, http://host:port. */
  url: string;
  keys: { keyId: string; secret: string }[];
  connections: number;
  /** Offered orders per second in total; 0: closed loop, as fast as the window allows. */
  rate: number;
  durationSec: number;
  warmupSec: number;
  /** Unacknowledged orders allowed per connection. */
  inflight: number;
  /** Generator threads (default: up to connections, at most cores - 1). */
  threads?: number;
  onProgress?: (p: { elapsedSec: number; acked: number; rejected: number; sent: number }) => void;
}

export interface LoadReport {
  url: string;
  connections: number;
  threads: number;
  offeredRate: number;
  durationSec: number;
  warmupSec: number;
  /** Accepted acknowledgements per second over the measured window. */
  ackedPerSec: number;
  acked: number;
  rejected: number;
  sent: number;
  rejectReasons: Record<string, number>;
  /** Ack latency (send to reply), µs. */
  latencyUs: {
    p50: number;
    p90: number;
    p99: number;
    p999: number;
    max: number;
    mean: number;
    count: number;
  };
  errors: string[];
}

interface InstrumentJson {
  symbol: string;
  tickSize: string;
  referencePrice: string | null;
  lastPrice: string | null;
}

/** Reads the instruments so orders land near each reference price, on the tick. */
async function symbols(url: string): Promise<WorkerConfig['symbols']> {
  const res = await globalThis.fetch(`${url}/api/v1/instruments`);
  if (!res.ok) throw new Error(`GET /api/v1/instruments answered ${res.status}`);
  const body = (await res.json()) as { instruments: InstrumentJson[] };
  return body.instruments.map((i) => {
    const decimals = (i.tickSize.split('.')[1] ?? '').length;
    const tick = Number(i.tickSize);
    const ref = Number(i.lastPrice ?? i.referencePrice ?? '100');
    return { symbol: i.symbol, ref: Math.round(ref / tick), tick, decimals };
  });
}

/**
 * Drives a running server over WebSocket with signed auth from several threads and reports the
 * acknowledged orders per second and the ack latency percentiles (HDR histogram).
 */
export async function runLoad(o: LoadOptions): Promise<LoadReport> {
  const syms = await symbols(o.url);
  const threads = Math.max(1, Math.min(o.threads ?? Math.max(1, cpus().length - 1), o.connections));
  const wsUrl = o.url.replace(/^http/, 'ws') + '/ws';
  const progress = new Map<number, { acked: number; rejected: number; sent: number }>();
  const started = Date.now();
  const timer = setInterval(() => {
    const sum = { acked: 0, rejected: 0, sent: 0 };
    for (const p of progress.values()) {
      sum.acked += p.acked;
      sum.rejected += p.rejected;
      sum.sent += p.sent;
    }
    o.onProgress?.({ elapsedSec: (Date.now() - started) / 1000, ...sum });
  }, 250);
  const results = await Promise.all(
    Array.from({ length: threads }, (_, t) => {
      const connections =
        Math.floor(o.connections / threads) + (t < o.connections % threads ? 1 : 0);
      const cfg: WorkerConfig = {
        wsUrl,
        keys: o.keys,
        connections,
        rate: o.rate === 0 ? 0 : (o.rate * connections) / o.connections,
        durationMs: o.durationSec * 1000,
        warmupMs: o.warmupSec * 1000,
        inflight: o.inflight,
        symbols: syms,
        seed: 1 + t * 7919,
      };
      return new Promise<Extract<WorkerMessage, { type: 'done' }>>((resolve, reject) => {
        const w = new Worker(workerPath(import.meta.url, './load-worker.ts'), { workerData: cfg });
        w.on('message', (m: WorkerMessage | { type: 'error'; message: string }) => {
          if (m.type === 'progress') progress.set(t, m);
          else if (m.type === 'done') {
            resolve(m);
            void w.terminate();
          } else reject(new Error(m.message));
        });
        w.on('error', reject);
      });
    }),
  ).finally(() => clearInterval(timer));

  const h = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const report: LoadReport = {
    url: o.url,
    connections: o.connections,
    threads,
    offeredRate: o.rate,
    durationSec: o.durationSec,
    warmupSec: o.warmupSec,
    ackedPerSec: 0,
    acked: 0,
    rejected: 0,
    sent: 0,
    rejectReasons: {},
    latencyUs: { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0, count: 0 },
    errors: [],
  };
  let rate = 0;
  for (const r of results) {
    for (const v of r.latencies) h.recordValue(Math.max(1, Math.round(v)));
    report.acked += r.acked;
    report.rejected += r.rejected;
    report.sent += r.sent;
    rate += r.acked / (r.measuredMs / 1000);
    for (const [k, v] of Object.entries(r.reasons))
      report.rejectReasons[k] = (report.rejectReasons[k] ?? 0) + v;
    report.errors.push(...r.errors);
  }
  report.ackedPerSec = Math.round(rate);
  report.latencyUs = {
    p50: h.getValueAtPercentile(50),
    p90: h.getValueAtPercentile(90),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    max: h.maxValue,
    mean: Math.round(h.mean),
    count: h.totalCount,
  };
  return report;
}
