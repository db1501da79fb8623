/**
 * Messages cross the rings as UTF-8 JSON. Commands and events are small discriminated unions full of
 * strings (symbols, order ids, accounts); JSON keeps one schema (the TypeScript types) instead of a
 * second hand-written binary layout, and V8's JSON.stringify/parse run at ~1-2 µs per message,
 * well below the cost of matching plus the thread hop. The encoder reuses one scratch buffer.
 */
export class JsonCodec {
  private readonly encoder = new TextEncoder();
  private scratch = new Uint8Array(4096);

  /** Encodes into a reused buffer: the returned view is valid until the next call. */
  encode(value: unknown): Uint8Array {
    const text = JSON.stringify(value);
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    if (text.length * 3 > this.scratch.length) {
      this.scratch = new Uint8Array(Math.max(text.length * 3, this.scratch.length * 2));
    }
    const { written } = this.encoder.encodeInto(text, this.scratch);
    return this.scratch.subarray(0, written);
  }

  decode<T = unknown>(bytes: Uint8Array): T {
    // Buffer over the same memory: decodes views of a SharedArrayBuffer without a copy.
    return JSON.parse(
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
    );
  }
}
