/**
 * `npm start` on a fresh data dir shows a moving market: the real CLI (`crossbook serve`, as
 * `npm start` runs it, only on port 0 and a temp data dir) with its default simulated participants,
 * and a real Chromium that must see trades on the tape and candles within 10 s of opening the
 * page, while nobody in this test places an order. Also checks the 1440x900 layout: the main views
 * fit (or scroll inside their panel), the Cancel button in My orders is not clipped.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedRequest } from '../src/gateway/index.js';
import { keysFromBanner, spawnServer, type ChildServer } from '../src/server/harness.js';
import { chromiumAvailable, ensureUiBuilt, launchChromium } from './helpers/browser.js';

const hasChromium = chromiumAvailable();
/** Like test/e2e-ui.test.ts: test-output/ (ignored), or docs/screenshots for `npm run screenshots`. */
const SHOTS = resolve(process.env.CROSSBOOK_SCREENSHOTS ?? join('test-output', 'screenshots'));
const testid = (id: string) => `[data-testid="${id}"]`;
type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

let dir: string;
let srv: ChildServer;
let browser: Browser;
let page: Page;

describe.skipIf(!hasChromium)('a fresh npm start in chromium', () => {
  beforeAll(async () => {
    await ensureUiBuilt();
    dir = mkdtempSync(join(tmpdir(), 'crossbook-sim-ui-'));
    // No --simulate: the default of a fresh data dir with the demo instruments.
    srv = await spawnServer(
      ['--data-dir', join(dir, 'data')],
      { CROSSBOOK_SIMULATE: '' },
      { defaultSimulate: true },
    );
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (err) => console.error('page error:', err.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (srv !== undefined && srv.child.exitCode === null) {
      srv.child.kill('SIGTERM');
      await srv.exited;
    }
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('says the simulation is on, with its accounts', () => {
    expect(srv.output()).toMatch(/Simulated participants: market makers sim-mm-1, sim-mm-2/);
    expect(srv.output()).toMatch(/--no-simulate/);
  });

  it('shows trades on the tape and candles within 10 s, with no order from the test', async () => {
    await page.goto(srv.url + '/');
    const opened = Date.now();
    await page.waitForSelector(`${testid('symbol-select')} [data-symbol="MSFT"].active`);
    await page.waitForSelector(`${testid('trade-tape')} tbody tr`, { timeout: 10_000 });
    await page.waitForSelector(`${testid('price-chart')}:not([data-candles="0"])`, {
      timeout: Math.max(1, 10_000 - (Date.now() - opened)),
    });
    expect(Date.now() - opened).toBeLessThan(10_000);
    mkdirSync(SHOTS, { recursive: true });
    // Both sides of the book are quoted by the market makers.
    const book = await signedRequest<{ bids: unknown[]; asks: unknown[] }>({
      baseUrl: srv.url,
      method: 'GET',
      path: '/api/v1/book/MSFT?depth=5',
    });
    expect(book.body.bids.length).toBeGreaterThan(0);
    expect(book.body.asks.length).toBeGreaterThan(0);
    // The market moves: more trades arrive while we watch.
    const count = async () =>
      Number(await page.locator(`${testid('trade-tape')} tbody tr`).count());
    const before = await page
      .locator(`${testid('trade-tape')} tbody tr`)
      .first()
      .getAttribute('data-trade-id');
    const sel = `${testid('trade-tape')} tbody tr`;
    await page.waitForFunction(
      `document.querySelector('${sel}')?.getAttribute('data-trade-id') !== ${JSON.stringify(before)}`,
      undefined,
      { timeout: 15_000 },
    );
    expect(await count()).toBeGreaterThan(1);
    await page.waitForTimeout(3000); // a few more candles for the picture
    await page.screenshot({ path: join(SHOTS, 'live-market.png') });
  });

  it('fits 1440x900: no page scrolling, panels scroll inside, Cancel not clipped', async () => {
    const keys = keysFromBanner(srv.output());
    expect(Object.keys(keys).sort()).toEqual(['admin', 'demo1', 'demo2']);
    await page.fill(testid('login-key'), keys.demo1.keyId);
    await page.fill(testid('login-secret'), keys.demo1.secret);
    await page.click(testid('login-submit'));
    await page.waitForSelector(testid('order-entry'));
    // A resting order far from the market, so that My orders has a row with a Cancel button.
    const r = await signedRequest<Record<string, unknown>>({
      baseUrl: srv.url,
      key: keys.demo1,
      method: 'POST',
      path: '/api/v1/orders',
      body: { symbol: 'MSFT', side: 'buy', price: '400.00', qty: '10' },
    });
    expect(r.status).toBe(201);
    const cancel = page.locator(`${testid('my-orders')} ${testid('cancel')}`).first();
    await cancel.waitFor();
    // For a person to look at: CROSSBOOK_UI_SHOT=/tmp/shot.png.
    if (process.env.CROSSBOOK_UI_SHOT !== undefined) {
      await page.screenshot({ path: process.env.CROSSBOOK_UI_SHOT });
    }
    const doc = (await page.evaluate(
      `({ sw: document.documentElement.scrollWidth, sh: document.documentElement.scrollHeight, w: innerWidth, h: innerHeight })`,
    )) as { sw: number; sh: number; w: number; h: number };
    expect(doc.sw).toBeLessThanOrEqual(doc.w);
    expect(doc.sh).toBeLessThanOrEqual(doc.h);
    // The Cancel button lies wholly inside its panel's visible box.
    const box = await cancel.boundingBox();
    const panel = await page.locator(testid('my-orders')).boundingBox();
    expect(box).not.toBeNull();
    expect(box!.x + box!.width).toBeLessThanOrEqual(panel!.x + panel!.width);
    expect(box!.y + box!.height).toBeLessThanOrEqual(panel!.y + panel!.height);
    // No scrolling ancestor cuts it off horizontally.
    const clipped = await cancel.evaluate((el: Any) => {
      const b = el.getBoundingClientRect();
      for (let p = el.parentElement; p !== null; p = p.parentElement) {
        if ((globalThis as Any).getComputedStyle(p).overflowX === 'visible') continue;
        const r = p.getBoundingClientRect();
        if (b.left < r.left - 0.5 || b.right > r.right + 0.5) return `clipped by ${p.className}`;
      }
      return '';
    });
    expect(clipped).toBe('');
  });

  it('tells what happened to an order in words: "filled 5 at 419.96"', async () => {
    // A sell far below the market crosses the makers' bids at once.
    await page.click(testid('side-sell'));
    await page.fill(testid('order-price'), '390.00');
    await page.fill(testid('order-qty'), '5');
    await page.click(testid('order-submit'));
    const notice = page.locator(`${testid('order-messages')} .notice.ok`).first();
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(
      /(^|\s)sell 5 MSFT @ 390\.00: filled 5 at (avg )?\d+\.\d+$/,
    );
  });
});
