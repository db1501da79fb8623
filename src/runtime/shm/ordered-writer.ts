import type { RingProducer } from './ring.js';

/**
 * Main-thread front of a RingProducer: many async callers, one ring, strict FIFO. While the ring has
 * room a message is written synchronously; once it is full, later messages queue here (a copy
 * each) and one pump awaits space, so order is kept and nothing is dropped: the returned promise
 * is the caller's backpressure.
 */
export class OrderedRingWriter {
  private readonly queue: Uint8Array[] = [];
  private pumping: Promise<void> | null = null;
  private waiters: (() => void)[] = [];

  constructor(private readonly ring: RingProducer) {}

  /** Writes or queues `msg` (its bytes are copied if it must wait). Resolves once it is in the ring. */
  write(msg: Uint8Array): Promise<void> | undefined {
    // Fast path only for single-fragment messages, so a message is never half in the ring.
    if (this.queue.length === 0 && msg.length <= this.ring.maxFragment) {
      if (this.ring.tryWritePart(msg, 0) === msg.length) return undefined;
    }
    this.queue.push(msg.slice());
    return this.startPump();
  }

  /** Number of messages waiting for ring space. */
  get backlog(): number {
    return this.queue.length;
  }

  /** Resolves when every queued message is in the ring. */
  flushed(): Promise<void> {
    return this.pumping ?? Promise.resolve();
  }

  private startPump(): Promise<void> {
    const done = new Promise<void>((resolve) => this.waiters.push(resolve));
    if (!this.pumping) this.pumping = this.pump();
    return done;
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0) {
      await this.ring.writeAsync(this.queue[0]);
      this.queue.shift();
      this.waiters.shift()?.();
    }
    // Cleared in the same synchronous step that saw the queue empty, so a write() that arrives
    // later always starts a fresh pump instead of joining one that has already finished.
    this.pumping = null;
  }
}
