/** Wire types of docs/api.md (v1). Decimals stay strings; times are ms since the epoch. */

export type Side = 'buy' | 'sell';
export type OrderKind = 'limit' | 'market' | 'stop' | 'stopLimit';
export type Tif = 'GTC' | 'IOC' | 'FOK' | 'DAY' | 'GTD';

export interface ApiErrorBody {
  reason: string;
  message: string;
}

export interface Instrument {
  symbol: string;
  tickSize: string;
  lotSize: string;
  bandPct: string | null;
  referencePrice: string | null;
  phase: string;
  lastPrice: string | null;
}

export interface Order {
  orderId: string;
  clientOrderId: string | null;
  account: string;
  symbol: string;
  side: Side;
  kind: OrderKind;
  price: string | null;
  stopPrice: string | null;
  qty: string;
  displayQty: string | null;
  tif: Tif;
  postOnly: boolean;
  filledQty: string;
  leavesQty: string;
  avgPrice: string | null;
  status: string;
  cancelReason: string | null;
  time: number;
  updatedTime: number;
}

export interface Fill {
  tradeId: string;
  orderId: string;
  clientOrderId: string | null;
  symbol: string;
  side: Side;
  price: string;
  qty: string;
  liquidity: 'maker' | 'taker';
  time: number;
}

export interface Trade {
  tradeId: string;
  symbol: string;
  price: string;
  qty: string;
  aggressor: Side;
  time: number;
}

export type Level = [price: string, qty: string];

export interface BookSnapshot {
  symbol: string;
  seq: number;
  time: number;
  bids: Level[];
  asks: Level[];
}

export interface EngineStats {
  mode: string;
  shards: { id: number; symbols: string[] }[];
  ordersPerSec: number;
  tradesPerSec: number;
  ackLatencyUs: { p50: number; p99: number; p999: number; max: number };
  journal: { fsync: string; lag: number };
  connections: number;
  uptimeSec: number;
}

/**
 * One mode of POST /chaos, as the UI shows it. `available` is what a correct engine may fill: the
 * docs' `available`, else the runtime's `crossingLiquidity` (asks priced at or below the bids), else
 * all `liquidity` offered. Counts are integer lots as decimal strings.
 */
export interface ChaosResult {
  mode: string;
  available: string;
  /** Which server field gave `available`. */
  availableFrom: 'available' | 'crossingLiquidity' | 'liquidity';
  /** All sell quantity offered, when the server reports it. */
  offered: string | null;
  filled: string;
  overExecuted: boolean;
  /** Sum of what orders filled beyond their quantity, when reported. */
  overExecution: string | null;
  ms: number | null;
  ordersPerSec: number | null;
  conserved: boolean | null;
}

export interface RawChaosResult {
  mode: string;
  available?: string | number;
  crossingLiquidity?: string | number;
  liquidity?: string | number;
  filled: string | number;
  overExecuted?: boolean;
  overExecution?: number;
  ms?: number;
  ordersPerSec?: number;
  conserved?: boolean;
}

const str = (v: string | number | undefined): string | null => (v === undefined ? null : String(v));

export function readChaosResult(r: RawChaosResult): ChaosResult {
  const filled = String(r.filled);
  const availableFrom =
    r.available !== undefined
      ? 'available'
      : r.crossingLiquidity !== undefined
        ? 'crossingLiquidity'
        : 'liquidity';
  const available = str(r[availableFrom]) ?? '0';
  const overExecuted =
    r.overExecuted ??
    (r.overExecution !== undefined ? r.overExecution > 0 : Number(filled) > Number(available));
  return {
    mode: r.mode,
    available,
    availableFrom,
    offered: str(r.liquidity),
    filled,
    overExecuted,
    overExecution: str(r.overExecution),
    ms: r.ms ?? null,
    ordersPerSec: r.ordersPerSec ?? null,
    conserved: r.conserved ?? null,
  };
}

export interface AccountInfo {
  account: string;
  role: 'trader' | 'admin';
  keyId: string;
  enabled: boolean;
}

export interface PlaceRequest {
  symbol: string;
  side: Side;
  kind: OrderKind;
  qty: string;
  price?: string;
  stopPrice?: string;
  tif?: Tif;
  expireAt?: number;
  postOnly?: boolean;
  displayQty?: string;
  clientOrderId?: string;
}

/** Messages the server pushes on /ws (§4). */
export type ServerMessage =
  | { type: 'response'; id: string | number | null; ok: true; result: unknown }
  | { type: 'response'; id: string | number | null; ok: false; error: ApiErrorBody }
  | { type: 'error'; id?: string | number; error: ApiErrorBody }
  | (BookSnapshot & { type: 'l2'; kind: 'snapshot' | 'update' })
  | {
      type: 'l1';
      symbol: string;
      seq: number;
      time: number;
      bid: { price: string; qty: string } | null;
      ask: { price: string; qty: string } | null;
    }
  | (Trade & { type: 'trade' })
  | { type: 'status'; symbol: string; phase: string; reason?: string }
  | {
      type: 'execution';
      exec: 'accepted' | 'fill' | 'cancelled' | 'replaced' | 'rejected' | 'triggered';
      order: Order | null;
      fill?: Fill;
      reason?: string;
      priorityKept?: boolean;
      error?: ApiErrorBody;
    };
