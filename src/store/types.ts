/** The Store contract: what the server, the CLI and the journal sink rely on. */
import type { Command, EngineEvent } from '../core/index.js';

/**
 * One journaled command with the events it caused: what a sink (the store) receives. This and
 * DurableSink are defined here, in the lower layer: src/journal imports them (and re-exports
 * them), the store never imports the journal.
 */
export interface JournaledEntry {
  shard: number;
  /** Journal seq of the command. */
  seq: number;
  command: Command;
  events: readonly EngineEvent[];
}

/** Where durable entries go off the matching path. Must be idempotent by (shard, seq). */
export interface DurableSink {
  /** Highest journal seq fully written for `shard` (0 when none). */
  lastJournalSeq(shard: number): Promise<number>;
  /** Writes entries in seq order; entries at or below lastJournalSeq are ignored. */
  writeEntries(entries: readonly JournaledEntry[]): Promise<void>;
}

export type StoreKind = 'sqlite' | 'postgres';
export type ApiRole = 'trader' | 'admin';
export type OrderStatus = 'open' | 'filled' | 'cancelled' | 'rejected';

export interface InstrumentRow {
  symbol: string;
  tickSize: string;
  lotSize: string;
  shard: number;
}

export interface OrderRow {
  orderId: string;
  shard: number;
  account: string;
  symbol: string;
  side: 'buy' | 'sell';
  kind: string;
  tif: string | null;
  /** Ticks / lots as stored; the decimal forms use the instrument's units. */
  price: number | null;
  stopPrice: number | null;
  qty: number;
  filledQty: number;
  leavesQty: number;
  priceText: string | null;
  qtyText: string;
  filledQtyText: string;
  leavesQtyText: string;
  status: OrderStatus;
  /** Cancel or reject reason, when there is one. */
  reason: string | null;
  createdTs: number;
  updatedTs: number;
}

export interface TradeRow {
  shard: number;
  tradeId: number;
  symbol: string;
  price: number;
  qty: number;
  priceText: string;
  qtyText: string;
  makerOrderId: string;
  takerOrderId: string;
  makerAccount: string;
  takerAccount: string;
  aggressor: 'buy' | 'sell';
  auction: boolean;
  /** Engine event seq of the trade and journal seq of the command that caused it. */
  seq: number;
  journalSeq: number;
  ts: number;
}

/** One trade seen from one account. */
export interface FillRow extends TradeRow {
  account: string;
  orderId: string;
  side: 'buy' | 'sell';
  liquidity: 'maker' | 'taker';
}

export interface AuditRow {
  shard: number;
  journalSeq: number;
  /** 0 for the command, 1.. for its events in engine order. */
  idx: number;
  kind: 'command' | 'event';
  type: string;
  /** Engine event seq (null for a command). */
  seq: number | null;
  /** Engine time in ns. */
  ts: number;
  account: string | null;
  /** The second account of a trade (the maker); null otherwise. */
  otherAccount: string | null;
  symbol: string | null;
  orderId: string | null;
  /** The command or event as the engine saw it (integers). */
  data: Record<string, unknown>;
}

export interface AuditQuery {
  account?: string;
  symbol?: string;
  /** Inclusive bounds on engine time, ns. */
  from?: number;
  to?: number;
  limit?: number;
}

export interface ApiKeyInfo {
  keyId: string;
  account: string;
  role: ApiRole;
  /** SHA-256 of the secret, hex: safe to show and to compare. */
  secretHash: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface ApiKeyWithSecret extends ApiKeyInfo {
  /** The raw secret (decrypted with the master key): what HMAC-SHA256 signatures are checked with. */
  secret: string;
}

export interface AccountRow {
  account: string;
  disabled: boolean;
  maxOrderQty: number | null;
  maxNotional: number | null;
  maxOpenOrders: number | null;
  createdAt: number;
}

export interface AccountUpdate {
  account: string;
  disabled?: boolean;
  maxOrderQty?: number | null;
  maxNotional?: number | null;
  maxOpenOrders?: number | null;
}

export interface Store extends DurableSink {
  readonly kind: StoreKind;
  /** Highest journal seq fully written for a shard (0 when none). */
  lastJournalSeq(shard: number): Promise<number>;
  /** Writes journaled entries (commands + events) atomically per call; idempotent by (shard, seq). */
  writeEntries: DurableSink['writeEntries'];

  instruments(): Promise<InstrumentRow[]>;
  fills(q: { account: string; symbol?: string; limit?: number }): Promise<FillRow[]>;
  orders(q: {
    account: string;
    symbol?: string;
    status?: 'open' | 'all';
    limit?: number;
  }): Promise<OrderRow[]>;
  order(orderId: string): Promise<OrderRow | null>;
  recentTrades(q: { symbol: string; limit?: number }): Promise<TradeRow[]>;
  /** Audit rows in (shard, journalSeq, idx) order. A trade matches an account on either side. */
  audit(q: AuditQuery): Promise<AuditRow[]>;
  /** Rows of the audit trail in total (all shards). */
  auditCount(): Promise<number>;

  /** Creates a key; the raw secret is returned once, and stored only encrypted. */
  addApiKey(opts: {
    account: string;
    role?: ApiRole;
    keyId?: string;
    secret?: string;
  }): Promise<{ keyId: string; secret: string }>;
  /** A key with its decrypted secret, revoked or not (check revokedAt); null when unknown. */
  findApiKey(keyId: string): Promise<ApiKeyWithSecret | null>;
  listApiKeys(account?: string): Promise<ApiKeyInfo[]>;
  /** True when a live key was revoked now. */
  revokeApiKey(keyId: string): Promise<boolean>;

  upsertAccount(update: AccountUpdate): Promise<AccountRow>;
  getAccount(account: string): Promise<AccountRow | null>;
  listAccounts(): Promise<AccountRow[]>;

  close(): Promise<void>;
}
