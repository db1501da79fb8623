import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { Gauge } from 'prom-client';
import type { EngineEvent } from '../core/index.js';
import {
  Authenticator,
  buildHttpApp,
  GatewayMetrics,
  OrderRegistry,
  OrderService,
  RiskChecker,
  Sessions,
  WsGateway,
  type AccountRiskState,
  type GatewayContext,
  DEFAULT_LIMITS,
} from '../gateway/index.js';
import { MarketData } from '../market-data/index.js';
import { InstrumentRegistry, parseCommand } from '../protocol/index.js';
import { runChaos, type Engine, type Mode } from '../runtime/index.js';
import type { DurableSink } from '../journal/index.js';
import { openStore, type Store } from '../store/index.js';
import type { ServerConfig } from './config.js';
import { DEMO_INSTRUMENTS, loadInstrumentsFile, type InstrumentSpec } from './instruments.js';
import { defaultEngineFactory } from './engine-factory.js';
import { recordOf, restoreState } from './restore.js';
import { WorkerSink } from './worker-sink.js';
import { listenError, prepareDataDir, saveDemoKeys } from './startup.js';
import { NonBlockingLog } from './log-destination.js';
import { registerProcessCpu } from './process-metrics.js';
import { startProfiler } from './profiler.js';

export interface EngineFactoryOptions {
  mode: ServerConfig['mode'];
  shards?: number;
  journal: { dir: string; fsync: ServerConfig['fsync'] };
  store: Store;
  /** Where journaled entries go, off the event loop (a writer thread over the same store). */
  sink: DurableSink;
  /** Wall clock in ns for command timestamps. */
  clock: () => number;
  logger: Logger;
  /** Cluster mode (`--cluster URLS`): the engine is the NATS cluster's (src/cluster). */
  cluster?: { urls: string; ownerWaitMs: number };
}

export type EngineFactory = (opts: EngineFactoryOptions) => Promise<Engine>;

export interface DemoKey {
  account: string;
  role: 'trader' | 'admin';
  keyId: string;
  secret: string;
}

export interface RunningServer {
  url: string;
  port: number;
  config: ServerConfig;
  /** Keys created on this first start (empty on later starts). */
  demoKeys: DemoKey[];
  store: Store;
  /** `fix://host:port ...` when the FIX gateway is on. */
  fixEndpoint?: string;
  /** Hash of the engine's whole matching state (tests: rejected input changes nothing). */
  stateHash(): Promise<string>;
  /** Stops accepting, drains in-flight commands, snapshots and closes. Idempotent. */
  close(): Promise<void>;
}

export interface StartOptions {
  engineFactory?: EngineFactory;
  logger?: Logger;
  /** Period of the engine clock command, ms (default 1000); 0 turns it off (tests that compare state hashes). */
  clockTickMs?: number;
}

/** Engine time from the wall clock, ns, with sub-millisecond resolution. */
const clockNs = (): number => Math.round((performance.timeOrigin + performance.now()) * 1e6);

/**
 * Risk state (kill switch, limit overrides) lives in the store. A risk.json from an older version
 * is migrated once: its accounts are saved (audited as `migrated from risk.json`), then the file is
 * renamed to risk.json.migrated so it is never read again.
 */
async function loadRisk(store: Store, dataDir: string): Promise<Record<string, AccountRiskState>> {
  const legacy = join(dataDir, 'risk.json');
  if (existsSync(legacy)) {
    let parsed: Record<string, AccountRiskState>;
    try {
      parsed = JSON.parse(readFileSync(legacy, 'utf8')) as Record<string, AccountRiskState>;
    } catch (err) {
      throw new Error(`Cannot migrate ${legacy} into the store: ${(err as Error).message}`);
    }
    for (const [account, st] of Object.entries(parsed)) {
      await store.saveRiskState(
        {
          account,
          disabled: st.disabled === true,
          limits: (st.limits ?? {}) as Record<string, string | number>,
        },
        { action: 'migrated from risk.json' },
      );
    }
    renameSync(legacy, `${legacy}.migrated`);
  }
  const out: Record<string, AccountRiskState> = {};
  for (const r of await store.riskStates()) {
    out[r.account] = { disabled: r.disabled, limits: r.limits as AccountRiskState['limits'] };
  }
  return out;
}

/** A stable secret per data dir: derives order ids from client order ids. */
function idSalt(dataDir: string): string {
  const path = join(dataDir, 'order-id.salt');
  if (!existsSync(path))
    writeFileSync(path, randomBytes(16).toString('hex') + '\n', { mode: 0o600 });
  return readFileSync(path, 'utf8').trim();
}

async function createDemoAccounts(store: Store): Promise<DemoKey[]> {
  const out: DemoKey[] = [];
  for (const [account, role] of [
    ['demo1', 'trader'],
    ['demo2', 'trader'],
    ['admin', 'admin'],
  ] as const) {
    const k = await store.addApiKey({ account, role });
    out.push({ account, role, keyId: k.keyId, secret: k.secret });
  }
  return out;
}

/**
 * The composition root of `crossbook serve`: store, engine (with its journal), market data, the
 * order registry, risk, auth, and the HTTP + WebSocket gateway on one port.
 */
export async function startServer(
  config: ServerConfig,
  opts: StartOptions = {},
): Promise<RunningServer> {
  // Logging never blocks matching: a full or failing sink drops (and counts) lines.
  const logSink = opts.logger === undefined ? new NonBlockingLog(1) : undefined;
  const logger = opts.logger ?? pino({ level: config.logLevel }, logSink);
  // First, so that the store writer and shard workers are attached as they start.
  const profiler =
    config.profile === undefined ? undefined : await startProfiler(resolve(config.profile));
  const dataDir = resolve(config.dataDir);
  prepareDataDir(dataDir);
  const specs: readonly InstrumentSpec[] =
    config.instruments === undefined ? DEMO_INSTRUMENTS : loadInstrumentsFile(config.instruments);
  const storeUrl = config.store ?? join(dataDir, 'crossbook.db');
  const store = await openStore({ url: storeUrl, dataDir });
  const sink = await WorkerSink.open({ url: storeUrl, dataDir });

  let engine: Engine;
  try {
    engine = await (opts.engineFactory ?? defaultEngineFactory)({
      mode: config.mode,
      shards: config.shards,
      journal: { dir: join(dataDir, 'journal'), fsync: config.fsync },
      store,
      sink,
      clock: clockNs,
      logger,
      cluster:
        config.cluster === undefined
          ? undefined
          : { urls: config.cluster, ownerWaitMs: config.clusterWaitMs },
    });
  } catch (err) {
    await sink.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw err;
  }

  const instruments = new InstrumentRegistry();
  const marketData = new MarketData();
  const orders = new OrderRegistry();
  const metrics = new GatewayMetrics();
  registerProcessCpu(metrics.registry);
  const onEvents = (events: readonly EngineEvent[]) => {
    instruments.observeAll(events);
    orders.apply(events);
    marketData.apply(events);
    let trades = 0;
    for (const e of events) if (e.type === 'trade') trades++;
    if (trades > 0) metrics.recordTrades(trades);
  };
  const offEvents = engine.onEvents(onEvents);

  // Define the instruments; after a restart the engine already has them (duplicate_symbol).
  const known = new Map((await store.instruments()).map((i) => [i.symbol, i]));
  for (const spec of specs) {
    const parsed = parseCommand({ type: 'instrument', ...spec }, instruments);
    if (!parsed.ok) throw new Error(`Instrument ${spec.symbol}: ${parsed.message}`);
    const cmd = parsed.command;
    const events = await engine.submit(cmd);
    const defined = events.find((e) => e.type === 'instrument');
    if (defined === undefined) {
      const rejected = events.find((e) => e.type === 'rejected');
      if (rejected?.type !== 'rejected' || rejected.reason !== 'duplicate_symbol') {
        throw new Error(
          `Cannot define ${spec.symbol}: ${rejected?.type === 'rejected' ? rejected.message : 'no event'}`,
        );
      }
      // The engine defined it in an earlier run: take its units as recorded then.
      const row = known.get(spec.symbol);
      instruments.observe({
        type: 'instrument',
        seq: 0,
        ts: 0,
        symbol: spec.symbol,
        tickSize: row?.tickSize ?? spec.tickSize,
        lotSize: row?.lotSize ?? spec.lotSize,
        stp: 'none',
        phase: 'continuous',
      });
    } else instruments.observe(defined);
    const ic = cmd.type === 'instrument' ? cmd.instrument : undefined;
    const units = instruments.get(spec.symbol)!;
    marketData.addInstrument({
      symbol: spec.symbol,
      tickSize: units.tickSize,
      lotSize: units.lotSize,
      bandPct: ic?.bandPct,
      referencePrice: ic?.referencePrice,
      phase: ic?.phase,
    });
  }
  // Recovery caught the store up from the journal through the writer thread: the orders and
  // fills restored below are read from the store, so wait until those writes are committed.
  await sink.flush();
  await restoreState({
    engine,
    store,
    marketData,
    orders,
    symbols: specs.map((s) => s.symbol),
    onEvents,
  });

  const risk = new RiskChecker(
    {
      openOrders: (account) => orders.openCount(account),
      band: (symbol) => ({
        reference: marketData.referencePrice(symbol),
        bandPct: marketData.bandPct(symbol),
      }),
    },
    {
      ...DEFAULT_LIMITS,
      maxOpenOrders: config.maxOpenOrders,
      ordersPerSecond: config.ordersPerSecond,
      burst: config.orderBurst,
    },
  );
  risk.load(await loadRisk(store, dataDir));

  const resolveKey = async (keyId: string) => {
    const k = await store.findApiKey(keyId);
    if (k === null || k.revokedAt !== null) return undefined;
    return { account: k.account, role: k.role, secret: k.secret };
  };
  const auth = new Authenticator({ windowMs: config.authWindowMs, resolveKey });

  const service = new OrderService({
    engine,
    instruments,
    orders,
    risk,
    metrics,
    idSalt: idSalt(dataDir),
    maxQueued: config.maxQueuedOrders,
    onFailure: (err) =>
      logger.error({ err: err.message }, 'engine failed: orders are refused with 503 unavailable'),
    symbolOf: (orderId) => marketData.symbolOf(orderId),
    findStored: async (orderId) => {
      const row = await store.order(orderId);
      return row === null ? undefined : recordOf(row);
    },
  });

  const demoKeys =
    config.demo && (await store.listApiKeys()).length === 0 ? await createDemoAccounts(store) : [];
  // Saved before listening: a first start that fails below (port in use) loses no key.
  if (demoKeys.length > 0) saveDemoKeys(dataDir, demoKeys);

  let closing = false;
  const ctx: GatewayContext = {
    service,
    orders,
    marketData,
    instruments,
    auth,
    risk,
    metrics,
    logger,
    startedAt: Date.now(),
    closing: () => closing,
    engineInfo: () => ({
      mode: engine.mode,
      shards: shardsOf(engine, specs),
      fsync:
        engine.mode === 'single' || engine.mode === 'sharded'
          ? config.fsync
          : 'none (no journal in this mode)',
      storeLag: sink.lag,
    }),
    listAccounts: async () =>
      (await store.listApiKeys())
        .filter((k) => k.revokedAt === null)
        .map((k) => ({ account: k.account, role: k.role, keyId: k.keyId })),
    saveRisk: async (account, action, actor) => {
      const st = risk.state()[account];
      await store.saveRiskState(
        {
          account,
          disabled: st?.disabled === true,
          limits: (st?.limits ?? {}) as Record<string, string | number>,
        },
        { action, actor },
      );
    },
    durability: () => {
      const e = engine.status?.();
      if (e?.state === 'unavailable') return { state: 'unavailable', reason: e.reason };
      return sink.status();
    },
    revokeKey: async (keyId) => {
      const k = await store.findApiKey(keyId);
      if (k === null) return null;
      await store.revokeApiKey(keyId);
      return k.account;
    },
    sessions: new Sessions(),
    ws: {
      maxMessage: config.wsMaxMessage,
      maxBuffered: config.wsMaxBuffered,
      maxInFlight: config.wsMaxInFlight,
      maxConnections: config.wsMaxConnections,
    },
    logDropped: () => logSink?.dropped ?? 0,
    // Fresh engines of their own: the live venue's books are never touched.
    chaos: async (modes) => {
      const r = await runChaos({ modes: modes as Mode[] });
      return {
        ok: r.ok,
        racyCaught: r.racyCaught,
        results: r.modes.map((m) => ({
          mode: m.mode,
          orders: m.orders,
          filled: m.filled,
          liquidity: m.liquidity,
          crossingLiquidity: m.crossingLiquidity,
          overExecution: m.overExecution,
          conserved: m.conserved,
          crossed: m.crossed,
          ordersPerSec: Math.round(m.ordersPerSec),
          note: m.note,
        })),
      };
    },
  };

  new Gauge({
    name: 'crossbook_log_dropped_total',
    help: 'Log lines dropped because the log sink was full or failing',
    registers: [metrics.registry],
    collect() {
      this.set(logSink?.dropped ?? 0);
    },
  });

  const uiDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'ui', 'dist');
  const app = await buildHttpApp({
    ctx,
    bodyLimit: config.bodyLimit,
    uiDir: existsSync(uiDir) ? uiDir : resolve('ui/dist'),
  });
  const ws = new WsGateway(app.server, ctx);
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    ws.close();
    await app.close().catch(() => undefined);
    offEvents();
    await engine.close().catch(() => undefined);
    await sink.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw listenError(err, config.host, config.port);
  }
  const port = (app.server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  logger.info({ url, mode: engine.mode }, 'crossbook listening');
  // FIX 4.4 (docs/fix.md): the same service, keys, risk and market data as HTTP and WebSocket.
  const fix =
    config.fixPort === 'off'
      ? undefined
      : // Loaded only when enabled: the FIX engine is a large package.
        await (
          await import('../fix/index.js')
        ).FixGateway.start({
          host: config.host,
          port: config.fixPort,
          dataDir,
          service,
          orders,
          marketData,
          resolveKey,
          logger,
        });

  // Engine time only moves with commands: a 1 Hz clock expires DAY / GTD orders and ends timed
  // halts on a quiet venue too.
  const tickMs = opts.clockTickMs ?? 1000;
  const ticker = setInterval(
    () => {
      if (!closing && tickMs > 0)
        engine.submit({ type: 'clock', ts: clockNs() }).catch(() => undefined);
    },
    tickMs > 0 ? tickMs : 60_000,
  );
  ticker.unref();

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      // Stop accepting: new WebSocket connections and new requests are refused from here on.
      closing = true;
      clearInterval(ticker);
      // Drain: commands already submitted (HTTP and WebSocket) finish and are answered (a failed
      // engine answers nothing more: do not wait for it).
      while (metrics.inFlight > 0 && service.health().ok)
        await new Promise((r) => setTimeout(r, 5));
      await fix?.close();
      if (profiler !== undefined) {
        const files = await profiler.stop();
        logger.warn({ files }, `CPU profiles written to ${config.profile}`);
      }
      ws.close();
      await app.close();
      offEvents();
      await engine.close();
      await sink.close();
      await store.close();
      logger.info('crossbook stopped');
      logSink?.flushSync();
    })();
    return closed;
  };
  return {
    url,
    port,
    config,
    demoKeys,
    store,
    close,
    stateHash: () => engine.stateHash(),
    fixEndpoint: fix?.endpoint,
  };
}

/** Shard assignments when the engine exposes them; otherwise one engine holds every symbol. */
function shardsOf(
  engine: Engine,
  specs: readonly InstrumentSpec[],
): { id: number; symbols: string[] }[] {
  const router = (engine as Engine & { router?: { shardOf(symbol: string): number } }).router;
  if (router === undefined) return [{ id: 0, symbols: specs.map((s) => s.symbol) }];
  const by = new Map<number, string[]>();
  for (const s of specs) {
    const id = router.shardOf(s.symbol);
    by.set(id, [...(by.get(id) ?? []), s.symbol]);
  }
  return [...by.entries()].sort((a, b) => a[0] - b[0]).map(([id, symbols]) => ({ id, symbols }));
}
