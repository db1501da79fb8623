/** Journal directory layout: segment and snapshot file names, listing, and durable fs helpers. */
import { closeSync, fsyncSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const SEGMENT_RE = /^segment-(\d{16})\.cbj$/;
export const SNAPSHOT_RE = /^snapshot-(\d{16})\.snap$/;

const pad = (n: number): string => String(n).padStart(16, '0');
export const segmentName = (firstSeq: number): string => `segment-${pad(firstSeq)}.cbj`;
export const snapshotName = (lastSeq: number): string => `snapshot-${pad(lastSeq)}.snap`;

export interface NamedFile {
  seq: number;
  name: string;
  path: string;
}

function listMatching(dir: string, re: RegExp): NamedFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: NamedFile[] = [];
  for (const name of names) {
    const m = re.exec(name);
    if (m !== null) out.push({ seq: Number(m[1]), name, path: join(dir, name) });
  }
  return out.sort((a, b) => a.seq - b.seq);
}

/** Segments in sequence order; the name carries the seq of the segment's first record. */
export const listSegments = (dir: string): NamedFile[] => listMatching(dir, SEGMENT_RE);
/** Snapshots in sequence order; the name carries the last journal seq the snapshot covers. */
export const listSnapshots = (dir: string): NamedFile[] => listMatching(dir, SNAPSHOT_RE);

/** Makes a create, rename or unlink in `dir` durable (POSIX needs the directory fsynced). */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
