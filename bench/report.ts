import type { EngineResult } from './harness.js';
import type { MachineInfo } from './machine.js';
import type { MemoryResult } from './memory.js';

export interface WorkloadReport {
  name: string;
  /** Timed ops per repetition. */
  ops: number;
  setupOps: number;
  tradingOpsPct: number;
  notes: string;
  results: EngineResult[];
}

export interface BenchReport {
  machine: MachineInfo;
  workloads: WorkloadReport[];
  memory: { bytesPerRestingOrder: number; engines: MemoryResult[] };
  modes?: unknown;
  journal?: unknown;
}

const PEER = 'nodejs-order-book';

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
const fmtNs = (n: number): string => (n >= 10_000 ? `${(n / 1000).toFixed(0)} µs` : `${n} ns`);

/**
 * A markdown table per workload: engine, steady-state ops/s (wall and per CPU-second, median of
 * the timed repetitions), the first repetition apart, latency percentiles, ratio to the peer.
 */
export function formatTables(report: BenchReport): string {
  const out: string[] = [];
  for (const w of report.workloads) {
    out.push(`### ${w.name}`, '');
    out.push(
      `${fmtInt(w.ops)} timed ops after ${fmtInt(w.setupOps)} setup ops; ${w.tradingOpsPct.toFixed(1)}% of ops trade. ${w.notes}`,
      '',
    );
    out.push(
      '| engine | ops/s (wall) | ops/CPU-s | first run (wall / CPU) | p50 | p99 | p99.9 | vs nodejs-order-book (wall / CPU) |',
    );
    out.push('|---|---:|---:|---:|---:|---:|---:|---:|');
    const peer = w.results.find((r) => r.engine === PEER && !r.skipped);
    for (const r of w.results) {
      if (r.skipped) {
        out.push(`| ${r.engine} | skipped: ${r.skipped} | | | | | | |`);
        continue;
      }
      const ratio =
        peer && peer.opsPerSec > 0
          ? `${(r.opsPerSec / peer.opsPerSec).toFixed(1)}× / ${(r.opsPerCpuSec / peer.opsPerCpuSec).toFixed(1)}×`
          : '';
      const prefix = r.timedOps < w.ops ? ` (first ${fmtInt(r.timedOps)} ops)` : '';
      out.push(
        `| ${r.engine}${prefix} | ${fmtInt(r.opsPerSec)} | ${fmtInt(r.opsPerCpuSec)} | ${fmtInt(r.firstRun.opsPerSec)} / ${fmtInt(r.firstRun.opsPerCpuSec)} | ${fmtNs(r.p50Ns)} | ${fmtNs(r.p99Ns)} | ${fmtNs(r.p999Ns)} | ${ratio} |`,
      );
    }
    out.push('');
  }
  if (report.memory.engines.length > 0) {
    const orders = report.memory.engines[0].orders.toLocaleString('en-US');
    out.push(`### memory (${orders} resting orders, the deep-book starting book)`, '');
    out.push('| engine | bytes per resting order |', '|---|---:|');
    for (const m of report.memory.engines) {
      out.push(`| ${m.engine} | ${m.error ? `failed: ${m.error}` : fmtInt(m.bytesPerOrder)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

export function formatMachine(m: MachineInfo): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, ${m.os}, Node ${m.node}`;
}
