/**
 * Snapshots: `Exchange.snapshot()` plus the state hash and the last journal seq it covers.
 *
 * File: one JSON header line {format, lastSeq, stateHash, bodyBytes, bodyCrc, createdAt}, then the
 * body (the exchange snapshot as JSON). Written to a temp file, fsynced, renamed, directory
 * fsynced: a reader sees the old set or the new one, never half a file. Loading checks the CRC
 * and that the restored exchange hashes to the recorded stateHash; a bad snapshot is skipped with
 * a warning in favour of an older one (the journal still covers the gap).
 */
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { Exchange, type ExchangeSnapshot, type OrderBookFactory } from '../core/index.js';
import { crc32c } from './crc32c.js';
import type { JournalLogger } from './log.js';
import { fsyncDir, listSnapshots, snapshotName } from './segment-files.js';

export const SNAPSHOT_FORMAT = 1;
/** Snapshots kept after a new one is written (older ones let the store catch up further back). */
export const SNAPSHOTS_KEPT = 3;

export interface SnapshotHeader {
  format: number;
  lastSeq: number;
  stateHash: string;
  bodyBytes: number;
  bodyCrc: number;
  createdAt: string;
}

export interface CapturedSnapshot {
  lastSeq: number;
  stateHash: string;
  exchange: ExchangeSnapshot;
}

export function captureSnapshot(exchange: Exchange, lastSeq: number): CapturedSnapshot {
  return { lastSeq, stateHash: exchange.stateHash(), exchange: exchange.snapshot() };
}

/** Writes a snapshot atomically and prunes all but the newest SNAPSHOTS_KEPT. Returns its path. */
export function writeSnapshot(dir: string, snap: CapturedSnapshot): string {
  const body = Buffer.from(JSON.stringify(snap.exchange), 'utf8');
  const header: SnapshotHeader = {
    format: SNAPSHOT_FORMAT,
    lastSeq: snap.lastSeq,
    stateHash: snap.stateHash,
    bodyBytes: body.length,
    bodyCrc: crc32c(body),
    createdAt: new Date().toISOString(),
  };
  const final = join(dir, snapshotName(snap.lastSeq));
  const tmp = `${final}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o644);
  try {
    const head = Buffer.from(JSON.stringify(header) + '\n', 'utf8');
    writeSync(fd, head);
    let off = 0;
    while (off < body.length) off += writeSync(fd, body, off, body.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, final);
  fsyncDir(dir);
  const all = listSnapshots(dir);
  for (const old of all.slice(0, Math.max(0, all.length - SNAPSHOTS_KEPT))) unlinkSync(old.path);
  return final;
}

export interface LoadedSnapshot {
  path: string;
  header: SnapshotHeader;
  exchange: Exchange;
}

/** Parses and checks one snapshot file; throws with the reason when it is not valid. */
export function loadSnapshotFile(path: string, book?: OrderBookFactory): LoadedSnapshot {
  const buf = readFileSync(path);
  const nl = buf.indexOf(0x0a);
  if (nl < 0) throw new Error('no header line');
  const header = JSON.parse(buf.subarray(0, nl).toString('utf8')) as SnapshotHeader;
  if (header.format !== SNAPSHOT_FORMAT)
    throw new Error(`unsupported snapshot format ${header.format}`);
  const body = buf.subarray(nl + 1);
  if (body.length !== header.bodyBytes)
    throw new Error(`body is ${body.length} bytes, header says ${header.bodyBytes}`);
  if (crc32c(body) !== header.bodyCrc) throw new Error('body CRC32C mismatch');
  const snap = JSON.parse(body.toString('utf8')) as ExchangeSnapshot;
  const exchange = Exchange.restore(snap, book ? { book } : {});
  const hash = exchange.stateHash();
  if (hash !== header.stateHash)
    throw new Error(`restored state hash ${hash} != recorded ${header.stateHash}`);
  return { path, header, exchange };
}

/**
 * The newest valid snapshot with lastSeq <= maxSeq (any when maxSeq is undefined), or null.
 * Invalid ones are skipped with a warning.
 */
export function loadLatestSnapshot(opts: {
  dir: string;
  book?: OrderBookFactory;
  maxSeq?: number;
  logger?: JournalLogger;
}): LoadedSnapshot | null {
  const files = listSnapshots(opts.dir).reverse();
  for (const f of files) {
    if (opts.maxSeq !== undefined && f.seq > opts.maxSeq) continue;
    try {
      return loadSnapshotFile(f.path, opts.book);
    } catch (err) {
      opts.logger?.warn(
        { file: f.path, reason: (err as Error).message },
        'journal: skipping an invalid snapshot',
      );
    }
  }
  return null;
}
