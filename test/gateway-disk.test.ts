/**
 * Logging and disks (issue 12 item 8), with the built CLI in child processes:
 * - stdout that nobody reads (a full pipe): the server keeps answering and counts dropped lines;
 * - a data disk that refuses writes (a file size limit, `ulimit -f`, so writes fail with EFBIG as
 *   on a full disk): orders get 503 `unavailable` with the API's error shape, never a 500, and
 *   /health reports unhealthy; the process stays up.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CrossbookWs, signedRequest } from '../src/gateway/index.js';
import { builtCli, keysFromBanner, spawnServer, type ChildServer } from '../src/server/harness.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const dirs: string[] = [];
const children: ChildServer['child'][] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'crossbook-disk-'));
  dirs.push(d);
  return d;
};

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** `crossbook serve` under a file size limit (KiB); SIGXFSZ ignored so writes fail with EFBIG. */
function spawnLimited(
  dataDir: string,
  limitKb: number,
): Promise<{ url: string; out: () => string; child: ChildServer['child'] }> {
  const child = spawn(
    'bash',
    [
      '-c',
      `trap '' XFSZ; ulimit -f ${limitKb}; exec "$0" "$@"`,
      process.execPath,
      builtCli(),
      'serve',
      '--port',
      '0',
      '--data-dir',
      dataDir,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start:\n${out}`)), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m !== null && /admin\s+admin/.test(out)) {
        clearTimeout(timer);
        resolve({ url: m[1], out: () => out, child });
      }
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`exited ${code}:\n${out}`)));
  });
}

describe('logging never blocks matching', () => {
  it('keeps answering with a log sink nobody reads, and counts the dropped lines', async () => {
    const srv = await spawnServer(['--data-dir', tmp(), '--log-level', 'debug']);
    children.push(srv.child);
    // Give the banner time to be read, then stop reading: the pipe fills and stays full.
    await new Promise((r) => setTimeout(r, 200));
    const key = keysFromBanner(srv.output()).demo1;
    srv.child.stdout!.pause();
    const t0 = Date.now();
    for (let round = 0; round < 40; round++) {
      const all = await Promise.all(
        Array.from({ length: 50 }, () =>
          fetch(`${srv.url}/api/v1/instruments`).then((r) => r.status),
        ),
      );
      expect(all.every((st) => st === 200)).toBe(true);
    }
    const health = await fetch(`${srv.url}/health`);
    expect(health.status).toBe(200);
    const placed = await signedRequest<Json>({
      baseUrl: srv.url,
      key,
      method: 'POST',
      path: '/api/v1/orders',
      body: { symbol: 'MSFT', side: 'buy', price: '400.00', qty: '1' },
    });
    expect(placed.status).toBe(201);
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    const dropped = Number(/crossbook_log_dropped_total (\d+)/.exec(metrics)?.[1] ?? 0);
    expect(dropped).toBeGreaterThan(0);
    expect(Date.now() - t0).toBeLessThan(60_000);
    srv.child.kill('SIGKILL');
  }, 90_000);
});

describe('a full data disk', () => {
  it('refuses orders with 503 unavailable and reports unhealthy, without a 500 or a crash', async () => {
    const srv = await spawnLimited(tmp(), 1024);
    const key = keysFromBanner(srv.out()).demo1;
    const ws = await CrossbookWs.connect(srv.url.replace(/^http/, 'ws') + '/ws');
    expect((await ws.auth(key)).ok).toBe(true);
    const seen: Record<string, number> = {};
    let unavailable: Json | undefined;
    for (let round = 0; round < 2000 && unavailable === undefined; round++) {
      const replies = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          ws.request('place', {
            symbol: 'MSFT',
            side: i % 2 ? 'buy' : 'sell',
            price: '420.00',
            qty: '1',
          }),
        ),
      );
      for (const r of replies) {
        const k = r.ok ? 'ok' : r.error!.reason;
        seen[k] = (seen[k] ?? 0) + 1;
        if (k === 'unavailable') unavailable = r.error;
      }
    }
    expect(unavailable, JSON.stringify(seen)).toBeDefined();
    expect(seen.internal).toBeUndefined();
    expect(unavailable!.message).toMatch(/cannot record orders/);
    const health = await fetch(`${srv.url}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'unhealthy' });
    const http = await signedRequest<Json>({
      baseUrl: srv.url,
      key,
      method: 'POST',
      path: '/api/v1/orders',
      body: { symbol: 'MSFT', side: 'buy', price: '400.00', qty: '1' },
    });
    expect(http.status).toBe(503);
    expect(http.body.error.reason).toBe('unavailable');
    expect(srv.child.exitCode).toBeNull();
    await ws.close();
    srv.child.kill('SIGKILL');
  }, 120_000);
});
