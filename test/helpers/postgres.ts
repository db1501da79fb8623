/**
 * A throwaway PostgreSQL cluster for tests: initdb into a temp dir owned by the postgres user
 * (via runuser when we are root), pg_ctl on a free 127.0.0.1 port with the socket in that dir,
 * stopped and removed afterwards. Missing binaries skip loudly, or fail when
 * CROSSBOOK_REQUIRE_SYSTEM_DEPS=1.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/cluster/index.js';

export interface PgCluster {
  /** postgres:// URL of the `postgres` database. */
  url: string;
  /** A URL for a fresh, empty database with this name. */
  createDatabase(name: string): string;
  stop(): void;
}

function binDirs(): string[] {
  const versioned: string[] = [];
  try {
    for (const v of readdirSync('/usr/lib/postgresql').sort().reverse())
      versioned.push(join('/usr/lib/postgresql', v, 'bin'));
  } catch {
    // No Debian-style install; PATH may still have it.
  }
  return [...versioned, ...(process.env.PATH ?? '').split(':').filter(Boolean)];
}

function findBin(name: string): string | null {
  for (const d of binDirs()) if (existsSync(join(d, name))) return join(d, name);
  return null;
}

function skipOrFail(why: string): null {
  const msg = `PostgreSQL tests skipped: ${why}`;
  if (process.env.CROSSBOOK_REQUIRE_SYSTEM_DEPS === '1')
    throw new Error(`${msg} (CROSSBOOK_REQUIRE_SYSTEM_DEPS=1)`);
  console.warn(`\n*** ${msg} ***\n`);
  return null;
}

/** Starts a cluster, or returns null (after a loud warning) when PostgreSQL is not installed. */
export async function startPostgres(): Promise<PgCluster | null> {
  const initdb = findBin('initdb');
  const pgCtl = findBin('pg_ctl');
  const psql = findBin('psql');
  if (initdb === null || pgCtl === null || psql === null)
    return skipOrFail('initdb / pg_ctl / psql not found');
  const asRoot = process.getuid?.() === 0;
  let uid = -1;
  let gid = -1;
  if (asRoot) {
    try {
      uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    } catch {
      return skipOrFail('running as root and there is no postgres user to run initdb as');
    }
  }
  const run = (bin: string, args: string[]): string =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', bin, ...args], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        })
      : execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  const dir = mkdtempSync(join(tmpdir(), 'crossbook-pg-'));
  if (asRoot) chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  const port = await freePort();
  try {
    run(initdb, [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
      '--no-instructions',
    ]);
    run(pgCtl, [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '60',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
      'start',
    ]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const e = err as { stderr?: string; message: string };
    throw new Error(`Could not start PostgreSQL: ${e.stderr ?? e.message}`);
  }
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    createDatabase(name: string): string {
      run(psql, [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        'postgres',
        '-d',
        'postgres',
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        `CREATE DATABASE "${name}"`,
      ]);
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop(): void {
      if (stopped) return;
      stopped = true;
      try {
        run(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
