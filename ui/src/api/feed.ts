import type { ServerMessage } from './types';

export type ConnStatus = 'connecting' | 'open' | 'waiting' | 'closed';

export interface ConnState {
  status: ConnStatus;
  /** Failed attempts since the last good connection. */
  attempt: number;
  /** When the next attempt starts (status `waiting`), ms since the epoch. */
  retryAt: number | null;
  /** Why the last connection ended. */
  lastClose: string | null;
  /** Round trip of the last ping, ms. */
  rttMs: number | null;
  /** Messages received in the last whole second. */
  msgsPerSec: number;
  reconnects: number;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

export interface FeedOptions {
  url: string;
  onMessage(msg: ServerMessage): void;
  onState(s: ConnState): void;
  /** After each (re)connect, once auth (if any) is done and subscriptions are resent. */
  onReady(): void;
  /** Builds the auth message for this connection, or undefined when logged out. */
  auth(): Promise<Record<string, unknown> | undefined>;
  /** Learns the server clock from pings (signatures must be within 30 s of it). */
  onClock?(offsetMs: number): void;
}

const MAX_BACKOFF_MS = 10_000;
const PING_MS = 5_000;

/**
 * One WebSocket to /ws with request ids, a set of subscriptions that survive reconnects, and
 * reconnection with jittered exponential backoff. Subscriptions are resent on every connect, so
 * the server's L2 snapshot resyncs the book after any drop.
 */
export class Feed {
  private ws: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private readonly subs = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pinger: ReturnType<typeof setInterval> | null = null;
  private count = 0;
  private stopped = false;
  readonly state: ConnState = {
    status: 'connecting',
    attempt: 0,
    retryAt: null,
    lastClose: null,
    rttMs: null,
    msgsPerSec: 0,
    reconnects: 0,
  };

  constructor(private readonly opts: FeedOptions) {
    setInterval(() => {
      this.state.msgsPerSec = this.count;
      this.count = 0;
      this.emit();
    }, 1000);
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  get isOpen(): boolean {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  subscribe(channel: string, symbol: string): void {
    const key = `${channel}:${symbol}`;
    if (this.subs.has(key)) return;
    this.subs.add(key);
    if (this.isOpen) void this.request('subscribe', { channel, symbol }).catch(() => undefined);
  }

  unsubscribe(channel: string, symbol: string): void {
    if (!this.subs.delete(`${channel}:${symbol}`)) return;
    if (this.isOpen) void this.request('unsubscribe', { channel, symbol }).catch(() => undefined);
  }

  /** Drops and retakes a subscription: the server answers with a fresh snapshot. */
  resubscribe(channel: string, symbol: string): void {
    if (!this.isOpen) return;
    void this.request('unsubscribe', { channel, symbol })
      .then(() => this.request('subscribe', { channel, symbol }))
      .catch(() => undefined);
  }

  /** Re-sends auth on the open connection (after login or logout). */
  async reauth(): Promise<void> {
    if (!this.isOpen) return;
    const msg = await this.opts.auth();
    if (msg !== undefined) await this.request('auth', msg);
  }

  request(op: string, fields: Record<string, unknown> = {}): Promise<unknown> {
    const ws = this.ws;
    if (ws === null || ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new Error('not connected'));
    }
    const id = String(this.nextId++);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ op, id, ...fields }));
    });
  }

  private emit(): void {
    this.opts.onState(this.state);
  }

  private open(): void {
    if (this.stopped) return;
    this.state.status = 'connecting';
    this.state.retryAt = null;
    this.emit();
    const ws = new WebSocket(this.opts.url);
    this.ws = ws;
    ws.onopen = () => void this.ready(ws);
    ws.onmessage = (ev: MessageEvent) => this.receive(ev.data as string);
    ws.onclose = (ev: CloseEvent) => this.closed(ws, ev);
  }

  private async ready(ws: WebSocket): Promise<void> {
    try {
      const auth = await this.opts.auth();
      if (auth !== undefined) await this.request('auth', auth);
    } catch (err) {
      this.state.lastClose = `auth failed: ${(err as Error).message}`;
    }
    if (this.ws !== ws) return;
    for (const key of this.subs) {
      const [channel, symbol] = key.split(':');
      void this.request('subscribe', { channel, symbol }).catch(() => undefined);
    }
    if (this.state.attempt > 0 || this.state.lastClose !== null) this.state.reconnects++;
    this.state.status = 'open';
    this.state.attempt = 0;
    this.emit();
    this.pinger = setInterval(() => this.ping(), PING_MS);
    this.ping();
    this.opts.onReady();
  }

  private ping(): void {
    const t0 = Date.now();
    this.request('ping')
      .then((r) => {
        const t1 = Date.now();
        this.state.rttMs = t1 - t0;
        const server = (r as { time?: number }).time;
        if (typeof server === 'number') this.opts.onClock?.(server - (t0 + t1) / 2);
      })
      .catch(() => undefined);
  }

  private receive(data: string): void {
    this.count++;
    let msg: ServerMessage;
    try {
      msg = JSON.parse(data) as ServerMessage;
    } catch {
      return;
    }
    if (msg.type === 'response' && msg.id !== null) {
      const p = this.pending.get(String(msg.id));
      if (p !== undefined) {
        this.pending.delete(String(msg.id));
        if (msg.ok) p.resolve(msg.result);
        else p.reject(Object.assign(new Error(msg.error.message), { reason: msg.error.reason }));
        return;
      }
    }
    this.opts.onMessage(msg);
  }

  private closed(ws: WebSocket, ev: CloseEvent): void {
    if (this.ws !== ws) return;
    this.ws = null;
    if (this.pinger !== null) clearInterval(this.pinger);
    for (const p of this.pending.values()) p.reject(new Error('connection closed'));
    this.pending.clear();
    this.state.lastClose = ev.reason !== '' ? `${ev.code} ${ev.reason}` : `code ${ev.code}`;
    if (this.stopped) {
      this.state.status = 'closed';
      this.emit();
      return;
    }
    const delay =
      Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.state.attempt) * (0.5 + Math.random() / 2);
    this.state.attempt++;
    this.state.status = 'waiting';
    this.state.retryAt = Date.now() + delay;
    this.emit();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.open();
    }, delay);
  }

  /** Drops the connection and opens a fresh one at once: after logout, an unauthenticated one. */
  restart(): void {
    const ws = this.ws;
    if (ws === null) return this.retryNow();
    this.ws = null;
    if (this.pinger !== null) clearInterval(this.pinger);
    for (const p of this.pending.values()) p.reject(new Error('connection restarted'));
    this.pending.clear();
    ws.onclose = null;
    ws.close(1000, 'restart');
    this.open();
  }

  /** Reconnect now (the user clicked the connection badge). */
  retryNow(): void {
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.open();
  }
}
