/**
 * The UI resyncs its L2 book after a sequence gap. Chromium talks to a real server through a
 * WebSocket route that loses exactly one `l2` update on the way (as a flaky network would); the
 * ladder must notice the gap, take a fresh snapshot and end up equal to the server's book.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedRequest } from '../src/gateway/index.js';
import { startTestServer, type TestServer } from '../src/server/harness.js';
import { chromiumAvailable, ensureUiBuilt, launchChromium } from './helpers/browser.js';

const hasChromium = chromiumAvailable();

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let s: TestServer;
let browser: Browser;
let page: Page;
let dropped: Json | undefined;

const book = '[data-testid="order-book"]';

describe.skipIf(!hasChromium)('L2 resync in chromium', () => {
  beforeAll(async () => {
    await ensureUiBuilt();
    s = await startTestServer();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(20_000);
    await page.routeWebSocket(/\/ws$/, (client) => {
      const server = client.connectToServer();
      client.onMessage((m) => server.send(m));
      server.onMessage((m) => {
        const text = typeof m === 'string' ? m : m.toString();
        const msg = JSON.parse(text) as Json;
        // Lose the first MSFT L2 update after the snapshot, once.
        if (dropped === undefined && msg.type === 'l2' && msg.kind === 'update') {
          if (msg.symbol === 'MSFT') {
            dropped = msg;
            return;
          }
        }
        client.send(text);
      });
    });
  });

  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('detects the lost update, resubscribes and shows exactly the server book', async () => {
    await page.goto(s.url + '/');
    await page.waitForSelector(`${book}[data-symbol="MSFT"][data-synced="true"]`);
    // Bids below 420, asks above: nothing trades, every order is one more L2 update.
    const orders = [
      ['buy', '419.00'],
      ['sell', '420.50'],
      ['buy', '419.25'],
      ['sell', '421.00'],
      ['buy', '418.75'],
    ];
    for (const [i, [side, price]] of orders.entries()) {
      const r = await signedRequest<Json>({
        baseUrl: s.url,
        key: s.keys.admin,
        method: 'POST',
        path: '/api/v1/orders',
        body: { symbol: 'MSFT', side, price, qty: String(10 + i) },
      });
      expect(r.status).toBe(201);
    }
    await page.waitForSelector(`${book}[data-gaps="1"][data-synced="true"]`);
    expect(dropped?.seq).toBeGreaterThan(0);
    const server = await signedRequest<Json>({
      baseUrl: s.url,
      method: 'GET',
      path: '/api/v1/book/MSFT?depth=50',
    });
    const want = [...server.body.asks, ...server.body.bids].map(([p, q]: string[]) => `${p}:${q}`);
    await expect
      .poll(async () =>
        page.$$eval(`${book} .row`, (rows) =>
          rows.map((r) => `${r.getAttribute('data-price')}:${r.getAttribute('data-qty')}`),
        ),
      )
      .toEqual(expect.arrayContaining(want));
    const rows = await page.locator(`${book} .row`).count();
    expect(rows).toBe(want.length);
    expect(Number(await page.getAttribute(book, 'data-seq'))).toBe(server.body.seq);
  });
});
