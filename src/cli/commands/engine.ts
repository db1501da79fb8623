import type { Command } from 'commander';
import { EngineNode } from '../../cluster/index.js';

function positive(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < 1) {
    console.error(`--${name} must be an integer >= 1, got ${v}`);
    process.exit(2);
  }
  return Number(v);
}

export function registerEngine(program: Command): void {
  program
    .command('engine')
    .description(
      'Run a cluster matching engine: owns partitions, matches, publishes events (docs/distributed.md)',
    )
    .requiredOption('--nats <urls>', 'NATS URL[,URL...]')
    .requiredOption('--node <id>', "this engine's node id (unique in the cluster)")
    .option('--lease-ms <ms>', 'partition lease length (default 3000)')
    .option('--snapshot-every <n>', 'snapshot a partition every N commands (default 5000)')
    .option('--balance', 'hand partitions above the fair share to less loaded engines')
    .option('--replicas <n>', 'stream replicas when creating them (default 3 with 3+ URLs, else 1)')
    .action(
      async (o: {
        nats: string;
        node: string;
        leaseMs?: string;
        snapshotEvery?: string;
        replicas?: string;
        balance?: boolean;
      }) => {
        if (!/^[A-Za-z0-9_-]{1,32}$/.test(o.node)) {
          console.error(`--node must be 1..32 of A-Z a-z 0-9 _ -, got ${JSON.stringify(o.node)}`);
          process.exit(2);
        }
        const node = new EngineNode({
          urls: o.nats,
          node: o.node,
          leaseMs: positive('lease-ms', o.leaseMs, 3000),
          snapshotEvery: positive('snapshot-every', o.snapshotEvery, 5000),
          balance: o.balance === true,
          replicas: o.replicas === undefined ? undefined : positive('replicas', o.replicas, 1),
          log: (line) => console.log(`${new Date().toISOString()} ${line}`),
        });
        try {
          await node.start();
        } catch (err) {
          console.error(`engine ${o.node}: ${(err as Error).message}`);
          process.exit(1);
        }
        let stopping = false;
        const stop = (signal: string): void => {
          if (stopping) return;
          stopping = true;
          console.log(`${signal}: releasing partitions and closing...`);
          node.close().then(
            () => process.exit(0),
            () => process.exit(1),
          );
        };
        process.on('SIGTERM', () => stop('SIGTERM'));
        process.on('SIGINT', () => stop('SIGINT'));
      },
    );
}
