/**
 * The on-disk framing of one journal record, and of a segment file header. Pure.
 *
 * Record (little endian):
 *   0  u32  bodyLen   bytes after the 8-byte prefix (header fields + payload)
 *   4  u32  crc       CRC32C over bytes [0,4) and [8, 8 + bodyLen)
 *   8  u8   version   RECORD_VERSION
 *   9  u8   kind      1 = command, 2 = opaque outcome (lockfree mode)
 *  10  u16  flags     bit 0: ts present
 *  12  u64  seq       journal sequence, +1 per record, never reused
 *  20  f64  ts        engine time in ns (0 when absent)
 *  28  ...  payload
 * The CRC covers the length too, so a flipped length bit cannot make a wrong span look valid.
 *
 * Segment header (24 bytes): "CBJ1" magic, u16 format version, u16 reserved, u64 first seq,
 * u32 CRC32C of bytes [0,16), u32 reserved.
 */
import { ByteWriter } from './byte-buffer.js';
import { crc32c } from './crc32c.js';

export const RECORD_VERSION = 1;
export const RECORD_PREFIX = 8;
export const RECORD_HEADER = 28;
/** A record larger than this is treated as corruption (no command is anywhere near it). */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

export const SEGMENT_MAGIC = 0x314a4243; // "CBJ1" read as little-endian u32
export const SEGMENT_VERSION = 1;
export const SEGMENT_HEADER = 24;

export type RecordKind = 1 | 2;
export const KIND_COMMAND: RecordKind = 1;
export const KIND_OUTCOME: RecordKind = 2;
const FLAG_TS = 1;

export interface RecordHeader {
  kind: RecordKind;
  seq: number;
  ts: number | undefined;
}

/** Starts a record in `w`; write the payload, then call finishRecord with the returned offset. */
export function beginRecord(
  w: ByteWriter,
  kind: RecordKind,
  seq: number,
  ts: number | undefined,
): number {
  w.ensure(RECORD_HEADER);
  const at = w.length;
  const v = w.view;
  // Length and CRC are filled in by finishRecord.
  v.setUint32(at, 0, true);
  v.setUint32(at + 4, 0, true);
  w.bytes[at + 8] = RECORD_VERSION;
  w.bytes[at + 9] = kind;
  v.setUint16(at + 10, ts === undefined ? 0 : FLAG_TS, true);
  v.setUint32(at + 12, seq % 4294967296, true);
  v.setUint32(at + 16, Math.floor(seq / 4294967296), true);
  v.setFloat64(at + 20, ts ?? 0, true);
  w.length = at + RECORD_HEADER;
  return at;
}

export function finishRecord(w: ByteWriter, at: number): void {
  const bodyLen = w.length - at - RECORD_PREFIX;
  if (bodyLen + RECORD_PREFIX > MAX_RECORD_BYTES) {
    w.length = at;
    throw new Error(
      `journal record of ${bodyLen} bytes exceeds the ${MAX_RECORD_BYTES}-byte limit`,
    );
  }
  w.view.setUint32(at, bodyLen, true);
  let crc = crc32c(w.bytes, at, at + 4);
  crc = crc32c(w.bytes, at + RECORD_PREFIX, w.length, crc);
  w.view.setUint32(at + 4, crc, true);
}

export interface DecodedRecord extends RecordHeader {
  /** Offset of the record in the buffer it was read from. */
  offset: number;
  /** Total bytes of the record, prefix included. */
  size: number;
  payloadStart: number;
  payloadEnd: number;
}

export type RecordResult =
  | { ok: true; record: DecodedRecord }
  | { ok: false; error: 'short' | 'length' | 'crc' | 'version'; detail: string };

/** Reads the record at `offset` of `buf[0, end)` and checks its length, CRC and version. */
export function decodeRecordAt(buf: Uint8Array, offset: number, end = buf.length): RecordResult {
  if (end - offset < RECORD_PREFIX) {
    return { ok: false, error: 'short', detail: `only ${end - offset} bytes left for a record` };
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const bodyLen = view.getUint32(offset, true);
  if (bodyLen < RECORD_HEADER - RECORD_PREFIX || bodyLen + RECORD_PREFIX > MAX_RECORD_BYTES) {
    return { ok: false, error: 'length', detail: `implausible record length ${bodyLen}` };
  }
  const recEnd = offset + RECORD_PREFIX + bodyLen;
  if (recEnd > end) {
    return {
      ok: false,
      error: 'short',
      detail: `record of ${bodyLen} bytes runs past the end of the file`,
    };
  }
  let crc = crc32c(buf, offset, offset + 4);
  crc = crc32c(buf, offset + RECORD_PREFIX, recEnd, crc);
  const stored = view.getUint32(offset + 4, true);
  if (crc !== stored) {
    return {
      ok: false,
      error: 'crc',
      detail: `CRC32C mismatch (stored ${hex(stored)}, computed ${hex(crc)})`,
    };
  }
  const version = buf[offset + 8];
  if (version !== RECORD_VERSION) {
    return { ok: false, error: 'version', detail: `unsupported record version ${version}` };
  }
  const kind = buf[offset + 9];
  if (kind !== KIND_COMMAND && kind !== KIND_OUTCOME) {
    return { ok: false, error: 'version', detail: `unknown record kind ${kind}` };
  }
  const flags = view.getUint16(offset + 10, true);
  const seq = view.getUint32(offset + 16, true) * 4294967296 + view.getUint32(offset + 12, true);
  const ts = flags & FLAG_TS ? view.getFloat64(offset + 20, true) : undefined;
  return {
    ok: true,
    record: {
      kind: kind as RecordKind,
      seq,
      ts,
      offset,
      size: RECORD_PREFIX + bodyLen,
      payloadStart: offset + RECORD_HEADER,
      payloadEnd: recEnd,
    },
  };
}

const hex = (n: number): string => '0x' + n.toString(16).padStart(8, '0');

export function encodeSegmentHeader(firstSeq: number): Uint8Array {
  const w = new ByteWriter(SEGMENT_HEADER);
  w.u32(SEGMENT_MAGIC);
  w.u16(SEGMENT_VERSION);
  w.u16(0);
  w.u64(firstSeq);
  w.u32(crc32c(w.bytes, 0, 16));
  w.u32(0);
  return w.toBytes();
}

export type SegmentHeaderResult = { ok: true; firstSeq: number } | { ok: false; detail: string };

export function decodeSegmentHeader(buf: Uint8Array): SegmentHeaderResult {
  if (buf.length < SEGMENT_HEADER)
    return { ok: false, detail: `segment header is torn (${buf.length} bytes)` };
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (view.getUint32(0, true) !== SEGMENT_MAGIC)
    return { ok: false, detail: 'not a crossbook journal segment (bad magic)' };
  if (crc32c(buf, 0, 16) !== view.getUint32(16, true))
    return { ok: false, detail: 'segment header CRC32C mismatch' };
  const version = view.getUint16(4, true);
  if (version !== SEGMENT_VERSION)
    return { ok: false, detail: `unsupported segment version ${version}` };
  return { ok: true, firstSeq: view.getUint32(12, true) * 4294967296 + view.getUint32(8, true) };
}
