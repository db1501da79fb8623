/**
 * A FIX 4.4 client this project did not write: QuickFIX (C++), built by the test from
 * test/fixtures/quickfix/client.cpp with g++ into .crossbook-tmp/quickfix (ignored), and driven
 * over stdin / stdout (see the header of client.cpp). A missing g++ or libquickfix-dev skips
 * loudly, or fails when CROSSBOOK_REQUIRE_SYSTEM_DEPS=1.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SOURCE = join(ROOT, 'test', 'fixtures', 'quickfix', 'client.cpp');
/** The QuickFIX-format FIX 4.4 dictionary the server uses too; the client validates with it. */
export const DICTIONARY = join(ROOT, 'node_modules', 'jspurefix', 'data', 'FIX44.xml');

function skipOrFail(why: string): null {
  const msg = `QuickFIX tests skipped: ${why}`;
  if (process.env.CROSSBOOK_REQUIRE_SYSTEM_DEPS === '1')
    throw new Error(`${msg} (CROSSBOOK_REQUIRE_SYSTEM_DEPS=1)`);
  console.warn(`\n*** ${msg} ***\n`);
  return null;
}

function which(bin: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Compiles the client once per source version; null (after a loud warning) when it cannot. */
export function buildQuickfixClient(): string | null {
  if (!which('g++')) return skipOrFail('g++ not found');
  if (!existsSync('/usr/include/quickfix/Application.h'))
    return skipOrFail('libquickfix-dev not installed (/usr/include/quickfix missing)');
  const src = readFileSync(SOURCE);
  const hash = createHash('sha256').update(src).digest('hex').slice(0, 12);
  const dir = join(ROOT, '.crossbook-tmp', 'quickfix');
  const bin = join(dir, `client-${hash}`);
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  try {
    // QuickFIX 1.15 headers use dynamic exception specifications: C++14 at the latest.
    execFileSync(
      'g++',
      [
        '-O1',
        '-std=c++14',
        '-w',
        '-o',
        `${bin}.tmp`,
        SOURCE,
        '-lquickfix',
        '-lpthread',
        '-lcrypto',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    execFileSync('mv', [`${bin}.tmp`, bin]);
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? String(err);
    return skipOrFail(`the QuickFIX client does not compile or link:\n${stderr.slice(0, 2000)}`);
  }
  return bin;
}

export { freePort } from '../../src/cluster/index.js';

/** One FIX message as tag -> value (first occurrence) plus every field in order. */
export interface FixMsg {
  kind: string;
  raw: string;
  fields: [number, string][];
  get(tag: number): string | undefined;
  all(tag: number): string[];
}

export function parseFix(kind: string, raw: string): FixMsg {
  const fields: [number, string][] = [];
  for (const part of raw.split('|')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    fields.push([Number(part.slice(0, eq)), part.slice(eq + 1)]);
  }
  return {
    kind,
    raw,
    fields,
    get: (tag) => fields.find((f) => f[0] === tag)?.[1],
    all: (tag) => fields.filter((f) => f[0] === tag).map((f) => f[1]),
  };
}

export interface QfOptions {
  bin: string;
  /** Folder for the settings file and QuickFIX's own store (reuse it to continue a session). */
  dir: string;
  port: number;
  senderCompId: string;
  keyId: string;
  secret: string;
  env?: NodeJS.ProcessEnv;
}

/** A running QuickFIX initiator. */
export class QfClient {
  readonly lines: string[] = [];
  readonly messages: FixMsg[] = [];
  private readonly child: ChildProcess;
  private waiters: (() => void)[] = [];
  readonly exited: Promise<number | null>;

  constructor(o: QfOptions) {
    mkdirSync(join(o.dir, 'store'), { recursive: true });
    const cfg = join(o.dir, 'client.cfg');
    writeFileSync(
      cfg,
      [
        '[DEFAULT]',
        'ConnectionType=initiator',
        'HeartBtInt=30',
        'ReconnectInterval=1',
        `FileStorePath=${join(o.dir, 'store')}`,
        'StartTime=00:00:00',
        'EndTime=00:00:00',
        'UseDataDictionary=Y',
        `DataDictionary=${DICTIONARY}`,
        'ResetOnLogon=N',
        'ResetOnLogout=N',
        'ResetOnDisconnect=N',
        '[SESSION]',
        'BeginString=FIX.4.4',
        `SenderCompID=${o.senderCompId}`,
        'TargetCompID=CROSSBOOK',
        'SocketConnectHost=127.0.0.1',
        `SocketConnectPort=${o.port}`,
        '',
      ].join('\n'),
    );
    this.child = spawn(o.bin, [cfg, o.keyId, o.secret], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...o.env },
    });
    this.exited = new Promise((r) => this.child.once('exit', (code) => r(code)));
    let buf = '';
    this.child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        this.lines.push(line);
        const sp = line.indexOf(' ');
        const kind = sp < 0 ? line : line.slice(0, sp);
        if (kind === 'IN' || kind === 'OUT' || kind === 'WIRE<' || kind === 'WIRE>') {
          this.messages.push(parseFix(kind, line.slice(sp + 1)));
        }
      }
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    });
    this.child.stderr!.on('data', (d: Buffer) => this.lines.push(`STDERR ${d.toString()}`));
  }

  send(spec: string): void {
    this.child.stdin!.write(`send ${spec}\n`);
  }

  logout(): void {
    this.child.stdin!.write('logout\n');
  }

  async quit(): Promise<void> {
    if (this.child.exitCode === null) this.child.stdin!.end('quit\n');
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 5000))]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }

  /** Messages of one kind ('IN' by default) that match, from index `from` on. */
  received(pred: (m: FixMsg) => boolean, kind = 'IN'): FixMsg[] {
    return this.messages.filter((m) => m.kind === kind && pred(m));
  }

  /** Waits until `pred` holds for the output so far. */
  async until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = probe();
      if (v !== undefined && v !== false) return v;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `timed out waiting for ${what}; output:\n${this.lines.slice(-40).join('\n')}`,
        );
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Waits for the next IN message (after those already seen) that matches. */
  async next(what: string, pred: (m: FixMsg) => boolean, kind = 'IN'): Promise<FixMsg> {
    return this.until(what, () => this.messages.find((m) => m.kind === kind && pred(m)));
  }
}
