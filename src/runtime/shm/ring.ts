/**
 * A single-producer single-consumer ring of byte messages in a SharedArrayBuffer, Disruptor style:
 * a power-of-two number of fixed-size slots addressed by `seq & mask`, two monotonically increasing
 * 32-bit sequences (published by the producer, consumed by the consumer), each alone on its own
 * 64-byte line, and a pluggable wait strategy. Sequences wrap at 2^32; all arithmetic on them is
 * `(a - b) | 0`, which stays exact while the ring holds fewer than 2^31 slots.
 *
 * A message takes ceil((4 + bytes) / slotBytes) consecutive slots: a 4-byte header (length plus
 * flags) then the payload, which may wrap past the end of the data area. A message larger than half
 * the ring is split into fragments, so any size gets through and nothing is ever dropped; a full
 * ring makes the producer wait (backpressure).
 */
import { defaultWaitStrategy, type WaitStrategy } from './wait-strategy.js';

// Int32 indexes into the header; each mutable word sits on its own 64-byte line.
const SLOTS = 0;
const SLOT_BYTES = 1;
const PUBLISHED = 16; // byte 64: next sequence the producer will write (written by producer only)
const CONSUMED = 32; // byte 128: next sequence the consumer will read (written by consumer only)
const CONSUMER_SLEEPING = 48; // byte 192: consumer parked waiting for PUBLISHED to move
const PRODUCER_SLEEPING = 64; // byte 256: producer parked waiting for CONSUMED to move
const DATA_OFFSET = 320;

const FLAG_MORE = 1 << 30; // another fragment of the same message follows
const FLAG_CLOSE = 1 << 29; // end of stream: the producer will write nothing more
const LENGTH_MASK = (1 << 29) - 1;

export interface RingOptions {
  /** Number of slots, a power of two (default 4096). */
  slots?: number;
  /** Bytes per slot, a multiple of 4 and at least 8 (default 64). */
  slotBytes?: number;
}

/** Allocates the shared memory of one ring; hand it to a RingProducer and a RingConsumer. */
export function createRing(opts: RingOptions = {}): SharedArrayBuffer {
  const slots = opts.slots ?? 4096;
  const slotBytes = opts.slotBytes ?? 64;
  if (slots < 2 || (slots & (slots - 1)) !== 0 || slots > 1 << 24) {
    throw new Error(`ring slots must be a power of two in [2, 2^24], got ${slots}`);
  }
  if (slotBytes < 8 || slotBytes % 4 !== 0) {
    throw new Error(`ring slotBytes must be a multiple of 4 and >= 8, got ${slotBytes}`);
  }
  const sab = new SharedArrayBuffer(DATA_OFFSET + slots * slotBytes);
  const hdr = new Int32Array(sab);
  hdr[SLOTS] = slots;
  hdr[SLOT_BYTES] = slotBytes;
  return sab;
}

class RingView {
  protected readonly i32: Int32Array;
  protected readonly data: Uint8Array;
  protected readonly slots: number;
  protected readonly mask: number;
  protected readonly slotBytes: number;
  protected readonly dataBytes: number;
  protected readonly wait: WaitStrategy;

  constructor(sab: SharedArrayBuffer, wait: WaitStrategy) {
    this.i32 = new Int32Array(sab);
    this.slots = this.i32[SLOTS];
    this.mask = this.slots - 1;
    this.slotBytes = this.i32[SLOT_BYTES];
    this.dataBytes = this.slots * this.slotBytes;
    this.data = new Uint8Array(sab, DATA_OFFSET, this.dataBytes);
    this.wait = wait;
  }

  protected headerIndex(seq: number): number {
    return (DATA_OFFSET + (seq & this.mask) * this.slotBytes) >> 2;
  }

  protected slotsFor(bytes: number): number {
    return Math.ceil((4 + bytes) / this.slotBytes);
  }
}

/** The one writer of a ring. Not thread-safe by design: one producer per ring. */
export class RingProducer extends RingView {
  /** Local copy of PUBLISHED: only this producer writes it. */
  private next: number;
  /** Last CONSUMED seen; refreshed only when the cached value says the ring is full. */
  private consumedCache: number;
  /** Largest payload written as one fragment; longer messages are split. */
  readonly maxFragment: number;

  constructor(sab: SharedArrayBuffer, wait: WaitStrategy = defaultWaitStrategy()) {
    super(sab, wait);
    // seq-cst loads: pick up where a previous producer object on this ring left off.
    this.next = Atomics.load(this.i32, PUBLISHED);
    this.consumedCache = Atomics.load(this.i32, CONSUMED);
    this.maxFragment = Math.max(4, (this.dataBytes >> 1) - 4);
  }

  /**
   * Writes one fragment of `msg` starting at byte `from` if there is room. Returns the offset after
   * the fragment (== msg.length when the message is complete), or -1 when the ring is full.
   */
  tryWritePart(msg: Uint8Array, from: number): number {
    const len = Math.min(msg.length - from, this.maxFragment);
    const more = from + len < msg.length;
    if (!this.publish(msg, from, len, more ? FLAG_MORE : 0)) return -1;
    return from + len;
  }

  /** Writes a whole message, blocking this thread while the ring is full (workers only). */
  write(msg: Uint8Array): void {
    let at = 0;
    do {
      const next = this.tryWritePart(msg, at);
      if (next < 0) this.waitForSpaceSync();
      else at = next;
    } while (at < msg.length);
  }

  /** Writes a whole message, awaiting space while the ring is full (main thread). */
  async writeAsync(msg: Uint8Array): Promise<void> {
    let at = 0;
    do {
      const next = this.tryWritePart(msg, at);
      if (next < 0) await this.waitForSpace();
      else at = next;
    } while (at < msg.length);
  }

  /** Marks the end of the stream after everything already written (blocking variant). */
  close(): void {
    while (!this.publish(new Uint8Array(0), 0, 0, FLAG_CLOSE)) this.waitForSpaceSync();
  }

  async closeAsync(): Promise<void> {
    while (!this.publish(new Uint8Array(0), 0, 0, FLAG_CLOSE)) await this.waitForSpace();
  }

  /** Slots currently free, from a fresh read of CONSUMED. */
  free(): number {
    // seq-cst load: acquires the consumer's release of the slots it finished reading.
    this.consumedCache = Atomics.load(this.i32, CONSUMED);
    return this.slots - ((this.next - this.consumedCache) | 0);
  }

  waitForSpaceSync(): void {
    this.wait.waitSync(this.i32, CONSUMED, PRODUCER_SLEEPING, this.consumedCache);
  }

  waitForSpace(): Promise<void> {
    return this.wait.waitAsync(this.i32, CONSUMED, PRODUCER_SLEEPING, this.consumedCache);
  }

  private publish(msg: Uint8Array, from: number, len: number, flags: number): boolean {
    const need = this.slotsFor(len);
    if (this.slots - ((this.next - this.consumedCache) | 0) < need) {
      // seq-cst load: acquires CONSUMED so the slots we are about to overwrite are really free.
      this.consumedCache = Atomics.load(this.i32, CONSUMED);
      if (this.slots - ((this.next - this.consumedCache) | 0) < need) return false;
    }
    const start = ((this.next & this.mask) * this.slotBytes + 4) % this.dataBytes;
    this.i32[this.headerIndex(this.next)] = len | flags;
    const first = Math.min(len, this.dataBytes - start);
    this.data.set(msg.subarray(from, from + first), start);
    if (first < len) this.data.set(msg.subarray(from + first, from + len), 0);
    this.next = (this.next + need) | 0;
    // seq-cst store (release): the plain header/payload writes above become visible with it.
    Atomics.store(this.i32, PUBLISHED, this.next);
    this.wait.wake(this.i32, PUBLISHED, CONSUMER_SLEEPING);
    return true;
  }
}

/** The one reader of a ring. */
export class RingConsumer extends RingView {
  /** Local copy of CONSUMED: only this consumer writes it. */
  private next: number;
  private scratch = new Uint8Array(1024);
  /** Bytes of a fragmented message gathered so far. */
  private partial = 0;
  private gathering = false;
  /** True once the producer's close marker has been read. */
  closed = false;

  constructor(sab: SharedArrayBuffer, wait: WaitStrategy = defaultWaitStrategy()) {
    super(sab, wait);
    // seq-cst load: resume after whatever a previous consumer object already released.
    this.next = Atomics.load(this.i32, CONSUMED);
  }

  /**
   * Delivers up to `max` complete messages that are already published, in order. The view passed
   * to `handler` is only valid during the call. Returns the number of messages delivered.
   */
  poll(handler: (msg: Uint8Array) => void, max = Number.MAX_SAFE_INTEGER): number {
    let delivered = 0;
    // seq-cst load (acquire): everything the producer wrote before publishing is visible now.
    const published = Atomics.load(this.i32, PUBLISHED);
    while (delivered < max && this.next !== published && !this.closed) {
      const header = this.i32[this.headerIndex(this.next)];
      const len = header & LENGTH_MASK;
      const start = ((this.next & this.mask) * this.slotBytes + 4) % this.dataBytes;
      const need = this.slotsFor(len);
      if (header & FLAG_CLOSE) {
        this.closed = true;
      } else if (header & FLAG_MORE || this.gathering) {
        this.gather(start, len);
        this.gathering = (header & FLAG_MORE) !== 0;
        if (!this.gathering) {
          handler(this.scratch.subarray(0, this.partial));
          this.partial = 0;
          delivered++;
        }
      } else if (start + len <= this.dataBytes) {
        handler(this.data.subarray(start, start + len));
        delivered++;
      } else {
        this.partial = 0;
        this.gather(start, len);
        handler(this.scratch.subarray(0, this.partial));
        this.partial = 0;
        delivered++;
      }
      this.next = (this.next + need) | 0;
      // seq-cst store (release): our reads of these slots happen-before the producer reuses them.
      Atomics.store(this.i32, CONSUMED, this.next);
      this.wait.wake(this.i32, CONSUMED, PRODUCER_SLEEPING);
    }
    return delivered;
  }

  /** True when at least one slot is published and unread. */
  hasData(): boolean {
    // seq-cst load: acquires the producer's latest publication.
    return Atomics.load(this.i32, PUBLISHED) !== this.next;
  }

  /** Blocks this thread until something is published (or a park timeout). Workers only. */
  waitSync(): void {
    this.wait.waitSync(this.i32, PUBLISHED, CONSUMER_SLEEPING, this.next);
  }

  /** Resolves once something is published (or a park timeout). Main thread. */
  waitAsync(): Promise<void> {
    return this.wait.waitAsync(this.i32, PUBLISHED, CONSUMER_SLEEPING, this.next);
  }

  private gather(start: number, len: number): void {
    if (this.partial + len > this.scratch.length) {
      const grown = new Uint8Array(Math.max(this.scratch.length * 2, this.partial + len));
      grown.set(this.scratch.subarray(0, this.partial));
      this.scratch = grown;
    }
    const first = Math.min(len, this.dataBytes - start);
    this.scratch.set(this.data.subarray(start, start + first), this.partial);
    if (first < len) this.scratch.set(this.data.subarray(0, len - first), this.partial + first);
    this.partial += len;
  }
}
