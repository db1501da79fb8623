/**
 * The server as a separate process, driven like a newcomer would (a key from the CLI, signed HTTP,
 * market data over WebSocket), and killed with SIGKILL under load: every acknowledged order must
 * survive the restart. Needs the build in dist/ (`npx tsc -p tsconfig.json`).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CrossbookWs, signedRequest, type ApiKeyPair } from '../src/gateway/index.js';
import { builtCli, keysFromBanner, spawnServer, type ChildServer } from '../src/server/harness.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const run = promisify(execFile);
const dirs: string[] = [];
const children: ChildServer[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'crossbook-e2e-'));
  dirs.push(d);
  return d;
}

async function cli(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [builtCli(), ...args]);
  return stdout;
}

async function serve(dataDir: string): Promise<ChildServer> {
  const c = await spawnServer(['--data-dir', dataDir]);
  children.push(c);
  return c;
}

/** Waits for a WebSocket message that matches. */
function waitFor(ws: CrossbookWs, seen: Json[], pred: (m: Json) => boolean): Promise<Json> {
  const hit = seen.find(pred);
  if (hit) return Promise.resolve(hit);
  return new Promise((resolve) => {
    const prev = ws.onMessage;
    ws.onMessage = (m) => {
      prev(m);
      if (pred(m)) resolve(m);
    };
  });
}

afterAll(() => {
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('a newcomer', () => {
  it('creates a key, places and cancels with signed HTTP, and watches market data', async () => {
    const dir = tempDir();
    const srv = await serve(dir);
    expect(srv.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const demo = keysFromBanner(srv.output());
    expect(Object.keys(demo).sort()).toEqual(['admin', 'demo1', 'demo2']);

    const added = JSON.parse(await cli(['accounts', 'add', 'alice', '--json', '--data-dir', dir]));
    expect(added).toEqual({
      account: 'alice',
      keyId: expect.any(String),
      secret: expect.any(String),
    });
    const alice: ApiKeyPair = { keyId: added.keyId, secret: added.secret };
    expect(await cli(['accounts', 'list', '--data-dir', dir])).toMatch(/alice/);

    const ws = await CrossbookWs.connect(srv.url.replace('http', 'ws') + '/ws');
    const seen: Json[] = [];
    ws.onMessage = (m) => seen.push(m);
    expect((await ws.request('subscribe', { channel: 'l2', symbol: 'MSFT' })).ok).toBe(true);
    expect((await ws.request('subscribe', { channel: 'trades', symbol: 'MSFT' })).ok).toBe(true);
    expect((await ws.request('subscribe', { channel: 'l1', symbol: 'MSFT' })).ok).toBe(true);

    const call = (key: ApiKeyPair, method: string, path: string, body?: unknown) =>
      signedRequest<Json>({ baseUrl: srv.url, key, method, path, body });
    const placed = await call(alice, 'POST', '/api/v1/orders', {
      symbol: 'MSFT',
      side: 'buy',
      price: '419.50',
      qty: '100',
    });
    expect(placed.status).toBe(201);
    await waitFor(
      ws,
      seen,
      (m) =>
        m.type === 'l2' &&
        m.kind === 'update' &&
        m.bids.some((b: string[]) => b[0] === '419.50' && b[1] === '100'),
    );
    await waitFor(ws, seen, (m) => m.type === 'l1' && m.bid?.price === '419.50');

    const hit = await call(demo.demo1, 'POST', '/api/v1/orders', {
      symbol: 'MSFT',
      side: 'sell',
      kind: 'market',
      qty: '30',
    });
    expect(hit.body.order.status).toBe('filled');
    const trade = await waitFor(ws, seen, (m) => m.type === 'trade');
    expect(trade).toMatchObject({ symbol: 'MSFT', price: '419.50', qty: '30', aggressor: 'sell' });

    const cancel = await call(alice, 'DELETE', `/api/v1/orders/${placed.body.order.orderId}`);
    expect(cancel.body.order).toMatchObject({
      status: 'cancelled',
      filledQty: '30',
      leavesQty: '0',
    });
    await waitFor(
      ws,
      seen,
      (m) => m.type === 'l2' && m.bids.some((b: string[]) => b[0] === '419.50' && b[1] === '0'),
    );
    await ws.close();

    expect(await cli(['accounts', 'revoke', alice.keyId, '--data-dir', dir])).toMatch(/revoked/);
    // A revoke by the CLI (another process, the same store) reaches the running server within its
    // key-cache window (5 s, docs/api.md); the admin route takes effect at once.
    const deadline = Date.now() + 8000;
    let after = await call(alice, 'GET', '/api/v1/orders');
    while (after.status !== 401 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      after = await call(alice, 'GET', '/api/v1/orders');
    }
    expect(after.status).toBe(401);

    // A graceful stop closes open WebSockets with 1001 and exits 0.
    const watcher = await CrossbookWs.connect(srv.url.replace('http', 'ws') + '/ws');
    const closed = new Promise<number>((r) => watcher.ws.once('close', (code) => r(code)));
    srv.child.kill('SIGTERM');
    expect(await closed).toBe(1001);
    expect(await srv.exited).toBe(0);
  });
});

describe('kill -9', () => {
  it('keeps every acknowledged order across a restart', async () => {
    const dir = tempDir();
    const first = await serve(dir);
    const keys = keysFromBanner(first.output());
    const acked: { id: string; clientOrderId: string; price: string }[] = [];
    let sent = 0;
    let killed = false;
    // Several clients keep orders in flight; the server dies under them.
    const worker = async (w: number) => {
      for (let i = 0; !killed; i++) {
        const clientOrderId = `w${w}-${i}`;
        const price = (400 + ((w * 7 + i) % 100) / 10).toFixed(2);
        sent++;
        try {
          const r = await signedRequest<Json>({
            baseUrl: first.url,
            key: keys.demo1,
            method: 'POST',
            path: '/api/v1/orders',
            body: { symbol: 'MSFT', side: 'buy', price, qty: '1', clientOrderId },
          });
          if (r.status === 201) acked.push({ id: r.body.order.orderId, clientOrderId, price });
        } catch {
          return; // connection reset by the kill: not acknowledged
        }
      }
    };
    const workers = [0, 1, 2, 3, 4, 5].map(worker);
    while (acked.length < 150) await new Promise((r) => setTimeout(r, 5));
    first.child.kill('SIGKILL');
    killed = true;
    await Promise.all(workers);
    await first.exited;
    expect(sent).toBeGreaterThan(acked.length - 1);

    const second = await serve(dir);
    const book = await signedRequest<Json>({
      baseUrl: second.url,
      method: 'GET',
      path: '/api/v1/book/MSFT?level=3&depth=1000',
    });
    const resting = new Set<string>(
      book.body.bids.flatMap((l: Json) => l.orders.map((o: Json) => o.orderId)),
    );
    for (const a of acked) {
      expect(resting.has(a.id), `acknowledged order ${a.id} is in the book`).toBe(true);
    }
    const open = await signedRequest<Json>({
      baseUrl: second.url,
      key: keys.demo1,
      method: 'GET',
      path: '/api/v1/orders?status=open&limit=1000',
    });
    const openIds = new Set(open.body.orders.map((o: Json) => o.orderId));
    for (const a of acked) expect(openIds.has(a.id)).toBe(true);
    // A retry after the restart is still idempotent: the same order, not a second one.
    const retry = await signedRequest<Json>({
      baseUrl: second.url,
      key: keys.demo1,
      method: 'POST',
      path: '/api/v1/orders',
      body: {
        symbol: 'MSFT',
        side: 'buy',
        price: acked[0].price,
        qty: '1',
        clientOrderId: acked[0].clientOrderId,
      },
    });
    expect(retry.status).toBe(200);
    expect(retry.body.order.orderId).toBe(acked[0].id);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
