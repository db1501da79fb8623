/**
 * One schema for both databases. Table SQL is dialect-neutral (TEXT, BIGINT, INTEGER; booleans as
 * 0/1); only the append-only triggers differ, kept in a two-entry map. Migrations are numbered,
 * applied in order, each in its own transaction, and recorded in schema_migrations.
 */
import type { SqlDb } from './sql-db.js';

interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Dialect-specific statements run after `sql`. */
  dialect?: { sqlite: string; postgres: string };
}

const AUDIT_GUARD = {
  sqlite: `
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;`,
  postgres: `
CREATE OR REPLACE FUNCTION crossbook_audit_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit trail is append-only'; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit
FOR EACH ROW EXECUTE FUNCTION crossbook_audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
FOR EACH STATEMENT EXECUTE FUNCTION crossbook_audit_append_only();`,
};

const RISK_AUDIT_GUARD = {
  sqlite: `
CREATE TRIGGER risk_audit_no_update BEFORE UPDATE ON risk_audit
BEGIN SELECT RAISE(ABORT, 'risk audit trail is append-only'); END;
CREATE TRIGGER risk_audit_no_delete BEFORE DELETE ON risk_audit
BEGIN SELECT RAISE(ABORT, 'risk audit trail is append-only'); END;`,
  postgres: `
CREATE TRIGGER risk_audit_no_update BEFORE UPDATE OR DELETE ON risk_audit
FOR EACH ROW EXECUTE FUNCTION crossbook_audit_append_only();
CREATE TRIGGER risk_audit_no_truncate BEFORE TRUNCATE ON risk_audit
FOR EACH STATEMENT EXECUTE FUNCTION crossbook_audit_append_only();`,
};

/**
 * Every field of an order, so a restart restores it exactly: the client's id, post-only, the
 * iceberg slice, GTD expiry, STP mode, whether a stop has triggered, and the fill notional (sum of
 * price x qty over its fills, exact as BIGINT). Existing rows get the notional from their trades
 * and the trigger from the audit trail; fields no record kept stay NULL (never invented).
 * Risk state (kill switch, limit overrides) moves into `accounts`, with an append-only audit.
 */
const MIGRATIONS_V3: Migration = {
  version: 3,
  name: 'every order field, fill notional, durable risk state',
  sql: `
ALTER TABLE orders ADD COLUMN client_order_id TEXT;
ALTER TABLE orders ADD COLUMN post_only INTEGER;
ALTER TABLE orders ADD COLUMN display_qty BIGINT;
ALTER TABLE orders ADD COLUMN expire_at BIGINT;
ALTER TABLE orders ADD COLUMN stp TEXT;
ALTER TABLE orders ADD COLUMN triggered INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN filled_notional BIGINT NOT NULL DEFAULT 0;
UPDATE orders SET filled_notional = (
  SELECT COALESCE(SUM(t.price * t.qty), 0) FROM trades t
  WHERE t.maker_order_id = orders.order_id OR t.taker_order_id = orders.order_id);
UPDATE orders SET triggered = 1 WHERE EXISTS (
  SELECT 1 FROM audit a WHERE a.type = 'triggered' AND a.order_id = orders.order_id);
ALTER TABLE accounts ADD COLUMN risk_limits TEXT;
CREATE TABLE risk_audit (
  id BIGINT PRIMARY KEY,
  account TEXT NOT NULL,
  action TEXT NOT NULL,
  actor TEXT,
  disabled INTEGER NOT NULL,
  limits TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX risk_audit_by_account ON risk_audit (account, id);`,
  dialect: RISK_AUDIT_GUARD,
};

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'trades, orders, audit trail, accounts, api keys',
    sql: `
CREATE TABLE instruments (
  symbol TEXT PRIMARY KEY,
  tick_size TEXT NOT NULL,
  lot_size TEXT NOT NULL,
  shard INTEGER NOT NULL,
  journal_seq BIGINT NOT NULL
);
CREATE TABLE orders (
  order_id TEXT PRIMARY KEY,
  shard INTEGER NOT NULL,
  account TEXT NOT NULL,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL,
  kind TEXT NOT NULL,
  tif TEXT,
  price BIGINT,
  stop_price BIGINT,
  qty BIGINT NOT NULL,
  filled_qty BIGINT NOT NULL,
  leaves_qty BIGINT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT,
  created_seq BIGINT NOT NULL,
  updated_seq BIGINT NOT NULL,
  created_ts BIGINT NOT NULL,
  updated_ts BIGINT NOT NULL
);
CREATE INDEX orders_by_account ON orders (account, status, created_seq);
CREATE TABLE trades (
  shard INTEGER NOT NULL,
  trade_id BIGINT NOT NULL,
  symbol TEXT NOT NULL,
  price BIGINT NOT NULL,
  qty BIGINT NOT NULL,
  maker_order_id TEXT NOT NULL,
  taker_order_id TEXT NOT NULL,
  maker_account TEXT NOT NULL,
  taker_account TEXT NOT NULL,
  aggressor TEXT NOT NULL,
  auction INTEGER NOT NULL,
  seq BIGINT NOT NULL,
  journal_seq BIGINT NOT NULL,
  ts BIGINT NOT NULL,
  PRIMARY KEY (shard, trade_id)
);
CREATE INDEX trades_by_symbol ON trades (symbol, journal_seq);
CREATE INDEX trades_by_maker ON trades (maker_account, symbol);
CREATE INDEX trades_by_taker ON trades (taker_account, symbol);
CREATE TABLE audit (
  shard INTEGER NOT NULL,
  journal_seq BIGINT NOT NULL,
  idx INTEGER NOT NULL,
  kind TEXT NOT NULL,
  type TEXT NOT NULL,
  seq BIGINT,
  ts BIGINT NOT NULL,
  account TEXT,
  other_account TEXT,
  symbol TEXT,
  order_id TEXT,
  data TEXT NOT NULL,
  PRIMARY KEY (shard, journal_seq, idx)
);
CREATE INDEX audit_by_account ON audit (account, ts);
CREATE INDEX audit_by_other_account ON audit (other_account, ts);
CREATE TABLE store_progress (
  shard INTEGER PRIMARY KEY,
  journal_seq BIGINT NOT NULL
);
CREATE TABLE accounts (
  account TEXT PRIMARY KEY,
  disabled INTEGER NOT NULL,
  max_order_qty BIGINT,
  max_notional BIGINT,
  max_open_orders INTEGER,
  created_at BIGINT NOT NULL
);
CREATE TABLE api_keys (
  key_id TEXT PRIMARY KEY,
  account TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  secret_enc TEXT NOT NULL,
  role TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX api_keys_by_account ON api_keys (account);`,
    dialect: AUDIT_GUARD,
  },
  {
    // Trade ids count per instrument (the core numbers them per symbol, whichever shard runs it).
    version: 2,
    name: 'trades keyed by (symbol, trade_id)',
    sql: `
CREATE TABLE trades_v2 (
  shard INTEGER NOT NULL,
  trade_id BIGINT NOT NULL,
  symbol TEXT NOT NULL,
  price BIGINT NOT NULL,
  qty BIGINT NOT NULL,
  maker_order_id TEXT NOT NULL,
  taker_order_id TEXT NOT NULL,
  maker_account TEXT NOT NULL,
  taker_account TEXT NOT NULL,
  aggressor TEXT NOT NULL,
  auction INTEGER NOT NULL,
  seq BIGINT NOT NULL,
  journal_seq BIGINT NOT NULL,
  ts BIGINT NOT NULL,
  PRIMARY KEY (symbol, trade_id)
);
INSERT INTO trades_v2 SELECT shard, trade_id, symbol, price, qty, maker_order_id, taker_order_id,
  maker_account, taker_account, aggressor, auction, seq, journal_seq, ts FROM trades;
DROP TABLE trades;
ALTER TABLE trades_v2 RENAME TO trades;
CREATE INDEX trades_by_symbol ON trades (symbol, journal_seq);
CREATE INDEX trades_by_maker ON trades (maker_account, symbol);
CREATE INDEX trades_by_taker ON trades (taker_account, symbol);`,
  },
  MIGRATIONS_V3,
];

export async function migrate(db: SqlDb): Promise<number> {
  await db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const done = new Set(
    (await db.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) =>
      Number(r.version),
    ),
  );
  let applied = 0;
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    await db.tx(async (t) => {
      await t.exec(m.sql);
      if (m.dialect) await t.exec(m.dialect[t.dialect]);
      await t.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        m.version,
        m.name,
        new Date().toISOString(),
      ]);
    });
    applied++;
  }
  return applied;
}
