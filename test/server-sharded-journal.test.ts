/**
 * `crossbook serve --mode sharded` is journaled per shard: orders resting before a clean stop are
 * in the book and in the account's open orders after a restart on the same data directory, and
 * the store (fed from the shard threads) has them. Real server, real sockets, real worker threads
 * (build dist first: `npx tsc -p tsconfig.json`).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signedRequest } from '../src/gateway/index.js';
import { startTestServer, type TestServer } from '../src/server/harness.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const servers: TestServer[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'crossbook-server-sharded-'));
afterAll(async () => {
  for (const s of servers) await s.close().catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

const book = async (s: TestServer, symbol: string): Promise<Json> =>
  (await fetch(`${s.url}/api/v1/book/${symbol}`)).json() as Promise<Json>;

describe('server --mode sharded with a journal', () => {
  it('keeps resting orders across a restart', { timeout: 60_000 }, async () => {
    const s1 = await startTestServer({ dataDir, config: { mode: 'sharded', shards: 2 } });
    servers.push(s1);
    const key = s1.keys.demo1;
    // Demo keys are created on the first start only.
    const other = s1.keys.demo2;
    for (const [symbol, price] of [
      ['MSFT', '400.00'],
      ['NVDA', '125.00'],
    ]) {
      const res = await signedRequest<Json>({
        baseUrl: s1.url,
        key,
        method: 'POST',
        path: '/api/v1/orders',
        body: { symbol, side: 'buy', price, qty: '3' },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const before = { MSFT: await book(s1, 'MSFT'), NVDA: await book(s1, 'NVDA') };
    await s1.close();
    servers.pop();
    expect(existsSync(join(dataDir, 'journal', 'manifest.json'))).toBe(true);

    const s2 = await startTestServer({ dataDir, config: { mode: 'sharded', shards: 2 } });
    servers.push(s2);
    const after = { MSFT: await book(s2, 'MSFT'), NVDA: await book(s2, 'NVDA') };
    const levels = (b: Json): unknown => ({ bids: b.bids, asks: b.asks });
    expect(levels(after.MSFT)).toEqual(levels(before.MSFT));
    expect(levels(after.NVDA)).toEqual(levels(before.NVDA));
    expect(JSON.stringify(after.MSFT.bids)).toContain('400');
    const open = await signedRequest<Json>({
      baseUrl: s2.url,
      key,
      method: 'GET',
      path: '/api/v1/orders?status=open',
    });
    expect(open.status).toBe(200);
    expect(JSON.stringify(open.body)).toContain('NVDA');
    expect(JSON.stringify(open.body)).toContain('MSFT');
    // The recovered shard matches against the recovered order, not only the store's view of it.
    const sell = await signedRequest<Json>({
      baseUrl: s2.url,
      key: other,
      method: 'POST',
      path: '/api/v1/orders',
      body: { symbol: 'MSFT', side: 'sell', price: '400.00', qty: '1' },
    });
    expect(sell.status, JSON.stringify(sell.body)).toBe(201);
    const trades = (await (await fetch(`${s2.url}/api/v1/trades/MSFT`)).json()) as Json;
    expect(JSON.stringify(trades)).toContain('400');
    expect(levels(await book(s2, 'MSFT'))).not.toEqual(levels(before.MSFT));
  });
});
