/**
 * What a new user meets first, through the real `crossbook` process: a busy port, a data dir that
 * is a file or read-only, demo keys that survive a failed first start, the simulation switch, the
 * journal tools on the wrong path and in a pipe, and a broken instruments file. Every failure is
 * one line on stderr, a non-zero exit and no stack trace. Needs the build (`npx tsc -p tsconfig.json`).
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedRequest } from '../src/gateway/index.js';
import { keysFromBanner, spawnServer, type ChildServer } from '../src/server/harness.js';
import { assertBuilt, BIN, ROOT, runCli } from './replay-helpers.js';

let root: string;
const children: ChildServer[] = [];

beforeAll(() => {
  assertBuilt();
  root = mkdtempSync(join(tmpdir(), 'crossbook-first-'));
});

afterAll(async () => {
  for (const c of children) {
    if (c.child.exitCode === null) {
      c.child.kill('SIGTERM');
      await c.exited;
    }
  }
  rmSync(root, { recursive: true, force: true });
});

/** One line on stderr, no stack trace. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
  return lines[0];
}

/** The banner's last line (the simulation) has arrived: the whole banner is in. */
async function banner(c: ChildServer): Promise<string> {
  const until = Date.now() + 30_000;
  while (!c.output().includes('Simulated participants:') && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
  }
  return c.output();
}

async function stop(c: ChildServer): Promise<void> {
  c.child.kill('SIGTERM');
  expect(await c.exited).toBe(0);
}

describe('a busy port', () => {
  let busy: Server;
  let port: number;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    port = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => busy.close(() => r())));

  it('says which port and how to change it; the demo keys of that first start are kept', async () => {
    const data = join(root, 'busy');
    const r = await runCli(['serve', '--port', String(port), '--data-dir', data]);
    expect(r.code).not.toBe(0);
    const line = oneLine(r.stderr);
    expect(line).toContain(`Port ${port}`);
    expect(line).toContain('--port');
    expect(line).toContain('CROSSBOOK_PORT');

    const file = join(data, 'demo-keys.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = (
      JSON.parse(readFileSync(file, 'utf8')) as { keys: { account: string; keyId: string }[] }
    ).keys;
    expect(saved.map((k) => k.account)).toEqual(['demo1', 'demo2', 'admin']);

    // The next start prints the same keys and says where they are; they work.
    const srv = await spawnServer(['--data-dir', data], {}, { defaultSimulate: true });
    children.push(srv);
    await banner(srv);
    const keys = keysFromBanner(srv.output());
    expect(Object.keys(keys).sort()).toEqual(['admin', 'demo1', 'demo2']);
    expect(keys.demo1.keyId).toBe(saved[0].keyId);
    expect(srv.output()).toContain('demo-keys.json');
    expect(srv.output()).toMatch(/New API key: \.\/bin\/crossbook accounts add NAME/);
    const me = await signedRequest<{ account: string }>({
      baseUrl: srv.url,
      key: keys.demo1,
      method: 'GET',
      path: '/api/v1/account',
    });
    expect(me.body.account).toBe('demo1');
    // The failed first start found a fresh data dir: this venue is a simulated one.
    expect(srv.output()).toMatch(/Simulated participants: market makers sim-mm-1/);
    await stop(srv);

    // Switched off by the environment for one start; the keys are still printed.
    const off = await spawnServer(
      ['--data-dir', data],
      { CROSSBOOK_SIMULATE: 'false' },
      {
        defaultSimulate: true,
      },
    );
    children.push(off);
    await banner(off);
    expect(off.output()).toMatch(/Simulated participants: off/);
    expect(keysFromBanner(off.output()).demo1.keyId).toBe(saved[0].keyId);
    await stop(off);
  });
});

describe('the data dir', () => {
  it('that is a file: one line, non-zero exit', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    const r = await runCli(['serve', '--port', '0', '--data-dir', file]);
    expect(r.code).not.toBe(0);
    expect(oneLine(r.stderr)).toMatch(/Data dir .*a-file is a file, not a directory.*--data-dir/);
  });

  it('under a file: one line, non-zero exit', async () => {
    const r = await runCli(['serve', '--port', '0', '--data-dir', join(root, 'a-file', 'data')]);
    expect(r.code).not.toBe(0);
    expect(oneLine(r.stderr)).toMatch(/Cannot create data dir .*: a part of the path is a file/);
  });

  it('that is not writable: one line, non-zero exit', async (ctx) => {
    if (process.getuid?.() === 0) {
      console.warn(
        '\n!!! SKIPPING the read-only data dir check: running as root, which may write anywhere\n',
      );
      ctx.skip();
    }
    const dir = join(root, 'read-only');
    mkdirSync(dir);
    chmodSync(dir, 0o500);
    const r = await runCli(['serve', '--port', '0', '--data-dir', dir]);
    chmodSync(dir, 0o700);
    expect(r.code).not.toBe(0);
    expect(oneLine(r.stderr)).toMatch(/Data dir .* is not writable: permission denied/);
  });
});

describe('journal tools on the wrong path', () => {
  it('verify on a folder without a journal says so and exits non-zero', async () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const r = await runCli(['journal', 'verify', empty]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/No journal in .*empty: it holds no segment-\*\.cbj/);
    const json = await runCli(['journal', 'verify', empty, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/No journal/),
    });
  });

  it('verify on a file says it wants a directory; on a data dir points to its journal', async () => {
    const file = join(root, 'some-file');
    writeFileSync(file, '');
    const r = await runCli(['journal', 'verify', file]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/wants a journal directory .*not a file/);
    const data = join(root, 'datadir');
    mkdirSync(join(data, 'journal'), { recursive: true });
    const d = await runCli(['journal', 'verify', data]);
    expect(d.code).toBe(1);
    expect(oneLine(d.stderr)).toContain(`journal verify ${join(data, 'journal')}`);
  });

  it('dump into `head` exits quietly when head stops reading', async () => {
    const dir = join(root, 'big-journal');
    const lines = ['{"type":"instrument","symbol":"X","tickSize":"0.01","lotSize":"1"}'];
    for (let i = 0; i < 6000; i++) {
      lines.push(
        `{"type":"place","symbol":"X","orderId":"o-${i}","account":"A","side":"buy","kind":"limit","price":"${(100 + (i % 50) / 100).toFixed(2)}","qty":"10"}`,
      );
    }
    const made = await runCli(['replay', '--journal', dir, '--out', join(root, 'events.jsonl')], {
      input: lines.join('\n') + '\n',
    });
    expect(made.code, made.stderr).toBe(0);
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve) => {
        const sh = spawn(
          'bash',
          [
            '-c',
            `set -o pipefail; "${process.execPath}" "${BIN}" journal dump "${dir}" | head -n 1`,
          ],
          {
            cwd: ROOT,
          },
        );
        let stdout = '';
        let stderr = '';
        sh.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        sh.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        sh.on('close', (code) => resolve({ code, stdout, stderr }));
      },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ type: 'instrument', symbol: 'X' });
  });
});

describe('an instruments file', () => {
  it('with a bad field: one line naming the instrument, the field and an example', async () => {
    const file = join(root, 'instruments.json');
    writeFileSync(file, JSON.stringify([{ symbol: 'ACME', tickSize: 'a cent', lotSize: 1 }]));
    const r = await runCli([
      'serve',
      '--port',
      '0',
      '--data-dir',
      join(root, 'inst'),
      '--instruments',
      file,
    ]);
    expect(r.code).not.toBe(0);
    const line = oneLine(r.stderr);
    expect(line).toContain('instrument ACME');
    expect(line).toContain('tickSize');
    expect(line).toContain('"tickSize": "0.01"');
    expect(line).toContain('got "a cent"');
  });
});
