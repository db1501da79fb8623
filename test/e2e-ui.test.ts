/**
 * The web trading UI in a real browser: Debian's chromium (playwright-core) against a real server
 * on port 0 serving the built UI. Everything on screen comes from the server: market data seeded
 * through the signed API, orders placed by clicking, a crossing order from another account, the
 * chaos panel running the seed's test on the server, and a server restart the page must survive.
 * Screenshots go to test-output/screenshots/ (git-ignored), so `npm test` changes no tracked file;
 * `npm run screenshots` runs this suite with CROSSBOOK_SCREENSHOTS=docs/screenshots to refresh the
 * README's images.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedRequest, type ApiKeyPair } from '../src/gateway/index.js';
import { startTestServer, type TestServer } from '../src/server/harness.js';
import { chromiumAvailable, ensureUiBuilt, launchChromium } from './helpers/browser.js';

const SHOTS = resolve(process.env.CROSSBOOK_SCREENSHOTS ?? join('test-output', 'screenshots'));
const hasChromium = chromiumAvailable();

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let s: TestServer;
let browser: Browser;
let page: Page;
let maker: ApiKeyPair;
let taker: ApiKeyPair;

const api = (key: ApiKeyPair, method: string, path: string, body?: unknown) =>
  signedRequest<Json>({ baseUrl: s.url, key, method, path, body });

/** A small, deterministic PRNG: the seeded market looks the same on every run. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
}

/**
 * A market to look at: resting depth on MSFT (bids up to 419.90, asks from 420.10), then trades
 * between two accounts that consume each other exactly, spread over a few seconds for candles.
 */
async function seedMarket(): Promise<void> {
  const rnd = lcg(42);
  const place = async (key: ApiKeyPair, body: Json) => {
    const r = await api(key, 'POST', '/api/v1/orders', { symbol: 'MSFT', ...body });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body;
  };
  for (let i = 0; i < 22; i++) {
    const bid = (41990 - i * (1 + Math.floor(rnd() * 3))) / 100;
    const ask = (42010 + i * (1 + Math.floor(rnd() * 3))) / 100;
    await place(maker, {
      side: 'buy',
      price: bid.toFixed(2),
      qty: String(100 * Math.ceil(rnd() * 25)),
    });
    await place(maker, {
      side: 'sell',
      price: ask.toFixed(2),
      qty: String(100 * Math.ceil(rnd() * 25)),
    });
  }
  let px = 42000;
  for (let i = 0; i < 100; i++) {
    px = Math.min(42009, Math.max(41991, px + Math.round((rnd() - 0.5) * 6)));
    const qty = String(1 + Math.floor(rnd() * 300));
    const makerSide = rnd() < 0.5 ? 'sell' : 'buy';
    const price = (px / 100).toFixed(2);
    await place(maker, { side: makerSide, price, qty });
    const r = await place(taker, {
      side: makerSide === 'sell' ? 'buy' : 'sell',
      price,
      qty,
      tif: 'IOC',
    });
    expect(r.order.status).toBe('filled');
    await new Promise((res) => setTimeout(res, 90));
  }
}

const testid = (id: string) => `[data-testid="${id}"]`;

describe.skipIf(!hasChromium)('web trading UI in chromium', () => {
  beforeAll(async () => {
    await ensureUiBuilt();
    mkdirSync(SHOTS, { recursive: true });
    s = await startTestServer();
    maker = s.keys.admin;
    taker = s.keys.demo2;
    await seedMarket();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (err) => console.error('page error:', err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await s?.close();
    if (s !== undefined) rmSync(s.dataDir, { recursive: true, force: true });
  });

  it('shows public market data without logging in', async () => {
    await page.goto(s.url + '/');
    await page.waitForSelector(`${testid('symbol-select')} [data-symbol="MSFT"].active`);
    expect(await page.locator(`${testid('symbol-select')} button`).count()).toBe(6);
    await page.waitForSelector(
      `${testid('order-book')}[data-synced="true"] .row[data-price="419.90"]`,
    );
    const book = (await api(maker, 'GET', '/api/v1/book/MSFT?depth=1')).body;
    const bestAsk = page.locator(`${testid('order-book')} .row[data-price="${book.asks[0][0]}"]`);
    expect(await bestAsk.getAttribute('data-qty')).toBe(book.asks[0][1]);
    await page.waitForSelector(`${testid('trade-tape')} tbody tr`);
    await page.waitForSelector(`${testid('depth-chart')} canvas`);
    await page.waitForSelector(`${testid('price-chart')} canvas`);
    await page.waitForSelector(`${testid('connection')}[data-status="open"]`);
    await page.waitForSelector(`${testid('engine-dashboard')}[data-mode="single"]`);
    await page.click(`${testid('chart-interval')} [data-interval="60"]`);
    await page.waitForSelector(`${testid('price-chart')}[data-interval="60"]`);
    await page.click(`${testid('chart-interval')} [data-interval="1"]`);
    expect(await page.locator(testid('login')).count()).toBe(1);
    expect(await page.locator(testid('order-entry')).count()).toBe(0);
    expect(await page.locator(testid('my-orders')).count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'public.png') });
  });

  it('refuses a wrong secret with the server reason, then logs in with a demo key', async () => {
    await page.fill(testid('login-key'), s.keys.demo1.keyId);
    await page.fill(testid('login-secret'), 'not-the-secret');
    await page.click(testid('login-submit'));
    expect(await page.textContent(testid('login-error'))).toMatch(/unauthorized/);
    await page.fill(testid('login-secret'), s.keys.demo1.secret);
    await page.click(testid('login-submit'));
    await page.waitForSelector(testid('order-entry'));
    expect(await page.textContent(testid('account'))).toContain('demo1');
    await page.waitForSelector(testid('my-orders'));
    await page.waitForSelector(testid('my-fills'));
  });

  it("shows the server's reject reason for a bad order", async () => {
    await page.click(testid('side-buy'));
    await page.fill(testid('order-price'), '420.005');
    await page.fill(testid('order-qty'), '10');
    await page.click(testid('order-submit'));
    const msg = page.locator(`${testid('order-messages')} .notice[data-reason="price_off_tick"]`);
    await msg.waitFor();
    expect(await msg.textContent()).toMatch(/tick/);
  });

  it('places an order and sees it in the ladder and in my orders', async () => {
    await page.fill(testid('order-price'), '420.00');
    await page.fill(testid('order-qty'), '37');
    await page.click(testid('order-submit'));
    const row = page.locator(`${testid('my-order')}[data-status="open"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('420.00');
    await page.waitForSelector(
      `${testid('order-book')} .row.mine[data-price="420.00"][data-mine="37"]`,
    );
  });

  it('sees a crossing order from another account in the tape and in my fills', async () => {
    const r = await api(taker, 'POST', '/api/v1/orders', {
      symbol: 'MSFT',
      side: 'sell',
      price: '420.00',
      qty: '15',
    });
    expect(r.status).toBe(201);
    expect(r.body.fills).toHaveLength(1);
    const tradeId = r.body.fills[0].tradeId as string;
    await page.waitForSelector(`${testid('trade-tape')} tr[data-trade-id="${tradeId}"]`);
    const fill = page.locator(`${testid('my-fill')}[data-trade-id="${tradeId}"]`);
    await fill.waitFor();
    expect(await fill.textContent()).toMatch(/buy.*420\.00.*15.*maker/);
    await page.waitForSelector(`${testid('my-order')}[data-status="partiallyFilled"]`);
    await page.waitForSelector(
      `${testid('order-book')} .row.mine[data-price="420.00"][data-mine="22"]`,
    );
    await page.screenshot({ path: join(SHOTS, 'trading.png') });
  });

  it('places a stop order that waits off the book for its trigger', async () => {
    await page.click(testid('side-sell'));
    await page.click(`${testid('order-entry')} [data-kind="stop"]`);
    await page.fill(testid('order-stop'), '419.00');
    await page.fill(testid('order-qty'), '5');
    await page.click(testid('order-submit'));
    const stop = page.locator(`${testid('my-order')}[data-status="pendingTrigger"]`);
    await stop.waitFor();
    expect(await stop.textContent()).toContain('stop 419.00');
    expect(await page.locator(`${testid('order-book')} .row[data-price="419.00"]`).count()).toBe(0);
    await stop.locator(testid('cancel')).click();
    await stop.waitFor({ state: 'detached' });
    await page.click(testid('side-buy'));
    await page.click(`${testid('order-entry')} [data-kind="limit"]`);
  });

  it('replaces and then cancels the order from my orders', async () => {
    const row = page.locator(testid('my-order')).first();
    await row.locator(testid('replace')).click();
    await row.locator(testid('replace-qty')).fill('10');
    await row.locator(testid('replace-save')).click();
    await page.waitForSelector(
      `${testid('order-book')} .row.mine[data-price="420.00"][data-mine="10"]`,
    );
    await row.locator(testid('cancel')).click();
    await page.waitForSelector(testid('my-order'), { state: 'detached' });
    await page.waitForSelector(`${testid('order-book')} .row[data-price="420.00"]`, {
      state: 'detached',
    });
    const open = await api(s.keys.demo1, 'GET', '/api/v1/orders?status=open');
    expect(open.body.orders).toEqual([]);
  });

  it('runs the chaos test on the server: no over-execution except racy, which is caught', async () => {
    // The chaos run is admin-only: switch to the admin key for it, then back to demo1.
    const login = async (key: ApiKeyPair, account: string) => {
      await page.click(`${testid('account')} button`);
      await page.waitForSelector(testid('login-key'));
      await page.fill(testid('login-key'), key.keyId);
      await page.fill(testid('login-secret'), key.secret);
      await page.click(testid('login-submit'));
      await page.locator(testid('account')).filter({ hasText: account }).waitFor();
    };
    await login(s.keys.admin, 'admin');
    await page.click(testid('chaos-run'));
    await page.waitForSelector(`${testid('chaos-panel')}[data-running="true"]`);
    await page.waitForSelector(`${testid('chaos-panel')}[data-running="false"]`, {
      timeout: 110_000,
    });
    const error = page.locator(testid('chaos-error'));
    if ((await error.count()) > 0) throw new Error(`chaos: ${await error.textContent()}`);
    for (const mode of ['single', 'sharded', 'lockfree']) {
      const row = page.locator(testid(`chaos-${mode}`));
      expect(await row.getAttribute('data-over-executed'), mode).toBe('false');
      const filled = Number(await row.getAttribute('data-filled'));
      expect(filled).toBeLessThanOrEqual(Number(await row.getAttribute('data-available')));
    }
    const racy = page.locator(testid('chaos-racy'));
    expect(await racy.getAttribute('data-over-executed')).toBe('true');
    expect(await racy.textContent()).toContain("seed's failing design");
    await page.locator(testid('chaos-panel')).screenshot({ path: join(SHOTS, 'chaos.png') });
    await login(s.keys.demo1, 'demo1');
    await page.waitForSelector(testid('order-entry'));
  });

  it('keeps trading after the server restarts: reconnects and resyncs the book', async () => {
    // A resting order to find again after the restart, on the ladder and in my orders.
    await page.fill(testid('order-price'), '419.95');
    await page.fill(testid('order-qty'), '250');
    await page.click(testid('order-submit'));
    await page.waitForSelector(
      `${testid('order-book')} .row.mine[data-price="419.95"][data-mine="250"]`,
    );
    const port = s.server.port;
    await s.server.close();
    await page.waitForSelector(`${testid('connection')}[data-status="waiting"]`);
    s = await startTestServer({ dataDir: s.dataDir, config: { port } });
    await page.waitForSelector(`${testid('connection')}[data-status="open"]`, { timeout: 30_000 });
    await page.waitForSelector(
      `${testid('order-book')}[data-synced="true"] .row.mine[data-price="419.95"]`,
    );
    await page.waitForSelector(`${testid('my-order')}[data-status="open"]`);
    // The new server has the same book: a trade after the restart shows up live.
    const r = await api(taker, 'POST', '/api/v1/orders', {
      symbol: 'MSFT',
      side: 'sell',
      price: '419.95',
      qty: '50',
    });
    expect(r.body.fills?.length).toBeGreaterThan(0);
    await page.waitForSelector(`${testid('my-fill')}[data-trade-id="${r.body.fills[0].tradeId}"]`);
    await page.waitForSelector(
      `${testid('order-book')} .row.mine[data-price="419.95"][data-mine="200"]`,
    );
    await page.waitForTimeout(1200);
    await page.screenshot({ path: join(SHOTS, 'trading.png') });
  });

  it('logs out: trading views go, public data stays live on a fresh connection', async () => {
    await page.click(`${testid('account')} button`);
    await page.waitForSelector(testid('login'));
    expect(await page.locator(testid('my-orders')).count()).toBe(0);
    expect(await page.locator(testid('order-entry')).count()).toBe(0);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await page.waitForSelector(`${testid('connection')}[data-status="open"]`);
    await page.waitForSelector(
      `${testid('order-book')}[data-synced="true"] .row[data-price="419.95"]`,
    );
  });
});
