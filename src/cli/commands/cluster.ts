import type { Command } from 'commander';
import {
  clusterStatus,
  connectCluster,
  formatStatus,
  movePartition,
  startLocalCluster,
} from '../../cluster/index.js';

function count(name: string, v: string, min: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min) {
    console.error(`--${name} must be an integer >= ${min}, got ${v}`);
    process.exit(2);
  }
  return Number(v);
}

async function withCluster<T>(
  urls: string,
  f: (h: Awaited<ReturnType<typeof connectCluster>>) => Promise<T>,
): Promise<T> {
  let h;
  try {
    h = await connectCluster({ urls, name: 'crossbook-admin', timeoutMs: 10_000 });
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
  try {
    return await f(h);
  } finally {
    await h.nc.close().catch(() => undefined);
  }
}

export function registerCluster(program: Command): void {
  const cluster = program
    .command('cluster')
    .description('Cluster mode on NATS JetStream (docs/distributed.md)');
  cluster
    .command('up')
    .description('Start a whole cluster on this machine: nats-server nodes, engines, gateways')
    .option('--nats-nodes <n>', 'nats-server processes (1 or 3)', '3')
    .option('--engines <n>', 'engine processes', '3')
    .option('--gateways <n>', 'gateway (serve --cluster) processes', '1')
    .option('--lease-ms <ms>', 'partition lease length', '3000')
    .action(
      async (o: { natsNodes: string; engines: string; gateways: string; leaseMs: string }) => {
        const natsNodes = count('nats-nodes', o.natsNodes, 1);
        const engines = count('engines', o.engines, 1);
        const gateways = count('gateways', o.gateways, 1);
        const leaseMs = count('lease-ms', o.leaseMs, 100);
        let c;
        try {
          c = await startLocalCluster({
            natsNodes,
            engines,
            gateways,
            leaseMs,
            engineArgs: ['--balance'],
          });
        } catch (err) {
          console.error(`cluster up failed: ${(err as Error).message}`);
          process.exit(1);
        }
        const lines = [
          `crossbook cluster is up (data in ${c.dir}, removed on exit)`,
          `  NATS      ${c.nats.urls}`,
          `  engines   ${[...c.engines.keys()].join(', ')}`,
        ];
        for (const [i, g] of c.gateways.entries()) {
          lines.push(
            `  gateway ${i} ${g.url}   (UI, API ${g.url}/api/v1, WebSocket ${g.url.replace(/^http/, 'ws')}/ws)`,
          );
          for (const [account, k] of Object.entries(g.keys))
            lines.push(`      ${account.padEnd(6)} key ${k.keyId}  secret ${k.secret}`);
        }
        lines.push(
          '',
          `  status: ./bin/crossbook cluster status --nats ${c.nats.urls}`,
          `  move:   ./bin/crossbook cluster move --nats ${c.nats.urls} --partition P --to e2`,
          'Ctrl-C stops everything.',
        );
        console.log(lines.join('\n'));
        let stopping = false;
        const stop = (signal: string): void => {
          if (stopping) return;
          stopping = true;
          console.log(`\n${signal}: stopping gateways, engines and NATS...`);
          c.stop().then(
            () => process.exit(0),
            () => process.exit(1),
          );
        };
        process.on('SIGINT', () => stop('SIGINT'));
        process.on('SIGTERM', () => stop('SIGTERM'));
      },
    );
  cluster
    .command('status')
    .description('Partitions, owner, fencing token, lag, last snapshot; nodes')
    .requiredOption('--nats <urls>', 'NATS URL[,URL...]')
    .option('--json', 'print JSON')
    .action(async (o: { nats: string; json?: boolean }) => {
      await withCluster(o.nats, async (h) => {
        const s = await clusterStatus(h);
        console.log(o.json ? JSON.stringify(s, null, 2) : formatStatus(s));
      });
    });
  cluster
    .command('move')
    .description(
      'Hand a partition to another engine at a marker in its command stream, while trading continues',
    )
    .requiredOption('--nats <urls>', 'NATS URL[,URL...]')
    .requiredOption('--partition <p>', 'partition number')
    .requiredOption('--to <node>', 'engine node id')
    .action(async (o: { nats: string; partition: string; to: string }) => {
      const p = count('partition', o.partition, 0);
      await withCluster(o.nats, async (h) => {
        try {
          const r = await movePartition(h, p, o.to);
          console.log(`partition ${p} moved to ${o.to} at command ${r.seq} (${r.ms} ms)`);
        } catch (err) {
          console.error((err as Error).message);
          process.exitCode = 1;
        }
      });
    });
}
