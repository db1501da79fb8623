/**
 * The server's durability end to end (issue 13, items 1, 6 and 7): the store never skips a failed
 * batch (a second SQLite connection holds the write lock during load), every order field survives
 * a kill -9 exactly as the API showed it, and risk state lives in the store.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signedRequest, type ApiKeyPair } from '../src/gateway/index.js';
import { scanJournal } from '../src/journal/index.js';
import {
  keysFromBanner,
  spawnServer,
  startTestServer,
  type ChildServer,
} from '../src/server/harness.js';
import { openStore } from '../src/store/index.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const dirs: string[] = [];
const children: ChildServer[] = [];
afterAll(() => {
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'crossbook-srvdur-'));
  dirs.push(d);
  return d;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function api(url: string, key?: ApiKeyPair) {
  return (method: string, path: string, body?: unknown) =>
    signedRequest<Json>({ baseUrl: url, key, method, path, body });
}

describe('the store under a held write lock', () => {
  it('never skips a failed batch: degraded while locked, then store == journal entry by entry', async () => {
    const dataDir = tmp();
    const s1 = await startTestServer({ dataDir });
    const demo1 = api(s1.url, s1.keys.demo1);
    const pub = api(s1.url);
    let n = 0;
    const place = async () => {
      const r = await demo1('POST', '/api/v1/orders', {
        symbol: 'MSFT',
        side: n % 2 === 0 ? 'buy' : 'sell',
        kind: 'limit',
        price: n % 2 === 0 ? '400.00' : '440.00',
        qty: '1',
        clientOrderId: `w-${n++}`,
      });
      expect(r.status).toBe(201);
    };
    for (let i = 0; i < 20; i++) await place();
    // A second real connection takes the write lock, as another process would.
    const locker = new Database(join(dataDir, 'crossbook.db'));
    locker.exec('BEGIN IMMEDIATE');
    let degraded: Json | null = null;
    const until = Date.now() + 9000;
    while (Date.now() < until) {
      await place();
      const h = await pub('GET', '/health');
      if (h.body.status === 'degraded') degraded = h.body;
      if (degraded !== null && Date.now() > until - 2000) break;
      await sleep(100);
    }
    expect(degraded).toMatchObject({
      status: 'degraded',
      reason: expect.stringMatching(/store write failed/),
    });
    locker.exec('ROLLBACK');
    locker.close();
    for (let i = 0; i < 20; i++) await place();
    let health: Json = {};
    for (let i = 0; i < 100 && health.status !== 'ok'; i++) {
      await sleep(100);
      health = (await pub('GET', '/health')).body;
    }
    expect(health.status).toBe('ok');
    await s1.server.close();
    // Restart: catch-up must find nothing missing; compare every journal record with the store.
    const s2 = await startTestServer({ dataDir });
    await s2.server.close();
    const journal: Json[] = [];
    const scan = scanJournal({
      dir: join(dataDir, 'journal'),
      onRecord: (r) => {
        if (r.kind === 'command') journal.push({ seq: r.seq, command: r.command });
      },
    });
    const store = await openStore({ url: join(dataDir, 'crossbook.db'), dataDir });
    const commands = (await store.audit({})).filter((a) => a.kind === 'command');
    expect(await store.lastJournalSeq(0)).toBe(scan.lastSeq);
    expect(commands.map((c) => c.journalSeq)).toEqual(journal.map((j) => j.seq));
    commands.forEach((c, i) => expect(c.data).toEqual(journal[i].command));
    // Every acknowledged order is in the store.
    for (let i = 0; i < n; i++) {
      const rows = await store.sql.all('SELECT order_id FROM orders WHERE client_order_id = ?', [
        `w-${i}`,
      ]);
      expect(rows.length, `order w-${i}`).toBe(1);
    }
    await store.close();
  }, 90_000);
});

describe('orders after kill -9', () => {
  it('shows every field of every order exactly as before the kill (needs dist/)', async () => {
    const dir = tmp();
    const first = await spawnServer(['--data-dir', dir]);
    children.push(first);
    const keys = keysFromBanner(first.output());
    const a = api(first.url, keys.demo1);
    const b = api(first.url, keys.demo2);
    const ok = async (p: Promise<{ status: number; body: Json }>) => {
      const r = await p;
      expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
      return r.body;
    };
    const expireAt = Date.now() + 3_600_000;
    // Resting asks from demo2 at two prices; demo1 buys through both at a limit above them, so
    // its average price is not its limit price.
    await ok(
      b('POST', '/api/v1/orders', {
        symbol: 'MSFT',
        side: 'sell',
        kind: 'limit',
        price: '420.00',
        qty: '30',
        clientOrderId: 's1',
      }),
    );
    await ok(
      b('POST', '/api/v1/orders', {
        symbol: 'MSFT',
        side: 'sell',
        kind: 'limit',
        price: '420.37',
        qty: '50',
        clientOrderId: 's2',
        displayQty: '10',
      }),
    );
    await ok(
      a('POST', '/api/v1/orders', {
        symbol: 'MSFT',
        side: 'buy',
        kind: 'limit',
        price: '421.00',
        qty: '60',
        clientOrderId: 'b1',
      }),
    );
    await ok(
      a('POST', '/api/v1/orders', {
        symbol: 'MSFT',
        side: 'buy',
        kind: 'limit',
        price: '415.00',
        qty: '7',
        clientOrderId: 'po',
        postOnly: true,
      }),
    );
    await ok(
      a('POST', '/api/v1/orders', {
        symbol: 'MSFT',
        side: 'buy',
        kind: 'limit',
        price: '410.00',
        qty: '9',
        clientOrderId: 'gtd',
        tif: 'GTD',
        expireAt,
      }),
    );
    await ok(
      a('POST', '/api/v1/orders', {
        symbol: 'MSFT',
        side: 'buy',
        kind: 'limit',
        price: '405.00',
        qty: '100',
        clientOrderId: 'ice',
        displayQty: '5',
      }),
    );
    await ok(
      a('POST', '/api/v1/orders', {
        symbol: 'MSFT',
        side: 'buy',
        kind: 'stop',
        stopPrice: '425.00',
        qty: '3',
        clientOrderId: 'stop',
      }),
    );
    await ok(
      a('POST', '/api/v1/orders', {
        symbol: 'MSFT',
        side: 'sell',
        kind: 'stopLimit',
        stopPrice: '400.00',
        price: '399.00',
        qty: '4',
        clientOrderId: 'sl',
      }),
    );
    await ok(
      a('POST', '/api/v1/orders', {
        symbol: 'AAPL',
        side: 'buy',
        kind: 'limit',
        price: '229.00',
        qty: '12',
        clientOrderId: 'rep',
      }),
    );
    await ok(a('PATCH', '/api/v1/orders/client:rep', { price: '228.50', qty: '8' }));
    await ok(
      a('POST', '/api/v1/orders', {
        symbol: 'AAPL',
        side: 'buy',
        kind: 'limit',
        price: '228.00',
        qty: '6',
        clientOrderId: 'can',
      }),
    );
    await ok(a('DELETE', '/api/v1/orders/client:can'));
    await ok(a('PATCH', '/api/v1/orders/client:stop', { stopPrice: '426.00' }));
    // A stop that triggers: demo2 sells at 399.50 into nothing, then demo1's stop-limit sells.
    await ok(
      b('POST', '/api/v1/orders', {
        symbol: 'GOOGL',
        side: 'buy',
        kind: 'limit',
        price: '170.00',
        qty: '5',
        clientOrderId: 'g1',
      }),
    );
    await ok(
      a('POST', '/api/v1/orders', {
        symbol: 'GOOGL',
        side: 'sell',
        kind: 'stopLimit',
        stopPrice: '171.00',
        price: '169.00',
        qty: '2',
        clientOrderId: 'gsl',
      }),
    );
    await ok(
      b('POST', '/api/v1/orders', {
        symbol: 'GOOGL',
        side: 'sell',
        kind: 'limit',
        price: '171.00',
        qty: '1',
        clientOrderId: 'g2',
      }),
    );
    await ok(
      a('POST', '/api/v1/orders', {
        symbol: 'GOOGL',
        side: 'buy',
        kind: 'limit',
        price: '171.00',
        qty: '1',
        clientOrderId: 'g3',
      }),
    );
    // A refused order (post-only that would cross): the store keeps it for GET by id only.
    const refused = await a('POST', '/api/v1/orders', {
      symbol: 'MSFT',
      side: 'buy',
      kind: 'limit',
      price: '421.00',
      qty: '1',
      clientOrderId: 'x',
      postOnly: true,
    });
    expect(refused.status).toBe(422);

    const snapshot = async (url: string) => {
      const out: Json = {};
      for (const acct of ['demo1', 'demo2'] as const) {
        const call = api(url, keys[acct]);
        const list = (await call('GET', '/api/v1/orders?status=all&limit=1000')).body
          .orders as Json[];
        const open = (await call('GET', '/api/v1/orders?status=open&limit=1000')).body
          .orders as Json[];
        const byId: Json[] = [];
        for (const o of list) byId.push((await call('GET', `/api/v1/orders/${o.orderId}`)).body);
        byId.push((await call('GET', '/api/v1/orders/client:x')).body);
        out[acct] = { list, open, byId };
      }
      return out;
    };
    const before = await snapshot(first.url);
    expect(before.demo1.list.length).toBe(10);
    expect(before.demo1.list.find((o: Json) => o.clientOrderId === 'b1')).toMatchObject({
      avgPrice: expect.not.stringMatching(/^421/),
      status: 'filled',
    });
    first.child.kill('SIGKILL');
    await first.exited;
    const second = await spawnServer(['--data-dir', dir]);
    children.push(second);
    const after = await snapshot(second.url);
    expect(after).toEqual(before);
    second.child.kill('SIGTERM');
    await second.exited;
  }, 120_000);
});

describe('risk state', () => {
  it('is kept in the store, audited, restored on start, and migrated once from risk.json', async () => {
    const dataDir = tmp();
    writeFileSync(
      join(dataDir, 'risk.json'),
      JSON.stringify({ legacy: { disabled: true, limits: { maxOpenOrders: 3 } } }),
    );
    const s1 = await startTestServer({ dataDir });
    expect(existsSync(join(dataDir, 'risk.json'))).toBe(false);
    expect(existsSync(join(dataDir, 'risk.json.migrated'))).toBe(true);
    const admin = api(s1.url, s1.keys.admin);
    expect((await admin('POST', '/api/v1/admin/accounts/demo2/disable')).status).toBe(200);
    expect(
      (
        await admin('PUT', '/api/v1/admin/accounts/demo1/limits', {
          maxOrderQty: '50',
          maxOpenOrders: 7,
        })
      ).status,
    ).toBe(200);
    await s1.server.close();
    const s2 = await startTestServer({ dataDir });
    const accounts = (await api(s2.url, s1.keys.admin)('GET', '/api/v1/admin/accounts')).body
      .accounts as Json[];
    const by = Object.fromEntries(accounts.map((x) => [x.account, x]));
    expect(by.demo2.enabled).toBe(false);
    expect(by.demo1.limits).toMatchObject({ maxOrderQty: '50', maxOpenOrders: 7 });
    await expect(s2.server.store.riskStates()).resolves.toEqual(
      expect.arrayContaining([
        { account: 'legacy', disabled: true, limits: { maxOpenOrders: 3 } },
        { account: 'demo2', disabled: true, limits: {} },
      ]),
    );
    const trail = await s2.server.store.riskAudit();
    expect(trail.map((r) => [r.account, r.action, r.actor])).toEqual([
      ['legacy', 'migrated from risk.json', null],
      ['demo2', 'disable', 'admin'],
      ['demo1', 'limits', 'admin'],
    ]);
    const refused = await api(s2.url, s1.keys.demo2)('POST', '/api/v1/orders', {
      symbol: 'MSFT',
      side: 'buy',
      kind: 'limit',
      price: '400.00',
      qty: '1',
    });
    expect(refused.body.error.reason).toBe('account_disabled');
    await s2.server.close();
  }, 60_000);
});
