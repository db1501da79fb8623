import { readFileSync } from 'node:fs';
import { MODES, type Mode } from '../runtime/index.js';

export type FsyncPolicy = 'always' | 'batch' | 'off';
const FSYNC: readonly FsyncPolicy[] = ['always', 'batch', 'off'];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Every server setting. Each can come from a flag, an env var or a JSON config file. */
export interface ServerConfig {
  host: string;
  port: number;
  mode: Mode;
  /** Worker count for `sharded` (and `lockfree`); undefined lets the runtime choose. */
  shards?: number;
  /** Store URL: a SQLite path or postgres://...; default DATA_DIR/crossbook.db. */
  store?: string;
  fsync: FsyncPolicy;
  /** JSON file of instruments; default the six demo instruments. */
  instruments?: string;
  dataDir: string;
  logLevel: string;
  /** Create demo accounts on first start with an empty store. */
  demo: boolean;
  /** Largest WebSocket message from a client, bytes. */
  wsMaxMessage: number;
  /** Outgoing WebSocket buffer per connection before the client is dropped, bytes. */
  wsMaxBuffered: number;
  /** Largest HTTP body, bytes. */
  bodyLimit: number;
  /** Signature timestamp window, ms. */
  authWindowMs: number;
  /**
   * Simulated participants in `crossbook serve` (never in startServer() itself): true or false
   * forces them; undefined (the default) runs them for the demo instruments on a fresh data dir
   * and on every later start of a venue that was created with them.
   */
  simulate?: boolean;
  /** Simulated orders per second, all participants together. */
  simulateRate: number;
  /** FIX 4.4 acceptor port (docs/fix.md), or 'off'. */
  fixPort: number | 'off';
  /** Cluster mode: NATS URLs (URL[,URL...]); the engines run elsewhere (docs/distributed.md). */
  cluster?: string;
  /** Cluster mode: how long a command waits for its partition to have a live owner, ms. */
  clusterWaitMs: number;
  /** Default risk limits of every account (admins override per account). */
  maxOpenOrders: number;
  ordersPerSecond: number;
  orderBurst: number;
  /** Commands one WebSocket connection may have waiting for the engine; more get `throttled`. */
  wsMaxInFlight: number;
  /** Open WebSocket connections; more are refused (503). */
  wsMaxConnections: number;
  /** Commands waiting for the engine, all clients together; more orders get `throttled`. */
  maxQueuedOrders: number;
  /** Write CPU profiles of the main and worker threads to this directory on exit. */
  profile?: string;
}

export const DEFAULT_CONFIG: ServerConfig = {
  host: '127.0.0.1',
  port: 8080,
  mode: 'single',
  fsync: 'batch',
  dataDir: './data',
  logLevel: 'warn',
  demo: true,
  wsMaxMessage: 16 * 1024,
  wsMaxBuffered: 4 * 1024 * 1024,
  bodyLimit: 64 * 1024,
  authWindowMs: 30_000,
  simulateRate: 40,
  fixPort: 'off',
  clusterWaitMs: 5000,
  maxOpenOrders: 1000,
  ordersPerSecond: 10_000,
  orderBurst: 20_000,
  wsMaxInFlight: 1000,
  wsMaxConnections: 1024,
  maxQueuedOrders: 10_000,
};

/** Setting -> environment variable. */
export const ENV_VARS: Record<keyof ServerConfig, string> = {
  host: 'CROSSBOOK_HOST',
  port: 'CROSSBOOK_PORT',
  mode: 'CROSSBOOK_MODE',
  shards: 'CROSSBOOK_SHARDS',
  store: 'CROSSBOOK_STORE',
  fsync: 'CROSSBOOK_FSYNC',
  instruments: 'CROSSBOOK_INSTRUMENTS',
  dataDir: 'CROSSBOOK_DATA_DIR',
  logLevel: 'CROSSBOOK_LOG_LEVEL',
  demo: 'CROSSBOOK_DEMO',
  wsMaxMessage: 'CROSSBOOK_WS_MAX_MESSAGE',
  wsMaxBuffered: 'CROSSBOOK_WS_MAX_BUFFERED',
  bodyLimit: 'CROSSBOOK_BODY_LIMIT',
  authWindowMs: 'CROSSBOOK_AUTH_WINDOW_MS',
  simulate: 'CROSSBOOK_SIMULATE',
  simulateRate: 'CROSSBOOK_SIMULATE_RATE',
  fixPort: 'CROSSBOOK_FIX_PORT',
  cluster: 'CROSSBOOK_CLUSTER',
  clusterWaitMs: 'CROSSBOOK_CLUSTER_WAIT_MS',
  maxOpenOrders: 'CROSSBOOK_MAX_OPEN_ORDERS',
  ordersPerSecond: 'CROSSBOOK_ORDERS_PER_SECOND',
  orderBurst: 'CROSSBOOK_ORDER_BURST',
  wsMaxInFlight: 'CROSSBOOK_WS_MAX_IN_FLIGHT',
  wsMaxConnections: 'CROSSBOOK_WS_MAX_CONNECTIONS',
  maxQueuedOrders: 'CROSSBOOK_MAX_QUEUED_ORDERS',
  profile: 'CROSSBOOK_PROFILE',
};

const INTEGER_KEYS = new Set<keyof ServerConfig>([
  'port',
  'shards',
  'wsMaxMessage',
  'wsMaxBuffered',
  'bodyLimit',
  'authWindowMs',
  'simulateRate',
  'clusterWaitMs',
  'maxOpenOrders',
  'ordersPerSecond',
  'orderBurst',
  'wsMaxInFlight',
  'wsMaxConnections',
  'maxQueuedOrders',
]);

/** Risk defaults share the admin route's bounds (src/gateway/risk LIMIT_BOUNDS). */
const RISK_KEYS = new Set<keyof ServerConfig>(['maxOpenOrders', 'ordersPerSecond', 'orderBurst']);

type Raw = Partial<Record<keyof ServerConfig, unknown>>;

function coerce(key: keyof ServerConfig, value: unknown, where: string): unknown {
  if (value === undefined || value === null || value === '') return undefined;
  if (key === 'fixPort') {
    if (value === 'off') return 'off';
    const n = typeof value === 'number' ? value : /^\d+$/.test(String(value)) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < 1 || n > 65535) {
      throw new Error(
        `${where}: fixPort must be off or a port from 1 to 65535, got ${JSON.stringify(value)}`,
      );
    }
    return n;
  }
  if (INTEGER_KEYS.has(key)) {
    const n = typeof value === 'number' ? value : /^\d+$/.test(String(value)) ? Number(value) : NaN;
    const min = key === 'port' ? 0 : 1;
    const max = key === 'port' ? 65535 : RISK_KEYS.has(key) ? 1_000_000 : Number.MAX_SAFE_INTEGER;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new Error(
        `${where}: ${key} must be an integer ${key === 'port' ? 'from 0 to 65535' : max === Number.MAX_SAFE_INTEGER ? '>= 1' : `from 1 to ${max}`}, got ${JSON.stringify(value)}`,
      );
    }
    return n;
  }
  if (key === 'demo' || key === 'simulate') {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    throw new Error(`${where}: ${key} must be true or false, got ${JSON.stringify(value)}`);
  }
  if (typeof value !== 'string') throw new Error(`${where}: ${key} must be a string`);
  if (key === 'mode' && !MODES.includes(value as Mode)) {
    throw new Error(`${where}: mode must be one of ${MODES.join(', ')}, got ${value}`);
  }
  if (key === 'fsync' && !FSYNC.includes(value as FsyncPolicy)) {
    throw new Error(`${where}: fsync must be one of ${FSYNC.join(', ')}, got ${value}`);
  }
  if (key === 'logLevel' && !LOG_LEVELS.includes(value)) {
    throw new Error(`${where}: log level must be one of ${LOG_LEVELS.join(', ')}, got ${value}`);
  }
  return value;
}

function layer(target: ServerConfig, raw: Raw, where: string): void {
  for (const [k, v] of Object.entries(raw)) {
    if (!(k in ENV_VARS)) throw new Error(`${where}: unknown setting ${k}`);
    const value = coerce(k as keyof ServerConfig, v, where);
    if (value !== undefined) (target as unknown as Record<string, unknown>)[k] = value;
  }
}

/**
 * Resolves the configuration: defaults, then the config file (`--config` or CROSSBOOK_CONFIG),
 * then environment variables, then flags; each later source wins. Bad values throw a clear error.
 */
export function resolveConfig(opts: {
  flags?: Raw & { config?: string };
  env?: NodeJS.ProcessEnv;
}): ServerConfig {
  const flags = { ...(opts.flags ?? {}) };
  const env = opts.env ?? {};
  const cfg: ServerConfig = { ...DEFAULT_CONFIG };
  const file = flags.config ?? env.CROSSBOOK_CONFIG;
  delete flags.config;
  if (file !== undefined) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`Cannot read config file ${file}: ${(err as Error).message}`);
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new Error(`Config file ${file} must hold a JSON object`);
    }
    layer(cfg, raw as Raw, `config file ${file}`);
  }
  const fromEnv: Raw = {};
  for (const [k, name] of Object.entries(ENV_VARS)) {
    if (env[name] !== undefined) fromEnv[k as keyof ServerConfig] = env[name];
  }
  layer(cfg, fromEnv, 'environment');
  layer(cfg, flags, 'flags');
  return cfg;
}
