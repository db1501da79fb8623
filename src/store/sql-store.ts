/**
 * The Store over any SqlDb: one implementation, so SQLite and PostgreSQL behave the same.
 * writeEntries applies one call in one transaction and advances store_progress with it, so a
 * replayed or caught-up entry (seq <= progress) is skipped whole: idempotent by (shard, seq).
 */
import { formatSteps, parseStep, type Decimal } from '../core/index.js';
import type { JournaledEntry } from './types.js';
import { auditRows } from './entry-rows.js';
import { big, eventStatements, multiInsert, type Stmt } from './event-statements.js';
import { newKeyId, newSecret, sha256Hex, type SecretBox } from './secret-box.js';
import type { SqlDb, SqlValue } from './sql-db.js';
import type {
  AccountRow,
  AccountUpdate,
  ApiKeyInfo,
  ApiKeyWithSecret,
  ApiRole,
  AuditQuery,
  AuditRow,
  FillRow,
  InstrumentRow,
  OrderRow,
  Store,
  StoreKind,
  TradeRow,
} from './types.js';

type Row = Record<string, unknown>;
const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const DEFAULT_LIMIT = 1000;
const ONE: Decimal = { mantissa: 1n, scale: 0 };

const AUDIT_COLUMNS =
  'INSERT INTO audit (shard, journal_seq, idx, kind, type, seq, ts, account, other_account, symbol, order_id, data)';

export class SqlStore implements Store {
  private units = new Map<string, { tick: Decimal; lot: Decimal }>();

  constructor(
    readonly kind: StoreKind,
    /** Raw SQL access for tools and tests; the audit table rejects UPDATE and DELETE. */
    readonly sql: SqlDb,
    private readonly box: SecretBox,
  ) {}

  async lastJournalSeq(shard: number): Promise<number> {
    const rows = await this.sql.all<Row>('SELECT journal_seq FROM store_progress WHERE shard = ?', [
      shard,
    ]);
    return rows.length === 0 ? 0 : num(rows[0].journal_seq);
  }

  async writeEntries(entries: readonly JournaledEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.sql.tx(async (t) => {
      const progress = new Map<number, number>();
      const stmts: Stmt[] = [];
      const audit: SqlValue[][] = [];
      for (const e of entries) {
        let done = progress.get(e.shard);
        if (done === undefined) {
          const rows = await t.all<Row>('SELECT journal_seq FROM store_progress WHERE shard = ?', [
            e.shard,
          ]);
          done = rows.length === 0 ? 0 : num(rows[0].journal_seq);
          progress.set(e.shard, done);
        }
        if (e.seq <= done) continue;
        for (const row of auditRows(e)) {
          row[6] = big(row[6] as number);
          audit.push(row);
        }
        for (const ev of e.events) eventStatements(e, ev, stmts);
        progress.set(e.shard, e.seq);
      }
      for (const [shard, seq] of progress) {
        stmts.push([
          'INSERT INTO store_progress (shard, journal_seq) VALUES (?, ?) ON CONFLICT (shard) DO UPDATE SET journal_seq = excluded.journal_seq',
          [shard, seq],
        ]);
      }
      // Audit rows depend on nothing else: one multi-row insert per chunk, ahead of the rest.
      await t.runMany([...multiInsert(AUDIT_COLUMNS, audit), ...stmts]);
    });
  }

  // ---- decimal units -------------------------------------------------------------------------

  private async unitsFor(symbol: string): Promise<{ tick: Decimal; lot: Decimal }> {
    let u = this.units.get(symbol);
    if (u === undefined) {
      for (const i of await this.instruments()) {
        this.units.set(i.symbol, { tick: parseStep(i.tickSize), lot: parseStep(i.lotSize) });
      }
      u = this.units.get(symbol) ?? { tick: ONE, lot: ONE };
    }
    return u;
  }

  async instruments(): Promise<InstrumentRow[]> {
    const rows = await this.sql.all<Row>(
      'SELECT symbol, tick_size, lot_size, shard FROM instruments ORDER BY symbol',
    );
    return rows.map((r) => ({
      symbol: String(r.symbol),
      tickSize: String(r.tick_size),
      lotSize: String(r.lot_size),
      shard: num(r.shard),
    }));
  }

  /** Units of every symbol, for formatting exports (e.g. the audit CLI). */
  async unitsMap(): Promise<Map<string, { tickSize: string; lotSize: string }>> {
    return new Map(
      (await this.instruments()).map((i) => [
        i.symbol,
        { tickSize: i.tickSize, lotSize: i.lotSize },
      ]),
    );
  }

  // ---- queries ---------------------------------------------------------------------------------

  private async tradeRow(r: Row): Promise<TradeRow> {
    const u = await this.unitsFor(String(r.symbol));
    return {
      shard: num(r.shard),
      tradeId: num(r.trade_id),
      symbol: String(r.symbol),
      price: num(r.price),
      qty: num(r.qty),
      priceText: formatSteps(num(r.price), u.tick),
      qtyText: formatSteps(num(r.qty), u.lot),
      makerOrderId: String(r.maker_order_id),
      takerOrderId: String(r.taker_order_id),
      makerAccount: String(r.maker_account),
      takerAccount: String(r.taker_account),
      aggressor: r.aggressor as 'buy' | 'sell',
      auction: num(r.auction) === 1,
      seq: num(r.seq),
      journalSeq: num(r.journal_seq),
      ts: num(r.ts),
    };
  }

  private async orderRow(r: Row): Promise<OrderRow> {
    const u = await this.unitsFor(String(r.symbol));
    const price = numOrNull(r.price);
    return {
      orderId: String(r.order_id),
      shard: num(r.shard),
      account: String(r.account),
      symbol: String(r.symbol),
      side: r.side as 'buy' | 'sell',
      kind: String(r.kind),
      tif: r.tif === null ? null : String(r.tif),
      price,
      stopPrice: numOrNull(r.stop_price),
      qty: num(r.qty),
      filledQty: num(r.filled_qty),
      leavesQty: num(r.leaves_qty),
      priceText: price === null ? null : formatSteps(price, u.tick),
      qtyText: formatSteps(num(r.qty), u.lot),
      filledQtyText: formatSteps(num(r.filled_qty), u.lot),
      leavesQtyText: formatSteps(num(r.leaves_qty), u.lot),
      status: r.status as OrderRow['status'],
      reason: r.reason === null ? null : String(r.reason),
      createdTs: num(r.created_ts),
      updatedTs: num(r.updated_ts),
    };
  }

  async fills(q: { account: string; symbol?: string; limit?: number }): Promise<FillRow[]> {
    const params: SqlValue[] = [q.account, q.account];
    let sql = 'SELECT * FROM trades WHERE (maker_account = ? OR taker_account = ?)';
    if (q.symbol !== undefined) {
      sql += ' AND symbol = ?';
      params.push(q.symbol);
    }
    sql += ' ORDER BY journal_seq DESC, seq DESC LIMIT ?';
    params.push(q.limit ?? DEFAULT_LIMIT);
    const out: FillRow[] = [];
    for (const r of await this.sql.all<Row>(sql, params)) {
      const t = await this.tradeRow(r);
      const opposite = t.aggressor === 'buy' ? 'sell' : 'buy';
      if (t.takerAccount === q.account)
        out.push({
          ...t,
          account: q.account,
          orderId: t.takerOrderId,
          side: t.aggressor,
          liquidity: 'taker',
        });
      if (t.makerAccount === q.account)
        out.push({
          ...t,
          account: q.account,
          orderId: t.makerOrderId,
          side: opposite,
          liquidity: 'maker',
        });
    }
    return out;
  }

  async orders(q: {
    account: string;
    symbol?: string;
    status?: 'open' | 'all';
    limit?: number;
  }): Promise<OrderRow[]> {
    const params: SqlValue[] = [q.account];
    let sql = 'SELECT * FROM orders WHERE account = ?';
    if (q.symbol !== undefined) {
      sql += ' AND symbol = ?';
      params.push(q.symbol);
    }
    if (q.status === 'open') sql += " AND status = 'open'";
    sql += ' ORDER BY created_seq DESC LIMIT ?';
    params.push(q.limit ?? DEFAULT_LIMIT);
    const rows = await this.sql.all<Row>(sql, params);
    return Promise.all(rows.map((r) => this.orderRow(r)));
  }

  async order(orderId: string): Promise<OrderRow | null> {
    const rows = await this.sql.all<Row>('SELECT * FROM orders WHERE order_id = ?', [orderId]);
    return rows.length === 0 ? null : this.orderRow(rows[0]);
  }

  async recentTrades(q: { symbol: string; limit?: number }): Promise<TradeRow[]> {
    const rows = await this.sql.all<Row>(
      'SELECT * FROM trades WHERE symbol = ? ORDER BY journal_seq DESC, seq DESC LIMIT ?',
      [q.symbol, q.limit ?? 100],
    );
    return Promise.all(rows.map((r) => this.tradeRow(r)));
  }

  async audit(
    q: AuditQuery & { after?: { shard: number; journalSeq: number; idx: number } },
  ): Promise<AuditRow[]> {
    const params: SqlValue[] = [];
    let sql = 'SELECT * FROM audit WHERE 1 = 1';
    if (q.account !== undefined) {
      sql += ' AND (account = ? OR other_account = ?)';
      params.push(q.account, q.account);
    }
    if (q.symbol !== undefined) {
      sql += ' AND symbol = ?';
      params.push(q.symbol);
    }
    if (q.from !== undefined) {
      sql += ' AND ts >= ?';
      params.push(big(q.from));
    }
    if (q.to !== undefined) {
      sql += ' AND ts <= ?';
      params.push(big(q.to));
    }
    if (q.after !== undefined) {
      sql +=
        ' AND (shard > ? OR (shard = ? AND (journal_seq > ? OR (journal_seq = ? AND idx > ?))))';
      params.push(
        q.after.shard,
        q.after.shard,
        q.after.journalSeq,
        q.after.journalSeq,
        q.after.idx,
      );
    }
    sql += ' ORDER BY shard, journal_seq, idx';
    if (q.limit !== undefined) {
      sql += ' LIMIT ?';
      params.push(q.limit);
    }
    const rows = await this.sql.all<Row>(sql, params);
    return rows.map((r) => ({
      shard: num(r.shard),
      journalSeq: num(r.journal_seq),
      idx: num(r.idx),
      kind: r.kind as 'command' | 'event',
      type: String(r.type),
      seq: numOrNull(r.seq),
      ts: num(r.ts),
      account: r.account === null ? null : String(r.account),
      otherAccount: r.other_account === null ? null : String(r.other_account),
      symbol: r.symbol === null ? null : String(r.symbol),
      orderId: r.order_id === null ? null : String(r.order_id),
      data: JSON.parse(String(r.data)) as Record<string, unknown>,
    }));
  }

  async auditCount(): Promise<number> {
    const rows = await this.sql.all<Row>('SELECT COUNT(*) AS n FROM audit');
    return num(rows[0].n);
  }

  // ---- API keys and accounts ---------------------------------------------------------------------

  async addApiKey(opts: {
    account: string;
    role?: ApiRole;
    keyId?: string;
    secret?: string;
  }): Promise<{ keyId: string; secret: string }> {
    const role = opts.role ?? 'trader';
    if (role !== 'trader' && role !== 'admin')
      throw new Error(`Unknown role "${String(role)}": use trader or admin`);
    if (opts.account.trim() === '') throw new Error('An API key needs an account');
    const keyId = opts.keyId ?? newKeyId();
    const secret = opts.secret ?? newSecret();
    const existing = await this.sql.all<Row>('SELECT key_id FROM api_keys WHERE key_id = ?', [
      keyId,
    ]);
    if (existing.length > 0) throw new Error(`API key ${keyId} already exists`);
    await this.sql.run(
      'INSERT INTO api_keys (key_id, account, secret_hash, secret_enc, role, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, NULL)',
      [keyId, opts.account, sha256Hex(secret), this.box.seal(secret, keyId), role, Date.now()],
    );
    return { keyId, secret };
  }

  private keyInfo(r: Row): ApiKeyInfo {
    return {
      keyId: String(r.key_id),
      account: String(r.account),
      role: r.role as ApiRole,
      secretHash: String(r.secret_hash),
      createdAt: num(r.created_at),
      revokedAt: numOrNull(r.revoked_at),
    };
  }

  async findApiKey(keyId: string): Promise<ApiKeyWithSecret | null> {
    const rows = await this.sql.all<Row>('SELECT * FROM api_keys WHERE key_id = ?', [keyId]);
    if (rows.length === 0) return null;
    let secret: string;
    try {
      secret = this.box.open(String(rows[0].secret_enc), keyId);
    } catch {
      throw new Error(
        `Cannot decrypt the secret of API key ${keyId}: master.key does not match the one it was stored with`,
      );
    }
    return { ...this.keyInfo(rows[0]), secret };
  }

  async listApiKeys(account?: string): Promise<ApiKeyInfo[]> {
    const rows =
      account === undefined
        ? await this.sql.all<Row>('SELECT * FROM api_keys ORDER BY created_at, key_id')
        : await this.sql.all<Row>(
            'SELECT * FROM api_keys WHERE account = ? ORDER BY created_at, key_id',
            [account],
          );
    return rows.map((r) => this.keyInfo(r));
  }

  async revokeApiKey(keyId: string): Promise<boolean> {
    return (
      (await this.sql.run(
        'UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL',
        [Date.now(), keyId],
      )) > 0
    );
  }

  private accountRow(r: Row): AccountRow {
    return {
      account: String(r.account),
      disabled: num(r.disabled) === 1,
      maxOrderQty: numOrNull(r.max_order_qty),
      maxNotional: numOrNull(r.max_notional),
      maxOpenOrders: numOrNull(r.max_open_orders),
      createdAt: num(r.created_at),
    };
  }

  async upsertAccount(u: AccountUpdate): Promise<AccountRow> {
    if (u.account.trim() === '') throw new Error('An account needs a name');
    return this.sql.tx(async (t) => {
      const rows = await t.all<Row>('SELECT * FROM accounts WHERE account = ?', [u.account]);
      const cur: AccountRow =
        rows.length > 0
          ? this.accountRow(rows[0])
          : {
              account: u.account,
              disabled: false,
              maxOrderQty: null,
              maxNotional: null,
              maxOpenOrders: null,
              createdAt: Date.now(),
            };
      const next: AccountRow = {
        ...cur,
        disabled: u.disabled ?? cur.disabled,
        maxOrderQty: u.maxOrderQty !== undefined ? u.maxOrderQty : cur.maxOrderQty,
        maxNotional: u.maxNotional !== undefined ? u.maxNotional : cur.maxNotional,
        maxOpenOrders: u.maxOpenOrders !== undefined ? u.maxOpenOrders : cur.maxOpenOrders,
      };
      const vals: SqlValue[] = [
        next.disabled ? 1 : 0,
        next.maxOrderQty,
        next.maxNotional,
        next.maxOpenOrders,
      ];
      if (rows.length > 0) {
        await t.run(
          'UPDATE accounts SET disabled = ?, max_order_qty = ?, max_notional = ?, max_open_orders = ? WHERE account = ?',
          [...vals, u.account],
        );
      } else {
        await t.run(
          'INSERT INTO accounts (disabled, max_order_qty, max_notional, max_open_orders, account, created_at) VALUES (?, ?, ?, ?, ?, ?)',
          [...vals, u.account, next.createdAt],
        );
      }
      return next;
    });
  }

  async getAccount(account: string): Promise<AccountRow | null> {
    const rows = await this.sql.all<Row>('SELECT * FROM accounts WHERE account = ?', [account]);
    return rows.length === 0 ? null : this.accountRow(rows[0]);
  }

  async listAccounts(): Promise<AccountRow[]> {
    return (await this.sql.all<Row>('SELECT * FROM accounts ORDER BY account')).map((r) =>
      this.accountRow(r),
    );
  }

  close(): Promise<void> {
    return this.sql.close();
  }
}
