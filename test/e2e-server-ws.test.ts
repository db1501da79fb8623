/**
 * The WebSocket API through real sockets: order entry with request ids, execution reports, bad
 * and oversized messages, and L2 deltas that replay exactly onto the snapshot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrossbookWs, signedRequest, type ApiKeyPair } from '../src/gateway/index.js';
import { startTestServer, type TestServer } from '../src/server/harness.js';

let s: TestServer;
let A: ApiKeyPair;
let B: ApiKeyPair;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const call = (key: ApiKeyPair | undefined, method: string, path: string, body?: unknown) =>
  signedRequest<Json>({ baseUrl: s.url, key, method, path, body });

beforeAll(async () => {
  s = await startTestServer();
  A = s.keys.demo1;
  B = s.keys.demo2;
});

afterAll(async () => {
  await s?.close();
});

describe('WebSocket', () => {
  it('trades with request ids and streams execution reports', async () => {
    const ws = await CrossbookWs.connect(s.wsUrl);
    const reports: Json[] = [];
    ws.onMessage = (m) => {
      if (m.type === 'execution') reports.push(m);
    };
    await ws.auth(A);
    const placed = await ws.request('place', {
      symbol: 'MSFT',
      side: 'sell',
      price: '421.00',
      qty: '10',
      clientOrderId: 'ws-1',
    });
    expect(placed.ok).toBe(true);
    const order = (placed.result as Json).order;
    const hit = await call(B, 'POST', '/api/v1/orders', {
      symbol: 'MSFT',
      side: 'buy',
      price: '421.00',
      qty: '4',
    });
    expect(hit.body.order.status).toBe('filled');
    const rep = await ws.request('replace', { clientOrderId: 'ws-1', qty: '3' });
    expect(rep.result).toMatchObject({ priorityKept: true, order: { leavesQty: '3' } });
    const bad = await ws.request('cancel', { orderId: 'nope' });
    expect(bad.error?.reason).toBe('unknown_order');
    const cancel = await ws.request('cancel', { orderId: order.orderId });
    expect((cancel.result as Json).order.status).toBe('cancelled');
    const mass = await ws.request('massCancel', {});
    expect(typeof (mass.result as Json).cancelled).toBe('number');
    await new Promise((r) => setTimeout(r, 50));
    expect(reports.map((r) => r.exec).slice(0, 4)).toEqual([
      'accepted',
      'fill',
      'replaced',
      'cancelled',
    ]);
    expect(reports[1].fill).toMatchObject({ price: '421.00', qty: '4', liquidity: 'maker' });
    await ws.close();
  });

  it('answers malformed messages without closing, and closes on an oversized one', async () => {
    const ws = await CrossbookWs.connect(s.wsUrl);
    const errors: Json[] = [];
    ws.onMessage = (m) => errors.push(m);
    ws.ws.send('{not json');
    const unknownOp = await ws.request('fly', {});
    expect(unknownOp.error?.reason).toBe('malformed');
    expect(errors[0]).toMatchObject({ type: 'error', error: { reason: 'malformed' } });
    const badDecimal = await ws.request('subscribe', { channel: 'l9', symbol: 'MSFT' });
    expect(badDecimal.error?.reason).toBe('malformed');
    const pong = await ws.request('ping');
    expect(pong.ok).toBe(true);
    const closed = new Promise<number>((r) => ws.ws.once('close', (code) => r(code)));
    ws.ws.send(JSON.stringify({ op: 'ping', pad: 'x'.repeat(64 * 1024) }));
    expect(await closed).toBe(1009);
  });

  it('L2 deltas replayed onto the snapshot reproduce the book', async () => {
    const ws = await CrossbookWs.connect(s.wsUrl);
    const l2: Json[] = [];
    const trades: Json[] = [];
    ws.onMessage = (m) => {
      if (m.type === 'l2') l2.push(m);
      if (m.type === 'trade') trades.push(m);
    };
    expect((await ws.request('subscribe', { channel: 'l2', symbol: 'AAPL' })).ok).toBe(true);
    expect((await ws.request('subscribe', { channel: 'trades', symbol: 'AAPL' })).ok).toBe(true);
    // A seeded random flow: resting orders, crossing orders, cancels and replaces.
    let seed = 7;
    const rnd = (n: number) => (
      (seed = (seed * 48271) % 2147483647),
      Math.floor((seed / 2147483647) * n)
    );
    const live: [ApiKeyPair, string][] = [];
    for (let i = 0; i < 150; i++) {
      const who = rnd(2) === 0 ? A : B;
      const op = rnd(10);
      if (op < 6 || live.length === 0) {
        const side = rnd(2) === 0 ? 'buy' : 'sell';
        const px = (22900 + rnd(200) - (side === 'buy' ? 60 : -60)) / 100;
        const r = await call(who, 'POST', '/api/v1/orders', {
          symbol: 'AAPL',
          side,
          price: px.toFixed(2),
          qty: String(1 + rnd(50)),
        });
        if (r.body.order?.status === 'open' || r.body.order?.status === 'partiallyFilled')
          live.push([who, r.body.order.orderId]);
      } else if (op < 8) {
        const [k, id] = live.splice(rnd(live.length), 1)[0];
        await call(k, 'DELETE', `/api/v1/orders/${id}`);
      } else {
        const [k, id] = live[rnd(live.length)];
        await call(k, 'PATCH', `/api/v1/orders/${id}`, { qty: String(1 + rnd(30)) });
      }
    }
    const rest = await call(undefined, 'GET', '/api/v1/book/AAPL?depth=1000');
    await new Promise((r) => setTimeout(r, 100));
    const snap = l2[0];
    expect(snap.kind).toBe('snapshot');
    const book = {
      bids: new Map<string, string>(snap.bids),
      asks: new Map<string, string>(snap.asks),
    };
    let seq = snap.seq;
    for (const u of l2.slice(1)) {
      expect(u.kind).toBe('update');
      expect(u.seq).toBe(seq + 1);
      seq = u.seq;
      for (const side of ['bids', 'asks'] as const) {
        for (const [p, q] of u[side] as [string, string][]) {
          if (q === '0') book[side].delete(p);
          else book[side].set(p, q);
        }
      }
    }
    const sorted = (m: Map<string, string>, desc: boolean) =>
      [...m.entries()].sort((a, b) =>
        desc ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0]),
      );
    expect(seq).toBe(rest.body.seq);
    expect(sorted(book.bids, true)).toEqual(rest.body.bids);
    expect(sorted(book.asks, false)).toEqual(rest.body.asks);
    expect(rest.body.bids.length + rest.body.asks.length).toBeGreaterThan(5);
    expect(trades.length).toBeGreaterThan(0);
    // A fresh subscriber's snapshot equals the replayed book too.
    const ws2 = await CrossbookWs.connect(s.wsUrl);
    const fresh = new Promise<Json>((r) => (ws2.onMessage = (m) => m.type === 'l2' && r(m)));
    await ws2.request('subscribe', { channel: 'l2', symbol: 'AAPL' });
    const f = await fresh;
    expect(f.seq).toBe(seq);
    expect(f.bids).toEqual(sorted(book.bids, true));
    expect(f.asks).toEqual(sorted(book.asks, false));
    await ws.close();
    await ws2.close();
  });
});
