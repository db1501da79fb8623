/**
 * The journal directory lock is atomic: two processes racing for it many times, half of the time
 * over a stale lock left by a "dead" owner, are never both inside.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Journal } from '../src/journal/index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'crossbook-lock-'));
  dirs.push(d);
  return d;
}

function racer(dir: string, rounds: number, deadPid: number): Promise<string> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join('test', 'helpers', 'lock-racer.ts'),
      dir,
      String(rounds),
      String(deadPid),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`racer exited ${code}: ${err}`)),
    ),
  );
}

/** The pid of a process that has exited. */
function deadPid(): number {
  return Number(
    execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    }),
  );
}

describe('journal directory lock', () => {
  it('is never held by two processes at once, across many races and stale takeovers', async () => {
    const dir = tmp();
    const dead = deadPid();
    const rounds = 800;
    const outs = await Promise.all([racer(dir, rounds, dead), racer(dir, rounds, dead)]);
    const results = outs.map((o) => JSON.parse(o) as { acquired: number; violations: number });
    expect(results.map((r) => r.acquired)).toEqual([rounds, rounds]);
    expect(results.map((r) => r.violations)).toEqual([0, 0]);
  }, 120_000);

  it('refuses a directory held by a live process and takes over one left by a dead process', () => {
    const dir = tmp();
    // A live owner: this test's parent process (not us, so no same-process takeover).
    writeFileSync(join(dir, 'LOCK'), `${process.ppid} - live\n`);
    expect(() => Journal.open({ dir })).toThrow(new RegExp(`in use by process ${process.ppid}`));
    writeFileSync(join(dir, 'LOCK'), `${deadPid()} - dead\n`);
    const j = Journal.open({ dir });
    expect(readFileSync(join(dir, 'LOCK'), 'utf8')).toMatch(new RegExp(`^${process.pid} `));
    return j.close();
  });
});
