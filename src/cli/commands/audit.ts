/**
 * `crossbook audit --account A [--symbol S] [--from T] [--to T] [--format csv|jsonl] [--store URL]`:
 * exports the audit trail (every command and event with journal seq, engine seq, ns timestamp and
 * account) with prices and quantities as decimal strings. T is integer ns or an ISO-8601 time.
 */
import type { Command as Program } from 'commander';
import type { EngineEvent } from '../../core/index.js';
import { CommandFormatter } from '../../journal/index.js';
import { formatEvent, InstrumentRegistry } from '../../protocol/index.js';
import { openStore, type AuditRow } from '../../store/index.js';

const PAGE = 5000;

export function parseTime(text: string, flag: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms))
    throw new Error(`${flag} ${text}: expected integer nanoseconds or an ISO-8601 time`);
  return ms * 1_000_000;
}

const CSV_COLUMNS = [
  'shard',
  'journal_seq',
  'idx',
  'entry',
  'type',
  'seq',
  'ts',
  'account',
  'other_account',
  'symbol',
  'order_id',
  'detail',
];

function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function write(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once('drain', resolve).once('error', reject);
  });
}

interface AuditCliOptions {
  account: string;
  symbol?: string;
  from?: string;
  to?: string;
  format: string;
  store?: string;
}

export async function runAudit(o: AuditCliOptions): Promise<number> {
  if (o.format !== 'csv' && o.format !== 'jsonl')
    throw new Error(`--format ${o.format}: use csv or jsonl`);
  const from = o.from !== undefined ? parseTime(o.from, '--from') : undefined;
  const to = o.to !== undefined ? parseTime(o.to, '--to') : undefined;
  const store = await openStore(o.store !== undefined ? { url: o.store } : {});
  try {
    const registry = new InstrumentRegistry();
    const cmdFmt = new CommandFormatter();
    for (const i of await store.instruments()) {
      registry.observe({
        type: 'instrument',
        seq: 0,
        ts: 0,
        symbol: i.symbol,
        tickSize: i.tickSize,
        lotSize: i.lotSize,
        stp: 'none',
        phase: 'continuous',
      });
      cmdFmt.define(i);
    }
    const detail = (r: AuditRow): Record<string, unknown> =>
      r.kind === 'command'
        ? cmdFmt.format(r.data as never)
        : formatEvent(r.data as unknown as EngineEvent, registry);
    if (o.format === 'csv') await write(CSV_COLUMNS.join(',') + '\n');
    let after: { shard: number; journalSeq: number; idx: number } | undefined;
    let n = 0;
    for (;;) {
      const rows = await store.audit({
        account: o.account,
        symbol: o.symbol,
        from,
        to,
        after,
        limit: PAGE,
      });
      if (rows.length === 0) break;
      let out = '';
      for (const r of rows) {
        const d = detail(r);
        if (o.format === 'jsonl') {
          out +=
            JSON.stringify({
              shard: r.shard,
              journalSeq: r.journalSeq,
              idx: r.idx,
              entry: r.kind,
              seq: r.seq,
              ts: r.ts,
              account: r.account,
              otherAccount: r.otherAccount,
              symbol: r.symbol,
              orderId: r.orderId,
              ...d,
            }) + '\n';
        } else {
          out +=
            [
              r.shard,
              r.journalSeq,
              r.idx,
              r.kind,
              r.type,
              r.seq,
              r.ts,
              r.account,
              r.otherAccount,
              r.symbol,
              r.orderId,
              d,
            ]
              .map(csvField)
              .join(',') + '\n';
        }
      }
      await write(out);
      n += rows.length;
      const last = rows[rows.length - 1];
      after = { shard: last.shard, journalSeq: last.journalSeq, idx: last.idx };
      if (rows.length < PAGE) break;
    }
    return n;
  } finally {
    await store.close();
  }
}

export function registerAudit(program: Program): void {
  program
    .command('audit')
    .description(
      'Export the audit trail of an account (commands and events, sequenced and timestamped)',
    )
    .requiredOption('--account <account>', 'account to export (trades match on either side)')
    .option('--symbol <symbol>', 'only this symbol')
    .option('--from <time>', 'from engine time (integer ns or ISO-8601), inclusive')
    .option('--to <time>', 'to engine time (integer ns or ISO-8601), inclusive')
    .option('--format <format>', 'csv or jsonl', 'jsonl')
    .option(
      '--store <url>',
      'store URL: postgres://... or a SQLite path (default ./data/crossbook.db)',
    )
    .action(async (o: AuditCliOptions) => {
      try {
        await runAudit(o);
      } catch (err) {
        console.error(err instanceof Error ? err.message : String(err));
        process.exitCode = 1;
      }
    });
}
