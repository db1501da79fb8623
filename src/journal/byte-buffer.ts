/**
 * Little-endian growable byte writer and a bounds-checked reader. Pure: no node imports, so the
 * codecs built on it can run anywhere (workers, browsers, tests).
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export class ByteWriter {
  bytes: Uint8Array;
  view: DataView;
  length = 0;

  constructor(capacity = 4096) {
    this.bytes = new Uint8Array(capacity);
    this.view = new DataView(this.bytes.buffer);
  }

  ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.bytes.length) return;
    let cap = this.bytes.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.bytes[this.length++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.length, v >>> 0, true);
    this.length += 4;
  }

  /** Non-negative integer up to 2^53 as two 32-bit words (exact, unlike a float for ids). */
  u64(v: number): void {
    this.u32(v % 4294967296);
    this.u32(Math.floor(v / 4294967296));
  }

  /** Any JS number, bit-exact (ticks, lots and ns are doubles inside the engine already). */
  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
  }

  str(s: string): void {
    // ASCII fast path: ids and symbols almost always are; others go through TextEncoder.
    const n = s.length;
    this.ensure(4 + n);
    const at = this.length;
    let ascii = true;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) {
        ascii = false;
        break;
      }
      this.bytes[at + 4 + i] = c;
    }
    if (ascii) {
      this.view.setUint32(at, n, true);
      this.length = at + 4 + n;
      return;
    }
    const enc = encoder.encode(s);
    this.ensure(4 + enc.length);
    this.view.setUint32(at, enc.length, true);
    this.bytes.set(enc, at + 4);
    this.length = at + 4 + enc.length;
  }

  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.bytes.set(b, this.length);
    this.length += b.length;
  }

  /** A copy of what was written, independent of later writes. */
  toBytes(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

export class ByteReader {
  private readonly view: DataView;
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new Error('record payload is shorter than its fields');
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++];
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u64(): number {
    const lo = this.u32();
    return this.u32() * 4294967296 + lo;
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  str(): string {
    const n = this.u32();
    this.need(n);
    const at = this.pos;
    this.pos += n;
    let s = '';
    for (let i = at; i < at + n; i++) {
      const c = this.bytes[i];
      if (c > 0x7f) return decoder.decode(this.bytes.subarray(at, at + n));
      s += String.fromCharCode(c);
    }
    return s;
  }

  rest(): Uint8Array {
    const out = this.bytes.subarray(this.pos, this.end);
    this.pos = this.end;
    return out;
  }
}
