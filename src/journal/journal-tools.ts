/** What `crossbook journal verify | dump | compact` do, as functions (the CLI only prints). */
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { Exchange, type OrderBookFactory } from '../core/index.js';
import { CommandFormatter } from './command-format.js';
import { openDurableExchange } from './durable-exchange.js';
import type { JournalLogger } from './log.js';
import { scanJournal, type JournalRecord, type TornTail } from './journal-reader.js';
import { loadLatestSnapshot } from './snapshot-files.js';
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
