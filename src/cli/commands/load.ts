import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { runLoad } from '../../server/index.js';
import { openStore } from '../../store/index.js';

interface LoadFlags {
  url: string;
  connections: string;
  rate: string;
  duration: string;
  warmup: string;
  inflight: string;
  threads?: string;
  key?: string;
  secret?: string;
  dataDir?: string;
  store?: string;
  json?: string;
  serverPid?: string;
}

const int = (name: string, v: string, min: number): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min)
    throw new Error(`--${name} must be an integer >= ${min}`);
  return n;
};

/** Keys from flags or env, else two fresh trader keys in the server's store (same data dir). */
async function loadKeys(f: LoadFlags): Promise<{ keyId: string; secret: string }[]> {
  const keyId = f.key ?? process.env.CROSSBOOK_KEY;
  const secret = f.secret ?? process.env.CROSSBOOK_SECRET;
  if (keyId !== undefined && secret !== undefined) return [{ keyId, secret }];
  const dataDir = resolve(f.dataDir ?? process.env.CROSSBOOK_DATA_DIR ?? './data');
  const store = await openStore({
    url: f.store ?? process.env.CROSSBOOK_STORE ?? `${dataDir}/crossbook.db`,
    dataDir,
  });
  try {
    const stamp = Date.now().toString(36);
    return [
      await store.addApiKey({ account: `load-${stamp}-a` }),
      await store.addApiKey({ account: `load-${stamp}-b` }),
    ];
  } finally {
    await store.close();
  }
}

export function registerLoad(program: Command): void {
  program
    .command('load')
    .description('Drive a running server over WebSocket and report orders/s and ack latency')
    .option('--url <url>', 'server base URL', 'http://127.0.0.1:8080')
    .option('--connections <n>', 'WebSocket connections', '4')
    .option('--rate <r>', 'offered orders/s in total; 0 = as fast as the window allows', '10000')
    .option('--duration <s>', 'measured seconds', '10')
    .option('--warmup <s>', 'seconds before measuring', '2')
    .option('--inflight <n>', 'unacknowledged orders per connection', '256')
    .option('--threads <n>', 'generator threads (default: cores - 1, up to connections)')
    .option('--key <keyId>', 'API key id (env CROSSBOOK_KEY); default: new keys in --data-dir')
    .option('--secret <secret>', 'API secret (env CROSSBOOK_SECRET)')
    .option('--data-dir <dir>', "the server's data dir, to create load keys (default ./data)")
    .option('--store <url>', "the server's store URL, if not in the data dir")
    .option('--json <file>', 'also write the report as JSON')
    .option(
      '--server-pid <pid>',
      "the server's process id on this machine: CPU per order by thread",
    )
    .action(async (f: LoadFlags) => {
      let opts;
      try {
        opts = {
          url: f.url.replace(/\/$/, ''),
          connections: int('connections', f.connections, 1),
          rate: int('rate', f.rate, 0),
          durationSec: int('duration', f.duration, 1),
          warmupSec: int('warmup', f.warmup, 0),
          inflight: int('inflight', f.inflight, 1),
          threads: f.threads === undefined ? undefined : int('threads', f.threads, 1),
          serverPid: f.serverPid === undefined ? undefined : int('server-pid', f.serverPid, 1),
        };
      } catch (err) {
        console.error((err as Error).message);
        process.exit(2);
      }
      const keys = await loadKeys(f);
      const total = opts.durationSec + opts.warmupSec;
      const bar = new cliProgress.SingleBar(
        {
          format: 'load [{bar}] {value}/{total} s | {rate} acked/s | rejected {rejected}',
          stream: process.stderr,
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { rate: 0, rejected: 0 });
      let last = { t: 0, acked: 0 };
      const report = await runLoad({
        ...opts,
        keys,
        onProgress: (p) => {
          const dt = p.elapsedSec - last.t;
          const rate = dt > 0 ? Math.round((p.acked - last.acked) / dt) : 0;
          last = { t: p.elapsedSec, acked: p.acked };
          bar.update(Math.min(total, Math.floor(p.elapsedSec)), { rate, rejected: p.rejected });
        },
      });
      bar.update(total);
      bar.stop();
      const l = report.latencyUs;
      console.log(
        `offered ${opts.rate === 0 ? 'max (closed loop)' : `${opts.rate}/s`} over ${opts.connections} connections, ${report.threads} threads, ${opts.durationSec} s\n` +
          `acked   ${report.ackedPerSec} orders/s (${report.acked} accepted, ${report.rejected} rejected)\n` +
          `latency p50 ${l.p50} µs  p90 ${l.p90} µs  p99 ${l.p99} µs  p99.9 ${l.p999} µs  max ${l.max} µs`,
      );
      const c = report.cpu;
      const us = (v: number | null) =>
        v === null ? 'n/a (no process_cpu_seconds_total)' : `${v} µs`;
      console.log(
        `cpu     per order: server ${us(c.window.serverUsPerOrder)}, load generator ${c.window.loadUsPerOrder} µs\n` +
          `flat    server per order ${c.first.fromSec}-${c.first.toSec} s: ${us(c.first.serverUsPerOrder)}, ` +
          `${c.last.fromSec}-${c.last.toSec} s: ${us(c.last.serverUsPerOrder)} (x${c.growth ?? 'n/a'})`,
      );
      if (c.serverThreads !== undefined) {
        const top = c.serverThreads.slice(0, 8).map((t) => `${t.name}/${t.tid} ${t.usPerOrder}`);
        console.log(`threads µs per order: ${top.join(', ')}`);
      }
      if (report.rejected > 0) console.log(`rejects ${JSON.stringify(report.rejectReasons)}`);
      if (report.errors.length > 0) console.log(`errors  ${report.errors.slice(0, 5).join('; ')}`);
      if (f.json !== undefined) writeFileSync(f.json, JSON.stringify(report, null, 2) + '\n');
    });
}
