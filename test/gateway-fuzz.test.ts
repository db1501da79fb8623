/**
 * Fuzzing the API (issue 12 item 10) against a real server on real sockets: fast-check inputs
 * shaped by the HTTP and WebSocket schemas (each field valid or junk), plus raw byte mutations of
 * valid messages. 100,000 inputs by default, 1,000,000 with CROSSBOOK_SOAK=1. Asserted:
 * - the server stays up and answers every input (one reply per WebSocket message, an HTTP status
 *   with the API's error shape), never `internal` / 500;
 * - whenever no input of a batch reached the engine (the submit counter did not move), the engine's
 *   state hash is unchanged: a rejected input changes nothing;
 * - the heap returns to its baseline afterwards (bounded memory under any input).
 * Invalid UTF-8 in a text frame is closed with the documented 1007.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CrossbookWs, signedRequest, signRequest, type ApiKeyPair } from '../src/gateway/index.js';
import { startTestServer, type TestServer } from '../src/server/harness.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const SOAK = process.env.CROSSBOOK_SOAK === '1';
const TOTAL = SOAK ? 1_000_000 : 100_000;
/** HTTP is the slower transport: a twentieth of the inputs. */
const HTTP_SHARE = 0.05;
const BATCH = 500;
const CONNECTIONS = 4;

let s: TestServer;
let key: ApiKeyPair;

beforeAll(async () => {
  // No clock ticks: the state hash moves only when a command reaches the engine.
  s = await startTestServer({ start: { clockTickMs: 0 } });
  key = s.keys.demo1;
});

afterAll(async () => {
  await s?.close();
});

const junk = fc.oneof(
  fc.anything({ maxDepth: 2, maxKeys: 4 }),
  fc.string({ maxLength: 24 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, true, false, '', ' 1', '+5', '00001', '1e3', '-1', '0', 'NaN', [1], {}),
);
const decimal = fc.oneof(
  fc.constantFrom('1', '10', '420.00', '419.99', '0.5', '100'),
  fc.integer({ min: 1, max: 500 }).map(String),
);
const field = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: valid }, junk);

const placeFields = fc.record(
  {
    symbol: field(fc.constantFrom('MSFT', 'AAPL', 'NOPE')),
    side: field(fc.constantFrom('buy', 'sell')),
    kind: field(fc.constantFrom('limit', 'market', 'stop', 'stopLimit')),
    qty: field(decimal),
    price: field(decimal),
    stopPrice: field(decimal),
    tif: field(fc.constantFrom('GTC', 'IOC', 'FOK', 'DAY', 'GTD')),
    expireAt: field(fc.integer({ min: 0, max: 2 ** 48 })),
    postOnly: field(fc.boolean()),
    displayQty: field(decimal),
    stp: field(fc.constantFrom('none', 'cancelNewest', 'decrement')),
    clientOrderId: field(fc.string({ minLength: 1, maxLength: 8 })),
    extra: junk,
  },
  { requiredKeys: [] },
);

const wsMessage = fc
  .record(
    {
      op: fc.oneof(
        { weight: 6, arbitrary: fc.constant('place') },
        fc.constantFrom(
          'cancel',
          'replace',
          'massCancel',
          'ping',
          'subscribe',
          'unsubscribe',
          'auth',
        ),
        junk,
      ),
      id: fc.oneof(fc.nat(), fc.string({ maxLength: 6 }), junk),
      fields: placeFields,
      ref: fc.record(
        { orderId: field(fc.string({ maxLength: 12 })), clientOrderId: field(fc.string()) },
        { requiredKeys: [] },
      ),
      channel: field(fc.constantFrom('l1', 'l2', 'trades')),
    },
    { requiredKeys: ['op', 'fields'] },
  )
  .map((m) => ({ op: m.op, id: m.id, ...m.fields, ...m.ref, channel: m.channel }) as Json);

const VALID = JSON.stringify({
  op: 'place',
  id: 1,
  symbol: 'MSFT',
  side: 'buy',
  kind: 'limit',
  price: '420.00',
  qty: '10',
  clientOrderId: 'abc',
});

/** Random byte edits of a valid message: flips, inserts, deletes and duplicated slices. */
const mutated = fc
  .array(fc.tuple(fc.nat(3), fc.nat(VALID.length - 1), fc.integer({ min: 0, max: 255 })), {
    minLength: 1,
    maxLength: 6,
  })
  .map((edits) => {
    let b = Buffer.from(VALID);
    for (const [kind, at, byte] of edits) {
      const i = at % b.length;
      if (kind === 0) b[i] = byte;
      else if (kind === 1)
        b = Buffer.concat([b.subarray(0, i), Buffer.from([byte]), b.subarray(i)]);
      else if (kind === 2) b = Buffer.concat([b.subarray(0, i), b.subarray(i + 1)]);
      else b = Buffer.concat([b.subarray(0, i), b.subarray(i, i + 8), b.subarray(i)]);
    }
    return b;
  });

async function submits(): Promise<number> {
  const m = await (await fetch(`${s.url}/metrics`)).text();
  return Number(/crossbook_ack_latency_seconds_count (\d+)/.exec(m)?.[1] ?? 0);
}

/** Sends a batch on one connection without waiting; resolves with every reply (no ids needed). */
function sendBatch(ws: WebSocket, inputs: (Json | Buffer)[]): Promise<Json[]> {
  return new Promise((resolve, reject) => {
    const replies: Json[] = [];
    const onMessage = (data: Buffer) => {
      const m = JSON.parse(data.toString()) as Json;
      if (m.type !== 'response' && m.type !== 'error') return; // market data, executions
      replies.push(m);
      if (replies.length === inputs.length) {
        ws.off('message', onMessage);
        ws.off('close', onClose);
        resolve(replies);
      }
    };
    const onClose = (code: number, reason: Buffer) =>
      reject(new Error(`closed ${code} ${reason.toString()} after ${replies.length} replies`));
    ws.on('message', onMessage);
    ws.on('close', onClose);
    for (const input of inputs) {
      if (Buffer.isBuffer(input)) ws.send(input, { binary: true });
      else ws.send(JSON.stringify(input));
    }
  });
}

describe(`fuzzing the API with ${TOTAL.toLocaleString('en')} inputs`, () => {
  it('answers everything, changes nothing on rejection, and returns to its memory baseline', async () => {
    const conns: WebSocket[] = [];
    for (let i = 0; i < CONNECTIONS; i++) {
      const c = await CrossbookWs.connect(s.wsUrl);
      expect((await c.auth(key, Date.now() + i)).ok).toBe(true);
      conns.push(c.ws);
    }
    // Warm up, then the baseline.
    await sendBatch(conns[0], fc.sample(wsMessage, 200));
    gc();
    const baseline = process.memoryUsage().heapUsed;

    const wsTotal = Math.round(TOTAL * (1 - HTTP_SHARE));
    const reasons = new Map<string, number>();
    let sent = 0;
    let checkedBatches = 0;
    let seed = 12;
    while (sent < wsTotal) {
      const hash0 = await s.server.stateHash();
      const sub0 = await submits();
      const batches = conns.map((c) => {
        const n = Math.min(BATCH, wsTotal - sent);
        sent += n;
        const inputs: (Json | Buffer)[] = [
          ...fc.sample(wsMessage, { numRuns: Math.ceil(n * 0.7), seed: seed++ }),
          ...fc.sample(mutated, { numRuns: n - Math.ceil(n * 0.7), seed: seed++ }),
        ].slice(0, n);
        return n === 0 ? Promise.resolve([]) : sendBatch(c, inputs);
      });
      for (const replies of await Promise.all(batches)) {
        for (const r of replies) {
          const reason = r.ok === true ? 'ok' : String(r.error?.reason);
          reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
          expect(reason).not.toBe('internal');
        }
      }
      if ((await submits()) === sub0) {
        expect(await s.server.stateHash()).toBe(hash0);
        checkedBatches++;
      }
    }

    // HTTP: signed bodies from the same schema, signed mutations, and unsigned noise.
    const httpTotal = TOTAL - wsTotal;
    const bodies = [
      ...fc
        .sample(placeFields, { numRuns: Math.ceil(httpTotal * 0.6), seed: 99 })
        .map((b) => JSON.stringify(b)),
      ...fc
        .sample(mutated, { numRuns: Math.floor(httpTotal * 0.4), seed: 98 })
        .map((b) => b.toString('latin1')),
    ];
    let ts = Date.now();
    for (let i = 0; i < bodies.length; i += 64) {
      const hash0 = await s.server.stateHash();
      const sub0 = await submits();
      const rs = await Promise.all(
        bodies.slice(i, i + 64).map((raw, j) => {
          const unsigned = j % 8 === 7;
          const patch = j % 8 === 6;
          return signedRequest<Json>({
            baseUrl: s.url,
            key: unsigned ? undefined : key,
            method: patch ? 'PATCH' : 'POST',
            path: patch
              ? `/api/v1/orders/${encodeURIComponent(raw.slice(0, 20)) || 'x'}`
              : '/api/v1/orders',
            rawBody: raw,
            ts: ++ts,
          }).catch((err: Error) => ({ status: 0, body: { error: { reason: err.message } } }));
        }),
      );
      for (const r of rs) {
        expect(r.status, JSON.stringify(r.body)).toBeGreaterThanOrEqual(200);
        expect(r.status, JSON.stringify(r.body)).toBeLessThan(500);
        if (r.status >= 400) expect(typeof (r.body as Json).error?.reason).toBe('string');
        const reason = r.status < 300 ? 'ok' : String((r.body as Json).error?.reason);
        reasons.set(`http:${reason}`, (reasons.get(`http:${reason}`) ?? 0) + 1);
      }
      if ((await submits()) === sub0) {
        expect(await s.server.stateHash()).toBe(hash0);
        checkedBatches++;
      }
    }

    // Most batches had no accepted input at all: the hash check ran on them.
    expect(checkedBatches).toBeGreaterThan(0);
    expect(reasons.get('malformed')).toBeGreaterThan(TOTAL / 10);
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
    for (const c of conns) expect(c.readyState).toBe(WebSocket.OPEN);
    for (const c of conns) c.close();

    // Memory back to its baseline (generous: the fuzzer's own garbage shares this heap).
    let heap = Infinity;
    for (let i = 0; i < 20 && heap > baseline + 64 * 1024 * 1024; i++) {
      await new Promise((r) => setTimeout(r, 100));
      gc();
      heap = process.memoryUsage().heapUsed;
    }
    expect(heap - baseline).toBeLessThan(64 * 1024 * 1024);
    console.log(
      `fuzz: ${TOTAL} inputs, ${checkedBatches} hash-checked batches, heap ${Math.round(baseline / 2 ** 20)} -> ${Math.round(heap / 2 ** 20)} MiB`,
      Object.fromEntries([...reasons].sort((a, b) => b[1] - a[1]).slice(0, 12)),
    );
  }, 600_000);

  it('closes a text frame that is not UTF-8 with 1007, as documented', async () => {
    const ws = new WebSocket(s.wsUrl);
    await new Promise((r) => ws.once('open', r));
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    // Bypass the client's own UTF-8 handling: a raw text frame with an invalid byte.
    const socket = (ws as unknown as { _socket: import('node:net').Socket })._socket;
    const payload = Buffer.from([0x7b, 0xff, 0x7d]);
    const mask = Buffer.from([1, 2, 3, 4]);
    const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
    socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
    expect(await closed).toBe(1007);
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
    expect(signRequest('k', { ts: 1, method: 'GET', path: '/ws' })).toHaveLength(64);
  });
});
