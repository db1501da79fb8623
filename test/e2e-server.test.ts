/**
 * The exchange server through real sockets: signed HTTP and WebSocket against a server on port 0
 * with a temp data dir: auth failures, account isolation, bad input, idempotency, risk, the kill
 * switch, operations routes. WebSocket trading and L2 replay: e2e-server-ws.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrossbookWs, signedRequest, type ApiKeyPair } from '../src/gateway/index.js';
import { startTestServer, type TestServer } from '../src/server/harness.js';

let s: TestServer;
let A: ApiKeyPair;
let B: ApiKeyPair;
let ADMIN: ApiKeyPair;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const call = (key: ApiKeyPair | undefined, method: string, path: string, body?: unknown) =>
  signedRequest<Json>({ baseUrl: s.url, key, method, path, body });

beforeAll(async () => {
  s = await startTestServer();
  A = s.keys.demo1;
  B = s.keys.demo2;
  ADMIN = s.keys.admin;
});

afterAll(async () => {
  await s?.close();
});

describe('signatures', () => {
  it('accepts a signed request and refuses missing, bad, expired and replayed ones', async () => {
    const ok = await call(A, 'GET', '/api/v1/account');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ account: 'demo1', role: 'trader' });

    const none = await call(undefined, 'GET', '/api/v1/orders');
    expect(none.status).toBe(401);
    expect(none.body.error.reason).toBe('unauthorized');

    const bad = await call({ keyId: A.keyId, secret: 'wrong' }, 'GET', '/api/v1/orders');
    expect(bad.status).toBe(401);
    expect(bad.body.error.message).toMatch(/^Authentication failed/);

    // An unknown key gets exactly the same answer as a bad signature: key ids are not revealed.
    const unknown = await call({ keyId: 'ck_nope', secret: 'x' }, 'GET', '/api/v1/orders');
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(bad.body);

    const old = await signedRequest<Json>({
      baseUrl: s.url,
      key: A,
      method: 'GET',
      path: '/api/v1/orders',
      ts: Date.now() - 120_000,
    });
    expect(old.status).toBe(401);
    expect(old.body).toEqual(bad.body);

    const ts = Date.now();
    const first = await signedRequest<Json>({
      baseUrl: s.url,
      key: A,
      method: 'GET',
      path: '/api/v1/orders',
      ts,
    });
    expect(first.status).toBe(200);
    const again = await signedRequest<Json>({
      baseUrl: s.url,
      key: A,
      method: 'GET',
      path: '/api/v1/orders',
      ts,
    });
    expect(again.status).toBe(401);
    expect(again.body).toEqual(bad.body);
  });

  it('signs the body: a changed body fails', async () => {
    const body = { symbol: 'MSFT', side: 'buy', price: '400.00', qty: '1' };
    const res = await signedRequest<Json>({
      baseUrl: s.url,
      key: A,
      method: 'POST',
      path: '/api/v1/orders',
      body,
      rawBody: JSON.stringify({ ...body, qty: '1000' }),
    }).catch(() => undefined);
    // rawBody wins over body, so this one is correctly signed: tamper by hand instead.
    expect(res?.status).toBe(201);
    const ts = Date.now();
    const { sign } = await import('../src/gateway/index.js');
    const text = JSON.stringify(body);
    const sig = sign(A.secret, `${ts}POST/api/v1/orders${text}`);
    const tampered = await fetch(s.url + '/api/v1/orders', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-cb-key': A.keyId,
        'x-cb-ts': String(ts),
        'x-cb-sign': sig,
      },
      body: JSON.stringify({ ...body, qty: '999' }),
    });
    expect(tampered.status).toBe(401);
  });

  it('needs the admin role for admin routes', async () => {
    const r = await call(A, 'GET', '/api/v1/admin/accounts');
    expect(r.status).toBe(403);
    expect(r.body.error.reason).toBe('forbidden');
    const ok = await call(ADMIN, 'GET', '/api/v1/admin/accounts');
    expect(ok.status).toBe(200);
    expect(ok.body.accounts.map((a: Json) => a.account).sort()).toEqual([
      'admin',
      'demo1',
      'demo2',
    ]);
  });

  it('authenticates a WebSocket with the same scheme, once per signature', async () => {
    const ws = await CrossbookWs.connect(s.wsUrl);
    const ts = Date.now();
    expect((await ws.auth({ keyId: A.keyId, secret: 'bad' }, ts)).error?.reason).toBe(
      'unauthorized',
    );
    const good = await ws.auth(A, ts);
    expect(good.ok).toBe(true);
    expect(good.result).toEqual({ account: 'demo1', role: 'trader' });
    const ws2 = await CrossbookWs.connect(s.wsUrl);
    expect((await ws2.auth(A, ts)).error?.message).toMatch(/^Authentication failed/);
    const unauth = await ws2.request('place', {
      symbol: 'MSFT',
      side: 'buy',
      price: '400',
      qty: '1',
    });
    expect(unauth.error?.reason).toBe('unauthorized');
    await ws.close();
    await ws2.close();
  });
});

describe('orders', () => {
  it("keeps accounts apart: another account's order looks unknown", async () => {
    const placed = await call(A, 'POST', '/api/v1/orders', {
      symbol: 'AAPL',
      side: 'buy',
      price: '225.00',
      qty: '10',
    });
    expect(placed.status).toBe(201);
    const id = placed.body.order.orderId as string;
    const unknown = await call(B, 'GET', '/api/v1/orders/nope-1');
    for (const [m, body] of [
      ['GET', undefined],
      ['DELETE', undefined],
      ['PATCH', { qty: '5' }],
    ] as const) {
      const r = await call(B, m, `/api/v1/orders/${id}`, body);
      expect(r.status).toBe(404);
      expect(r.body.error.reason).toBe('unknown_order');
    }
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.reason).toBe('unknown_order');
    const listB = await call(B, 'GET', '/api/v1/orders?status=all');
    expect(listB.body.orders.map((o: Json) => o.orderId)).not.toContain(id);
    const massB = await call(B, 'DELETE', '/api/v1/orders?symbol=AAPL');
    expect(massB.status).toBe(200);
    const still = await call(A, 'GET', `/api/v1/orders/${id}`);
    expect(still.body.order.status).toBe('open');
    const cancelled = await call(A, 'DELETE', `/api/v1/orders/${id}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.order).toMatchObject({ status: 'cancelled', cancelReason: 'user' });
  });

  it('places, fills, replaces and reports in decimal strings', async () => {
    const bid = await call(A, 'POST', '/api/v1/orders', {
      symbol: 'GOOGL',
      side: 'buy',
      price: '169.50',
      qty: '100',
    });
    expect(bid.status).toBe(201);
    const sell = await call(B, 'POST', '/api/v1/orders', {
      symbol: 'GOOGL',
      side: 'sell',
      kind: 'market',
      qty: '40',
    });
    expect(sell.status).toBe(201);
    expect(sell.body.order).toMatchObject({
      status: 'filled',
      filledQty: '40',
      avgPrice: '169.50',
    });
    expect(sell.body.fills).toEqual([
      expect.objectContaining({ price: '169.50', qty: '40', liquidity: 'taker' }),
    ]);
    const id = bid.body.order.orderId;
    const rep = await call(A, 'PATCH', `/api/v1/orders/${id}`, { price: '169.60' });
    expect(rep.status).toBe(200);
    expect(rep.body).toMatchObject({
      priorityKept: false,
      order: { price: '169.60', leavesQty: '60', qty: '100' },
    });
    const fills = await call(A, 'GET', '/api/v1/fills?symbol=GOOGL');
    expect(fills.body.fills[0]).toMatchObject({
      orderId: id,
      qty: '40',
      liquidity: 'maker',
      side: 'buy',
    });
    const open = await call(A, 'GET', '/api/v1/orders?status=open&symbol=GOOGL');
    expect(open.body.orders.map((o: Json) => o.orderId)).toEqual([id]);
    const trades = await call(undefined, 'GET', '/api/v1/trades/GOOGL');
    expect(trades.body.trades[0]).toMatchObject({ price: '169.50', qty: '40', aggressor: 'sell' });
    const mass = await call(A, 'DELETE', '/api/v1/orders?symbol=GOOGL');
    expect(mass.body).toEqual({ cancelled: 1 });
  });

  it('makes a retried place with the same clientOrderId idempotent', async () => {
    const body = {
      symbol: 'TSLA',
      side: 'buy',
      price: '240.00',
      qty: '5',
      clientOrderId: 'retry-1',
    };
    const first = await call(A, 'POST', '/api/v1/orders', body);
    const second = await call(A, 'POST', '/api/v1/orders', body);
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.order.orderId).toBe(first.body.order.orderId);
    const open = await call(A, 'GET', '/api/v1/orders?symbol=TSLA');
    expect(open.body.orders).toHaveLength(1);
    // The same client id from another account is another order.
    const other = await call(B, 'POST', '/api/v1/orders', body);
    expect(other.status).toBe(201);
    expect(other.body.order.orderId).not.toBe(first.body.order.orderId);
    const byClient = await call(A, 'GET', '/api/v1/orders/client:retry-1');
    expect(byClient.body.order.orderId).toBe(first.body.order.orderId);
  });

  it('rejects bad input with clear reasons and changes nothing', async () => {
    const before = await call(undefined, 'GET', '/api/v1/book/NVDA?depth=100');
    const cases: [unknown, number, string][] = [
      [{ symbol: 'NVDA', side: 'buy', price: '130.005', qty: '1' }, 400, 'price_off_tick'],
      [{ symbol: 'NVDA', side: 'buy', price: '1e2', qty: '1' }, 400, 'malformed'],
      [{ symbol: 'NVDA', side: 'buy', price: 'abc', qty: '1' }, 400, 'malformed'],
      [{ symbol: 'NVDA', side: 'buy', price: '-1', qty: '1' }, 400, 'invalid_price'],
      [{ symbol: 'NVDA', side: 'buy', price: '130', qty: '0' }, 400, 'invalid_qty'],
      [{ symbol: 'NVDA', side: 'buy', price: '130', qty: '1.5' }, 400, 'qty_off_lot'],
      [
        { symbol: 'NVDA', side: 'buy', price: '130', qty: '99999999999999999999999' },
        413,
        'too_large',
      ],
      [{ symbol: 'NOPE', side: 'buy', price: '130', qty: '1' }, 400, 'unknown_symbol'],
      [{ symbol: 'NVDA', side: 'up', price: '130', qty: '1' }, 400, 'malformed'],
      [{ symbol: 'NVDA', side: 'buy', price: '130', qty: '1', extra: 1 }, 400, 'malformed'],
      [{ symbol: 'NVDA', side: 'buy', qty: '1' }, 400, 'malformed'],
      [{ symbol: 'NVDA', side: 'buy', price: '500', qty: '1' }, 422, 'outside_price_band'],
      [{ symbol: 'NVDA', side: 'buy', price: '130', qty: '2000000' }, 422, 'risk_max_qty'],
    ];
    for (const [body, status, reason] of cases) {
      const r = await call(A, 'POST', '/api/v1/orders', body);
      expect({ body, status: r.status, reason: r.body.error?.reason }).toEqual({
        body,
        status,
        reason,
      });
      expect(typeof r.body.error.message).toBe('string');
    }
    const malformed = await signedRequest<Json>({
      baseUrl: s.url,
      key: A,
      method: 'POST',
      path: '/api/v1/orders',
      rawBody: '{"symbol":',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.reason).toBe('malformed');
    const huge = await signedRequest<Json>({
      baseUrl: s.url,
      key: A,
      method: 'POST',
      path: '/api/v1/orders',
      body: {
        symbol: 'NVDA',
        side: 'buy',
        price: '130',
        qty: '1',
        clientOrderId: 'x'.repeat(100_000),
      },
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error.reason).toBe('too_large');
    const notFound = await call(undefined, 'GET', '/api/v1/nothing');
    expect(notFound.status).toBe(404);
    expect(notFound.body.error.reason).toBe('not_found');
    const after = await call(undefined, 'GET', '/api/v1/book/NVDA?depth=100');
    expect(after.body.bids).toEqual(before.body.bids);
    expect(after.body.asks).toEqual(before.body.asks);
  });

  it('enforces risk limits and the kill switch', async () => {
    await call(B, 'DELETE', '/api/v1/orders');
    const lim = await call(ADMIN, 'PUT', '/api/v1/admin/accounts/demo2/limits', {
      maxOpenOrders: 2,
      maxNotional: '5000',
    });
    expect(lim.status).toBe(200);
    const big = await call(B, 'POST', '/api/v1/orders', {
      symbol: 'SPY',
      side: 'buy',
      price: '560.00',
      qty: '10',
    });
    expect(big.body.error.reason).toBe('risk_max_notional');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await call(B, 'POST', '/api/v1/orders', {
        symbol: 'SPY',
        side: 'buy',
        price: '560.00',
        qty: '1',
      });
      if (i < 1) ids.push(r.body.order.orderId);
      else if (i === 2) expect(r.body.error.reason).toBe('risk_max_open_orders');
      else ids.push(r.body.order.orderId);
    }
    const killed = await call(ADMIN, 'POST', '/api/v1/admin/accounts/demo2/disable');
    expect(killed.body).toMatchObject({ enabled: false });
    expect(killed.body.cancelled).toBeGreaterThanOrEqual(2);
    const refused = await call(B, 'POST', '/api/v1/orders', {
      symbol: 'SPY',
      side: 'buy',
      price: '560.00',
      qty: '1',
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.reason).toBe('account_disabled');
    const open = await call(B, 'GET', '/api/v1/orders?status=open');
    expect(open.body.orders).toEqual([]);
    await call(ADMIN, 'POST', '/api/v1/admin/accounts/demo2/enable');
    await call(ADMIN, 'PUT', '/api/v1/admin/accounts/demo2/limits', {
      maxOpenOrders: 100000,
      maxNotional: '1000000000',
    });
    const again = await call(B, 'POST', '/api/v1/orders', {
      symbol: 'SPY',
      side: 'buy',
      price: '560.00',
      qty: '1',
    });
    expect(again.status).toBe(201);
    await call(B, 'DELETE', '/api/v1/orders');
  });

  it('rate-limits with a token bucket', async () => {
    await call(ADMIN, 'PUT', '/api/v1/admin/accounts/admin/limits', {
      ordersPerSecond: 1,
      burst: 2,
    });
    const reasons: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await call(ADMIN, 'POST', '/api/v1/orders', {
        symbol: 'SPY',
        side: 'sell',
        price: '590.00',
        qty: '1',
      });
      reasons.push(r.status === 201 ? 'ok' : r.body.error.reason);
    }
    expect(reasons.filter((r) => r === 'risk_rate_limit').length).toBeGreaterThanOrEqual(1);
    expect(reasons[0]).toBe('ok');
    await call(ADMIN, 'DELETE', '/api/v1/orders');
  });
});

describe('operations', () => {
  it('serves health, metrics, OpenAPI docs, instruments and the engine dashboard', async () => {
    expect((await call(undefined, 'GET', '/health')).body).toMatchObject({
      status: 'ok',
      mode: 'single',
    });
    const metrics = await call(undefined, 'GET', '/metrics');
    expect(String(metrics.body)).toMatch(/crossbook_orders_total\{result="accepted"\} \d+/);
    expect(String(metrics.body)).toMatch(/crossbook_ack_latency_seconds_bucket/);
    expect(String(metrics.body)).toMatch(/crossbook_rejects_total\{reason="price_off_tick"\}/);
    const docs = await call(undefined, 'GET', '/docs/json');
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths)).toContain('/api/v1/orders');
    const inst = await call(undefined, 'GET', '/api/v1/instruments');
    expect(inst.body.instruments.map((i: Json) => i.symbol)).toEqual([
      'MSFT',
      'AAPL',
      'GOOGL',
      'TSLA',
      'NVDA',
      'SPY',
    ]);
    expect(inst.body.instruments[0]).toMatchObject({
      tickSize: '0.01',
      lotSize: '1',
      referencePrice: '420.00',
    });
    const eng = await call(undefined, 'GET', '/api/v1/engine');
    expect(eng.body).toMatchObject({ mode: 'single', journal: { fsync: 'batch' } });
  });

  it('runs the seed chaos test on fresh engines for an admin only', async () => {
    const anon = await call(undefined, 'POST', '/api/v1/chaos', { modes: ['single'] });
    expect(anon.status).toBe(401);
    const trader = await call(A, 'POST', '/api/v1/chaos', { modes: ['single'] });
    expect(trader.status).toBe(403);
    expect(trader.body.error.reason).toBe('forbidden');
    const r = await call(s.keys.admin, 'POST', '/api/v1/chaos', { modes: ['single'] });
    expect(r.status).toBe(200);
    expect(r.body.ok).toBe(true);
    expect(r.body.results).toEqual([
      expect.objectContaining({
        mode: 'single',
        overExecution: 0,
        conserved: true,
        crossed: false,
      }),
    ]);
    expect(r.body.results[0].filled).toBeLessThanOrEqual(r.body.results[0].liquidity);
  });
});
