import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import hdr from 'hdr-histogram-js';
import { workerPath } from '../../runtime/index.js';
import { cpuSecondsFromMetrics } from '../process-metrics.js';
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
  /**
   * The server's process id, when it runs on this machine (Linux): the report then splits the
   * server's CPU per order by thread, from /proc/PID/task.
   */
  serverPid?: number;
  onProgress?: (p: { elapsedSec: number; acked: number; rejected: number; sent: number }) => void;
}

/** CPU per acknowledged order over one stretch of the measured window. */
export interface CpuWindow {
  fromSec: number;
  toSec: number;
  /** Replies (accepted and rejected) received in the stretch. */
  orders: number;
  /** Server CPU (all threads, from its /metrics) per order, µs; null without the metric. */
  serverUsPerOrder: number | null;
  /** This load generator's CPU (all its threads) per order, µs. */
  loadUsPerOrder: number;
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
  /** The whole measured window, its first and last 10 s (halves when shorter than 20 s). */
  cpu: {
    window: CpuWindow;
    first: CpuWindow;
    last: CpuWindow;
    /** last / first server CPU per order: 1.0 is flat over time. */
    growth: number | null;
    /** With serverPid: µs per order by server thread over the measured window, busiest first. */
    serverThreads?: { tid: number; name: string; usPerOrder: number }[];
  };
  errors: string[];
}

interface Sample {
  t: number;
  orders: number;
  loadCpuUs: number;
  serverCpuSec: number | null;
  threads?: Map<number, { name: string; sec: number }>;
}

async function serverCpu(url: string): Promise<number | null> {
  try {
    const res = await globalThis.fetch(`${url}/metrics`);
    return res.ok ? cpuSecondsFromMetrics(await res.text()) : null;
  } catch {
    return null;
  }
}

/** CPU seconds of every thread of a local process, by thread id (Linux /proc). */
function threadCpu(pid: number): Map<number, { name: string; sec: number }> | undefined {
  const tick = 100; // USER_HZ, fixed at 100 on Linux for /proc
  const out = new Map<number, { name: string; sec: number }>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' ');
      out.set(Number(tid), { name, sec: (Number(f[11]) + Number(f[12])) / tick });
    }
  } catch {
    return undefined;
  }
  return out;
}

function cpuWindow(a: Sample, b: Sample, startSec: number): CpuWindow {
  const orders = Math.max(0, b.orders - a.orders);
  const per = (x: number) => (orders > 0 ? Math.round((x / orders) * 10) / 10 : 0);
  return {
    fromSec: Math.round((a.t - startSec) * 10) / 10,
    toSec: Math.round((b.t - startSec) * 10) / 10,
    orders,
    serverUsPerOrder:
      a.serverCpuSec === null || b.serverCpuSec === null
        ? null
        : per((b.serverCpuSec - a.serverCpuSec) * 1e6),
    loadUsPerOrder: per(b.loadCpuUs - a.loadCpuUs),
  };
}

/** The sample taken closest to time t (seconds since the start). */
function nearest(samples: readonly Sample[], t: number): Sample {
  let best = samples[0];
  for (const s of samples) if (Math.abs(s.t - t) < Math.abs(best.t - t)) best = s;
  return best;
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
  let runStart = started / 1000;
  const totals = () => {
    const sum = { acked: 0, rejected: 0, sent: 0 };
    for (const p of progress.values()) {
      sum.acked += p.acked;
      sum.rejected += p.rejected;
      sum.sent += p.sent;
    }
    return sum;
  };
  const timer = setInterval(() => {
    o.onProgress?.({ elapsedSec: (Date.now() - started) / 1000, ...totals() });
  }, 250);
  // Once a second: replies so far, this process's CPU, the server's CPU (/metrics, /proc).
  const samples: Sample[] = [];
  let sampling = Promise.resolve();
  const sample = () => {
    sampling = sampling.then(async () => {
      const sum = totals();
      const u = process.cpuUsage();
      const cpuSec = await serverCpu(o.url);
      samples.push({
        t: Date.now() / 1000,
        orders: sum.acked + sum.rejected,
        loadCpuUs: u.user + u.system,
        serverCpuSec: cpuSec,
        threads: o.serverPid === undefined ? undefined : threadCpu(o.serverPid),
      });
    });
  };
  sample();
  const sampler = setInterval(sample, 1000);
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
          if (m.type === 'progress') {
            // The generators start their clocks once connected: windows count from then.
            if (progress.size === 0) runStart = Date.now() / 1000 - 0.1;
            progress.set(t, m);
          } else if (m.type === 'done') {
            resolve(m);
            void w.terminate();
          } else reject(new Error(m.message));
        });
        w.on('error', reject);
      });
    }),
  ).finally(() => {
    clearInterval(timer);
    clearInterval(sampler);
  });
  await sampling;

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
    cpu: undefined as unknown as LoadReport['cpu'],
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
  // Every figure from the one histogram (max as its 100th percentile), so none can exceed max.
  report.latencyUs = {
    p50: h.getValueAtPercentile(50),
    p90: h.getValueAtPercentile(90),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    max: h.getValueAtPercentile(100),
    mean: Math.round(h.mean),
    count: h.totalCount,
  };
  report.cpu = cpuReport(samples, runStart, o);
  return report;
}

function cpuReport(
  samples: readonly Sample[],
  startSec: number,
  o: LoadOptions,
): LoadReport['cpu'] {
  const from = startSec + o.warmupSec;
  const to = from + o.durationSec;
  const span = Math.min(10, o.durationSec / 2);
  const a = nearest(samples, from);
  const b = nearest(samples, to);
  const window = cpuWindow(a, b, startSec);
  const first = cpuWindow(a, nearest(samples, from + span), startSec);
  const last = cpuWindow(nearest(samples, to - span), b, startSec);
  const growth =
    first.serverUsPerOrder && last.serverUsPerOrder !== null
      ? Math.round((last.serverUsPerOrder / first.serverUsPerOrder) * 100) / 100
      : null;
  const out: LoadReport['cpu'] = { window, first, last, growth };
  if (a.threads !== undefined && b.threads !== undefined && window.orders > 0) {
    out.serverThreads = [...b.threads]
      .map(([tid, v]) => ({
        tid,
        name: tid === o.serverPid ? 'main' : v.name,
        usPerOrder:
          Math.round(((v.sec - (a.threads!.get(tid)?.sec ?? 0)) / window.orders) * 1e7) / 10,
      }))
      .filter((x) => x.usPerOrder > 0)
      .sort((x, y) => y.usPerOrder - x.usPerOrder);
  }
  return out;
}
