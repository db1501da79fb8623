/** What `crossbook journal verify | dump | compact` do, as functions (the CLI only prints). */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { Exchange, type OrderBookFactory } from '../core/index.js';
import { CommandFormatter } from './command-format.js';
import { openDurableExchange } from './durable-exchange.js';
import type { JournalLogger } from './log.js';
import { scanJournal, type JournalRecord, type TornTail } from './journal-reader.js';
import { loadLatestSnapshot, loadSnapshotFile } from './snapshot-files.js';
import { JournalCorruptionError } from './errors.js';
import { fsyncDir, listSegments, listSnapshots } from './segment-files.js';

export interface VerifyResult {
  ok: true;
  /** Records present in the journal (all CRC-checked). */
  records: number;
  /** Last seq covered by the journal or its newest snapshot. */
  lastSeq: number;
  /** Hash of the state recovered from the newest valid snapshot plus the journal tail. */
  stateHash: string;
  firstSeq: number;
  snapshotSeq: number;
  segments: number;
  /** A torn tail that recovery would truncate (verify itself never modifies files). */
  tornTail?: TornTail;
  /** Snapshots that failed their CRC or state-hash check (recovery skips them). */
  invalidSnapshots?: { file: string; reason: string }[];
}

function requireDir(dir: string): void {
  if (!existsSync(dir)) throw new Error(`No journal at ${dir}: the directory does not exist`);
}

/**
 * Checks every record (throws JournalCorruptionError on corruption in the middle) and recomputes
 * the state hash by recovery. Read-only.
 */
export function verifyJournal(opts: {
  dir: string;
  book?: OrderBookFactory;
  logger?: JournalLogger;
}): VerifyResult {
  requireDir(opts.dir);
  const invalid: { file: string; reason: string }[] = [];
  const snap = loadLatestSnapshot({
    dir: opts.dir,
    book: opts.book,
    logger: {
      warn: (o: object) => invalid.push(o as { file: string; reason: string }),
      info: () => undefined,
    },
  });
  const exchange = snap?.exchange ?? new Exchange(opts.book ? { book: opts.book } : {});
  const snapshotSeq = snap?.header.lastSeq ?? 0;
  let first = true;
  const scan = scanJournal({
    dir: opts.dir,
    afterSeq: snapshotSeq,
    onRecord: (rec) => {
      if (first && rec.seq !== snapshotSeq + 1) {
        throw new Error(
          `Journal ${opts.dir} has no records ${snapshotSeq + 1}..${rec.seq - 1} after its snapshot`,
        );
      }
      first = false;
      if (rec.kind === 'command') exchange.execute(rec.command);
    },
  });
  const out: VerifyResult = {
    ok: true,
    records: scan.records,
    lastSeq: Math.max(scan.lastSeq, snapshotSeq),
    stateHash: exchange.stateHash(),
    firstSeq: scan.firstSeq,
    snapshotSeq,
    segments: scan.segments.length,
  };
  if (scan.torn) out.tornTail = scan.torn;
  if (invalid.length > 0) out.invalidSnapshots = invalid;
  return out;
}

/**
 * Calls `line` with each record as a replay-protocol command object (decimal strings), plus
 * `journalSeq` when withSeq is set. Outcome records are printed as base64 payloads.
 */
export function dumpJournal(opts: {
  dir: string;
  withSeq?: boolean;
  line: (obj: Record<string, unknown>) => void;
}): number {
  requireDir(opts.dir);
  const fmt = new CommandFormatter();
  const snaps = listSnapshots(opts.dir);
  const newest = snaps[snaps.length - 1];
  if (newest !== undefined) {
    // Compacted journals may lack the instrument records: learn units from the snapshot body.
    const buf = readFileSync(newest.path, 'utf8');
    try {
      fmt.seedFrom(JSON.parse(buf.slice(buf.indexOf('\n') + 1)));
    } catch {
      // An unreadable snapshot only costs decimal formatting of pre-snapshot symbols.
    }
  }
  let n = 0;
  scanJournal({
    dir: opts.dir,
    onRecord: (rec: JournalRecord) => {
      n++;
      const obj =
        rec.kind === 'command'
          ? fmt.format(rec.command)
          : { type: 'outcome', payload: Buffer.from(rec.payload).toString('base64') };
      opts.line(opts.withSeq ? { journalSeq: rec.seq, ...obj } : obj);
    },
  });
  return n;
}

export interface CompactResult {
  snapshotSeq: number;
  stateHash: string;
  removedSegments: string[];
  removedSnapshots: string[];
}

/** Snapshots the recovered state, then removes segments and older snapshots it covers. */
export async function compactJournal(opts: {
  dir: string;
  book?: OrderBookFactory;
  logger?: JournalLogger;
}): Promise<CompactResult> {
  requireDir(opts.dir);
  const d = await openDurableExchange({
    dir: opts.dir,
    book: opts.book,
    snapshotEvery: 0,
    logger: opts.logger,
  });
  await d.journal.sync();
  await d.snapshot();
  const snapshotSeq = d.journal.lastSeq;
  const stateHash = d.exchange.stateHash();
  await d.journal.close();
  const segs = listSegments(opts.dir);
  const removedSegments: string[] = [];
  for (let i = 0; i < segs.length; i++) {
    const next = segs[i + 1];
    const lastInSeg = next !== undefined ? next.seq - 1 : snapshotSeq;
    if (lastInSeg <= snapshotSeq) {
      unlinkSync(segs[i].path);
      removedSegments.push(segs[i].path);
    }
  }
  const removedSnapshots: string[] = [];
  for (const s of listSnapshots(opts.dir)) {
    if (s.seq < snapshotSeq) {
      unlinkSync(s.path);
      removedSnapshots.push(s.path);
    }
  }
  fsyncDir(opts.dir);
  return { snapshotSeq, stateHash, removedSegments, removedSnapshots };
}

export interface RepairResult {
  /** True when the journal was already clean (nothing moved). */
  clean: boolean;
  /** Folder holding what was dropped (the bytes and report.json); null when clean. */
  droppedTo: string | null;
  dropped: { file: string; offset: number; bytes: number; reason: string }[];
  /** Last seq the repaired journal (with its snapshot) covers. */
  lastSeq: number;
}

function moveAside(path: string, to: string): void {
  renameSync(path, join(to, basename(path)));
}

/**
 * `crossbook journal repair DIR --accept-loss`: makes a journal that refuses to open usable again
 * by dropping, knowingly, everything from the first damaged byte on. Nothing is deleted: the cut
 * tail bytes, later segments and unusable snapshots are moved into DIR/repair-<time>/ with a
 * report.json that lists each piece (file, offset, bytes, why). Run it only after deciding that
 * those records are lost (no backup or replica has them).
 */
export function repairJournal(opts: {
  dir: string;
  acceptLoss: boolean;
  book?: OrderBookFactory;
}): RepairResult {
  requireDir(opts.dir);
  const dir = opts.dir;
  const dropped: RepairResult['dropped'] = [];
  let folder: string | null = null;
  const aside = (): string => {
    if (folder === null) {
      folder = join(dir, `repair-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      mkdirSync(folder, { recursive: true });
    }
    return folder;
  };
  const require = (what: string): void => {
    if (!opts.acceptLoss)
      throw new Error(
        `${what}. Repairing drops it: run again with --accept-loss once no backup has those records`,
      );
  };
  const quiet: JournalLogger = { warn: () => undefined, info: () => undefined };
  for (let round = 0; round < 1000; round++) {
    // Snapshots that do not load are useless for recovery: set them aside.
    const valid: { seq: number }[] = [];
    for (const s of listSnapshots(dir)) {
      try {
        loadSnapshotFile(s.path, opts.book);
        valid.push(s);
      } catch (err) {
        require(`${s.path} is not a valid snapshot: ${(err as Error).message}`);
        dropped.push({
          file: s.path,
          offset: 0,
          bytes: statSync(s.path).size,
          reason: (err as Error).message,
        });
        moveAside(s.path, aside());
      }
    }
    const snapSeq = valid.at(-1)?.seq ?? 0;
    const segs = listSegments(dir);
    // Segments that cannot be applied (they start after a state nobody has) go aside.
    if (segs.length > 0 && segs[0].seq > 1 && snapSeq < segs[0].seq - 1) {
      require(
        `${segs[0].path} starts at seq ${segs[0].seq} but no snapshot covers seq ${segs[0].seq - 1}`,
      );
      for (const s of segs) {
        dropped.push({
          file: s.path,
          offset: 0,
          bytes: statSync(s.path).size,
          reason: 'no state to apply it to',
        });
        moveAside(s.path, aside());
      }
      continue;
    }
    let bad: JournalCorruptionError | null = null;
    try {
      scanJournal({ dir, repair: true, logger: quiet });
    } catch (err) {
      if (!(err instanceof JournalCorruptionError)) throw err;
      bad = err;
    }
    if (bad === null) {
      const scan = scanJournal({ dir, logger: quiet });
      const cut = scan.segments.at(-1);
      if (
        cut !== undefined &&
        scan.lastSeq > 0 &&
        scan.lastSeq < snapSeq &&
        cut.firstSeq <= snapSeq
      ) {
        // The journal lost its tail but the snapshot holds it: the covered segments are redundant.
        require(`the journal ends at seq ${scan.lastSeq}, before its snapshot at ${snapSeq}`);
        for (const s of listSegments(dir)) {
          dropped.push({
            file: s.path,
            offset: 0,
            bytes: statSync(s.path).size,
            reason: `covered by snapshot ${snapSeq}`,
          });
          moveAside(s.path, aside());
        }
        continue;
      }
      break;
    }
    require(bad.message.replace(/^Refusing to start: /, '').split('. ')[0]);
    const segList = listSegments(dir);
    const at = segList.findIndex((s) => s.path === bad.file);
    if (at < 0) throw bad;
    const buf = readFileSync(bad.file);
    const to = aside();
    writeFileSync(join(to, `${basename(bad.file)}.from-${bad.offset}`), buf.subarray(bad.offset));
    dropped.push({
      file: bad.file,
      offset: bad.offset,
      bytes: buf.length - bad.offset,
      reason: bad.detail,
    });
    if (bad.offset <= 0) unlinkSync(bad.file);
    else truncateSync(bad.file, bad.offset);
    for (const later of segList.slice(at + 1)) {
      dropped.push({
        file: later.path,
        offset: 0,
        bytes: statSync(later.path).size,
        reason: 'after the damage',
      });
      moveAside(later.path, to);
    }
    fsyncDir(dir);
  }
  if (folder !== null) {
    writeFileSync(
      join(folder, 'report.json'),
      JSON.stringify({ repairedAt: new Date().toISOString(), dir, dropped }, null, 2) + '\n',
    );
    fsyncDir(dir);
  }
  const v = verifyJournal({ dir, book: opts.book });
  return { clean: folder === null, droppedTo: folder, dropped, lastSeq: v.lastSeq };
}
