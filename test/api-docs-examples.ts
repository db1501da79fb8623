/**
 * Keeps docs/api.md true: every ```http example``` / ```ws example``` block is sent to a real server
 * (one server for the whole document, examples in document order), and the ```json response
 * STATUS``` / ```json reply``` block right after it must match what came back: the documented JSON
 * is a subset of the actual answer (fields that change per run, such as ids and times, are left
 * out of the document). Run `npx tsx test/api-docs-examples.ts --write` to refresh the error
 * examples (their messages are deterministic) from a live server.
 *
 * Notation: "```http example demo1" then `METHOD PATH` and an optional raw body on the next lines
 * (no key after "example": unsigned); "```ws example demo1" then one raw message.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { signRequest, signedRequest } from '../src/gateway/index.js';
import { startTestServer, type TestServer } from '../src/server/harness.js';

export const API_DOC = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'api.md');

const PAIR =
  /```(http|ws) example(?: (\w+))?\n([\s\S]*?)```\n+```json (?:response (\d{3})|reply)\n([\s\S]*?)```/g;

export interface ApiExample {
  transport: 'http' | 'ws';
  key?: string;
  request: string;
  status?: number;
  documented: unknown;
  actual: { status?: number; body: unknown };
  /** Offsets of the documented JSON in the markdown, for --write. */
  at: [number, number];
}

async function wsCall(s: TestServer, key: string | undefined, text: string): Promise<unknown> {
  const ws = new WebSocket(s.wsUrl);
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  const next = () =>
    new Promise<Record<string, unknown>>((r) =>
      ws.once('message', (d) => r(JSON.parse(d.toString()) as Record<string, unknown>)),
    );
  if (key !== undefined) {
    const k = s.keys[key];
    const ts = Date.now();
    const sign = signRequest(k.secret, { ts, method: 'GET', path: '/ws' });
    const auth = next();
    ws.send(JSON.stringify({ op: 'auth', id: 0, key: k.keyId, ts, sign, executions: false }));
    await auth;
  }
  const reply = next();
  ws.send(text);
  const out = await reply;
  ws.close();
  return out;
}

/** Runs every example of the document, in order, against one fresh server. */
export async function runApiExamples(markdown: string): Promise<ApiExample[]> {
  const s = await startTestServer();
  const out: ApiExample[] = [];
  try {
    for (const m of markdown.matchAll(PAIR)) {
      const [, transport, key, request, status, json] = m;
      const start = m.index + m[0].length - 3 - json.length;
      const ex: ApiExample = {
        transport: transport as 'http' | 'ws',
        key,
        request: request.trim(),
        status: status === undefined ? undefined : Number(status),
        documented: JSON.parse(json),
        actual: { body: null },
        at: [start, start + json.length],
      };
      if (transport === 'ws') {
        ex.actual = { body: await wsCall(s, key, request.trim()) };
      } else {
        const [line, ...rest] = request.trim().split('\n');
        const [method, path] = line.split(' ');
        const r = await signedRequest({
          baseUrl: s.url,
          key: key === undefined ? undefined : s.keys[key],
          method,
          path,
          rawBody: rest.join('\n'),
        });
        ex.actual = { status: r.status, body: r.body };
      }
      out.push(ex);
    }
  } finally {
    await s.close();
  }
  return out;
}

if (process.argv[1]?.endsWith('api-docs-examples.ts') && process.argv.includes('--write')) {
  let doc = readFileSync(API_DOC, 'utf8');
  const all = await runApiExamples(doc);
  for (const ex of [...all].reverse()) {
    const body = ex.actual.body as Record<string, unknown>;
    if (body === null || (body.error === undefined && body.ok !== false)) continue;
    doc = doc.slice(0, ex.at[0]) + JSON.stringify(body) + '\n' + doc.slice(ex.at[1]);
  }
  writeFileSync(API_DOC, doc);
  console.log(`refreshed ${all.length} examples in ${API_DOC}`);
}
