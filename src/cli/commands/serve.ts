import { existsSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { clusterEngineFactory } from '../../cluster/index.js';
import {
  isFreshDataDir,
  prepareDataDir,
  readDemoKeys,
  demoKeysPath,
  resolveConfig,
  startServer,
  StartupError,
  type RunningServer,
  type ServerConfig,
  type StoredDemoKey,
} from '../../server/index.js';
import { SIM_MAKERS, SIM_TAKERS, Simulator, simAccountKeys } from '../../simulate/index.js';

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
  ['simulate', 'simulate'],
  ['simulateRate', 'simulateRate'],
  ['cluster', 'cluster'],
  ['clusterWaitMs', 'clusterWaitMs'],
  ['profile', 'profile'],
  ['fixPort', 'fixPort'],
];

/** Marks a venue created with the simulation: later plain starts run it again. */
const SIM_MARKER = 'simulation.json';

function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') ? rel : path;
}

function banner(
  url: string,
  cfg: ServerConfig,
  dataDir: string,
  keys: StoredDemoKey[],
  sim: string,
  fix?: string,
): string {
  const lines = [
    cfg.cluster === undefined
      ? `crossbook is running at ${url}  (mode ${cfg.mode}, fsync ${cfg.fsync}, data ${cfg.dataDir})`
      : `crossbook is running at ${url}  (cluster gateway on ${cfg.cluster}, data ${cfg.dataDir})`,
    `  API ${url}/api/v1   WebSocket ${url.replace(/^http/, 'ws')}/ws   docs ${url}/docs`,
  ];
  if (fix !== undefined) lines.push(`  FIX ${fix}`);
  if (keys.length > 0) {
    lines.push(
      '',
      `Demo API keys (kept in ${shown(demoKeysPath(dataDir))}, readable only by you; the server itself keeps an encrypted copy):`,
    );
    for (const k of keys) {
      lines.push(`  ${k.account.padEnd(6)} ${k.role.padEnd(7)} key ${k.keyId}  secret ${k.secret}`);
    }
  }
  const dirFlag = resolve(cfg.dataDir) === resolve('./data') ? '' : ` --data-dir ${cfg.dataDir}`;
  lines.push(`New API key: ./bin/crossbook accounts add NAME [--admin]${dirFlag}`);
  lines.push(sim);
  if (cfg.profile !== undefined) {
    lines.push(`Profiling every thread: CPU profiles go to ${cfg.profile} when the server stops.`);
  }
  return lines.join('\n');
}

/** Demo keys from the keys file that are still live in the store. */
async function liveDemoKeys(server: RunningServer, dataDir: string): Promise<StoredDemoKey[]> {
  const out: StoredDemoKey[] = [];
  for (const k of readDemoKeys(dataDir)) {
    const row = await server.store.findApiKey(k.keyId);
    if (row !== null && row.revokedAt === null) out.push(k);
  }
  return out;
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
      '--fix-port <port|off>',
      'FIX 4.4 acceptor port or off (env: CROSSBOOK_FIX_PORT, default off)',
    )
    .option(
      '--profile <dir>',
      'write CPU profiles of every thread to DIR on exit (env: CROSSBOOK_PROFILE)',
    )
    .option('--no-demo', 'do not create demo accounts on first start')
    .option(
      '--simulate',
      'run simulated market makers and takers (env: CROSSBOOK_SIMULATE; default: on for the demo instruments on a fresh data dir and on later starts of that venue)',
    )
    .option('--no-simulate', 'do not run simulated participants (env: CROSSBOOK_SIMULATE=false)')
    .option('--simulate-rate <n>', 'simulated orders per second (env: CROSSBOOK_SIMULATE_RATE, 40)')
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
      const dataDir = resolve(cfg.dataDir);
      let server: RunningServer;
      try {
        const fresh = isFreshDataDir(dataDir);
        prepareDataDir(dataDir);
        // A fresh demo venue is a simulated one, on this start and every later one (the marker
        // is written first, so a first start that fails to listen keeps the choice).
        if (fresh && cfg.simulate === undefined && cfg.instruments === undefined) {
          writeFileSync(
            join(dataDir, SIM_MARKER),
            JSON.stringify({ simulate: true, since: new Date().toISOString() }) + '\n',
          );
        }
        server = await startServer(
          cfg,
          cfg.cluster === undefined ? {} : { engineFactory: clusterEngineFactory },
        );
      } catch (err) {
        console.error(
          err instanceof StartupError ? err.message : `Cannot start: ${(err as Error).message}`,
        );
        process.exit(1);
      }
      const simulate =
        cfg.simulate ?? (cfg.instruments === undefined && existsSync(join(dataDir, SIM_MARKER)));
      let simulator: Simulator | undefined;
      let simLine = `Simulated participants: off (turn on with --simulate or CROSSBOOK_SIMULATE=true)`;
      if (simulate) {
        try {
          simulator = await Simulator.start({
            url: server.url,
            ...(await simAccountKeys(server.store)),
            rate: cfg.simulateRate,
            log: (line) => console.log(line),
          });
          simLine =
            `Simulated participants: market makers ${SIM_MAKERS.join(', ')} and takers ${SIM_TAKERS.join(', ')}` +
            ` on ${simulator.symbols.join(', ')}, about ${cfg.simulateRate} orders/s` +
            ` (off with --no-simulate or CROSSBOOK_SIMULATE=false)`;
        } catch (err) {
          simLine = `Simulated participants: not started: ${(err as Error).message}`;
        }
      }
      console.log(
        banner(
          server.url,
          cfg,
          dataDir,
          await liveDemoKeys(server, dataDir),
          simLine,
          server.fixEndpoint,
        ),
      );
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.log(`\n${signal}: draining and closing...`);
        (simulator?.stop() ?? Promise.resolve())
          .then(() => server.close())
          .then(
            () => {
              // Everything is closed (workers included): let the process end by itself rather than
              // calling process.exit() while a native worker may still be unwinding; the timer is a
              // backstop for a handle someone forgot.
              process.exitCode = 0;
              setTimeout(() => process.exit(0), 5000).unref();
            },
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
