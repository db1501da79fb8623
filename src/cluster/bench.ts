/**
 * `crossbook bench --cluster`: acknowledged orders/s and ack latency through the cluster (a
 * gateway's ClusterEngine -> NATS -> engines -> events stream -> the gateway), for 1-3 engine
 * processes on R1 (one NATS node) and R3 (three), the failover time after kill -9 of an owner,
 * and the pause of live moves. CPU per order = CPU of every process involved (engines, nats-server,
 * this gateway) / acknowledged orders. Real processes on 127.0.0.1; nothing asserted.
 */
import { readFileSync } from 'node:fs';
import type { Command } from '../core/index.js';
import { movePartition } from './admin.js';
import { ClusterEngine } from './cluster-engine.js';
import { startLocalNats } from './local-nats.js';
import { builtCli, spawnProc, type ChildProc } from './local-cluster.js';
import { leaseKey, partitionOf, decodeJson, type Lease } from './protocol.js';

const SYMBOLS = ['MSFT', 'AAPL', 'GOOGL', 'TSLA', 'NVDA', 'SPY'];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function cpuMsOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

const pct = (sorted: number[], q: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

export interface ThroughputRow {
  replicas: number;
  engines: number;
  orders: number;
  ordersPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerOrder: number;
}

async function cluster(natsNodes: number, engines: number, leaseMs: number) {
  const nats = await startLocalNats({ nodes: natsNodes });
  const procs: ChildProc[] = [];
  const start = (node: string): ChildProc => {
    const p = spawnProc(node, [
      builtCli(),
      'engine',
      '--nats',
      nats.urls,
      '--node',
      node,
      '--lease-ms',
      String(leaseMs),
    ]);
    procs.push(p);
    return p;
  };
  for (let i = 1; i <= engines; i++) start(`e${i}`);
  const gw = new ClusterEngine({ urls: nats.urls, ownerWaitMs: 30_000 });
  await gw.start();
  for (const symbol of SYMBOLS)
    await gw.submit({ type: 'instrument', instrument: { symbol, tickSize: '0.01', lotSize: '1' } });
  const stop = async (): Promise<void> => {
    await gw.close();
    for (const p of procs) {
      p.child.kill('SIGCONT');
      p.child.kill('SIGKILL');
    }
    await nats.stop();
  };
  return { nats, gw, procs, start, stop };
}

let serial = 0;
function order(i: number): Command {
  serial++;
  const buy = serial % 2 === 0;
  return {
    type: 'place',
    symbol: SYMBOLS[i % SYMBOLS.length],
    orderId: `b${serial}`,
    account: buy ? 'A' : 'B',
    side: buy ? 'buy' : 'sell',
    kind: 'limit',
    price: 10_000 + (serial % 5) - 2,
    qty: 1 + (serial % 3),
  };
}

/** Runs `concurrency` submitters for `ms`; returns latencies (ms) and the count. */
async function load(
  gw: ClusterEngine,
  ms: number,
  concurrency: number,
  lat: number[],
  marks?: number[][],
): Promise<number> {
  const end = Date.now() + ms;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      let i = w;
      while (Date.now() < end) {
        const t0 = performance.now();
        await gw.submit(order(i++));
        const t1 = performance.now();
        lat.push(t1 - t0);
        marks?.push([Date.now(), t1 - t0]);
        done++;
      }
    }),
  );
  return done;
}

export async function runClusterBench(
  o: { seconds?: number; log?: (l: string) => void } = {},
): Promise<string> {
  const log = o.log ?? ((l: string) => console.log(l));
  const seconds = o.seconds ?? 5;
  const rows: ThroughputRow[] = [];
  for (const replicas of [1, 3]) {
    for (const engines of [1, 2, 3]) {
      const c = await cluster(replicas, engines, 3000);
      await load(c.gw, 1000, 32, []); // warm-up
      const pids = [...c.procs.map((p) => p.child.pid), ...c.nats.nodes.map((n) => n.child?.pid)];
      const cpu0 = pids.reduce<number>((s, p) => s + cpuMsOf(p), 0);
      const own0 = process.cpuUsage();
      const lat: number[] = [];
      const t0 = performance.now();
      const n = await load(c.gw, seconds * 1000, 64, lat);
      const wall = performance.now() - t0;
      const own = process.cpuUsage(own0);
      const cpu =
        pids.reduce<number>((s, p) => s + cpuMsOf(p), 0) - cpu0 + (own.user + own.system) / 1000;
      lat.sort((a, b) => a - b);
      const row: ThroughputRow = {
        replicas,
        engines,
        orders: n,
        ordersPerSec: Math.round((n * 1000) / wall),
        p50Ms: +pct(lat, 0.5).toFixed(2),
        p99Ms: +pct(lat, 0.99).toFixed(2),
        cpuUsPerOrder: Math.round((cpu * 1000) / n),
      };
      rows.push(row);
      log(
        `R${replicas} engines ${engines}: ${row.ordersPerSec} orders/s, p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms, CPU ${row.cpuUsPerOrder} µs/order`,
      );
      await c.stop();
    }
  }

  // Failover: kill -9 the owner of MSFT under load; time until MSFT is acknowledged again.
  const leaseMs = 1000;
  const fc = await cluster(1, 2, leaseMs);
  const h = fc.gw.handles;
  const p = partitionOf('MSFT', h.map);
  const failovers: number[] = [];
  const afterLease: number[] = [];
  for (let round = 0; round < 5; round++) {
    const le = await h.kv.get(leaseKey(p));
    const lease = decodeJson<Lease>(le!.value);
    const victim = fc.procs.find((x) => x.name === lease.node && x.child.exitCode === null)!;
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    await fc.gw.submit({ ...order(0), symbol: 'MSFT' } as Command);
    const ms = Date.now() - killedAt;
    failovers.push(ms);
    afterLease.push(Math.max(0, Date.now() - lease.until));
    log(
      `failover ${round + 1}: ${ms} ms after kill -9 (${afterLease[afterLease.length - 1]} ms after the lease ran out)`,
    );
    fc.start(`${victim.name.replace(/-\d+$/, '')}-${round + 1}`);
    await sleep(leaseMs * 2);
  }
  await fc.stop();

  // Live moves under load: latency around the moves.
  const mc = await cluster(1, 2, 3000);
  const marks: number[][] = [];
  const windows: [number, number][] = [];
  const moves: number[] = [];
  const loading = load(mc.gw, 8000, 32, [], marks);
  await sleep(1500);
  const hp = partitionOf('MSFT', mc.gw.handles.map);
  for (let i = 0; i < 3; i++) {
    const le = await mc.gw.handles.kv.get(leaseKey(hp));
    const from = decodeJson<Lease>(le!.value).node;
    const to = from === 'e1' ? 'e2' : 'e1';
    const t0 = Date.now();
    const r = await movePartition(mc.gw.handles, hp, to);
    windows.push([t0, Date.now()]);
    moves.push(r.ms);
    await sleep(1500);
  }
  await loading;
  await mc.stop();
  const during = marks
    .filter(([t]) => windows.some(([a, b]) => t >= a && t <= b + 200))
    .map((m) => m[1])
    .sort((a, b) => a - b);
  const all = marks.map((m) => m[1]).sort((a, b) => a - b);

  failovers.sort((a, b) => a - b);
  afterLease.sort((a, b) => a - b);
  const lines = [
    '| replicas | engines | acked orders/s | ack p50 ms | ack p99 ms | CPU µs/order (all processes) |',
    '|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| R${r.replicas} | ${r.engines} | ${r.ordersPerSec} | ${r.p50Ms} | ${r.p99Ms} | ${r.cpuUsPerOrder} |`,
    ),
    '',
    `Failover (R1, lease ${leaseMs} ms, kill -9 of the owner, then one order for its partition, ${failovers.length} runs): time to the next acknowledged order ${failovers.join(', ')} ms; after the lease ran out: ${afterLease.join(', ')} ms (p50 ${pct(afterLease, 0.5)} ms, max ${afterLease[afterLease.length - 1]} ms).`,
    '',
    `Live moves (R1, 2 engines, 32 submitters): move ${moves.join(', ')} ms; ack latency during moves p50 ${pct(during, 0.5).toFixed(1)} ms, p99 ${pct(during, 0.99).toFixed(1)} ms (${during.length} orders); whole run p50 ${pct(all, 0.5).toFixed(1)} ms, p99 ${pct(all, 0.99).toFixed(1)} ms; no order rejected.`,
  ];
  const out = lines.join('\n');
  log('\n' + out);
  return out;
}
