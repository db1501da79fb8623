/**
 * One load-generating thread: a few WebSocket connections that place orders on a fixed schedule
 * (open loop, so a slow server cannot slow the offered rate down) and time each acknowledgement.
 */
import type { Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { WebSocket } from 'ws';
import { signRequest } from '../../gateway/index.js';

export interface WorkerConfig {
  wsUrl: string;
  keys: { keyId: string; secret: string }[];
  connections: number;
  /** Orders per second for this worker; 0: as fast as the in-flight window allows. */
  rate: number;
  durationMs: number;
  warmupMs: number;
  /** Most unacknowledged orders per connection. */
  inflight: number;
  symbols: { symbol: string; ref: number; tick: number; decimals: number }[];
  seed: number;
}

export type WorkerMessage =
  | { type: 'progress'; acked: number; rejected: number; sent: number }
  | {
      type: 'done';
      /** Ack latencies in µs measured after the warm-up. */
      latencies: Float64Array;
      acked: number;
      rejected: number;
      sent: number;
      reasons: Record<string, number>;
      errors: string[];
      measuredMs: number;
    };

interface Conn {
  ws: WebSocket;
  inflight: number;
  sentAt: Map<number, number>;
  corked: boolean;
}

/** Request ids are 10 digits from here, so every pre-encoded message has the same layout. */
const ID_BASE = 1_000_000_000;
const ID_DIGITS = 10;
/** Distinct pre-encoded orders per thread, reused round-robin. */
const POOL = 4096;

/**
 * Every order message is encoded once before the run, with a fixed-width id that `send` patches
 * in place: the generator's per-order work is a 10-byte copy and the frame write. ws copies the
 * payload while masking it, so the same buffer can be patched again for the next order.
 */
function encodePool(cfg: WorkerConfig, rnd: (n: number) => number): { pool: Buffer[]; at: number } {
  const head = '{"op":"place","id":';
  const pool: Buffer[] = [];
  for (let i = 0; i < POOL; i++) {
    const s = cfg.symbols[rnd(cfg.symbols.length)];
    const side = rnd(2) === 0 ? 'buy' : 'sell';
    const ticks = s.ref + rnd(41) - 20;
    const price = (ticks * s.tick).toFixed(s.decimals);
    pool.push(
      Buffer.from(
        `${head}${ID_BASE},"symbol":"${s.symbol}","side":"${side}","price":"${price}","qty":"1"}`,
        'latin1',
      ),
    );
  }
  return { pool, at: head.length };
}

function patchId(buf: Buffer, at: number, id: number): void {
  for (let i = at + ID_DIGITS - 1; i >= at; i--) {
    buf[i] = 48 + (id % 10);
    id = Math.floor(id / 10);
  }
}

/**
 * Frames sent in one event-loop turn leave in one writev: without this every order is its own
 * syscall here and its own read on the server, which on two shared cores costs more than the order.
 */
function cork(c: Conn): void {
  if (c.corked) return;
  const socket = (c.ws as unknown as { _socket?: Socket })._socket;
  if (socket === undefined) return;
  c.corked = true;
  socket.cork();
  process.nextTick(() => {
    c.corked = false;
    socket.uncork();
  });
}

async function main(cfg: WorkerConfig): Promise<void> {
  const port = parentPort!;
  let seed = cfg.seed;
  const rnd = (n: number) => {
    seed = (seed * 48271) % 2147483647;
    return Math.floor((seed / 2147483647) * n);
  };
  const errors: string[] = [];
  const reasons: Record<string, number> = {};
  let latencies = new Float64Array(1 << 16);
  let nLat = 0;
  let acked = 0;
  let rejected = 0;
  let sent = 0;
  let measuring = false;
  let running = false;
  let nextId = ID_BASE + 1;

  const conns: Conn[] = [];
  for (let i = 0; i < cfg.connections; i++) {
    const key = cfg.keys[i % cfg.keys.length];
    // Keep ws's random mask: with it ws copies each payload into its frame, which is what lets
    // `send` patch a pooled message again at once (a zero mask would queue the buffer itself).
    const ws = new WebSocket(cfg.wsUrl, { perMessageDeflate: false });
    await new Promise<void>((res, rej) => {
      ws.once('open', () => res());
      ws.once('error', rej);
    });
    const c: Conn = { ws, inflight: 0, sentAt: new Map(), corked: false };
    const authed = new Promise<void>((res, rej) => {
      ws.once('message', (d) => {
        const m = JSON.parse(d.toString());
        if (m.ok) res();
        else rej(new Error(`auth failed: ${m.error?.message}`));
      });
    });
    const ts = Date.now();
    const sign = signRequest(key.secret, { ts, method: 'GET', path: '/ws' });
    ws.send(JSON.stringify({ op: 'auth', id: 0, key: key.keyId, ts, sign, executions: false }));
    await authed;
    ws.on('message', (d) => {
      const text = d.toString();
      // Replies start with {"type":"response","id":N,"ok":...}: read them without a full parse.
      const idStart = text.indexOf('"id":') + 5;
      const idEnd = text.indexOf(',', idStart);
      const id = Number(text.slice(idStart, idEnd));
      const t0 = c.sentAt.get(id);
      if (t0 === undefined) return;
      c.sentAt.delete(id);
      c.inflight--;
      const ok = text.startsWith('true', idEnd + 6);
      if (ok) acked++;
      else {
        rejected++;
        const m = /"reason":"([a-z_]+)"/.exec(text);
        const r = m === null ? 'unknown' : m[1];
        reasons[r] = (reasons[r] ?? 0) + 1;
      }
      // Closed loop (rate 0): refill the window as soon as a reply frees a slot.
      if (cfg.rate === 0 && running) send(c);
      if (measuring) {
        if (nLat === latencies.length) {
          const next = new Float64Array(latencies.length * 2);
          next.set(latencies);
          latencies = next;
        }
        latencies[nLat++] = (performance.now() - t0) * 1000;
      }
    });
    ws.on('error', (err) => errors.push(err.message));
    ws.on('close', (code, reason) => {
      if (code !== 1000 && code !== 1005) errors.push(`closed ${code} ${reason.toString()}`);
    });
    conns.push(c);
  }

  const { pool, at } = encodePool(cfg, rnd);
  let next = 0;
  const send = (c: Conn) => {
    const id = nextId++;
    const msg = pool[next++ & (POOL - 1)];
    patchId(msg, at, id);
    c.sentAt.set(id, performance.now());
    c.inflight++;
    sent++;
    cork(c);
    c.ws.send(msg, { binary: false });
  };

  const start = performance.now();
  const end = start + cfg.warmupMs + cfg.durationMs;
  let measureStart = start;
  let ackedAtMeasureStart = 0;
  let rr = 0;
  let lastProgress = start;
  let scheduled = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      if (!measuring && now - start >= cfg.warmupMs) {
        measuring = true;
        measureStart = now;
        ackedAtMeasureStart = acked;
      }
      if (now >= end) {
        running = false;
        return resolve();
      }
      if (cfg.rate > 0) {
        const due = Math.floor(((now - start) / 1000) * cfg.rate);
        // Never more than one window behind: a stalled server is not flooded afterwards.
        while (scheduled < due) {
          scheduled++;
          const c = conns[rr++ % conns.length];
          if (c.inflight < cfg.inflight) send(c);
        }
      } else if (!running) {
        running = true;
        for (const c of conns) while (c.inflight < cfg.inflight) send(c);
      }
      if (now - lastProgress >= 100) {
        lastProgress = now;
        port.postMessage({ type: 'progress', acked, rejected, sent } satisfies WorkerMessage);
      }
      // 1 ms ticks: bursts of rate/1000 orders, without spinning a core the server needs.
      setTimeout(tick, 1);
    };
    tick();
  });
  const measuredMs = performance.now() - measureStart;
  const ackedInWindow = acked - ackedAtMeasureStart;
  // Let the last replies arrive; they are not counted in the rate.
  const deadline = performance.now() + 2000;
  while (conns.some((c) => c.inflight > 0) && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  for (const c of conns) c.ws.close(1000);
  const out = latencies.slice(0, nLat);
  port.postMessage(
    {
      type: 'done',
      latencies: out,
      acked: ackedInWindow,
      rejected,
      sent,
      reasons,
      errors: errors.slice(0, 20),
      measuredMs,
    } satisfies WorkerMessage,
    [out.buffer],
  );
}

if (parentPort !== null && workerData !== undefined) {
  main(workerData as WorkerConfig).catch((err: unknown) => {
    parentPort!.postMessage({ type: 'error', message: (err as Error).message });
  });
}
