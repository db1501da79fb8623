import type { Logger } from 'pino';
import type { MarketData } from '../market-data/index.js';
import type { InstrumentRegistry } from '../protocol/index.js';
import type { Authenticator, Role } from './auth/index.js';
import type { GatewayMetrics } from './metrics.js';
import type { OrderService } from './order-service.js';
import type { OrderRegistry } from './orders/order-registry.js';
import type { RiskChecker } from './risk/index.js';

/** What `GET /engine` shows besides the metrics. */
export interface EngineInfo {
  mode: string;
  shards: { id: number; symbols: string[] }[];
  fsync: string;
  /** Journaled commands not yet written to the store. */
  storeLag: number;
}

export interface AccountSummary {
  account: string;
  role: Role;
  keyId: string;
}

/** One mode's run of the seed's chaos test, as the runtime reports it. */
export interface ChaosResult {
  mode: string;
  orders: number;
  filled: number;
  liquidity: number;
  /** Sell quantity priced at or below the bids: the most a correct engine may fill. */
  crossingLiquidity: number;
  overExecution: number;
  conserved: boolean;
  crossed: boolean;
  ordersPerSec: number;
  note?: string;
}

export interface ChaosReport {
  ok: boolean;
  racyCaught: boolean | null;
  results: ChaosResult[];
}

/** Which live sessions to end: those of one key, or all of one account. */
export interface SessionFilter {
  keyId?: string;
  account?: string;
}

/**
 * Live sessions (WebSocket connections) by key and account: admin actions end them at once. The
 * WebSocket gateway registers itself; HTTP has no sessions (every request is verified afresh).
 */
export class Sessions {
  private readonly closers = new Set<(f: SessionFilter, reason: string) => number>();

  register(closer: (f: SessionFilter, reason: string) => number): () => void {
    this.closers.add(closer);
    return () => this.closers.delete(closer);
  }

  /** Closes matching sessions with `reason`; returns how many. */
  close(f: SessionFilter, reason: string): number {
    let n = 0;
    for (const c of this.closers) n += c(f, reason);
    return n;
  }
}

/** Backpressure limits of the WebSocket gateway (docs/api.md §4.6). */
export interface WsLimits {
  /** Bytes of one message. */
  maxMessage: number;
  /** Bytes of a connection's outgoing buffer before it is closed (slow_consumer). */
  maxBuffered: number;
  /** Commands of one connection sent to the engine and not yet answered; more get `throttled`. */
  maxInFlight: number;
  /** Open connections; more are refused at the upgrade (503). */
  maxConnections: number;
}

/** Everything the HTTP and WebSocket adapters need; built once by the server. */
export interface GatewayContext {
  service: OrderService;
  orders: OrderRegistry;
  marketData: MarketData;
  instruments: InstrumentRegistry;
  auth: Authenticator;
  risk: RiskChecker;
  metrics: GatewayMetrics;
  logger: Logger;
  engineInfo(): EngineInfo;
  /** Account keys for the admin listing. */
  listAccounts(): Promise<AccountSummary[]>;
  /** Saves risk state (limits, kill switch) after an admin change. */
  saveRisk(): void;
  startedAt: number;
  closing: () => boolean;
  /** Runs the seed's chaos test on fresh engines, when the server was built with it. */
  chaos?: (modes: string[]) => Promise<ChaosReport>;
  /** Revokes an API key in the store; resolves with its account, or null when unknown. */
  revokeKey(keyId: string): Promise<string | null>;
  sessions: Sessions;
  ws: WsLimits;
  /** Log lines dropped because the log sink was full or failing. */
  logDropped?: () => number;
}
