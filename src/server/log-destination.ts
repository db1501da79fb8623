import { write, writeSync } from 'node:fs';

/**
 * A pino destination that never blocks the event loop: lines are queued in memory (at most
 * `maxBytes`) and written by one asynchronous fs.write at a time. When the queue is full, or the
 * sink fails (ENOSPC on a full disk, EAGAIN on a pipe nobody reads), lines are dropped and counted
 * (`dropped`, exported as crossbook_log_dropped_total), never retried in a loop: matching goes on.
 */
export class NonBlockingLog {
  dropped = 0;
  private queue: string[] = [];
  private queuedBytes = 0;
  private writing = false;

  constructor(
    private readonly fd = 1,
    private readonly maxBytes = 1024 * 1024,
  ) {}

  write(line: string): void {
    if (this.queuedBytes + line.length > this.maxBytes) {
      this.dropped++;
      return;
    }
    this.queue.push(line);
    this.queuedBytes += line.length;
    if (!this.writing) this.flush();
  }

  /** Best effort at exit: one synchronous attempt, errors ignored (counted). */
  flushSync(): void {
    if (this.writing || this.queue.length === 0) return;
    const lines = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    try {
      writeSync(this.fd, lines.join(''));
    } catch {
      this.dropped += lines.length;
    }
  }

  private flush(): void {
    const lines = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    this.writing = true;
    const text = Buffer.from(lines.join(''));
    write(this.fd, text, 0, text.length, null, (err, written) => {
      // A failed or short write drops what it did not write; the next batch tries afresh.
      if (err !== null) this.dropped += lines.length;
      else if (written < text.length) this.dropped++;
      this.writing = false;
      if (this.queue.length > 0)
        setImmediate(() => !this.writing && this.queue.length > 0 && this.flush());
    });
  }
}
