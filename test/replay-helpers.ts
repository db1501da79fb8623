/** Runs the real `crossbook` binary as a child process (needs `npx tsc -p tsconfig.json` first). */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = join(ROOT, 'bin', 'crossbook');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'replay');

export function assertBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npx tsc -p tsconfig.json` before these tests');
  }
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string | Readable;
  env?: Record<string, string>;
}

/** Spawns `node bin/crossbook ...args`, feeds stdin, and collects the output. */
export function runCli(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {}); // the child may exit before reading everything
    if (opts.input === undefined) child.stdin.end();
    else if (typeof opts.input === 'string') child.stdin.end(opts.input);
    else opts.input.pipe(child.stdin);
  });
}

/** Parses JSON Lines output; every line must be JSON. */
export function parseLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Runs `crossbook ...args` synchronously; a failure throws with the command's stderr. */
export function runCliSync(args: string[], input?: string): string {
  try {
    return execFileSync(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      input,
      maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, CROSSBOOK_LOG_LEVEL: 'error' },
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`crossbook ${args.join(' ')} failed: ${e.stderr ?? ''} ${e.message}`);
  }
}

/**
 * Runs `crossbook ...args` and SIGKILLs it `ms` after its first output, so a slow start on a
 * loaded machine still kills it mid-run; resolves with the JSON lines it printed before dying.
 */
export function runCliKilled(args: string[], ms: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CROSSBOOK_LOG_LEVEL: 'error' },
    });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      timer ??= setTimeout(() => child.kill('SIGKILL'), ms);
    });
    child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === null && code !== 0) reject(new Error(`crossbook exited ${code}: ${err}`));
      else resolve(out.split('\n').filter((l) => l.startsWith('{')));
    });
  });
}
