import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { workerPath } from '../worker-path.js';
import { OrderedRingWriter } from './ordered-writer.js';
import { createRing, RingConsumer, RingProducer } from './ring.js';
import { BusySpin, makeWaitStrategy, SpinThenPark } from './wait-strategy.js';

const bytes = (...values: number[]) => Uint8Array.from(values);
const drain = (c: RingConsumer): number[][] => {
  const out: number[][] = [];
  c.poll((m) => out.push([...m]));
  return out;
};

describe('shm ring', () => {
  it('rejects a capacity that is not a power of two', () => {
    expect(() => createRing({ slots: 12 })).toThrow(/power of two/);
    expect(() => createRing({ slotBytes: 6 })).toThrow(/multiple of 4/);
  });

  it('builds wait strategies by name and refuses unknown ones', () => {
    expect(makeWaitStrategy()).toBeInstanceOf(SpinThenPark);
    expect(makeWaitStrategy({ name: 'busy-spin' })).toBeInstanceOf(BusySpin);
    expect(() => makeWaitStrategy({ name: 'nap' as 'busy-spin' })).toThrow(/unknown wait strategy/);
  });

  it('an empty ring delivers nothing', () => {
    const sab = createRing({ slots: 4, slotBytes: 8 });
    const c = new RingConsumer(sab);
    expect(c.hasData()).toBe(false);
    expect(drain(c)).toEqual([]);
  });

  it('a full ring refuses the write, then accepts it once the consumer drains', () => {
    const sab = createRing({ slots: 4, slotBytes: 8 });
    const p = new RingProducer(sab);
    const c = new RingConsumer(sab);
    for (let i = 0; i < 4; i++) expect(p.tryWritePart(bytes(i, i), 0)).toBe(2);
    expect(p.free()).toBe(0);
    expect(p.tryWritePart(bytes(9), 0)).toBe(-1);
    expect(drain(c)).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expect(p.tryWritePart(bytes(9), 0)).toBe(1);
    expect(drain(c)).toEqual([[9]]);
  });

  it('wraps around many times with messages that straddle the end of the data area', () => {
    const sab = createRing({ slots: 8, slotBytes: 8 });
    const p = new RingProducer(sab);
    const c = new RingConsumer(sab);
    const got: number[][] = [];
    const sent: number[][] = [];
    for (let i = 0; i < 1000; i++) {
      // 1..9 bytes: one or two slots, so starts drift across the wrap point.
      const msg = Array.from({ length: 1 + (i % 9) }, (_, k) => (i + k) & 255);
      sent.push(msg);
      while (p.tryWritePart(Uint8Array.from(msg), 0) < 0) c.poll((m) => got.push([...m]));
    }
    c.poll((m) => got.push([...m]));
    expect(got).toEqual(sent);
  });

  it('fragments a message larger than the ring and reassembles it', () => {
    const sab = createRing({ slots: 8, slotBytes: 16 });
    const p = new RingProducer(sab);
    const c = new RingConsumer(sab);
    const big = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 255);
    let at = 0;
    const got: Uint8Array[] = [];
    while (at < big.length) {
      const next = p.tryWritePart(big, at);
      if (next < 0) c.poll((m) => got.push(m.slice()));
      else at = next;
    }
    c.poll((m) => got.push(m.slice()));
    expect(got).toHaveLength(1);
    expect([...got[0]]).toEqual([...big]);
  });

  it('backpressure: a producer awaiting a full ring resumes when the consumer drains', async () => {
    const sab = createRing({ slots: 4, slotBytes: 8 });
    const w = new OrderedRingWriter(new RingProducer(sab));
    const c = new RingConsumer(sab);
    for (let i = 0; i < 4; i++) expect(w.write(bytes(i))).toBeUndefined();
    let resumed = false;
    const blocked = w.write(bytes(4))!.then(() => (resumed = true));
    const later = w.write(bytes(5));
    expect(later).toBeDefined();
    await new Promise((r) => setTimeout(r, 20));
    expect(resumed).toBe(false);
    expect(w.backlog).toBe(2);
    expect(drain(c)).toEqual([[0], [1], [2], [3]]);
    await blocked;
    await later;
    expect(resumed).toBe(true);
    expect(drain(c)).toEqual([[4], [5]]);
  });

  it('the close marker ends the stream after every earlier message', () => {
    const sab = createRing({ slots: 8, slotBytes: 8 });
    const p = new RingProducer(sab);
    const c = new RingConsumer(sab);
    p.write(bytes(1));
    p.close();
    expect(drain(c)).toEqual([[1]]);
    expect(c.closed).toBe(true);
  });

  it('moves many messages across threads through small rings with no loss or duplication', async () => {
    const input = createRing({ slots: 64, slotBytes: 16 });
    const output = createRing({ slots: 64, slotBytes: 16 });
    const worker = new Worker(workerPath(import.meta.url, './ring-echo-worker.ts'), {
      workerData: { input, output },
    });
    const writer = new OrderedRingWriter(new RingProducer(input));
    const reader = new RingConsumer(output);
    const n = 20_000;
    const received: number[] = [];
    const reading = (async () => {
      while (!reader.closed) {
        const got = reader.poll((m) => {
          const view = new DataView(m.buffer, m.byteOffset, m.byteLength);
          const id = view.getUint32(0);
          // The payload repeats the id's low byte: detects torn or mixed-up messages.
          for (let k = 4; k < m.length; k++) if (m[k] !== (id & 255)) throw new Error('torn');
          received.push(id);
        });
        if (got === 0 && !reader.closed) await reader.waitAsync();
      }
    })();
    for (let i = 0; i < n; i++) {
      // Mostly small messages, every 97th one far larger than the ring (fragmented).
      const msg = new Uint8Array(i % 97 === 0 ? 3000 : 4 + (i % 40)).fill(i & 255);
      new DataView(msg.buffer).setUint32(0, i);
      const pending = writer.write(msg);
      if (pending) await pending;
    }
    await writer.flushed();
    await new RingProducer(input).closeAsync();
    await reading;
    await worker.terminate();
    expect(received.length).toBe(n);
    expect(received.every((id, i) => id === i)).toBe(true);
  });
});
