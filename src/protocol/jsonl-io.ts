/**
 * Streaming JSON Lines I/O (the one file of src/protocol that touches node streams). Input is
 * pulled chunk by chunk, so a slow consumer pauses the reader; output is batched and waits for
 * `drain`. Memory stays bounded by the chunk size plus the longest line, whatever the input size.
 */
import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** Lines longer than this are cut off and reported as over-long instead of buffered forever. */
export const MAX_LINE_CHARS = 1 << 20;

export interface LineBatch {
  /** Line number (from 1) of `lines[0]`. */
  firstLine: number;
  /** Lines without their terminator; `null` marks a line that was longer than MAX_LINE_CHARS. */
  lines: (string | null)[];
}

/**
 * Yields the input's lines in batches (one batch per chunk read), numbered from 1. Handles `\n`
 * and `\r\n`, multi-byte characters split across chunks, and a last line without a newline.
 */
export async function* readLineBatches(input: Readable): AsyncGenerator<LineBatch> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let overlong = false;
  let next = 1;
  const finish = (text: string): string | null => {
    const line = text.endsWith('\r') ? text.slice(0, -1) : text;
    return overlong || line.length > MAX_LINE_CHARS ? null : line;
  };
  for await (const chunk of input) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    const lines: (string | null)[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      lines.push(finish(carry + text.slice(start, nl)));
      carry = '';
      overlong = false;
      start = nl + 1;
    }
    if (!overlong) {
      carry += text.slice(start);
      if (carry.length > MAX_LINE_CHARS) {
        overlong = true;
        carry = '';
      }
    }
    if (lines.length > 0) {
      yield { firstLine: next, lines };
      next += lines.length;
    }
  }
  const tail = carry + decoder.end();
  if (tail.length > 0 || overlong) yield { firstLine: next, lines: [finish(tail)] };
}

/** Batches output lines into large writes and honours the destination's backpressure. */
export class LineWriter {
  private parts: string[] = [];
  private size = 0;

  constructor(
    private readonly out: Writable,
    private readonly batchChars = 1 << 16,
  ) {}

  /** Queues one line (without its newline). Call `flushIfFull` regularly. */
  push(line: string): void {
    this.parts.push(line);
    this.size += line.length + 1;
  }

  get full(): boolean {
    return this.size >= this.batchChars;
  }

  /** Writes what is queued; resolves when the destination can take more. */
  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const data = this.parts.join('\n') + '\n';
    this.parts = [];
    this.size = 0;
    if (!this.out.write(data)) await waitForDrain(this.out);
  }

  /** Flushes and ends a file stream, resolving once its data is handed to the OS. */
  async close(endStream: boolean): Promise<void> {
    await this.flush();
    if (!endStream) return;
    await new Promise<void>((resolve, reject) => {
      this.out.once('error', reject);
      this.out.end(() => resolve());
    });
  }
}

function waitForDrain(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      out.off('drain', onDrain);
      out.off('error', onError);
      out.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onError = (err: Error) => done(err);
    const onClose = () => done(new Error('output closed before it could take more data'));
    out.on('drain', onDrain);
    out.on('error', onError);
    out.on('close', onClose);
  });
}
