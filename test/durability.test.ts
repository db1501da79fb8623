/**
 * The journal's refusal rules and fail-stop (issue 13, items 2, 3 and 8): only a torn final write
 * is repaired automatically; anything else refuses to start naming file, offset and the repair
 * command; a failed journal write stops the engine with nothing unjournaled acknowledged; a
 * missing master.key with stored keys refuses to start.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Exchange, isStateChanging, type Command, type EngineEvent } from '../src/core/index.js';
import {
  compactJournal,
  JournalCorruptionError,
  listSegments,
  listSnapshots,
  openDurableExchange,
  repairJournal,
  scanJournal,
  type DurableSink,
  type JournalLogger,
} from '../src/journal/index.js';
import { durableSingle } from '../src/server/engine-factory.js';
import { startTestServer } from '../src/server/harness.js';
import { openStore } from '../src/store/index.js';
import { commands } from './helpers/crash-workload.js';

const quiet: JournalLogger = { warn: () => undefined, info: () => undefined };
const dirs: string[] = [];
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) spawnSync('umount', ['-l', m]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'crossbook-durable-'));
  dirs.push(d);
  return d;
}
function freshHash(cmds: readonly Command[]): string {
  const ex = new Exchange();
  for (const c of cmds) ex.execute(c);
  return ex.stateHash();
}
async function journalAll(dir: string, cmds: readonly Command[], snapshotEvery = 0): Promise<void> {
  const d = await openDurableExchange({ dir, fsync: 'off', logger: quiet, snapshotEvery });
  for (const c of cmds) d.execute(c);
  await d.settle();
  await d.journal.close();
}
const open = (dir: string, sink?: DurableSink) =>
  openDurableExchange({ dir, fsync: 'off', logger: quiet, sink, snapshotEvery: 0 });

/** Asserts the refusal names the file, the offset and the repair command. */
async function refuses(
  p: Promise<unknown>,
  file: RegExp | string,
): Promise<JournalCorruptionError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(JournalCorruptionError);
  const e = err as JournalCorruptionError;
  if (typeof file === 'string') expect(e.file).toBe(file);
  else expect(e.file).toMatch(file);
  expect(e.message).toContain(`${e.file} at byte offset ${e.offset}`);
  expect(e.message).toMatch(/crossbook journal repair .* --accept-loss|move the store aside/);
  return e;
}

describe('what the journal refuses to paper over', () => {
  it('refuses a complete final record with a bad CRC; repair --accept-loss drops it into a file', async () => {
    const dir = tmp();
    const cmds = commands(41, 200);
    await journalAll(dir, cmds);
    const seg = listSegments(dir).at(-1)!.path;
    const buf = readFileSync(seg);
    // Flip one payload byte of the last record: it stays complete, its CRC no longer matches.
    const lastOffset = (() => {
      let off = 24;
      let last = off;
      while (off < buf.length) {
        last = off;
        off += 8 + buf.readUInt32LE(off);
      }
      return last;
    })();
    buf[buf.length - 1] ^= 0x40;
    writeFileSync(seg, buf);
    const e = await refuses(open(dir), seg);
    expect(e.offset).toBe(lastOffset);
    // Nothing was modified by the refusal.
    expect(readFileSync(seg)).toEqual(buf);
    expect(() => repairJournal({ dir, acceptLoss: false })).toThrow(/--accept-loss/);
    const r = repairJournal({ dir, acceptLoss: true });
    expect(r.lastSeq).toBe(cmds.length - 1);
    expect(r.dropped).toEqual([
      expect.objectContaining({ file: seg, offset: lastOffset, bytes: buf.length - lastOffset }),
    ]);
    const saved = readFileSync(join(r.droppedTo!, `${seg.split('/').pop()}.from-${lastOffset}`));
    expect(saved).toEqual(buf.subarray(lastOffset));
    expect(
      JSON.parse(readFileSync(join(r.droppedTo!, 'report.json'), 'utf8')).dropped,
    ).toHaveLength(1);
    const d = await open(dir);
    expect(d.recovered.stateHash).toBe(freshHash(cmds.slice(0, -1)));
    await d.close();
  });

  it('still truncates a torn final write (a record cut short) by itself', async () => {
    const dir = tmp();
    const cmds = commands(42, 100);
    await journalAll(dir, cmds);
    const seg = listSegments(dir).at(-1)!.path;
    writeFileSync(seg, readFileSync(seg).subarray(0, statSync(seg).size - 5));
    const d = await open(dir);
    expect(d.recovered.lastSeq).toBe(cmds.length - 1);
    await d.close();
  });

  it('refuses a store that is ahead of the journal (a tail cut at a record boundary)', async () => {
    const dir = tmp();
    const store = await openStore({ url: join(dir, 'store.db') });
    const cmds = commands(43, 150);
    const d1 = await open(join(dir, 'j'), store);
    for (const c of cmds) d1.execute(c);
    await d1.close();
    expect(await store.lastJournalSeq(0)).toBe(cmds.length);
    // Cut the journal after record 100, exactly at a record boundary: it looks clean by itself.
    const seg = listSegments(join(dir, 'j'))[0].path;
    for (const s of listSnapshots(join(dir, 'j'))) unlinkSync(s.path);
    const buf = readFileSync(seg);
    let off = 24;
    for (let i = 0; i < 100; i++) off += 8 + buf.readUInt32LE(off);
    writeFileSync(seg, buf.subarray(0, off));
    const e = await refuses(open(join(dir, 'j'), store), seg);
    expect(e.message).toMatch(/store .* up to seq 150, but the journal ends at seq 100/);
    await store.close();
  });

  it('refuses a compacted journal whose snapshot is damaged, instead of starting empty at seq 1', async () => {
    const dir = tmp();
    await journalAll(dir, commands(44, 300));
    await compactJournal({ dir, logger: quiet });
    const snap = listSnapshots(dir).at(-1)!.path;
    const buf = readFileSync(snap);
    buf[buf.length - 3] ^= 1;
    writeFileSync(snap, buf);
    await refuses(open(dir), snap);
    // Knowingly accepting the loss sets the snapshot aside and starts over, saying so.
    const r = repairJournal({ dir, acceptLoss: true });
    expect(r.dropped.map((x) => x.file)).toEqual([snap]);
    expect(existsSync(snap)).toBe(false);
  });

  it('refuses a journal that ends before its snapshot', async () => {
    const dir = tmp();
    const cmds = commands(45, 300);
    await journalAll(dir, cmds, 250);
    expect(listSnapshots(dir).map((s) => s.seq)).toContain(250);
    const seg = listSegments(dir)[0].path;
    const buf = readFileSync(seg);
    let off = 24;
    for (let i = 0; i < 200; i++) off += 8 + buf.readUInt32LE(off);
    writeFileSync(seg, buf.subarray(0, off));
    for (const s of listSnapshots(dir)) if (s.seq > 250) unlinkSync(s.path);
    const e = await refuses(open(dir), seg);
    expect(e.message).toMatch(/ends at seq 200, before its snapshot at seq 250/);
  });
});

describe('fail-stop: execute only what is journaled', () => {
  async function engineWithFault(dir: string, failFrom: number) {
    const dx = await openDurableExchange({
      dir,
      fsync: 'batch',
      logger: quiet,
      snapshotEvery: 0,
      beforeWrite: (_first, last) => {
        if (last >= failFrom) throw new Error('injected EIO');
      },
    });
    return { dx, engine: durableSingle(dx, () => 0) };
  }

  it('stops on an injected write failure, acknowledges nothing after it, recovers the durable prefix', async () => {
    const dir = tmp();
    const cmds = commands(46, 400).filter(isStateChanging);
    const K = 120;
    const { engine } = await engineWithFault(dir, K);
    const seen: EngineEvent[] = [];
    engine.onEvents((evs) => seen.push(...evs));
    // One at a time up to K - 1: each its own batch, all durable and acknowledged.
    for (const c of cmds.slice(0, K - 1)) await engine.submit(c);
    const released = seen.length;
    const rest = await Promise.allSettled(cmds.slice(K - 1, K + 50).map((c) => engine.submit(c)));
    expect(rest.every((r) => r.status === 'rejected')).toBe(true);
    for (const r of rest) expect((r as PromiseRejectedResult).reason.code).toBe('unavailable');
    expect(seen.length).toBe(released);
    expect(engine.status?.()).toMatchObject({ state: 'unavailable', reason: /injected EIO/ });
    await expect(engine.submit(cmds[K + 60])).rejects.toMatchObject({ code: 'unavailable' });
    await engine.close();
    const d = await open(dir);
    expect(d.recovered.lastSeq).toBe(K - 1);
    expect(d.recovered.stateHash).toBe(freshHash(cmds.slice(0, K - 1)));
    await d.close();
  });

  it('stops on a full disk (a small tmpfs) and recovers exactly the durable prefix', async (ctx) => {
    const mnt = tmp();
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=192k', 'tmpfs', mnt]);
    if (m.status !== 0) {
      const msg = `full-disk test skipped: cannot mount a tmpfs (${m.stderr.toString().trim()})`;
      if (process.env.CROSSBOOK_REQUIRE_SYSTEM_DEPS === '1') throw new Error(msg);
      console.warn(`\n*** ${msg} ***\n`);
      ctx.skip();
      return;
    }
    mounts.push(mnt);
    const dir = join(mnt, 'journal');
    mkdirSync(dir);
    const cmds = commands(47, 20_000).filter(isStateChanging);
    const dx = await openDurableExchange({ dir, fsync: 'batch', logger: quiet, snapshotEvery: 0 });
    const engine = durableSingle(dx, () => 0);
    const acked: number[] = [];
    let failed = 0;
    for (let i = 0; i < cmds.length && failed === 0; i += 50) {
      const batch = cmds.slice(i, i + 50);
      const rs = await Promise.allSettled(batch.map((c) => engine.submit(c)));
      rs.forEach((r, j) => {
        if (r.status === 'fulfilled') acked.push(i + j + 1);
        else {
          expect(r.reason.code).toBe('unavailable');
          failed++;
        }
      });
    }
    expect(failed).toBeGreaterThan(0);
    expect(engine.status?.().reason).toMatch(/ENOSPC|no space/i);
    await engine.close();
    // Restart from a copy on a disk with room.
    const copy = join(tmp(), 'journal');
    cpSync(dir, copy, { recursive: true });
    execFileSync('umount', [mnt]);
    mounts.pop();
    const d = await open(copy);
    const n = d.recovered.lastSeq;
    // Every acknowledged command is recovered, and the state is exactly the prefix on disk.
    expect(n).toBeGreaterThanOrEqual(acked.length);
    expect(acked.every((seq, i) => seq === i + 1)).toBe(true);
    expect(d.recovered.stateHash).toBe(freshHash(cmds.slice(0, n)));
    await d.close();
    expect(scanJournal({ dir: copy }).torn).toBeNull();
  }, 60_000);
});

describe('master.key', () => {
  it('refuses to start when it is missing but the store holds API keys', async () => {
    const dir = tmp();
    const first = await startTestServer({ dataDir: dir });
    expect(Object.keys(first.keys).length).toBeGreaterThan(0);
    await first.close();
    const key = join(dir, 'master.key');
    const saved = readFileSync(key);
    unlinkSync(key);
    await expect(startTestServer({ dataDir: dir })).rejects.toThrow(
      /master\.key is missing, but the store holds 3 API key\(s\).*Restore master\.key/,
    );
    expect(existsSync(key)).toBe(false);
    await expect(openStore({ url: join(dir, 'crossbook.db') })).rejects.toThrow(
      /master\.key is missing/,
    );
    writeFileSync(key, saved);
    const again = await startTestServer({ dataDir: dir });
    await again.close();
    expect(readdirSync(dir)).toContain('master.key');
  });
});
