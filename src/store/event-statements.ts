/**
 * Pure: the order and trade statements one engine event implies. Orders and trades are derived
 * state (the audit rows are the record); inserts use ON CONFLICT DO NOTHING so a replay is harmless.
 */
import type { EngineEvent } from '../core/index.js';
import type { JournaledEntry } from './types.js';
import type { SqlValue } from './sql-db.js';

export type Stmt = readonly [string, readonly SqlValue[]];

/** ns timestamps can exceed 2^53: bind them as exact integers. */
export const big = (v: number | null | undefined): SqlValue =>
  v === null || v === undefined ? null : BigInt(Math.trunc(v));

/** Rows per multi-row INSERT: far below SQLite's 32 766 and PostgreSQL's 65 535 parameters. */
const ROWS_PER_INSERT = 400;

/** `INSERT ... VALUES (...), (...)` statements for many rows, in chunks; duplicates are ignored. */
export function multiInsert(insertColumns: string, rows: readonly (readonly SqlValue[])[]): Stmt[] {
  const out: Stmt[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    const tuple = '(' + chunk[0].map(() => '?').join(', ') + ')';
    const sql = `${insertColumns} VALUES ${Array(chunk.length).fill(tuple).join(', ')} ON CONFLICT DO NOTHING`;
    out.push([sql, chunk.flat()]);
  }
  return out;
}

const ORDER_INSERT =
  'INSERT INTO orders (order_id, shard, account, symbol, side, kind, tif, price, stop_price, qty, filled_qty, leaves_qty, status, reason, created_seq, updated_seq, created_ts, updated_ts) ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING';
const FILL =
  "UPDATE orders SET filled_qty = filled_qty + ?, leaves_qty = ?, status = CASE WHEN ? = 0 THEN 'filled' ELSE status END, updated_seq = ?, updated_ts = ? WHERE order_id = ?";

export function eventStatements(e: JournaledEntry, ev: EngineEvent, out: Stmt[]): void {
  switch (ev.type) {
    case 'instrument':
      out.push([
        'INSERT INTO instruments (symbol, tick_size, lot_size, shard, journal_seq) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
        [ev.symbol, ev.tickSize, ev.lotSize, e.shard, e.seq],
      ]);
      return;
    case 'accepted':
      out.push([
        ORDER_INSERT,
        [
          ev.orderId,
          e.shard,
          ev.account,
          ev.symbol,
          ev.side,
          ev.kind,
          ev.tif,
          ev.price ?? null,
          ev.stopPrice ?? null,
          ev.qty,
          ev.qty,
          'open',
          null,
          e.seq,
          e.seq,
          big(ev.ts),
          big(ev.ts),
        ],
      ]);
      return;
    case 'rejected': {
      const cmd = e.command;
      if (cmd.type !== 'place' || ev.orderId === undefined) return;
      // Kept for the owner's order history; never overwrites a live order with the same id.
      out.push([
        ORDER_INSERT,
        [
          cmd.orderId,
          e.shard,
          cmd.account,
          cmd.symbol,
          cmd.side,
          cmd.kind,
          cmd.tif ?? null,
          cmd.price ?? null,
          cmd.stopPrice ?? null,
          cmd.qty,
          0,
          'rejected',
          ev.reason,
          e.seq,
          e.seq,
          big(ev.ts),
          big(ev.ts),
        ],
      ]);
      return;
    }
    case 'trade':
      out.push([
        'INSERT INTO trades (shard, trade_id, symbol, price, qty, maker_order_id, taker_order_id, maker_account, taker_account, aggressor, auction, seq, journal_seq, ts) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
        [
          e.shard,
          ev.tradeId,
          ev.symbol,
          ev.price,
          ev.qty,
          ev.makerOrderId,
          ev.takerOrderId,
          ev.makerAccount,
          ev.takerAccount,
          ev.aggressor,
          ev.auction ? 1 : 0,
          ev.seq,
          e.seq,
          big(ev.ts),
        ],
      ]);
      out.push([
        FILL,
        [ev.qty, ev.makerLeaves, ev.makerLeaves, e.seq, big(ev.ts), ev.makerOrderId],
      ]);
      out.push([
        FILL,
        [ev.qty, ev.takerLeaves, ev.takerLeaves, e.seq, big(ev.ts), ev.takerOrderId],
      ]);
      return;
    case 'cancelled':
      out.push([
        "UPDATE orders SET leaves_qty = 0, status = 'cancelled', reason = ?, updated_seq = ?, updated_ts = ? WHERE order_id = ?",
        [ev.reason, e.seq, big(ev.ts), ev.orderId],
      ]);
      return;
    case 'replaced':
      out.push([
        'UPDATE orders SET price = COALESCE(?, price), stop_price = COALESCE(?, stop_price), leaves_qty = ?, qty = filled_qty + ?, updated_seq = ?, updated_ts = ? WHERE order_id = ?',
        [ev.price ?? null, ev.stopPrice ?? null, ev.qty, ev.qty, e.seq, big(ev.ts), ev.orderId],
      ]);
      return;
    default:
      return;
  }
}
