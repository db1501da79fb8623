/**
 * A production install: a copy of this built checkout whose node_modules loses every dev
 * dependency (`npm prune --omit=dev`, the state `npm ci --omit=dev` leaves), then
 * `./bin/crossbook serve` must start and answer /health, and `crossbook bench`, the one command
 * that needs dev dependencies, must say what to install instead of crashing.
 * node_modules is copied as hard links (fast); npm replaces files by rename, never in place, and
 * the lockfiles it may rewrite are real copies, so the checkout is never touched.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(join(tmpdir(), 'crossbook-prod-'));
const copy = join(tmp, 'crossbook');
let server: ChildProcess | undefined;

afterAll(() => {
  server?.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

function sh(cmd: string, args: string[], cwd = copy) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

beforeAll(() => {
  // The repository's own files (what a clone has), then the build and node_modules.
  const files = sh('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], root);
  expect(files.code).toBe(0);
  for (const f of files.out.split('\0').filter((x) => x && existsSync(join(root, x)))) {
    mkdirSync(dirname(join(copy, f)), { recursive: true });
    copyFileSync(join(root, f), join(copy, f));
  }
  for (const d of ['dist', 'ui/dist']) cpSync(join(root, d), join(copy, d), { recursive: true });
  const cp = sh('cp', ['-al', join(root, 'node_modules'), join(copy, 'node_modules')], root);
  expect(cp.out).toBe('');
  const hidden = join(copy, 'node_modules', '.package-lock.json');
  if (existsSync(hidden)) {
    rmSync(hidden);
    copyFileSync(join(root, 'node_modules', '.package-lock.json'), hidden);
  }
  const prune = sh('npm', ['prune', '--omit=dev', '--offline', '--no-audit', '--no-fund']);
  expect(prune.code, prune.out).toBe(0);
}, 180_000);

describe('production install (npm prune --omit=dev)', () => {
  it('has no dev dependency left', () => {
    for (const dev of ['nodejs-order-book', 'typescript', 'vite', 'vitest', 'fast-check']) {
      expect(existsSync(join(copy, 'node_modules', dev)), dev).toBe(false);
    }
    for (const prod of ['fastify', 'better-sqlite3', 'commander']) {
      expect(existsSync(join(copy, 'node_modules', prod)), prod).toBe(true);
    }
  });

  it('prepare keeps the existing build instead of failing without TypeScript and Vite', () => {
    const r = sh('npm', ['run', 'prepare']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('keeping the existing build in dist/');
  });

  it('./bin/crossbook serve starts and answers /health', async () => {
    const child = spawn(
      join(copy, 'bin', 'crossbook'),
      ['serve', '--port', '0', '--data-dir', join(tmp, 'data')],
      { cwd: copy, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    server = child;
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const url = await new Promise<string>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`serve did not start:\n${out}`)), 60_000);
      child.stdout!.on('data', () => {
        const m = /running at (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          ok(m[1]);
        }
      });
      void exited.then((code) => {
        clearTimeout(timer);
        fail(new Error(`serve exited with ${code}:\n${out}`));
      });
    });
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    server = undefined;
  }, 90_000);

  it('crossbook bench says what to install instead of crashing', () => {
    const r = sh(join(copy, 'bin', 'crossbook'), ['bench', '--quick']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('crossbook bench needs the benchmarks (bench/) and the development');
    expect(r.out).toContain('nodejs-order-book');
    expect(r.out).not.toMatch(/\n\s+at /); // no stack trace
  });
});
