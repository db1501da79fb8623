/**
 * Replay streams: an input larger than the child's whole V8 heap, generated on the fly and piped
 * through stdin, must run to completion with every event accounted for. If the CLI buffered the
 * input (or its output) it would die with "heap out of memory" under --max-old-space-size=32.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, BIN, ROOT } from './replay-helpers.js';

const CYCLES = 25_000;
const HEAP_MB = 32;
// Wide lines keep the input large while the engine state (it remembers every order id of the
// run) stays far below the heap cap: what is measured is the CLI's own buffering.
const PAD = 'x'.repeat(2500);

interface Plan {
  bytes: number;
  events: number;
}

/**
 * Each cycle rests a sell, fills it completely with a buy, and rests then cancels a bid, so the
 * book is empty again after every cycle: the engine's state stays small while the input grows.
 * Every 1000 cycles a malformed line and a blank line are mixed in.
 */
function generate(plan: Plan): Readable {
  let i = 0;
  return new Readable({
    read() {
      if (i === 0) {
        this.push(
          line({ type: 'instrument', symbol: 'S', tickSize: '0.01', lotSize: '1' }, plan, 1),
        );
      }
      const parts: string[] = [];
      for (let n = 0; n < 200 && i < CYCLES; n++, i++) {
        const price = `100.0${i % 5}`;
        parts.push(line(place(`s${i}`, 'sell', price, '10'), plan, 1));
        parts.push(line(place(`b${i}`, 'buy', '100.05', '10'), plan, 2));
        parts.push(line(place(`r${i}`, 'buy', '99.00', '5'), plan, 1));
        parts.push(line({ type: 'cancel', symbol: 'S', orderId: `r${i}`, account: 'a' }, plan, 1));
        if (i % 1000 === 999) {
          parts.push('{"type":"place", oops\n\n');
          plan.bytes += 25;
          plan.events += 1;
        }
      }
      if (parts.length > 0) this.push(parts.join(''));
      if (i >= CYCLES) {
        this.push(line({ type: 'snapshot', symbol: 'S' }, plan, 1));
        this.push(null);
      }
    },
  });
}

function place(orderId: string, side: string, price: string, qty: string): object {
  return {
    type: 'place',
    symbol: 'S',
    orderId,
    account: 'a',
    side,
    kind: 'limit',
    price,
    qty,
    note: PAD,
  };
}

function line(obj: object, plan: Plan, events: number): string {
  const text = JSON.stringify(obj) + '\n';
  plan.bytes += text.length;
  plan.events += events;
  return text;
}

/** Peak resident set of a live process in MiB, or NaN where /proc is not available. */
function peakRssMiB(pid: number): number {
  const status = `/proc/${pid}/status`;
  if (!existsSync(status)) return NaN;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(status, 'utf8'));
    return m === null ? NaN : Number(m[1]) / 1024;
  } catch {
    return NaN; // the process just exited
  }
}

beforeAll(assertBuilt);

describe('replay streaming', () => {
  it('replays an input larger than its heap in bounded memory, losing no event', async () => {
    const plan: Plan = { bytes: 0, events: 0 };
    const child = spawn(process.execPath, [BIN, 'replay'], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_OPTIONS: `--max-old-space-size=${HEAP_MB} --max-semi-space-size=4`,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let peak = 0;
    const poll = setInterval(() => {
      const rss = peakRssMiB(child.pid!);
      if (rss > peak) peak = rss;
    }, 100);

    // Output is checked as it streams, never kept: seq must count 1, 2, 3... with no gap.
    let count = 0;
    let badSeq = 0;
    let trades = 0;
    let malformed = 0;
    let carry = '';
    let last = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (carry + chunk).split('\n');
      carry = lines.pop()!;
      for (const l of lines) {
        count++;
        const e = JSON.parse(l) as { seq: number; type: string; reason?: string };
        if (e.seq !== count) badSeq++;
        if (e.type === 'trade') trades++;
        if (e.reason === 'malformed') malformed++;
        last = l;
      }
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    generate(plan).pipe(child.stdin);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearInterval(poll);

    expect(stderr).toBe('');
    expect(code).toBe(0);
    // The input really is bigger than the heap the child was allowed.
    expect(plan.bytes).toBeGreaterThan(HEAP_MB * 1024 * 1024);
    expect(carry).toBe('');
    expect(count).toBe(plan.events);
    expect(badSeq).toBe(0);
    expect(trades).toBe(CYCLES);
    expect(malformed).toBe(CYCLES / 1000);
    expect(JSON.parse(last)).toMatchObject({ type: 'book', symbol: 'S', bids: [], asks: [] });
    if (Number.isNaN(peak) || peak === 0) {
      console.warn('replay streaming: /proc not available, peak RSS not checked');
    } else {
      // Node's baseline with the code loaded (about 55 MiB) plus the heap caps: about 100 MiB
      // whatever the input size, so well under this 190 MiB input.
      expect(peak).toBeLessThan((0.75 * plan.bytes) / (1024 * 1024));
      console.log(
        `replay streaming: ${(plan.bytes / 1048576).toFixed(0)} MiB in, peak RSS ${peak.toFixed(0)} MiB`,
      );
    }
  });
});
