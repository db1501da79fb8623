/**
 * No client can hurt the venue (issue 12), through real sockets against an in-process server:
 * risk limits that hold under pipelined WebSocket and concurrent HTTP bursts (reserved at
 * admission), rate tokens for replaces and cancels, per-connection and global backpressure with an
 * immediate `throttled`, revocation ending live sessions, authentication before anything else, one
 * validation path for HTTP and WebSocket, idempotency that remembers only what reached the engine,
 * admin-only chaos, validated admin limits, no 414, and `too_large` / slow-consumer close reasons.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CrossbookWs, signedRequest, signRequest, type ApiKeyPair } from '../src/gateway/index.js';
import { startTestServer, type TestServer } from '../src/server/harness.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let s: TestServer;
let ADMIN: ApiKeyPair;

const call = (key: ApiKeyPair | undefined, method: string, path: string, body?: unknown) =>
  signedRequest<Json>({ baseUrl: s.url, key, method, path, body });

/** A fresh trader account with its own key, so each test starts from default limits. */
async function trader(account: string, limits?: Json): Promise<ApiKeyPair> {
  const k = await s.server.store.addApiKey({ account, role: 'trader' });
  if (limits !== undefined) {
    const r = await call(ADMIN, 'PUT', `/api/v1/admin/accounts/${account}/limits`, limits);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
  return { keyId: k.keyId, secret: k.secret };
}

async function wsFor(key: ApiKeyPair, url = s.wsUrl): Promise<CrossbookWs> {
  const ws = await CrossbookWs.connect(url);
  const a = await ws.auth(key);
  expect(a.ok, JSON.stringify(a)).toBe(true);
  return ws;
}

/** Sends every message at once (no waiting) and collects one reply per id. */
function pipeline(ws: CrossbookWs, msgs: Json[]): Promise<Json[]> {
  return new Promise((resolve, reject) => {
    const replies = new Map<unknown, Json>();
    const ids = msgs.map((m, i) => (m.id = `p${i}`));
    const onClose = (code: number, reason: Buffer) =>
      reject(new Error(`closed ${code} ${reason.toString()}`));
    const onMsg = (data: Buffer) => {
      const m = JSON.parse(data.toString()) as Json;
      if (m.type !== 'response' || !ids.includes(m.id)) return;
      expect(replies.has(m.id), `a second reply to ${m.id}`).toBe(false);
      replies.set(m.id, m);
      if (replies.size === msgs.length) {
        ws.ws.off('message', onMsg);
        ws.ws.off('close', onClose);
        resolve(ids.map((id) => replies.get(id)!));
      }
    };
    ws.ws.on('message', onMsg);
    ws.ws.on('close', onClose);
    for (const m of msgs) ws.ws.send(JSON.stringify(m));
  });
}

const reasons = (replies: Json[]) => {
  const out: Record<string, number> = {};
  for (const r of replies) {
    const k = r.ok === true ? 'ok' : String(r.error?.reason);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
};

const resting = (i: number, extra: Json = {}) => ({
  op: 'place',
  symbol: 'MSFT',
  side: 'buy',
  price: (400 + (i % 50) / 100).toFixed(2),
  qty: '1',
  ...extra,
});

beforeAll(async () => {
  s = await startTestServer({ config: { wsMaxInFlight: 64, maxQueuedOrders: 10_000 } });
  ADMIN = s.keys.admin;
});

afterAll(async () => {
  await s?.close();
});

describe('risk limits hold however requests arrive', () => {
  it('maxOpenOrders: 200 pipelined WebSocket places against a limit of 10', async () => {
    const k = await trader('pipe-open', { maxOpenOrders: 10 });
    const ws = await wsFor(k);
    // 64 in flight per connection: send 60 at a time, all before any answer.
    const replies: Json[] = [];
    for (let b = 0; b < 200; b += 60) {
      const n = Math.min(60, 200 - b);
      replies.push(
        ...(await pipeline(
          ws,
          Array.from({ length: n }, (_, i) => resting(b + i)),
        )),
      );
    }
    expect(reasons(replies)).toEqual({ ok: 10, risk_max_open_orders: 190 });
    const open = await call(k, 'GET', '/api/v1/orders?status=open&limit=1000');
    expect(open.body.orders).toHaveLength(10);
    await ws.close();
  });

  it('maxOpenOrders: 40 concurrent HTTP places against a limit of 5', async () => {
    const k = await trader('burst-open', { maxOpenOrders: 5 });
    const all = await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const { op: _op, ...body } = resting(i);
        return call(k, 'POST', '/api/v1/orders', body);
      }),
    );
    const st: Record<number, number> = {};
    for (const r of all) st[r.status] = (st[r.status] ?? 0) + 1;
    expect(st).toEqual({ 201: 5, 422: 35 });
    const open = await call(k, 'GET', '/api/v1/orders?status=open&limit=1000');
    expect(open.body.orders).toHaveLength(5);
  });

  it('rate limit: pipelined and concurrent bursts get exactly the bucket', async () => {
    const k = await trader('burst-rate', { ordersPerSecond: 0, burst: 7 });
    const ws = await wsFor(k);
    const replies = await pipeline(
      ws,
      Array.from({ length: 50 }, (_, i) => resting(i)),
    );
    expect(reasons(replies)).toEqual({ ok: 7, risk_rate_limit: 43 });
    const http = await Promise.all(
      Array.from({ length: 10 }, (_, i) => {
        const { op: _op, ...body } = resting(i);
        return call(k, 'POST', '/api/v1/orders', body);
      }),
    );
    expect(http.every((r) => r.status === 429 && r.body.error.reason === 'risk_rate_limit')).toBe(
      true,
    );
    await ws.close();
  });

  it('maxOrderQty and maxNotional refuse every pipelined order over them', async () => {
    const k = await trader('burst-size', { maxOrderQty: '5', maxNotional: '2000' });
    const ws = await wsFor(k);
    const msgs = [
      ...Array.from({ length: 20 }, (_, i) => resting(i, { qty: '6' })),
      ...Array.from({ length: 20 }, (_, i) => resting(i, { qty: '5', price: '401.00' })),
      ...Array.from({ length: 4 }, (_, i) => resting(i, { qty: '4' })),
    ];
    expect(reasons(await pipeline(ws, msgs))).toEqual({
      risk_max_qty: 20,
      risk_max_notional: 20,
      ok: 4,
    });
    await ws.close();
  });

  it('replaces and cancels take rate tokens', async () => {
    const k = await trader('token-cancel', { ordersPerSecond: 1, burst: 3 });
    const placed = await call(k, 'POST', '/api/v1/orders', {
      symbol: 'MSFT',
      side: 'buy',
      price: '400.00',
      qty: '5',
    });
    expect(placed.status).toBe(201);
    const id = placed.body.order.orderId;
    expect((await call(k, 'PATCH', `/api/v1/orders/${id}`, { qty: '4' })).status).toBe(200);
    expect((await call(k, 'PATCH', `/api/v1/orders/${id}`, { qty: '3' })).status).toBe(200);
    const refused = await call(k, 'DELETE', `/api/v1/orders/${id}`);
    expect(refused.status).toBe(429);
    expect(refused.body.error.reason).toBe('risk_rate_limit');
    await new Promise((r) => setTimeout(r, 1100));
    expect((await call(k, 'DELETE', `/api/v1/orders/${id}`)).status).toBe(200);
  });
});

describe('backpressure', () => {
  it('answers excess in-flight requests on one connection with an immediate throttled', async () => {
    const k = await trader('inflight', { maxOpenOrders: 100_000 });
    const ws = await wsFor(k);
    const replies = await pipeline(
      ws,
      Array.from({ length: 400 }, (_, i) => resting(i)),
    );
    const r = reasons(replies);
    expect(r.throttled).toBeGreaterThan(0);
    expect(r.ok).toBeGreaterThanOrEqual(64);
    expect(r.ok + r.throttled).toBe(400);
    const t = replies.find((x) => x.error?.reason === 'throttled')!;
    expect(t.error.message).toContain('64');
    // Every accepted order is there; nothing was dropped silently.
    const open = await call(k, 'GET', '/api/v1/orders?status=open&limit=1000');
    expect(open.body.orders).toHaveLength(r.ok);
    await ws.close();
  });

  it('bounds the engine queue for all clients together', async () => {
    const q = await startTestServer({ config: { maxQueuedOrders: 2 } });
    try {
      const k = q.keys.demo1;
      const all = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          signedRequest<Json>({
            baseUrl: q.url,
            key: k,
            method: 'POST',
            path: '/api/v1/orders',
            body: {
              symbol: 'MSFT',
              side: 'buy',
              price: '400.00',
              qty: '1',
              clientOrderId: `q${i}`,
            },
          }),
        ),
      );
      const throttled = all.filter((r) => r.status === 429);
      expect(throttled.length).toBeGreaterThan(0);
      expect(throttled[0].body.error.reason).toBe('throttled');
      expect(all.filter((r) => r.status === 201).length + throttled.length).toBe(60);
      // A throttled client order id was never remembered: the retry places it.
      const cid = all.findIndex((r) => r.status === 429);
      const retry = await signedRequest<Json>({
        baseUrl: q.url,
        key: k,
        method: 'POST',
        path: '/api/v1/orders',
        body: { symbol: 'MSFT', side: 'buy', price: '400.00', qty: '1', clientOrderId: `q${cid}` },
      });
      expect(retry.status).toBe(201);
    } finally {
      await q.close();
    }
  });

  it('closes a private stream that does not read with a reason that says how to recover', async () => {
    const slow = await startTestServer({ config: { wsMaxBuffered: 64 * 1024 } });
    try {
      const maker = slow.keys.demo1;
      const limits = await signedRequest<Json>({
        baseUrl: slow.url,
        key: slow.keys.admin,
        method: 'PUT',
        path: '/api/v1/admin/accounts/demo1/limits',
        body: { ordersPerSecond: 1_000_000, burst: 1_000_000 },
      });
      expect(limits.status).toBe(200);
      const ws = await CrossbookWs.connect(slow.wsUrl);
      expect((await ws.auth(maker)).ok).toBe(true);
      let isClosed = false;
      const closed = new Promise<{ code: number; reason: string }>((r) =>
        ws.ws.once('close', (code, reason) => {
          isClosed = true;
          r({ code, reason: reason.toString() });
        }),
      );
      // Stop reading: execution reports pile up in the server's buffer for this client.
      (ws.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      // Another session of the same account floods orders (IOC: accepted, then cancelled).
      const flood = await CrossbookWs.connect(slow.wsUrl);
      const ts = Date.now() + 1;
      const sign = signRequest(maker.secret, { ts, method: 'GET', path: '/ws' });
      const auth = await flood.request('auth', { key: maker.keyId, ts, sign, executions: false });
      expect(auth.ok).toBe(true);
      let acked = 0;
      for (let round = 0; round < 2000 && !isClosed; round++) {
        const replies = await pipeline(
          flood,
          Array.from({ length: 30 }, (_, i) => resting(i, { tif: 'IOC' })),
        );
        acked += replies.filter((r) => r.ok === true).length;
        // The server dropped the reader (it cannot tell us yet: it is not reading).
        const m = await fetch(`${slow.url}/metrics`).then((r) => r.text());
        if (/crossbook_ws_dropped_total\{reason="slow_consumer"\} [1-9]/.test(m)) break;
      }
      (ws.ws as unknown as { _socket: { resume(): void } })._socket.resume();
      const c = await closed;
      expect(c.code).toBe(1008);
      expect(c.reason).toMatch(/^slow_consumer: .*\/api\/v1\/orders/);
      expect(Buffer.byteLength(c.reason)).toBeLessThanOrEqual(123);
      // Every outcome is recoverable from the REST API.
      const all = await signedRequest<Json>({
        baseUrl: slow.url,
        key: maker,
        method: 'GET',
        path: '/api/v1/orders?status=all&limit=1000',
      });
      expect(all.body.orders.length).toBe(Math.min(acked, 1000));
      await flood.close();
    } finally {
      await slow.close();
    }
  });
});

describe('revocation and disabling reach live sessions', () => {
  it('closes a WebSocket when its key is revoked by an admin, at once', async () => {
    const k = await trader('revoked-1');
    const ws = await wsFor(k);
    const closed = new Promise<{ code: number; reason: string }>((r) =>
      ws.ws.once('close', (code, reason) => r({ code, reason: reason.toString() })),
    );
    const t0 = Date.now();
    const r = await call(ADMIN, 'POST', `/api/v1/admin/keys/${k.keyId}/revoke`);
    expect(r.body).toMatchObject({ revoked: true, account: 'revoked-1', sessionsClosed: 1 });
    expect(await closed).toEqual({ code: 1008, reason: 'revoked' });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect((await call(k, 'GET', '/api/v1/account')).status).toBe(401);
    const trader2 = await call(s.keys.demo2, 'POST', `/api/v1/admin/keys/${k.keyId}/revoke`);
    expect(trader2.status).toBe(403);
  });

  it('ends sessions of a key revoked in the store by another process within seconds', async () => {
    const k = await trader('revoked-2');
    const ws = await wsFor(k);
    const closed = new Promise<string>((r) =>
      ws.ws.once('close', (_code, reason) => r(reason.toString())),
    );
    await s.server.store.revokeApiKey(k.keyId);
    expect(await closed).toBe('revoked');
  }, 20_000);

  it('refuses every pipelined order of a disabled account', async () => {
    const k = await trader('disabled-1');
    const ws = await wsFor(k);
    expect((await call(ADMIN, 'POST', '/api/v1/admin/accounts/disabled-1/disable')).status).toBe(
      200,
    );
    const replies = await pipeline(
      ws,
      Array.from({ length: 30 }, (_, i) => resting(i)),
    );
    expect(reasons(replies)).toEqual({ account_disabled: 30 });
    await ws.close();
  });
});

describe('authentication comes first', () => {
  it('answers 401 before looking at the body, with one message for every failure', async () => {
    const res = await fetch(`${s.url}/api/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ qty: [1], side: 'x' }),
    });
    expect(res.status).toBe(401);
    const notJson = await fetch(`${s.url}/api/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(notJson.status).toBe(401);
    const a = await call({ keyId: 'ck_nope', secret: 'x' }, 'POST', '/api/v1/orders', {});
    const b = await call({ keyId: s.keys.demo1.keyId, secret: 'x' }, 'POST', '/api/v1/orders', {});
    expect(a.status).toBe(401);
    expect(a.body).toEqual(b.body);
    expect(a.body).toEqual(await res.json());
  });

  it('hints that X-CB-TS is milliseconds when it looks like seconds', async () => {
    const r = await signedRequest<Json>({
      baseUrl: s.url,
      key: s.keys.demo1,
      method: 'GET',
      path: '/api/v1/account',
      ts: Math.floor(Date.now() / 1000),
    });
    expect(r.status).toBe(401);
    expect(r.body.error.message).toMatch(/looks like seconds: milliseconds are expected/);
  });
});

describe('one validation path for HTTP and WebSocket', () => {
  const bad: [Json, RegExp][] = [
    [{ qty: [1] }, /field qty must be a decimal string/],
    [{ side: ['sell'] }, /field side must be a string/],
    [{ postOnly: 'true' }, /field postOnly must be a boolean/],
    [{ clientOrderId: 12345 }, /field clientOrderId must be a string/],
    [{ qty: ' 1' }, /qty must be a decimal/],
    [{ qty: '+5' }, /qty must be a decimal/],
    [{ qty: '00001' }, /qty must be a decimal/],
    [{ price: '1e3' }, /price must be a decimal/],
    [{ side: 'sel' }, /side must be one of buy, sell, got "sel"/],
    [{ tif: 'GTX' }, /tif must be one of GTC, IOC, FOK, DAY, GTD/],
    [{ expireAt: '1764072000000', tif: 'GTD' }, /field expireAt must be an integer/],
    [{ expireAt: 1764072000, tif: 'GTD' }, /looks like seconds: expireAt is milliseconds/],
    [{ colour: 'red' }, /unknown field colour/],
  ];

  it('refuses the same inputs with the same answer on both transports', async () => {
    const k = await trader('validation');
    const ws = await wsFor(k);
    for (const [patch, message] of bad) {
      const body = { symbol: 'MSFT', side: 'buy', price: '400.00', qty: '1', ...patch };
      const http = await call(k, 'POST', '/api/v1/orders', body);
      const w = await ws.request('place', body);
      expect(http.status, JSON.stringify(patch)).toBe(400);
      expect(http.body.error.reason).toBe('malformed');
      expect(http.body.error.message).toMatch(message);
      expect(w.error, JSON.stringify(patch)).toEqual(http.body.error);
    }
    const open = await call(k, 'GET', '/api/v1/orders?status=all');
    expect(open.body.orders).toEqual([]);
    await ws.close();
  });

  it('names the allowed band in a band rejection', async () => {
    const r = await call(s.keys.demo1, 'POST', '/api/v1/orders', {
      symbol: 'MSFT',
      side: 'buy',
      price: '900.00',
      qty: '1',
    });
    expect(r.body.error.reason).toBe('outside_price_band');
    expect(r.body.error.message).toMatch(/allowed \d+\.\d\d to \d+\.\d\d/);
  });

  it('gives expireAt one meaning, milliseconds, on both transports', async () => {
    const k = await trader('expiry');
    const ws = await wsFor(k);
    const at = Date.now() + 3_600_000;
    const body = { symbol: 'MSFT', side: 'buy', price: '400.00', qty: '1', tif: 'GTD' };
    const http = await call(k, 'POST', '/api/v1/orders', { ...body, expireAt: at });
    const w = await ws.request('place', { ...body, expireAt: at });
    expect(http.status).toBe(201);
    expect(w.ok).toBe(true);
    expect((w.result as Json).order.status).toBe('open');
    await ws.close();
  });
});

describe('idempotency remembers only orders that reached the engine', () => {
  it('places a client order id that was first refused by the rate limit or the kill switch', async () => {
    const k = await trader('idem', { ordersPerSecond: 1, burst: 1 });
    const body = (cid: string) => ({
      symbol: 'MSFT',
      side: 'buy',
      price: '400.00',
      qty: '1',
      clientOrderId: cid,
    });
    expect((await call(k, 'POST', '/api/v1/orders', body('first'))).status).toBe(201);
    const refused = await call(k, 'POST', '/api/v1/orders', body('again'));
    expect(refused.status).toBe(429);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await call(k, 'POST', '/api/v1/orders', body('again'))).status).toBe(201);

    await call(ADMIN, 'POST', '/api/v1/admin/accounts/idem/disable');
    await new Promise((r) => setTimeout(r, 250));
    expect((await call(k, 'POST', '/api/v1/orders', body('later'))).status).toBe(403);
    await call(ADMIN, 'POST', '/api/v1/admin/accounts/idem/enable');
    await new Promise((r) => setTimeout(r, 1100));
    const placed = await call(k, 'POST', '/api/v1/orders', body('later'));
    expect(placed.status).toBe(201);
    // An order that reached the engine is remembered: the retry answers it again (200).
    await new Promise((r) => setTimeout(r, 250));
    const retry = await call(k, 'POST', '/api/v1/orders', body('later'));
    expect(retry.status).toBe(200);
    expect(retry.body.order.orderId).toBe(placed.body.order.orderId);
  });
});

describe('admin and edges', () => {
  it('validates admin limit changes', async () => {
    for (const bad of [
      { burst: 1e20 },
      { ordersPerSecond: 2_000_000 },
      { maxOpenOrders: -1 },
      { maxOrderQty: '+5' },
      { maxNotional: 12 },
      { colour: 1 },
    ]) {
      const r = await call(ADMIN, 'PUT', '/api/v1/admin/accounts/demo2/limits', bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.error.reason).toBe('malformed');
    }
    const limits = await call(s.keys.demo2, 'GET', '/api/v1/account');
    expect(limits.body.limits).toMatchObject({ maxOpenOrders: 1000, burst: 20_000 });
  });

  it('answers schema-allowed order ids in the API shape, never 414', async () => {
    const long = 'x'.repeat(128);
    const r = await call(s.keys.demo1, 'GET', `/api/v1/orders/${long}`);
    expect(r.status).toBe(404);
    expect(r.body.error.reason).toBe('unknown_order');
    const client = await call(s.keys.demo1, 'DELETE', `/api/v1/orders/client:${'y'.repeat(64)}`);
    expect(client.status).toBe(404);
    const tooLong = await call(s.keys.demo1, 'GET', `/api/v1/orders/${'x'.repeat(300)}`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.reason).toBe('malformed');
  });

  it('closes a WebSocket sent an oversized message with 1009 too_large', async () => {
    for (const size of [20 * 1024, 2 * 1024 * 1024]) {
      const ws = new WebSocket(s.wsUrl);
      await new Promise((r) => ws.once('open', r));
      const closed = new Promise<{ code: number; reason: string }>((r) =>
        ws.once('close', (code, reason) => r({ code, reason: reason.toString() })),
      );
      ws.send(JSON.stringify({ op: 'ping', pad: 'x'.repeat(size) }));
      expect(await closed).toEqual({ code: 1009, reason: 'too_large' });
    }
  });
});
