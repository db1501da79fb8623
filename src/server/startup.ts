/**
 * What can go wrong before the server listens, said in one line: the data dir, the port, the demo
 * keys file. `StartupError` carries a message meant for the operator (no stack trace needed).
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/** A start-up failure with a message for people; the CLI prints it alone and exits non-zero. */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly code: 'data_dir' | 'port' | 'config',
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

const WHY: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is a file, not a directory',
  ENOSPC: 'no space left on the device',
  EEXIST: 'it exists and is not a directory',
  ENOENT: 'a part of the path does not exist',
};

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return (code !== undefined && WHY[code]) || (err as Error).message;
}

/** True when `dir` does not exist yet or is an empty directory (a venue's first start). */
export function isFreshDataDir(dir: string): boolean {
  try {
    return !existsSync(dir) || (statSync(dir).isDirectory() && readdirSync(dir).length === 0);
  } catch {
    return false;
  }
}

/**
 * Makes sure `dir` is a writable directory (creating it if needed), or throws a StartupError
 * that names it and how to choose another.
 */
export function prepareDataDir(dir: string): void {
  const hint = 'choose another with --data-dir DIR or CROSSBOOK_DATA_DIR';
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new StartupError(`Data dir ${dir} is a file, not a directory: ${hint}`, 'data_dir');
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new StartupError(`Cannot create data dir ${dir}: ${reason(err)}; ${hint}`, 'data_dir');
  }
  const probe = join(dir, `.write-test-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (err) {
    throw new StartupError(`Data dir ${dir} is not writable: ${reason(err)}; ${hint}`, 'data_dir');
  }
}

/** The one-line message for a failed listen. */
export function listenError(err: unknown, host: string, port: number): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const change = `start on another port with --port N or CROSSBOOK_PORT=N (e.g. npm start -- --port 8093)`;
  if (code === 'EADDRINUSE') {
    return new StartupError(`Port ${port} on ${host} is already in use: ${change}`, 'port');
  }
  if (code === 'EACCES') {
    return new StartupError(
      `Not allowed to listen on port ${port} on ${host} (ports below 1024 need privileges): ${change}`,
      'port',
    );
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new StartupError(
      `Cannot listen on ${host}: no such local address; choose another with --host or CROSSBOOK_HOST`,
      'port',
    );
  }
  return err as Error;
}

/** Where the demo accounts' keys are kept (mode 0600) so that a failed first start loses none. */
export const DEMO_KEYS_FILE = 'demo-keys.json';

export interface StoredDemoKey {
  account: string;
  role: 'trader' | 'admin';
  keyId: string;
  secret: string;
}

export function demoKeysPath(dataDir: string): string {
  return join(dataDir, DEMO_KEYS_FILE);
}

/** Writes the demo keys atomically with mode 0600. */
export function saveDemoKeys(dataDir: string, keys: readonly StoredDemoKey[]): string {
  const path = demoKeysPath(dataDir);
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify({ keys }, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return path;
}

/** The demo keys saved on the first start; [] when there is no file (or it is unreadable). */
export function readDemoKeys(dataDir: string): StoredDemoKey[] {
  const path = demoKeysPath(dataDir);
  if (!existsSync(path)) return [];
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as { keys?: StoredDemoKey[] };
    return Array.isArray(raw.keys) ? raw.keys : [];
  } catch {
    return [];
  }
}
