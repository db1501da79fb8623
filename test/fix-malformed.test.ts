/**
 * Malformed FIX over a raw socket gets the answers documented in docs/fix.md, and the engine's
 * state does not change: bad checksum, wrong BodyLength, malformed values, an unknown MsgType,
 * header fields after the body, a missing MsgType, 1 MB of garbage and a logon with a bad
 * signature. The raw messages are built here on purpose: a FIX engine would refuse to send them.
 */
import { createHmac } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedRequest } from '../src/gateway/index.js';
import { startTestServer, type TestServer } from '../src/server/harness.js';
import { freePort, parseFix, type FixMsg } from './helpers/quickfix.js';

const SOH = '\x01';
let srv: TestServer;
let port: number;

beforeAll(async () => {
  port = await freePort();
  srv = await startTestServer({ config: { fixPort: port } });
}, 60_000);

afterAll(async () => {
  await srv?.close();
});

const stamp = () => new Date().toISOString().replace(/-/g, '').replace('T', '-').slice(0, 21);

function frame(fields: string[], o: { len?: number; cks?: string } = {}): string {
  const body = fields.join(SOH) + SOH;
  const head = `8=FIX.4.4${SOH}9=${o.len ?? Buffer.byteLength(body)}${SOH}`;
  let sum = 0;
  for (const c of Buffer.from(head + body)) sum += c;
  return `${head}${body}10=${o.cks ?? String(sum % 256).padStart(3, '0')}${SOH}`;
}

/** A raw FIX connection that logs on with a demo key. */
class Raw {
  seq = 0;
  readonly got: FixMsg[] = [];
  closed = false;
  private buf = '';
  private constructor(
    readonly sock: Socket,
    readonly compId: string,
  ) {
    sock.on('data', (d: Buffer) => {
      this.buf += d.toString('latin1');
      let end: number;
      // eslint-disable-next-line no-control-regex
      while ((end = this.buf.search(/\x0110=\d{3}\x01/)) >= 0) {
        const msg = this.buf.slice(0, end + 8);
        this.buf = this.buf.slice(end + 8);
        this.got.push(parseFix('IN', msg.replaceAll(SOH, '|')));
      }
    });
    sock.on('close', () => (this.closed = true));
    sock.on('error', () => undefined);
  }

  static async open(compId: string): Promise<Raw> {
    const sock = connect(port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    return new Raw(sock, compId);
  }

  header(type: string): string[] {
    this.seq++;
    return [`35=${type}`, `49=${this.compId}`, '56=CROSSBOOK', `34=${this.seq}`, `52=${stamp()}`];
  }

  logon(key: { keyId: string; secret: string }, badSignature = false): void {
    const h = this.header('A');
    const payload = `${h[4].slice(3)}${h[3].slice(3)}${this.compId}CROSSBOOK`;
    const sig = badSignature
      ? '0'.repeat(64)
      : createHmac('sha256', key.secret).update(payload).digest('hex');
    this.write(frame([...h, '98=0', '108=30', '95=64', `96=${sig}`, `553=${key.keyId}`]));
  }

  write(s: string): void {
    this.sock.write(Buffer.from(s, 'latin1'));
  }

  async next(what: string, pred: (m: FixMsg) => boolean, ms = 10_000): Promise<FixMsg> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.got.find(pred);
      if (hit !== undefined) {
        this.got.splice(this.got.indexOf(hit), 1);
        return hit;
      }
      if (Date.now() > deadline)
        throw new Error(`no ${what}; got ${this.got.map((m) => m.raw).join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async waitClosed(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(this.closed).toBe(true);
  }

  /** A TestRequest answered proves the session is still up. */
  async alive(id: string): Promise<void> {
    this.write(frame([...this.header('1'), `112=${id}`]));
    await this.next(`heartbeat ${id}`, (m) => m.get(35) === '0' && m.get(112) === id);
  }
}

const D = ['11=bad1', '55=MSFT', '54=1', '60=20260101-00:00:00', '38=10', '40=2', '44=400.00'];

async function engineView() {
  const key = srv.keys.demo1;
  const orders = await signedRequest<Record<string, unknown>>({
    baseUrl: srv.url,
    key,
    method: 'GET',
    path: '/api/v1/orders?status=all',
  });
  const book = await fetch(`${srv.url}/api/v1/book/MSFT`).then((r) => r.json());
  return { orders: orders.body, book };
}

describe('malformed FIX', () => {
  it('is answered as documented and never reaches the engine', async () => {
    const before = await engineView();
    const c = await Raw.open('RAW1');
    c.logon(srv.keys.demo1);
    await c.next('logon', (m) => m.get(35) === 'A');

    // Bad checksum: Reject 373=5, RefTagID 10; the session stays up.
    c.write(frame([...c.header('D'), ...D], { cks: '000' }));
    const r1 = await c.next('reject', (m) => m.get(35) === '3');
    expect([r1.get(373), r1.get(371), r1.get(45)]).toEqual(['5', '10', String(c.seq)]);
    await c.alive('t1');

    // Wrong BodyLength: Reject 373=5, RefTagID 9, not processed; its number is asked again.
    c.write(frame([...c.header('D'), ...D], { len: 50 }));
    const r2 = await c.next('reject', (m) => m.get(35) === '3');
    expect([r2.get(373), r2.get(371)]).toEqual(['5', '9']);
    await c.alive('t2');
    const rr = await c.next('resend request', (m) => m.get(35) === '2');
    expect(rr.get(7)).toBe(String(c.seq - 1));
    // Answer it with a gap fill, as a client would, so the sequence numbers line up again.
    const gf = ['35=4', '49=RAW1', '56=CROSSBOOK', `34=${rr.get(7)}`, '43=Y', `52=${stamp()}`];
    c.write(frame([...gf, `122=${stamp()}`, '123=Y', `36=${c.seq + 1}`]));
    await c.alive('t2b');

    // Malformed values: 373=6 (format) or 5 (out of range) with the tag in 371.
    c.write(
      frame([
        ...c.header('D'),
        '11=bad2',
        '55=MSFT',
        '54=1',
        '60=20260101-00:00:00',
        '38=abc',
        '40=2',
        '44=400.00',
      ]),
    );
    const r3 = await c.next('reject', (m) => m.get(35) === '3');
    expect([r3.get(373), r3.get(371)]).toEqual(['6', '38']);
    c.write(
      frame([
        ...c.header('D'),
        '11=bad3',
        '55=MSFT',
        '54=7',
        '60=20260101-00:00:00',
        '38=1',
        '40=2',
        '44=400.00',
      ]),
    );
    const r4 = await c.next('reject', (m) => m.get(35) === '3');
    expect([r4.get(373), r4.get(371)]).toEqual(['5', '54']);
    c.write(
      frame([
        ...c.header('D'),
        '11=bad4',
        '55=MSFT',
        '54=1',
        '60=20260101-00:00:00',
        '38=1',
        '40=2',
        '44=4.0.0',
      ]),
    );
    const r5 = await c.next('reject', (m) => m.get(35) === '3');
    expect([r5.get(373), r5.get(371)]).toEqual(['6', '44']);
    c.write(
      frame([
        ...c.header('D'),
        '11=bad5',
        '54=1',
        '60=20260101-00:00:00',
        '38=1',
        '40=2',
        '44=400.00',
      ]),
    );
    const r6 = await c.next('reject', (m) => m.get(35) === '3');
    expect([r6.get(373), r6.get(371)]).toEqual(['1', '55']);

    // Unknown MsgType: 373=11.
    c.write(frame([...c.header('ZZ'), '58=hello']));
    const r7 = await c.next('reject', (m) => m.get(35) === '3');
    expect(r7.get(373)).toBe('11');

    // Header fields after a body field (tags out of order): Reject 373=1 naming them.
    const h = c.header('D');
    c.write(
      frame([
        h[0],
        '11=bad6',
        ...h.slice(1),
        '55=MSFT',
        '54=1',
        '60=20260101-00:00:00',
        '38=1',
        '40=2',
        '44=400.00',
      ]),
    );
    const r8 = await c.next('reject', (m) => m.get(35) === '3');
    expect(r8.get(373)).toBe('1');
    await c.alive('t3');
    for (const m of [r1, r2, r3, r4, r5, r6, r7, r8]) {
      expect(m.get(49)).toBe('CROSSBOOK');
      expect(m.get(56)).toBe('RAW1');
    }

    // No MsgType: the stream cannot be framed; a Logout says why and the connection closes.
    const x = c.header('D');
    c.write(frame([...x.slice(1), ...D]));
    const lo = await c.next('logout', (m) => m.get(35) === '5');
    expect(lo.get(58)).toMatch(/^Garbled input: /);
    await c.waitClosed();

    // 1 MB of garbage after a logon: the same.
    const g = await Raw.open('RAW1');
    g.seq = c.seq - 1; // the message without MsgType took no number
    g.logon(srv.keys.demo1);
    await g.next('logon', (m) => m.get(35) === 'A');
    await g.alive('g1');
    g.write('x'.repeat(1024 * 1024));
    // The parser either skips the bytes (the session then answers a TestRequest) or cannot frame
    // them (a Logout with the reason, then the connection closes): both are documented.
    g.write(frame([...g.header('1'), '112=g2']));
    const answer = await g.next(
      'heartbeat or logout',
      (m) => (m.get(35) === '0' && m.get(112) === 'g2') || m.get(35) === '5',
      60_000,
    );
    if (answer.get(35) === '5') {
      expect(answer.get(58)).toMatch(/^Garbled input: /);
      await g.waitClosed();
    }

    // A logon with a bad signature: Logout with the reason, then the connection closes.
    const b = await Raw.open('RAW2');
    b.logon(srv.keys.demo2, true);
    const lo3 = await b.next('logout', (m) => m.get(35) === '5');
    expect(lo3.get(58)).toMatch(/^Bad signature/);
    expect([lo3.get(49), lo3.get(56)]).toEqual(['CROSSBOOK', 'RAW2']);
    await b.waitClosed();
    expect(b.got.some((m) => m.get(35) === 'A')).toBe(false);

    // An unknown key: the same, and the text names nothing but the key.
    const u = await Raw.open('RAW3');
    u.logon({ keyId: 'ck_nope', secret: 'x' });
    const lo4 = await u.next('logout', (m) => m.get(35) === '5');
    expect(lo4.get(58)).toBe('Unknown or revoked API key ck_nope');
    await u.waitClosed();

    expect(await engineView()).toEqual(before);
  }, 150_000);
});
