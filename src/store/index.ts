/**
 * crossbook store: trades, orders, the audit trail, accounts and API keys, off the matching path.
 *
 * API
 *   openStore({ url?, dataDir? }) -> Store (src/store/types.ts). url: postgres://... selects
 *     PostgreSQL (pg); otherwise SQLite (better-sqlite3, WAL) at a path, `sqlite:PATH` or
 *     `:memory:`; default ./data/crossbook.db. Migrations run on open.
 *   Journal sink: a Store is a DurableSink, so pass it to openDurableExchange({ sink: store,
 *     shard }) and it receives every durable command with its events, and catches up from the
 *     journal on the next open after a crash.
 *   Queries for the server: fills({account, symbol?}), orders({account, symbol?, status}),
 *     order(id), recentTrades({symbol}), audit({account?, symbol?, from?, to?, after?, limit?}),
 *     instruments(). Rows carry integer ticks/lots and their decimal text (*Text fields).
 *   Accounts and keys: upsertAccount / getAccount / listAccounts (disabled flag, max order qty in
 *     lots, max notional in tick-lots, max open orders); addApiKey({account, role}) -> {keyId,
 *     secret} (secret shown once), findApiKey(keyId) -> with the raw secret for HMAC-SHA256
 *     verification, listApiKeys(account?), revokeApiKey(keyId).
 *
 * Invariants
 *   - The audit trail is append-only: triggers in both databases reject UPDATE and DELETE.
 *   - writeEntries is idempotent by (shard, journal seq): one transaction per call advances
 *     store_progress; entries at or below it are skipped whole, so replays never duplicate.
 *   - The journal is the source of truth; the store may lag it, never lead it.
 *   - Trades are keyed by (symbol, trade_id): the core numbers trades per instrument and a symbol
 *     lives in one shard. Order ids must be unique across shards (the gateway's rule).
 *   - Secrets are stored AES-256-GCM encrypted under data/master.key (0600) plus a SHA-256 for
 *     display; the raw secret is needed server-side because clients sign with it (HMAC).
 * Limits: one writer per store; timestamps are engine ns as BIGINT (JS numbers when read).
 */
export type * from './types.js';
export {
  openStore,
  isPostgresUrl,
  DEFAULT_STORE_PATH,
  type OpenStoreOptions,
} from './open-store.js';
export { SqlStore } from './sql-store.js';
export { SecretBox, sha256Hex } from './secret-box.js';
export { MIGRATIONS, migrate } from './migrations.js';
export type { SqlDb, SqlValue } from './sql-db.js';
