/**
 * The simulated participants against a real server: in process (startServer() itself never
 * simulates: the market stays empty until a Simulator is started), and as `crossbook simulate`
 * with keys from a keys file. Orders go through the signed WebSocket API like any client's; the
 * market makers' positions, read back from the API, stay within their inventory limit.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedRequest, type ApiKeyPair } from '../src/gateway/index.js';
import { startTestServer, type TestServer } from '../src/server/harness.js';
import { resolveConfig } from '../src/server/index.js';
import { MarketMaker, Simulator, simAccountKeys, SIM_MAKERS } from '../src/simulate/index.js';
import { assertBuilt, runCli } from './replay-helpers.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let s: TestServer;

beforeAll(async () => {
  assertBuilt();
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

const get = (path: string, key?: ApiKeyPair) =>
  signedRequest<Json>({ baseUrl: s.url, key, method: 'GET', path });

async function tradesOf(symbol: string): Promise<Json[]> {
  return (await get(`/api/v1/trades/${symbol}?limit=1000`)).body.trades as Json[];
}

describe('simulated participants', () => {
  it('startServer() alone leaves the market empty', async () => {
    await new Promise((r) => setTimeout(r, 500));
    expect(await tradesOf('MSFT')).toEqual([]);
    const book = (await get('/api/v1/book/MSFT')).body;
    expect(book.bids).toEqual([]);
    expect(book.asks).toEqual([]);
  });

  it('quote both sides, trade, and keep the makers within their inventory limit', async () => {
    const keys = await simAccountKeys(s.server.store);
    // Found again, not created twice.
    expect((await simAccountKeys(s.server.store)).makers).toEqual(keys.makers);
    const sim = await Simulator.start({ url: s.url, ...keys, rate: 80, seed: 42 });
    try {
      expect(sim.symbols).toEqual(['MSFT', 'AAPL', 'GOOGL', 'TSLA', 'NVDA', 'SPY']);
      const book = (await get('/api/v1/book/MSFT')).body;
      expect(book.bids.length).toBeGreaterThan(0);
      expect(book.asks.length).toBeGreaterThan(0);
      // Quoted around the reference price 420.00, inside the ±10% band.
      expect(Number(book.bids[0][0])).toBeGreaterThan(400);
      expect(Number(book.asks[0][0])).toBeLessThan(440);
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && sim.stats.fills < 40) {
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(sim.stats.fills).toBeGreaterThanOrEqual(40);
    } finally {
      await sim.stop();
    }
    expect(sim.stats.orders).toBeGreaterThan(0);
    // Every simulated account is a plain, clearly named trader account.
    const accounts = (await get('/api/v1/admin/accounts', s.keys.admin)).body.accounts as Json[];
    const names = accounts.map((a) => a.account as string);
    for (const n of ['sim-mm-1', 'sim-mm-2', 'sim-taker-1', 'sim-taker-2']) {
      expect(names).toContain(n);
    }
    // Positions from the makers' own fills (the API's view): within the limit per symbol.
    const limit = new MarketMaker().maxInventory;
    for (const [i, name] of SIM_MAKERS.entries()) {
      const fills = (await get('/api/v1/fills?limit=1000', keys.makers[i])).body.fills as Json[];
      const pos = new Map<string, number>();
      for (const f of fills) {
        const q = Number(f.qty) * (f.side === 'buy' ? 1 : -1);
        pos.set(f.symbol, (pos.get(f.symbol) ?? 0) + q);
      }
      for (const [sym, p] of pos) expect(Math.abs(p), `${name} ${sym}`).toBeLessThanOrEqual(limit);
    }
  });

  it('`crossbook simulate --url --keys FILE` trades against a running server', async () => {
    const file = join(s.dataDir, 'keys-for-sim.json');
    writeFileSync(file, JSON.stringify({ keys: [s.keys.demo1, s.keys.demo2] }));
    const before = (await tradesOf('AAPL')).length;
    const r = await runCli([
      'simulate',
      '--url',
      s.url,
      '--keys',
      file,
      '--symbols',
      'AAPL',
      '--rate',
      '60',
      '--duration',
      '4',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/1 market makers and 1 takers on AAPL/);
    expect(r.stdout).toMatch(/simulate: done: \d+ orders/);
    expect((await tradesOf('AAPL')).length).toBeGreaterThan(before);
    const mine = (await get('/api/v1/fills?symbol=AAPL', s.keys.demo2)).body.fills as Json[];
    expect(mine.length).toBeGreaterThan(0);
  });

  it("`crossbook simulate --data-dir` uses the server's own sim-* accounts", async () => {
    const r = await runCli([
      'simulate',
      '--url',
      s.url,
      '--data-dir',
      s.dataDir,
      '--symbols',
      'GOOGL',
      '--duration',
      '3',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/2 market makers and 2 takers on GOOGL/);
  });

  it('is switched by flags, environment and config file alike', () => {
    expect(resolveConfig({ env: {} }).simulate).toBeUndefined();
    expect(resolveConfig({ env: {} }).simulateRate).toBe(40);
    expect(resolveConfig({ env: { CROSSBOOK_SIMULATE: 'false' } }).simulate).toBe(false);
    expect(resolveConfig({ env: { CROSSBOOK_SIMULATE: '1' } }).simulate).toBe(true);
    expect(
      resolveConfig({ flags: { simulate: false }, env: { CROSSBOOK_SIMULATE: 'true' } }).simulate,
    ).toBe(false);
    expect(resolveConfig({ env: { CROSSBOOK_SIMULATE_RATE: '12' } }).simulateRate).toBe(12);
    const file = join(s.dataDir, 'cfg.json');
    writeFileSync(file, JSON.stringify({ simulate: false, simulateRate: 5 }));
    expect(resolveConfig({ flags: { config: file } })).toMatchObject({
      simulate: false,
      simulateRate: 5,
    });
    expect(() => resolveConfig({ env: { CROSSBOOK_SIMULATE: 'maybe' } })).toThrow(
      /simulate must be true or false, got "maybe"/,
    );
    expect(() => resolveConfig({ env: { CROSSBOOK_SIMULATE_RATE: '0' } })).toThrow(/simulateRate/);
  });

  it('`crossbook simulate` without keys or with a wrong key says what it needs', async () => {
    const none = await runCli(['simulate', '--url', s.url]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/needs keys: --key ID --secret S/);
    const bad = await runCli(['simulate', '--url', s.url, '--key', 'nope', '--secret', 'x']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim()).toMatch(/^simulate: key nope was refused/);
  });
});
