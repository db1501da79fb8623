import type { Command } from 'commander';
import { clusterEngineFactory } from '../../cluster/index.js';
import { resolveConfig, startServer, type DemoKey, type ServerConfig } from '../../server/index.js';

const FLAG_KEYS: [string, keyof ServerConfig][] = [
  ['host', 'host'],
  ['port', 'port'],
  ['mode', 'mode'],
  ['shards', 'shards'],
  ['store', 'store'],
  ['fsync', 'fsync'],
  ['instruments', 'instruments'],
  ['dataDir', 'dataDir'],
  ['logLevel', 'logLevel'],
  ['demo', 'demo'],
  ['wsMaxBuffered', 'wsMaxBuffered'],
  ['cluster', 'cluster'],
  ['clusterWaitMs', 'clusterWaitMs'],
  ['profile', 'profile'],
];

function banner(url: string, cfg: ServerConfig, keys: DemoKey[]): string {
  const lines = [
    cfg.cluster === undefined
      ? `crossbook is running at ${url}  (mode ${cfg.mode}, fsync ${cfg.fsync}, data ${cfg.dataDir})`
      : `crossbook is running at ${url}  (cluster gateway on ${cfg.cluster}, data ${cfg.dataDir})`,
    `  API ${url}/api/v1   WebSocket ${url.replace(/^http/, 'ws')}/ws   docs ${url}/docs`,
  ];
  if (keys.length > 0) {
    lines.push('', 'Demo API keys (shown once; the server keeps only an encrypted copy):');
    for (const k of keys) {
      lines.push(`  ${k.account.padEnd(6)} ${k.role.padEnd(7)} key ${k.keyId}  secret ${k.secret}`);
    }
    lines.push('Create more with: ./bin/crossbook accounts add NAME [--admin]');
  }
  if (cfg.profile !== undefined) {
    lines.push(`Profiling every thread: CPU profiles go to ${cfg.profile} when the server stops.`);
  }
  return lines.join('\n');
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the exchange server: HTTP + WebSocket API, market data, and the web UI')
    .option('--config <file>', 'JSON config file (env: CROSSBOOK_CONFIG)')
    .option('--host <host>', 'listen address (env: CROSSBOOK_HOST, default 127.0.0.1)')
    .option('--port <port>', 'listen port, 0 for any (env: CROSSBOOK_PORT, default 8080)')
    .option('--mode <mode>', 'single | sharded | lockfree | racy (env: CROSSBOOK_MODE)')
    .option('--shards <n>', 'worker count for sharded (env: CROSSBOOK_SHARDS)')
    .option('--store <url>', 'SQLite path or postgres:// URL (env: CROSSBOOK_STORE)')
    .option('--fsync <policy>', 'always | batch | off (env: CROSSBOOK_FSYNC, default batch)')
    .option('--instruments <file>', 'JSON instruments file (env: CROSSBOOK_INSTRUMENTS)')
    .option('--data-dir <dir>', 'journal, store and keys (env: CROSSBOOK_DATA_DIR, default ./data)')
    .option('--log-level <level>', 'pino level (env: CROSSBOOK_LOG_LEVEL, default warn)')
    .option('--ws-max-buffered <bytes>', 'outgoing WebSocket buffer before a client is dropped')
    .option('--cluster <urls>', 'cluster mode: NATS URL[,URL...] (env: CROSSBOOK_CLUSTER)')
    .option('--cluster-wait-ms <ms>', 'cluster: wait for a partition owner (default 5000)')
    .option(
      '--profile <dir>',
      'write CPU profiles of every thread to DIR on exit (env: CROSSBOOK_PROFILE)',
    )
    .option('--no-demo', 'do not create demo accounts on first start')
    .action(async (raw: Record<string, unknown>, cmd: Command) => {
      const flags: Record<string, unknown> = {};
      for (const [opt, key] of FLAG_KEYS) {
        if (cmd.getOptionValueSource(opt) === 'cli') flags[key] = raw[opt];
      }
      if (typeof raw.config === 'string') flags.config = raw.config;
      let cfg: ServerConfig;
      try {
        cfg = resolveConfig({ flags, env: process.env });
      } catch (err) {
        console.error((err as Error).message);
        process.exit(2);
      }
      let server: Awaited<ReturnType<typeof startServer>>;
      try {
        server = await startServer(
          cfg,
          cfg.cluster === undefined ? {} : { engineFactory: clusterEngineFactory },
        );
      } catch (err) {
        if (cfg.cluster === undefined) throw err;
        console.error((err as Error).message);
        process.exit(1);
      }
      console.log(banner(server.url, cfg, server.demoKeys));
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.log(`\n${signal}: draining and closing...`);
        server.close().then(
          () => process.exit(0),
          (err: unknown) => {
            console.error(`shutdown failed: ${(err as Error).message}`);
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
}
