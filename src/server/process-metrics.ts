import { Counter, type Registry } from 'prom-client';

/**
 * The process's own CPU time on /metrics, under prom-client's standard names (all threads: main,
 * store writer, shard workers, GC helpers). `crossbook load` reads it before and after a run to
 * report the server's CPU per order. Only these three: the rest of prom-client's default set
 * (GC observers, event-loop monitors) would cost something on every request.
 */
export function registerProcessCpu(registry: Registry): void {
  const read = (pick: (u: NodeJS.CpuUsage) => number) =>
    function (this: Counter) {
      // A counter's value is set by a collect hook: reset, then add the running total.
      this.reset();
      this.inc(pick(process.cpuUsage()) / 1e6);
    };
  new Counter({
    name: 'process_cpu_user_seconds_total',
    help: 'Total user CPU time spent in seconds.',
    registers: [registry],
    collect: read((u) => u.user),
  });
  new Counter({
    name: 'process_cpu_system_seconds_total',
    help: 'Total system CPU time spent in seconds.',
    registers: [registry],
    collect: read((u) => u.system),
  });
  new Counter({
    name: 'process_cpu_seconds_total',
    help: 'Total user and system CPU time spent in seconds.',
    registers: [registry],
    collect: read((u) => u.user + u.system),
  });
}

/** The server's total CPU seconds from a /metrics text, or null when it does not publish it. */
export function cpuSecondsFromMetrics(text: string): number | null {
  const m = /^process_cpu_seconds_total(?:\{[^}]*\})? ([0-9.eE+-]+)$/m.exec(text);
  return m === null ? null : Number(m[1]);
}
