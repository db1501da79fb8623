/**
 * Flow control: a WebSocket client that stops reading is dropped with `slow_consumer` once its
 * outgoing buffer passes the limit, while other clients keep receiving and orders keep matching.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrossbookWs, signedRequest, type ApiKeyPair } from '../src/gateway/index.js';
import { startTestServer, type TestServer } from '../src/server/harness.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let s: TestServer;
let A: ApiKeyPair;
let B: ApiKeyPair;

const place = (key: ApiKeyPair, body: Json) =>
  signedRequest<Json>({ baseUrl: s.url, key, method: 'POST', path: '/api/v1/orders', body });

beforeAll(async () => {
  s = await startTestServer({ config: { wsMaxBuffered: 256 * 1024 } });
  A = s.keys.demo1;
  B = s.keys.demo2;
});

afterAll(async () => {
  await s?.close();
});

describe('a slow WebSocket consumer', () => {
  it('is dropped while the others keep receiving', async () => {
    // A deep book makes every L2 snapshot large.
    for (let i = 0; i < 200; i++) {
      const r = await place(A, {
        symbol: 'SPY',
        side: 'buy',
        price: (560 - i / 100).toFixed(2),
        qty: '10',
      });
      expect(r.status).toBe(201);
    }
    const fast = await CrossbookWs.connect(s.wsUrl);
    const fastTrades: Json[] = [];
    fast.onMessage = (m) => {
      if (m.type === 'trade') fastTrades.push(m);
    };
    await fast.request('subscribe', { channel: 'trades', symbol: 'SPY' });

    const slow = await CrossbookWs.connect(s.wsUrl);
    const closed = new Promise<number>((r) => slow.ws.once('close', (code) => r(code)));
    // Stop reading: everything the server sends piles up in the kernel, then in its buffer.
    (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    for (let i = 0; i < 4000; i++) {
      slow.send({ op: 'subscribe', id: i, channel: 'l2', symbol: 'SPY' });
    }
    let dropped = 0;
    for (let i = 0; i < 200 && dropped === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const m = await signedRequest<string>({ baseUrl: s.url, method: 'GET', path: '/metrics' });
      const hit = /crossbook_ws_dropped_total\{reason="slow_consumer"\} (\d+)/.exec(String(m.body));
      dropped = hit === null ? 0 : Number(hit[1]);
    }
    expect(dropped).toBe(1);
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect([1008, 1006]).toContain(await closed);

    // Matching and the other subscribers carry on.
    const hit = await place(B, { symbol: 'SPY', side: 'sell', kind: 'market', qty: '25' });
    expect(hit.body.order.status).toBe('filled');
    const total = () => fastTrades.reduce((n, t) => n + Number(t.qty), 0);
    for (let i = 0; i < 200 && total() < 25; i++) await new Promise((r) => setTimeout(r, 20));
    expect(total()).toBe(25);
    expect(fastTrades.every((t) => t.symbol === 'SPY' && t.aggressor === 'sell')).toBe(true);
    const health = await signedRequest<Json>({ baseUrl: s.url, method: 'GET', path: '/health' });
    expect(health.body.status).toBe('ok');
    await fast.close();
  });
});
