/**
 * Reads and checks a journal directory. Every record's length, CRC32C, version and sequence are
 * checked. A torn final write (the last segment ends inside an incomplete record, or in zero
 * bytes, with no valid record after it) is reported
 * (and with `repair`, truncated away). Anything else bad, including a complete final record whose
 * CRC does not match, is a JournalCorruptionError that names the file and the byte offset.
 */
import { ftruncateSync, fsyncSync, openSync, closeSync, readFileSync, unlinkSync } from 'node:fs';
import type { Command } from '../core/index.js';
import { decodeCommand } from './command-codec.js';
import { JournalCorruptionError } from './errors.js';
import type { JournalLogger } from './log.js';
import {
  decodeRecordAt,
  decodeSegmentHeader,
  KIND_COMMAND,
  RECORD_HEADER,
  RECORD_VERSION,
  SEGMENT_HEADER,
  type DecodedRecord,
} from './record-codec.js';
import { fsyncDir, listSegments } from './segment-files.js';

export type JournalRecord =
  | { kind: 'command'; seq: number; ts: number | undefined; command: Command }
  | { kind: 'outcome'; seq: number; ts: number | undefined; payload: Uint8Array };

export interface SegmentInfo {
  path: string;
  firstSeq: number;
  /** Seq of the last record in it; firstSeq - 1 when it holds none. */
  lastSeq: number;
  /** Valid bytes (after any tail truncation). */
  bytes: number;
}

export interface TornTail {
  file: string;
  offset: number;
  bytes: number;
  reason: string;
}

export interface ScanResult {
  segments: SegmentInfo[];
  /** Seq of the first record present (0 when none). */
  firstSeq: number;
  /** Seq of the last valid record (0 when none). */
  lastSeq: number;
  /** Records checked. */
  records: number;
  torn: TornTail | null;
}

export interface ScanOptions {
  dir: string;
  /** Records with seq <= afterSeq are checked but not decoded or delivered. */
  afterSeq?: number;
  /** Skip reading segments entirely covered by afterSeq (faster startup after a snapshot). */
  skipCovered?: boolean;
  /** Truncate a torn tail in place (fsynced). Without it the scan only reports it. */
  repair?: boolean;
  onRecord?: (rec: JournalRecord) => void;
  logger?: JournalLogger;
}

/** True when some valid record starts anywhere in buf[from, end). */
function validRecordAfter(buf: Uint8Array, from: number, end: number): boolean {
  for (let off = from; off + RECORD_HEADER <= end; off++) {
    // Cheap prefilter on version and kind bytes before paying for a CRC.
    if (buf[off + 8] !== RECORD_VERSION) continue;
    const kind = buf[off + 9];
    if (kind !== 1 && kind !== 2) continue;
    if (decodeRecordAt(buf, off, end).ok) return true;
  }
  return false;
}

/** True when buf[from, end) is all zero bytes: a write that extended the file but never landed. */
function zeroFrom(buf: Uint8Array, from: number): boolean {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}

function deliver(buf: Uint8Array, rec: DecodedRecord, opts: ScanOptions, file: string): void {
  if (opts.onRecord === undefined || rec.seq <= (opts.afterSeq ?? 0)) return;
  if (rec.kind === KIND_COMMAND) {
    let command: Command;
    try {
      command = decodeCommand(buf, rec.ts, rec.payloadStart, rec.payloadEnd);
    } catch (err) {
      throw new JournalCorruptionError(
        file,
        rec.offset,
        `record ${rec.seq} does not decode: ${(err as Error).message}`,
      );
    }
    opts.onRecord({ kind: 'command', seq: rec.seq, ts: rec.ts, command });
  } else {
    opts.onRecord({
      kind: 'outcome',
      seq: rec.seq,
      ts: rec.ts,
      payload: buf.slice(rec.payloadStart, rec.payloadEnd),
    });
  }
}

function truncateFile(path: string, size: number): void {
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, size);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function scanJournal(opts: ScanOptions): ScanResult {
  const files = listSegments(opts.dir);
  const afterSeq = opts.afterSeq ?? 0;
  const result: ScanResult = { segments: [], firstSeq: 0, lastSeq: 0, records: 0, torn: null };
  let expected = -1; // next seq we must see; -1 until the first segment sets it
  for (let i = 0; i < files.length; i++) {
    const file = files[i];
    const isLast = i === files.length - 1;
    const next = files[i + 1];
    if (opts.skipCovered && next !== undefined && next.seq - 1 <= afterSeq) {
      // Entirely below the snapshot: its content is not needed; trust the next header's seq.
      result.segments.push({
        path: file.path,
        firstSeq: file.seq,
        lastSeq: next.seq - 1,
        bytes: -1,
      });
      expected = next.seq;
      if (result.firstSeq === 0) result.firstSeq = file.seq;
      continue;
    }
    const buf = readFileSync(file.path);
    const header = decodeSegmentHeader(buf);
    if (!header.ok) {
      // Torn: the last segment was created just before a crash and its header never completed.
      if (isLast && (buf.length < SEGMENT_HEADER || zeroFrom(buf, 0))) {
        // A segment created just before a crash, holding no record: drop it.
        result.torn = { file: file.path, offset: 0, bytes: buf.length, reason: header.detail };
        opts.logger?.warn(
          { file: file.path, reason: header.detail },
          'journal: removing a torn empty segment',
        );
        if (opts.repair) {
          unlinkSync(file.path);
          fsyncDir(opts.dir);
        }
        break;
      }
      throw new JournalCorruptionError(file.path, 0, header.detail);
    }
    if (header.firstSeq !== file.seq) {
      throw new JournalCorruptionError(
        file.path,
        0,
        `header says first seq ${header.firstSeq}, name says ${file.seq}`,
      );
    }
    // A gap is fine only where a snapshot covers it (records past a compacted or torn region).
    const gapCovered = header.firstSeq > expected && header.firstSeq - 1 <= afterSeq;
    if (expected !== -1 && header.firstSeq !== expected && !gapCovered) {
      throw new JournalCorruptionError(
        file.path,
        0,
        `sequence gap: expected seq ${expected}, segment starts at ${header.firstSeq}`,
      );
    }
    expected = header.firstSeq;
    if (result.firstSeq === 0) result.firstSeq = header.firstSeq;
    let off = SEGMENT_HEADER;
    while (off < buf.length) {
      const r = decodeRecordAt(buf, off);
      if (!r.ok) {
        // Only a torn final write is truncated: at the end of the last segment, a record that is
        // not complete (its length runs past the end of the file or is not a plausible length,
        // or the tail is zero-filled) with no valid record after it. A complete record whose
        // CRC or version is bad, even the last one, is damage: refuse, naming file and offset.
        const incomplete = r.error === 'short' || r.error === 'length' || zeroFrom(buf, off);
        if (isLast && incomplete && !validRecordAfter(buf, off + 1, buf.length)) {
          const reason = `${r.error}: ${r.detail}`;
          result.torn = { file: file.path, offset: off, bytes: buf.length - off, reason };
          opts.logger?.warn(
            { file: file.path, offset: off, bytes: buf.length - off, reason },
            opts.repair
              ? 'journal: truncating a torn tail record'
              : 'journal: torn tail record found',
          );
          if (opts.repair) truncateFile(file.path, off);
          break;
        }
        throw new JournalCorruptionError(file.path, off, r.detail);
      }
      const rec = r.record;
      if (rec.seq !== expected) {
        throw new JournalCorruptionError(
          file.path,
          off,
          `sequence gap: expected seq ${expected}, found ${rec.seq}`,
        );
      }
      deliver(buf, rec, opts, file.path);
      expected++;
      result.records++;
      off += rec.size;
    }
    result.segments.push({
      path: file.path,
      firstSeq: header.firstSeq,
      lastSeq: expected - 1,
      bytes: Math.min(off, buf.length),
    });
  }
  result.lastSeq = expected === -1 ? 0 : expected - 1;
  return result;
}
