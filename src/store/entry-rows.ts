/** Pure mapping from a journaled entry (command + its events) to audit rows. */
import type { Command, EngineEvent } from '../core/index.js';
import type { JournaledEntry } from './types.js';
import type { SqlValue } from './sql-db.js';

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function commandSymbol(cmd: Command): string | null {
  if (cmd.type === 'instrument') return cmd.instrument.symbol;
  return str((cmd as { symbol?: unknown }).symbol);
}

/** Rows for `audit` in column order: shard, journal_seq, idx, kind, type, seq, ts, account, other_account, symbol, order_id, data. */
export function auditRows(e: JournaledEntry): SqlValue[][] {
  const cmd = e.command;
  const c = cmd as unknown as Record<string, unknown>;
  const cmdTs = typeof cmd.ts === 'number' ? cmd.ts : (e.events[0]?.ts ?? 0);
  const rows: SqlValue[][] = [
    [
      e.shard,
      e.seq,
      0,
      'command',
      cmd.type,
      null,
      cmdTs,
      str(c.account),
      null,
      commandSymbol(cmd),
      str(c.orderId),
      JSON.stringify(cmd),
    ],
  ];
  e.events.forEach((ev: EngineEvent, i) => {
    const v = ev as unknown as Record<string, unknown>;
    const isTrade = ev.type === 'trade';
    rows.push([
      e.shard,
      e.seq,
      i + 1,
      'event',
      ev.type,
      ev.seq,
      ev.ts,
      isTrade ? ev.takerAccount : str(v.account),
      isTrade ? ev.makerAccount : null,
      str(v.symbol),
      isTrade ? ev.takerOrderId : str(v.orderId),
      JSON.stringify(ev),
    ]);
  });
  return rows;
}
