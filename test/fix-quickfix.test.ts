/**
 * The FIX 4.4 gateway driven by QuickFIX (C++), a FIX engine this project did not write: logon
 * with a key from `crossbook accounts add`, place, cross with a second session, replace, cancel,
 * cancel rejects, mass cancel, market data, logout, reconnect with continued sequence numbers and
 * a ResendRequest. Every execution report is checked against the HTTP API's view of the order.
 * Needs the build in dist/ (`npx tsc -p tsconfig.json`), g++ and libquickfix-dev.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { signedRequest, type ApiKeyPair } from '../src/gateway/index.js';
import { builtCli, spawnServer, type ChildServer } from '../src/server/harness.js';
import { buildQuickfixClient, freePort, QfClient, type FixMsg } from './helpers/quickfix.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const run = promisify(execFile);
const bin = buildQuickfixClient();
const dirs: string[] = [];
const children: ChildServer[] = [];
const clients: QfClient[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'crossbook-fix-'));
  dirs.push(d);
  return d;
}

async function addAccount(dir: string, name: string): Promise<ApiKeyPair> {
  const { stdout } = await run(process.execPath, [
    builtCli(),
    'accounts',
    'add',
    name,
    '--json',
    '--data-dir',
    dir,
  ]);
  const k = JSON.parse(stdout) as { keyId: string; secret: string };
  return { keyId: k.keyId, secret: k.secret };
}

afterAll(async () => {
  for (const c of clients) c.kill();
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const T = '20260101-00:00:00.000';
const STATUS: Record<string, string> = {
  open: '0',
  partiallyFilled: '1',
  filled: '2',
  cancelled: '4',
  rejected: '8',
};
const isEr = (m: FixMsg) => m.get(35) === '8';

describe.skipIf(bin === null)('FIX 4.4 with a QuickFIX client', () => {
  it('trades, replaces, cancels, mass-cancels, streams market data, reconnects and resends', async () => {
    const dir = tempDir();
    const port = await freePort();
    const srv = await spawnServer(['--data-dir', dir, '--fix-port', String(port), '--no-demo']);
    children.push(srv);
    expect(srv.output()).toContain(`FIX fix://127.0.0.1:${port}`);
    const alice = await addAccount(dir, 'alice');
    const bob = await addAccount(dir, 'bob');
    const http = (key: ApiKeyPair, path: string) =>
      signedRequest<Json>({ baseUrl: srv.url, key, method: 'GET', path });

    const aDir = join(dir, 'qf-alice');
    const start = (who: string, key: ApiKeyPair, d: string) => {
      const c = new QfClient({ bin: bin!, dir: d, port, senderCompId: who, ...key });
      clients.push(c);
      return c;
    };
    const qa = start('ALICE1', alice, aDir);
    const qb = start('BOB1', bob, join(dir, 'qf-bob'));
    await qa.until('alice logon', () => qa.lines.includes('LOGON'));
    await qb.until('bob logon', () => qb.lines.includes('LOGON'));
    const logonAnswer = qa.received((m) => m.get(35) === 'A')[0];
    expect(logonAnswer.get(49)).toBe('CROSSBOOK');
    expect(logonAnswer.get(56)).toBe('ALICE1');

    // Market data first: an empty book, then updates as orders arrive.
    qa.send('35=V|262=md1|263=1|264=0|267=3|269=0|269=1|269=2|146=1|55=MSFT');
    const snap = await qa.next('W', (m) => m.get(35) === 'W' && m.get(262) === 'md1');
    expect(snap.get(55)).toBe('MSFT');
    expect(snap.get(268)).toBe('0');

    // Alice bids 100 @ 420.00.
    qa.send(`35=D|11=a1|55=MSFT|54=1|38=100|40=2|44=420.00|59=1|60=${T}`);
    const a1New = await qa.next('a1 new', (m) => isEr(m) && m.get(11) === 'a1');
    expect(a1New.get(150)).toBe('0');
    expect(a1New.get(39)).toBe('0');
    expect(a1New.get(151)).toBe('100');
    expect(a1New.get(14)).toBe('0');
    const a1Id = a1New.get(37)!;
    const a1Http = (await http(alice, `/api/v1/orders/${a1Id}`)).body.order;
    expect(a1Http).toMatchObject({ clientOrderId: 'a1', price: '420.00', qty: '100' });
    const bidUpdate = await qa.next('X bid', (m) => m.get(35) === 'X' && m.get(270) === '420.00');
    expect(bidUpdate.get(279)).toBe('0');
    expect(bidUpdate.get(269)).toBe('0');
    expect(bidUpdate.get(271)).toBe('100');

    // Bob sells 40 @ 420.00 from a second session: both sides get their fills.
    qb.send(`35=D|11=b1|55=MSFT|54=2|38=40|40=2|44=420.00|59=1|60=${T}`);
    const b1Fill = await qb.next(
      'b1 fill',
      (m) => isEr(m) && m.get(11) === 'b1' && m.get(150) === 'F',
    );
    expect(b1Fill.get(39)).toBe('2');
    expect(b1Fill.get(31)).toBe('420.00');
    expect(b1Fill.get(32)).toBe('40');
    const a1Fill = await qa.next(
      'a1 fill',
      (m) => isEr(m) && m.get(11) === 'a1' && m.get(150) === 'F',
    );
    expect(a1Fill.get(39)).toBe('1');
    expect(a1Fill.get(14)).toBe('40');
    expect(a1Fill.get(151)).toBe('60');
    expect(a1Fill.get(6)).toBe('420.00');
    const trade = await qa.next('X trade', (m) => m.get(35) === 'X' && m.get(269) === '2');
    expect(trade.get(270)).toBe('420.00');
    expect(trade.get(271)).toBe('40');

    // Replace: OrderQty is the new total (fills included), the price moves.
    qa.send(`35=G|11=a2|41=a1|55=MSFT|54=1|38=80|40=2|44=420.10|60=${T}`);
    const a2 = await qa.next('replaced', (m) => isEr(m) && m.get(150) === '5');
    expect(a2.get(11)).toBe('a2');
    expect(a2.get(41)).toBe('a1');
    expect(a2.get(37)).toBe(a1Id);
    expect(a2.get(38)).toBe('80');
    expect(a2.get(14)).toBe('40');
    expect(a2.get(151)).toBe('40');
    expect(a2.get(44)).toBe('420.10');

    // A total below what is filled is refused, and so are unknown and foreign orders.
    qa.send(`35=G|11=a3|41=a2|55=MSFT|54=1|38=30|40=2|44=420.10|60=${T}`);
    const tooSmall = await qa.next('9 qty', (m) => m.get(35) === '9' && m.get(11) === 'a3');
    expect(tooSmall.get(434)).toBe('2');
    expect(tooSmall.get(58)).toMatch(/^invalid_qty: /);
    qa.send(`35=F|11=a4|41=nope|55=MSFT|54=1|60=${T}`);
    const unknown = await qa.next('9 unknown', (m) => m.get(35) === '9' && m.get(11) === 'a4');
    expect(unknown.get(102)).toBe('1');
    expect(unknown.get(58)).toMatch(/^unknown_order: /);
    qa.send(`35=F|11=a5|41=b1|55=MSFT|54=2|60=${T}`);
    const foreign = await qa.next('9 foreign', (m) => m.get(35) === '9' && m.get(11) === 'a5');
    expect(foreign.get(102)).toBe('1');

    // Cancel by the latest ClOrdID of the chain.
    qa.send(`35=F|11=a6|41=a2|55=MSFT|54=1|60=${T}`);
    const a6 = await qa.next(
      'cancelled',
      (m) => isEr(m) && m.get(150) === '4' && m.get(11) === 'a6',
    );
    expect(a6.get(41)).toBe('a2');
    expect(a6.get(39)).toBe('4');
    expect(a6.get(151)).toBe('0');
    expect(a6.get(14)).toBe('40');

    // A reject carries the API's reason code.
    qa.send(`35=D|11=a7|55=NOPE|54=1|38=1|40=2|44=1.00|59=1|60=${T}`);
    const rej = await qa.next('rejected', (m) => isEr(m) && m.get(11) === 'a7');
    expect(rej.get(150)).toBe('8');
    expect(rej.get(103)).toBe('1');
    expect(rej.get(58)).toMatch(/^unknown_symbol: /);

    // Mass cancel: two open orders, one report, two cancel reports.
    qa.send(`35=D|11=a8|55=MSFT|54=1|38=5|40=2|44=419.00|59=1|60=${T}`);
    qa.send(`35=D|11=a9|55=AAPL|54=1|38=5|40=2|44=230.00|59=1|60=${T}`);
    await qa.next('a9 new', (m) => isEr(m) && m.get(11) === 'a9' && m.get(150) === '0');
    await qa.next('a8 new', (m) => isEr(m) && m.get(11) === 'a8' && m.get(150) === '0');
    qa.send(`35=q|11=a10|530=7|60=${T}`);
    const mc = await qa.next('r', (m) => m.get(35) === 'r');
    expect(mc.get(531)).toBe('7');
    expect(mc.get(533)).toBe('2');
    await qa.next('a9 cancelled', (m) => isEr(m) && m.get(11) === 'a9' && m.get(150) === '4');
    await qa.next('a8 cancelled', (m) => isEr(m) && m.get(11) === 'a8' && m.get(150) === '4');
    const open = await http(alice, '/api/v1/orders');
    expect(open.body.orders).toEqual([]);

    // An unknown symbol in a market data request.
    qa.send('35=V|262=md2|263=1|264=1|267=1|269=0|146=1|55=NOPE');
    const y = await qa.next('Y', (m) => m.get(35) === 'Y');
    expect(y.get(262)).toBe('md2');
    expect(y.get(281)).toBe('0');

    // Every execution report against the HTTP API: the last report of each order is its state,
    // and each fill report is a fill of the API with the same price and quantity.
    for (const [c, key] of [
      [qa, alice],
      [qb, bob],
    ] as const) {
      const ers = c.received(isEr);
      const last = new Map<string, FixMsg>();
      for (const er of ers) if (er.get(37) !== 'NONE') last.set(er.get(37)!, er);
      expect(last.size).toBeGreaterThan(0);
      for (const [id, er] of last) {
        const o = (await http(key, `/api/v1/orders/${id}`)).body.order;
        expect(er.get(39)).toBe(STATUS[o.status]);
        expect(er.get(14)).toBe(o.filledQty);
        expect(er.get(151)).toBe(o.leavesQty);
        expect(er.get(38)).toBe(o.qty);
        expect(er.get(6)).toBe(o.avgPrice ?? '0');
        expect(er.get(44) ?? null).toBe(o.price);
        expect(er.get(54)).toBe(o.side === 'buy' ? '1' : '2');
      }
      const fills = (await http(key, '/api/v1/fills')).body.fills as Json[];
      const fillErs = ers.filter((m) => m.get(150) === 'F');
      expect(fillErs.length).toBe(fills.length);
      for (const er of fillErs) {
        const tradeId = er.get(17)!.split('-T')[1];
        const f = fills.find((x) => x.tradeId === tradeId && x.orderId === er.get(37));
        expect(f, `fill ${er.get(17)}`).toBeDefined();
        expect(f!.price).toBe(er.get(31));
        expect(f!.qty).toBe(er.get(32));
      }
      const execIds = ers.map((m) => m.get(17));
      expect(new Set(execIds).size).toBe(execIds.length);
    }

    // Logout, then reconnect on the same stores: both sides continue their sequence numbers.
    const lastIn = Math.max(
      ...qa.messages.filter((m) => m.kind === 'WIRE<').map((m) => Number(m.get(34))),
    );
    const lastOut = Math.max(
      ...qa.messages.filter((m) => m.kind === 'WIRE>').map((m) => Number(m.get(34))),
    );
    qa.logout();
    await qa.until('logout', () => qa.lines.includes('LOGOUT'));
    await qa.quit();
    const qa2 = start('ALICE1', alice, aDir);
    await qa2.until('alice logon again', () => qa2.lines.includes('LOGON'));
    const relogon = qa2.messages.find((m) => m.kind === 'WIRE>' && m.get(35) === 'A')!;
    const reanswer = qa2.messages.find((m) => m.kind === 'WIRE<' && m.get(35) === 'A')!;
    expect(Number(relogon.get(34))).toBe(lastOut + 2); // + the Logout
    expect(Number(reanswer.get(34))).toBe(lastIn + 2); // + the Logout answer

    // ResendRequest from 1: application messages again with PossDupFlag and OrigSendingTime,
    // session-level ones covered by gap fills.
    qa2.send('35=2|7=1|16=0');
    await qa2.until('resent reports', () => {
      const resent = qa2.messages.filter((m) => m.kind === 'WIRE<' && m.get(43) === 'Y');
      const maxSeq = Math.max(0, ...resent.map((m) => Number(m.get(34))));
      const covered = resent.some((m) => m.get(35) === '4' && Number(m.get(36)) > lastIn);
      return (maxSeq >= lastIn - 1 || covered) && resent.length > 0;
    });
    await new Promise((r) => setTimeout(r, 500));
    const resent = qa2.messages.filter((m) => m.kind === 'WIRE<' && m.get(43) === 'Y');
    const original = qa.messages.filter((m) => m.kind === 'WIRE<' && m.get(35) === '8');
    const resentErs = resent.filter((m) => m.get(35) === '8');
    expect(resentErs.map((m) => m.get(17))).toEqual(original.map((m) => m.get(17)));
    for (const m of resentErs) {
      const first = original.find((o) => o.get(17) === m.get(17))!;
      expect(m.get(122)).toBe(first.get(52));
      expect(m.get(34)).toBe(first.get(34));
    }
    const gapFills = resent.filter((m) => m.get(35) === '4');
    expect(gapFills.length).toBeGreaterThan(0);
    for (const g of gapFills) expect(g.get(123)).toBe('Y');
    // Every sequence number from 1 to the last one before the logout is covered exactly once.
    const covered = new Set<number>();
    for (const m of resent) {
      const seq = Number(m.get(34));
      const end = m.get(35) === '4' ? Number(m.get(36)) : seq + 1;
      for (let s = seq; s < end; s++) {
        expect(covered.has(s)).toBe(false);
        covered.add(s);
      }
    }
    for (let s = 1; s <= lastIn; s++) expect(covered.has(s), `seq ${s}`).toBe(true);

    // TestRequest is answered with the same TestReqID.
    qa2.send('35=1|112=ping-1');
    const hb = await qa2.next(
      'heartbeat',
      (m) => m.get(35) === '0' && m.get(112) === 'ping-1',
      'WIRE<',
    );
    expect(hb.get(49)).toBe('CROSSBOOK');
    await qa2.quit();
    await qb.quit();
  }, 120_000);
});
