/**
 * kill -9 of the server while a QuickFIX client trades: after the restart the client logs on
 * again on its persisted sequence numbers, the gap is recovered (ResendRequest both ways), and
 * every order the client got an execution report for is in the engine. Needs the build in dist/,
 * g++ and libquickfix-dev.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { signedRequest } from '../src/gateway/index.js';
import { builtCli, spawnServer, type ChildServer } from '../src/server/harness.js';
import { buildQuickfixClient, freePort, QfClient } from './helpers/quickfix.js';

const run = promisify(execFile);
const bin = buildQuickfixClient();
const dirs: string[] = [];
const children: ChildServer[] = [];
const clients: QfClient[] = [];

afterAll(() => {
  for (const c of clients) c.kill();
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(bin === null)('FIX across a kill -9 of the server', () => {
  it('keeps every order that got an execution report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossbook-fix-crash-'));
    dirs.push(dir);
    const port = await freePort();
    const args = ['--data-dir', dir, '--fix-port', String(port), '--no-demo'];
    const first = await spawnServer(args);
    children.push(first);
    const { stdout } = await run(process.execPath, [
      builtCli(),
      ...['accounts', 'add', 'carol', '--json', '--data-dir', dir],
    ]);
    const key = JSON.parse(stdout) as { keyId: string; secret: string };
    const qc = new QfClient({
      bin: bin!,
      dir: join(dir, 'qf'),
      port,
      senderCompId: 'CAROL1',
      ...key,
    });
    clients.push(qc);
    await qc.until('logon', () => qc.lines.includes('LOGON'));

    const acked = () =>
      new Set(qc.received((m) => m.get(35) === '8' && m.get(150) === '0').map((m) => m.get(37)!));
    let n = 0;
    const place = () => {
      n++;
      const px = (400 + (n % 50) / 100).toFixed(2);
      qc.send(`35=D|11=k${n}|55=MSFT|54=1|38=1|40=2|44=${px}|59=1|60=20260101-00:00:00.000`);
    };
    for (let i = 0; i < 30; i++) place();
    await qc.until('some acks', () => acked().size >= 10);
    for (let i = 0; i < 30; i++) place();
    first.child.kill('SIGKILL');
    await first.exited;
    for (let i = 0; i < 10; i++) place(); // while the server is down: queued by QuickFIX

    const second = await spawnServer(args);
    children.push(second);
    const logons = () => qc.lines.filter((l) => l === 'LOGON').length;
    await qc.until('logon after restart', () => logons() >= 2, 30_000);
    // Wait for the recovery to settle: every order is eventually acknowledged or resent.
    await qc.until('all acks', () => acked().size >= n || undefined, 30_000).catch(() => undefined);

    const ids = acked();
    expect(ids.size).toBeGreaterThanOrEqual(10);
    for (const id of ids) {
      const r = await signedRequest<{ order: { orderId: string; status: string } }>({
        baseUrl: second.url,
        key,
        method: 'GET',
        path: `/api/v1/orders/${id}`,
      });
      expect(r.status, `order ${id}`).toBe(200);
      expect(r.body.order.orderId).toBe(id);
    }
    // No ClOrdID made two orders.
    const byClOrd = new Map<string, Set<string>>();
    for (const m of qc.received((x) => x.get(35) === '8' && x.get(37) !== 'NONE')) {
      const set = byClOrd.get(m.get(11)!) ?? new Set<string>();
      set.add(m.get(37)!);
      byClOrd.set(m.get(11)!, set);
    }
    for (const [cl, set] of byClOrd) expect(set.size, cl).toBe(1);
    await qc.quit();
  }, 150_000);
});
