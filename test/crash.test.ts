/**
 * kill -9 under load, restart, check. A child journals load with a store attached and prints acks
 * only once durable; the parent SIGKILLs it at random moments and, after each restart, checks:
 * every acknowledged command is in the journal at its seq (so in the recovered state), no trade
 * id twice, the recovered state hash equals a fresh replay of the journal, and the store matches
 * the journal. CROSSBOOK_SOAK=1 runs many more iterations.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Exchange, type Command } from '../src/core/index.js';
import { listSegments, scanJournal, verifyJournal } from '../src/journal/index.js';
import { openStore } from '../src/store/index.js';
import { startChild, type Ack } from './helpers/crash-harness.js';

const SOAK = process.env.CROSSBOOK_SOAK === '1';
const ITERATIONS = SOAK ? 250 : 20;
const POLICIES = ['batch', 'always', 'off'] as const;
const root = mkdtempSync(join(tmpdir(), 'crossbook-crash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * A from-scratch replay of the journal (never from a snapshot), advanced incrementally: the
 * journal is append-only below what a recovered child reports, so each check replays only the
 * records added since the last one (soak runs stay linear).
 */
class JournalMirror {
  private readonly ex = new Exchange();
  lastSeq = 0;
  records = 0;
  events = 0;
  /** `${symbol}#${tradeId}`: the core numbers trades per instrument. */
  readonly tradeIds = new Set<string>();
  duplicateTrades = 0;

  /** Replays the new records; returns them by seq for the ack check. */
  advance(dir: string): Map<number, Command> {
    const fresh = new Map<number, Command>();
    const scan = scanJournal({
      dir,
      afterSeq: this.lastSeq,
      onRecord: (r) => {
        if (r.kind !== 'command') throw new Error('unexpected outcome record');
        fresh.set(r.seq, r.command);
        this.records++;
        for (const e of this.ex.execute(r.command)) {
          this.events++;
          if (e.type !== 'trade') continue;
          const key = `${e.symbol}#${e.tradeId}`;
          if (this.tradeIds.has(key)) this.duplicateTrades++;
          this.tradeIds.add(key);
        }
      },
    });
    this.lastSeq = scan.lastSeq;
    return fresh;
  }

  stateHash(): string {
    return this.ex.stateHash();
  }
}

async function checkRecovered(opts: {
  dir: string;
  storePath: string;
  ready: Record<string, number | string>;
  /** Acks of the child killed last: all after the previous check's last seq. */
  acked: Ack[];
  mirror: JournalMirror;
}): Promise<number> {
  const { dir, storePath, ready, acked, mirror } = opts;
  const fresh = mirror.advance(dir);
  // Every acknowledged command is in the journal at its seq, hence in the recovered state.
  for (const a of acked) {
    const c = fresh.get(a.seq);
    expect(c, `acked seq ${a.seq} missing from the journal`).toBeDefined();
    expect(c!.type).toBe(a.type);
    if (a.orderId !== '-') expect((c as { orderId?: string }).orderId).toBe(a.orderId);
  }
  expect(ready.lastSeq).toBe(mirror.lastSeq);
  // Recovered state (snapshot + tail) == a fresh replay of the whole journal.
  expect(ready.stateHash).toBe(mirror.stateHash());
  expect(verifyJournal({ dir }).stateHash).toBe(mirror.stateHash());
  // No trade id twice.
  expect(mirror.duplicateTrades).toBe(0);
  // The store caught up with the journal: every command and event, each trade once.
  const store = await openStore({ url: storePath });
  try {
    expect(ready.storeSeq).toBe(mirror.lastSeq);
    expect(await store.lastJournalSeq(0)).toBe(mirror.lastSeq);
    const cmds = await store.sql.all<{ n: number }>(
      "SELECT COUNT(*) AS n FROM audit WHERE kind = 'command'",
    );
    expect(Number(cmds[0].n)).toBe(mirror.records);
    expect(await store.auditCount()).toBe(mirror.records + mirror.events);
    const trades = await store.sql.all<{ n: number }>('SELECT COUNT(*) AS n FROM trades');
    expect(Number(trades[0].n)).toBe(mirror.tradeIds.size);
  } finally {
    await store.close();
  }
  return mirror.lastSeq;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('crash recovery under kill -9', () => {
  it(
    `loses nothing acknowledged over ${ITERATIONS} random kills`,
    { timeout: SOAK ? 3_600_000 : 110_000 },
    async () => {
      const dir = join(root, 'journal');
      const storePath = join(root, 'store.db');
      const seed0 = Math.floor(Math.random() * 1e6);
      const mirror = new JournalMirror();
      let acked: Ack[] = [];
      let totalAcks = 0;
      let kills = 0;
      let maxSeq = 0;
      const seen = { tornTails: 0, storeCatchUps: 0, fromSnapshot: 0 };
      for (let i = 0; i <= ITERATIONS; i++) {
        const fsync = POLICIES[i % POLICIES.length];
        const child = startChild({
          dir,
          store: storePath,
          seed: seed0 + i,
          fsync,
          snapshotEvery: 700,
          segmentBytes: 64 * 1024,
        });
        const ready = await child.ready;
        if (Number(ready.truncatedBytes) > 0) seen.tornTails++;
        if (Number(ready.sinkCaughtUp) > 0) seen.storeCatchUps++;
        if (Number(ready.snapshotSeq) > 0) seen.fromSnapshot++;
        try {
          maxSeq = await checkRecovered({ dir, storePath, ready, acked, mirror });
        } catch (err) {
          child.kill();
          throw new Error(
            `iteration ${i} (seed ${seed0}, fsync ${fsync}): ${(err as Error).message} ` +
              `ready ${JSON.stringify(ready)} mirror ${mirror.lastSeq}/${mirror.records} ` +
              `segments ${JSON.stringify(scanJournal({ dir }).segments)}`,
          );
        }
        child.go();
        if (i === ITERATIONS) {
          await sleep(100);
          child.stop();
          const end = await child.exited;
          expect(end.code, child.stderr()).toBe(0);
          acked = child.acks;
          totalAcks += acked.length;
          break;
        }
        await sleep(Math.random() < 0.2 ? Math.random() * 10 : 20 + Math.random() * 300);
        child.kill();
        const end = await child.exited;
        expect(end.signal).toBe('SIGKILL');
        kills++;
        if (Math.random() < 0.3) {
          // A kill cannot tear a write(); a power cut can. Simulate a half-written record.
          const last = listSegments(dir).at(-1)!.path;
          appendFileSync(last, randomBytes(1 + Math.floor(Math.random() * 200)));
        }
        acked = child.acks;
        totalAcks += acked.length;
      }
      expect(kills).toBe(ITERATIONS);
      // A clean stop leaves a snapshot covering everything, every ack of the last run journaled.
      const fresh = mirror.advance(dir);
      for (const a of acked) expect(fresh.get(a.seq)?.type).toBe(a.type);
      expect(mirror.lastSeq).toBeGreaterThanOrEqual(maxSeq);
      const v = verifyJournal({ dir });
      expect(v.snapshotSeq).toBe(mirror.lastSeq);
      expect(v.stateHash).toBe(mirror.stateHash());
      expect(mirror.duplicateTrades).toBe(0);
      console.log(
        `crash test: ${kills} kills, ${totalAcks} acks, ${mirror.lastSeq} records in ` +
          `${listSegments(dir).length} segments, restarts with`,
        seen,
      );
      expect(totalAcks).toBeGreaterThan(ITERATIONS);
    },
  );
});

describe('journal CLI on damaged journals', () => {
  const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
  const run = (args: string[]): { code: number; stdout: string } => {
    try {
      return {
        code: 0,
        stdout: execFileSync(process.execPath, ['--import', 'tsx', cli, ...args], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      };
    } catch (err) {
      const e = err as { status: number; stdout: string };
      return { code: e.status, stdout: e.stdout };
    }
  };

  it('verify --json reports records, lastSeq and stateHash; a flipped bit fails with file and offset', () => {
    const dir = join(root, 'journal');
    const good = run(['journal', 'verify', dir, '--json']);
    expect(good.code).toBe(0);
    const g = JSON.parse(good.stdout) as Record<string, unknown>;
    const m = new JournalMirror();
    m.advance(dir);
    expect(g).toMatchObject({ ok: true, stateHash: m.stateHash() });
    expect(typeof g.records).toBe('number');

    const seg = listSegments(dir)[0].path;
    const buf = readFileSync(seg);
    buf[100] ^= 0x04;
    writeFileSync(seg, buf);
    const bad = run(['journal', 'verify', dir, '--json']);
    expect(bad.code).toBe(1);
    const b = JSON.parse(bad.stdout) as Record<string, unknown>;
    expect(b.ok).toBe(false);
    expect(b.file).toBe(seg);
    expect(typeof b.offset).toBe('number');
    expect(b.offset as number).toBeLessThanOrEqual(100);
    expect(String(b.error)).toContain('byte offset');
  });

  it('verify of a directory that holds no journal says so and fails', () => {
    const dir = join(root, 'empty');
    execFileSync('mkdir', ['-p', dir]);
    const r = run(['journal', 'verify', dir, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/No journal in/),
    });
  });
});
