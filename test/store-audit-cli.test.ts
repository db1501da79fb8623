/** `crossbook audit` end to end: a journaled session mirrored into SQLite, exported as CSV and JSONL. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDurableExchange } from '../src/journal/index.js';
import { openStore } from '../src/store/index.js';

const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'crossbook-audit-'));
const storePath = join(root, 'crossbook.db');
afterAll(() => rmSync(root, { recursive: true, force: true }));

function audit(args: string[]): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(
      process.execPath,
      ['--import', 'tsx', CLI, 'audit', '--store', storePath, ...args],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  const store = await openStore({ url: storePath });
  const d = await openDurableExchange({
    dir: join(root, 'journal'),
    fsync: 'off',
    sink: store,
    logger: { warn: () => undefined, info: () => undefined },
  });
  d.execute({
    type: 'instrument',
    instrument: { symbol: 'MSFT', tickSize: '0.01', lotSize: '1' },
    ts: 1_000,
  });
  d.execute({
    type: 'instrument',
    instrument: { symbol: 'ETH', tickSize: '0.5', lotSize: '0.01' },
    ts: 1_000,
  });
  d.execute({
    type: 'place',
    symbol: 'MSFT',
    orderId: 'S1',
    account: 'A',
    side: 'sell',
    kind: 'limit',
    price: 42050,
    qty: 100,
    ts: 2_000,
  });
  d.execute({
    type: 'place',
    symbol: 'MSFT',
    orderId: 'B1',
    account: 'B',
    side: 'buy',
    kind: 'limit',
    price: 42050,
    qty: 30,
    ts: 3_000,
  });
  d.execute({
    type: 'place',
    symbol: 'ETH',
    orderId: 'E1',
    account: 'A',
    side: 'buy',
    kind: 'limit',
    price: 5001,
    qty: 250,
    ts: 4_000,
  });
  d.execute({ type: 'cancel', symbol: 'ETH', orderId: 'E1', account: 'A', ts: 5_000 });
  await d.close();
  await store.close();
});

describe('crossbook audit', () => {
  it('exports JSONL with decimal prices, both sides of a trade, in sequence order', () => {
    const r = audit(['--account', 'A', '--format', 'jsonl']);
    expect(r.code).toBe(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows[0]).toMatchObject({
      entry: 'command',
      type: 'place',
      journalSeq: 3,
      idx: 0,
      orderId: 'S1',
      price: '420.50',
      qty: '100',
      ts: 2000,
    });
    const trade = rows.find((x) => x.type === 'trade')!;
    expect(trade).toMatchObject({
      account: 'B',
      otherAccount: 'A',
      price: '420.50',
      qty: '30',
      journalSeq: 4,
    });
    expect(typeof trade.seq).toBe('number');
    expect(
      rows.some((x) => x.type === 'cancelled' && x.orderId === 'E1' && x.remainingQty === '2.50'),
    ).toBe(true);
    expect(rows.every((x) => x.account === 'A' || x.otherAccount === 'A')).toBe(true);
  });

  it('filters by symbol and time window, and writes CSV', () => {
    const r = audit([
      '--account',
      'A',
      '--symbol',
      'ETH',
      '--from',
      '4000',
      '--to',
      '4999',
      '--format',
      'csv',
    ]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      'shard,journal_seq,idx,entry,type,seq,ts,account,other_account,symbol,order_id,detail',
    );
    expect(lines.length).toBe(3);
    expect(lines[1]).toMatch(/^0,5,0,command,place,,4000,A,,ETH,E1,"\{""type"":""place""/);
    expect(lines[2]).toMatch(/^0,5,1,event,accepted,\d+,4000,A,,ETH,E1,/);
  });

  it('rejects bad options with a clear message', () => {
    expect(audit(['--account', 'A', '--format', 'xml'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('use csv or jsonl'),
    });
    expect(audit(['--account', 'A', '--from', 'yesterday'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('--from yesterday'),
    });
    expect(audit([]).stderr).toMatch(/--account/);
  });
});
