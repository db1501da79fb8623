import {
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  appendFileSync,
  readdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Exchange, type Command } from '../src/core/index.js';
import {
  ByteWriter,
  compactJournal,
  crc32c,
  decodeCommand,
  dumpJournal,
  encodeCommand,
  Journal,
  JournalCorruptionError,
  listSegments,
  openDurableExchange,
  scanJournal,
  verifyJournal,
  type JournalLogger,
} from '../src/journal/index.js';
import { commands } from './helpers/crash-workload.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'crossbook-journal-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function quietLogger(): JournalLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (_o, msg) => warnings.push(msg), info: () => undefined };
}

function freshHash(cmds: readonly Command[]): string {
  const ex = new Exchange();
  for (const c of cmds) ex.execute(c);
  return ex.stateHash();
}

async function journalAll(
  dir: string,
  cmds: readonly Command[],
  opts: { segmentBytes?: number; snapshotEvery?: number } = {},
): Promise<string> {
  const d = await openDurableExchange({ dir, fsync: 'off', logger: quietLogger(), ...opts });
  for (const c of cmds) d.execute(c);
  await d.settle();
  const hash = d.exchange.stateHash();
  await d.journal.close();
  return hash;
}

describe('crc32c', () => {
  it('matches the CRC32C check value and chains', () => {
    const b = new TextEncoder().encode('123456789');
    expect(crc32c(b)).toBe(0xe3069283);
    expect(crc32c(b, 4, 9, crc32c(b, 0, 4))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    const big = new Uint8Array(1000).map((_, i) => (i * 31) & 0xff);
    expect(crc32c(big, 0, 1000)).toBe(crc32c(big, 500, 1000, crc32c(big, 0, 500)));
  });
});

describe('command codec', () => {
  const samples: Command[] = [
    {
      type: 'instrument',
      instrument: {
        symbol: 'X',
        tickSize: '0.01',
        lotSize: '1',
        bandPct: '10',
        referencePrice: 100,
        stp: 'cancelBoth',
        phase: 'preopen',
        haltPauseNs: 5,
      },
      ts: 7,
    },
    { type: 'instrument', instrument: { symbol: 'Y', tickSize: '1', lotSize: '0.001' } },
    {
      type: 'place',
      symbol: 'X',
      orderId: 'A-1',
      account: 'A',
      side: 'buy',
      kind: 'limit',
      price: 42050,
      qty: 1000,
      tif: 'GTD',
      postOnly: true,
      displayQty: 10,
      expireAt: 1.7e18,
      stp: 'decrement',
      ts: 1_700_000_000_123_456_768,
    },
    {
      type: 'place',
      symbol: 'X',
      orderId: 'ünï-ç',
      account: 'Ä',
      side: 'sell',
      kind: 'stopLimit',
      price: 1,
      stopPrice: 2,
      qty: 3,
    },
    { type: 'cancel', symbol: 'X', orderId: 'A-1', account: 'A', ts: 9 },
    { type: 'replace', symbol: 'X', orderId: 'A-1', account: 'A', price: 5, qty: 6, stopPrice: 7 },
    { type: 'replace', symbol: 'X', orderId: 'A-1', account: 'A', qty: 6 },
    { type: 'massCancel', account: 'A' },
    { type: 'massCancel', account: 'A', symbol: 'X', ts: 3 },
    { type: 'phase', symbol: 'X', phase: 'halted' },
    { type: 'clock', ts: 123456789 },
    // A field the binary layout does not know travels as JSON, never dropped.
    {
      type: 'cancel',
      symbol: 'X',
      orderId: 'A-1',
      account: 'A',
      note: 'future field',
    } as unknown as Command,
  ];
  it('round-trips every command type exactly', () => {
    for (const cmd of samples) {
      const w = new ByteWriter(8);
      encodeCommand(cmd, w);
      const back = decodeCommand(w.toBytes(), cmd.ts);
      expect(back).toEqual(cmd);
    }
  });
  it('refuses to journal a snapshot command', () => {
    expect(() => encodeCommand({ type: 'snapshot', symbol: 'X' }, new ByteWriter())).toThrow(
      /not journaled/,
    );
  });
});

describe('journal files', () => {
  it('writes, rotates segments and reads back every record in order under each fsync policy', async () => {
    for (const fsync of ['off', 'batch', 'always'] as const) {
      const dir = tmp();
      const cmds = commands(11, fsync === 'always' ? 200 : 3000);
      const j = Journal.open({ dir, fsync, segmentBytes: 16 * 1024, logger: quietLogger() });
      const acks = cmds.map((c) => j.append(c));
      await Promise.all(acks);
      expect(j.durableSeq).toBe(cmds.length);
      await j.close();
      const got: Command[] = [];
      const scan = scanJournal({
        dir,
        onRecord: (r) => r.kind === 'command' && got.push(r.command),
      });
      expect(got).toEqual(cmds);
      expect(scan.lastSeq).toBe(cmds.length);
      if (fsync !== 'always') expect(listSegments(dir).length).toBeGreaterThan(1);
    }
  });

  it('rotates correctly while later batches are already queued behind the one being written', async () => {
    for (const fsync of ['off', 'batch'] as const) {
      const dir = tmp();
      const cmds = commands(13, 4000);
      const j = Journal.open({ dir, fsync, segmentBytes: 4096, logger: quietLogger() });
      const acks: Promise<void>[] = [];
      for (let i = 0; i < cmds.length; i++) {
        acks.push(j.append(cmds[i]));
        // Yield now and then so flushes interleave with new appends.
        if (i % 10 === 0) await new Promise((r) => setImmediate(r));
      }
      await Promise.all(acks);
      await j.close();
      expect(listSegments(dir).length).toBeGreaterThanOrEqual(2);
      const got: Command[] = [];
      const scan = scanJournal({
        dir,
        onRecord: (r) => r.kind === 'command' && got.push(r.command),
      });
      expect(scan.lastSeq).toBe(cmds.length);
      expect(got).toEqual(cmds);
      const d = await openDurableExchange({ dir, logger: quietLogger() });
      expect(d.recovered.stateHash).toBe(freshHash(cmds));
      await d.journal.close();
    }
  });

  it('continues numbering after reopen and keeps opaque outcome records', async () => {
    const dir = tmp();
    let j = Journal.open({ dir, logger: quietLogger() });
    await j.append({ type: 'clock', ts: 1 });
    await j.appendOutcome('{"fills":[1,2]}', 5);
    await j.close();
    j = Journal.open({ dir, logger: quietLogger() });
    expect(j.nextSequence).toBe(3);
    await j.append({ type: 'clock', ts: 2 });
    await j.close();
    const recs: unknown[] = [];
    scanJournal({
      dir,
      onRecord: (r) =>
        recs.push(r.kind === 'outcome' ? new TextDecoder().decode(r.payload) : r.command),
    });
    expect(recs).toEqual([{ type: 'clock', ts: 1 }, '{"fills":[1,2]}', { type: 'clock', ts: 2 }]);
  });

  it('refuses a directory locked by a live process and takes over a dead one', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'LOCK'), `${process.ppid}\n`);
    expect(() => Journal.open({ dir, logger: quietLogger() })).toThrow(/in use by process/);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(join(dir, 'LOCK'), `${dead}\n`);
    const j = Journal.open({ dir, logger: quietLogger() });
    expect(readFileSync(join(dir, 'LOCK'), 'utf8').split(' ')[0]).toBe(String(process.pid));
    await j.close();
    expect(readdirSync(dir)).not.toContain('LOCK');
  });

  it('drops a torn, record-less segment left by a crash during rotation', async () => {
    const dir = tmp();
    const cmds = commands(12, 50);
    await journalAll(dir, cmds);
    // A crash right after creating the next segment file: zero bytes, or half a header.
    for (const bytes of [Buffer.alloc(0), Buffer.from('CBJ1\x01')]) {
      writeFileSync(join(dir, 'segment-0000000000000051.cbj'), bytes);
      const log = quietLogger();
      const d = await openDurableExchange({ dir, logger: log });
      expect(log.warnings.join()).toMatch(/torn empty segment/);
      expect(d.recovered.lastSeq).toBe(50);
      expect(d.recovered.stateHash).toBe(freshHash(cmds));
      await d.journal.close();
    }
  });

  it('opens an empty journal directory as empty', async () => {
    const dir = tmp();
    const d = await openDurableExchange({ dir, logger: quietLogger() });
    expect(d.recovered.records).toBe(0);
    expect(d.recovered.lastSeq).toBe(0);
    expect(d.recovered.stateHash).toBe(new Exchange().stateHash());
    await d.close();
    expect(verifyJournal({ dir }).records).toBe(0);
  });
});

describe('recovery', () => {
  it('recovers the same state hash as an engine that never stopped, with and without snapshots', async () => {
    const cmds = commands(21, 4000);
    const expected = freshHash(cmds);
    for (const snapshotEvery of [0, 700]) {
      const dir = tmp();
      expect(await journalAll(dir, cmds, { snapshotEvery, segmentBytes: 32 * 1024 })).toBe(
        expected,
      );
      const d = await openDurableExchange({ dir, logger: quietLogger() });
      expect(d.recovered.stateHash).toBe(expected);
      expect(d.recovered.lastSeq).toBe(cmds.length);
      if (snapshotEvery > 0) expect(d.recovered.snapshotSeq).toBeGreaterThan(0);
      // Behaves identically from then on.
      const more = commands(22, 500, 'p').slice(3);
      const ref = new Exchange();
      for (const c of cmds) ref.execute(c);
      for (const c of more) expect(d.execute(c).events).toEqual(ref.execute(c));
      await d.close();
      expect(verifyJournal({ dir }).stateHash).toBe(ref.stateHash());
    }
  });

  it('truncates a torn tail record with a warning', async () => {
    const dir = tmp();
    const cmds = commands(31, 300);
    await journalAll(dir, cmds);
    const seg = listSegments(dir).at(-1)!.path;
    const size = statSync(seg).size;
    // Cut the last record in half, as a crash mid-write would.
    writeFileSync(seg, readFileSync(seg).subarray(0, size - 9));
    const log = quietLogger();
    const v = verifyJournal({ dir });
    expect(v.tornTail?.file).toBe(seg);
    const d = await openDurableExchange({ dir, logger: log });
    expect(log.warnings.join()).toMatch(/torn tail/);
    expect(d.recovered.lastSeq).toBe(cmds.length - 1);
    expect(d.recovered.stateHash).toBe(freshHash(cmds.slice(0, -1)));
    // The writer continues cleanly after the truncation point.
    await d.submit(cmds[cmds.length - 1]);
    await d.close();
    const again = verifyJournal({ dir });
    expect(again.tornTail).toBeUndefined();
    expect(again.stateHash).toBe(freshHash(cmds));
  });

  it('treats garbage appended after the last record as a torn tail', async () => {
    const dir = tmp();
    const cmds = commands(32, 100);
    await journalAll(dir, cmds);
    appendFileSync(listSegments(dir).at(-1)!.path, Buffer.alloc(4096));
    const d = await openDurableExchange({ dir, logger: quietLogger() });
    expect(d.recovered.truncatedBytes).toBe(4096);
    expect(d.recovered.stateHash).toBe(freshHash(cmds));
    await d.close();
  });

  it('stops with the file and byte offset when a bit flips in the middle', async () => {
    const dir = tmp();
    const cmds = commands(41, 2000);
    await journalAll(dir, cmds, { segmentBytes: 1 << 30 });
    const seg = listSegments(dir)[0].path;
    const buf = readFileSync(seg);
    // Find the record that holds the middle byte by walking the framing.
    let off = 24;
    const target = Math.floor(buf.length / 2);
    while (off + buf.readUInt32LE(off) + 8 <= target) off += buf.readUInt32LE(off) + 8;
    buf[target] ^= 0x10;
    writeFileSync(seg, buf);
    const err = await openDurableExchange({ dir, logger: quietLogger() }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(JournalCorruptionError);
    expect((err as JournalCorruptionError).file).toBe(seg);
    expect((err as JournalCorruptionError).offset).toBe(off);
    expect((err as Error).message).toContain(`${seg} at byte offset ${off}`);
    expect(() => verifyJournal({ dir })).toThrow(JournalCorruptionError);
    // Nothing was modified by the failed open.
    expect(readFileSync(seg).equals(buf)).toBe(true);
  });

  it('refuses a corrupt record in an earlier segment even at its end', async () => {
    const dir = tmp();
    await journalAll(dir, commands(42, 1500), { segmentBytes: 8 * 1024 });
    const first = listSegments(dir)[0].path;
    const buf = readFileSync(first);
    buf[buf.length - 3] ^= 1;
    writeFileSync(first, buf);
    expect(() => scanJournal({ dir })).toThrow(/the journal is damaged/);
  });

  it('falls back to an older snapshot when the newest is damaged', async () => {
    const dir = tmp();
    const cmds = commands(51, 3000);
    await journalAll(dir, cmds, { snapshotEvery: 1000 });
    const snaps = readdirSync(dir)
      .filter((n) => n.endsWith('.snap'))
      .sort();
    expect(snaps.length).toBeGreaterThan(1);
    const newest = join(dir, snaps.at(-1)!);
    const b = readFileSync(newest);
    b[b.length - 5] ^= 0xff;
    writeFileSync(newest, b);
    expect(verifyJournal({ dir }).invalidSnapshots?.[0]?.file).toBe(newest);
    const log = quietLogger();
    const d = await openDurableExchange({ dir, logger: log });
    expect(log.warnings.join()).toMatch(/invalid snapshot/);
    expect(d.recovered.stateHash).toBe(freshHash(cmds));
    await d.journal.close();
  });

  it('compacts: snapshot, covered segments removed, state and numbering preserved', async () => {
    const dir = tmp();
    const cmds = commands(61, 3000);
    await journalAll(dir, cmds, { segmentBytes: 16 * 1024 });
    const before = verifyJournal({ dir });
    const r = await compactJournal({ dir, logger: quietLogger() });
    expect(r.snapshotSeq).toBe(cmds.length);
    expect(r.removedSegments.length).toBeGreaterThan(1);
    const after = verifyJournal({ dir });
    expect(after.stateHash).toBe(before.stateHash);
    expect(after.lastSeq).toBe(cmds.length);
    const d = await openDurableExchange({ dir, logger: quietLogger() });
    expect(d.journal.nextSequence).toBe(cmds.length + 1);
    const more = commands(62, 200, 'q').slice(3);
    for (const c of more) d.execute(c);
    await d.close();
    expect(verifyJournal({ dir }).stateHash).toBe(freshHash([...cmds, ...more]));
    // dump still formats decimals for symbols defined before the compaction point.
    const lines: Record<string, unknown>[] = [];
    dumpJournal({ dir, line: (o) => lines.push(o) });
    expect(lines.length).toBe(more.length);
    const place = lines.find(
      (l) => l.type === 'place' && l.kind === 'limit' && l.symbol === 'MSFT',
    );
    expect(place?.price).toMatch(/^\d+\.\d\d$/);
  });
});
