import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { MarketDataMessage } from '../../market-data/index.js';
import type { Principal } from '../auth/index.js';
import type { GatewayContext, SessionFilter } from '../context.js';
import { ApiError } from '../errors.js';
import { fillView } from '../orders/format.js';
import { readOrderRef } from '../orders/order-entry.js';
import type { Execution } from '../orders/order-registry.js';

const CHANNELS = new Set(['l1', 'l2', 'trades']);
const PING_MS = 30_000;
/** How often live sessions' keys are re-checked (a key revoked by the CLI in another process). */
const KEY_CHECK_MS = 5_000;
/**
 * Close reason of a dropped private stream: execution reports may have been lost, and the REST
 * API has every outcome (docs/api.md §4.6). At most 123 bytes (a close frame's limit).
 */
export const SLOW_CONSUMER_REASON =
  'slow_consumer: execution reports lost; recover with GET /api/v1/orders?status=all and /api/v1/fills';

/**
 * ws closes an oversized message with 1009 and no reason; the API documents reason `too_large`.
 */
class ApiWebSocket extends WebSocket {
  override close(code?: number, data?: string | Buffer): void {
    super.close(code, code === 1009 && data === undefined ? 'too_large' : data);
  }
}
/** Marks a request whose reply was already sent (subscribe sends it before the snapshot). */
const SENT = Symbol('sent');

type Msg = Record<string, unknown>;

/** One client connection: its account (after auth), its subscriptions and its outgoing budget. */
class Connection {
  principal: Principal | undefined;
  readonly subs = new Set<string>();
  dropped = false;
  alive = true;
  /** Trading requests sent to the service and not yet answered. */
  inFlight = 0;
  private corked = false;

  constructor(
    readonly ws: WebSocket,
    private readonly gw: WsGateway,
  ) {}

  /** Sends unless the client is too far behind; then it is dropped, never waited for. */
  send(json: string): void {
    if (this.dropped) return;
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount + json.length > this.gw.maxBuffered) {
      this.gw.drop(this, 'slow_consumer');
      return;
    }
    // Frames sent in one tick leave in one writev instead of one syscall each.
    if (!this.corked) {
      const socket = (this.ws as unknown as { _socket?: Socket })._socket;
      if (socket !== undefined) {
        this.corked = true;
        socket.cork();
        process.nextTick(() => {
          this.corked = false;
          socket.uncork();
        });
      }
    }
    this.ws.send(json);
  }

  reply(id: unknown, result: unknown): void {
    this.send(JSON.stringify({ type: 'response', id: id ?? null, ok: true, result }));
  }

  fail(id: unknown, reason: string, message: string): void {
    this.send(
      JSON.stringify({ type: 'response', id: id ?? null, ok: false, error: { reason, message } }),
    );
  }
}

/**
 * The WebSocket API at /ws (docs/api.md §4): optional auth, order entry with request ids, private
 * execution reports, public l1 / l2 / trades channels. Every message to a client goes through its
 * bounded buffer; a slow client is closed with `slow_consumer`, so matching never waits on it.
 */
export class WsGateway {
  private readonly wss: WebSocketServer;
  private readonly conns = new Set<Connection>();
  private readonly bySub = new Map<string, Set<Connection>>();
  private readonly byAccount = new Map<string, Set<Connection>>();
  private readonly offs: (() => void)[] = [];
  private readonly pinger: NodeJS.Timeout;
  private readonly keyChecker: NodeJS.Timeout;
  readonly maxBuffered: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly server: Server,
    private readonly ctx: GatewayContext,
  ) {
    this.maxBuffered = ctx.ws.maxBuffered;
    this.maxInFlight = ctx.ws.maxInFlight;
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: ctx.ws.maxMessage,
      WebSocket: ApiWebSocket,
    });
    server.on('upgrade', this.onUpgrade);
    this.wss.on('connection', (ws) => this.onConnection(ws));
    this.offs.push(
      ctx.marketData.subscribe(
        (symbol, msg, json) => this.onMarketData(symbol, msg, json),
        // Market data builds only what some connection reads.
        (symbol, channel) => (this.bySub.get(`${channel}:${symbol}`)?.size ?? 0) > 0,
      ),
    );
    this.offs.push(ctx.orders.onExecution((e) => this.onExecution(e)));
    this.offs.push(ctx.sessions.register((f, reason) => this.closeSessions(f, reason)));
    this.pinger = setInterval(() => this.ping(), PING_MS);
    this.pinger.unref();
    this.keyChecker = setInterval(() => void this.checkKeys(), KEY_CHECK_MS);
    this.keyChecker.unref();
  }

  /** Ends the sessions of a revoked key or a disabled account at once (code 1008). */
  private closeSessions(f: SessionFilter, reason: string): number {
    let n = 0;
    for (const c of this.conns) {
      const p = c.principal;
      if (p === undefined) continue;
      if (f.keyId !== undefined && p.keyId !== f.keyId) continue;
      if (f.account !== undefined && p.account !== f.account) continue;
      c.principal = undefined;
      this.drop(c, reason);
      n++;
    }
    return n;
  }

  private async checkKeys(): Promise<void> {
    const keys = new Set<string>();
    for (const c of this.conns) if (c.principal !== undefined) keys.add(c.principal.keyId);
    for (const keyId of keys) {
      if (!(await this.ctx.auth.isLive(keyId).catch(() => true))) {
        this.closeSessions({ keyId }, 'revoked');
      }
    }
  }

  get size(): number {
    return this.conns.size;
  }

  /** Closes every connection (server shutdown). */
  close(): void {
    clearInterval(this.pinger);
    clearInterval(this.keyChecker);
    this.server.off('upgrade', this.onUpgrade);
    for (const off of this.offs) off();
    for (const c of this.conns) {
      c.ws.close(1001, 'server shutting down');
      // A client that does not answer the close handshake must not hold the shutdown.
      setTimeout(() => c.ws.terminate(), 500).unref();
    }
    this.wss.close();
  }

  drop(c: Connection, reason: string): void {
    if (c.dropped) return;
    c.dropped = true;
    this.ctx.metrics.wsDropped.inc({ reason });
    this.ctx.logger.info({ account: c.principal?.account, reason }, 'websocket dropped');
    // A private stream says its reports are lost and where to find them.
    const text =
      reason === 'slow_consumer' && this.byAccount.get(c.principal?.account ?? '')?.has(c)
        ? SLOW_CONSUMER_REASON
        : reason;
    c.ws.close(1008, text);
    // A client that does not read will not read the close frame either.
    setTimeout(() => c.ws.terminate(), 1000).unref();
    this.forget(c);
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/ws' || this.ctx.closing()) {
      socket.write('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    if (this.conns.size >= this.ctx.ws.maxConnections) {
      const body = JSON.stringify({
        error: { reason: 'throttled', message: 'Too many WebSocket connections; retry later' },
      });
      socket.write(
        `HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  };

  private onConnection(ws: WebSocket): void {
    const c = new Connection(ws, this);
    this.conns.add(c);
    this.ctx.metrics.wsConnections.set(this.conns.size);
    this.ctx.metrics.wsConnectionsCount = this.conns.size;
    ws.on('message', (data, isBinary) => this.onMessage(c, data, isBinary));
    ws.on('pong', () => (c.alive = true));
    ws.on('error', (err) => this.ctx.logger.debug({ err }, 'websocket error'));
    ws.on('close', () => {
      this.forget(c);
      this.conns.delete(c);
      this.ctx.metrics.wsConnections.set(this.conns.size);
      this.ctx.metrics.wsConnectionsCount = this.conns.size;
    });
  }

  private forget(c: Connection): void {
    for (const key of c.subs) this.bySub.get(key)?.delete(c);
    c.subs.clear();
    if (c.principal !== undefined) this.byAccount.get(c.principal.account)?.delete(c);
  }

  private ping(): void {
    for (const c of this.conns) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }

  private onMessage(c: Connection, data: RawData, isBinary: boolean): void {
    if (c.dropped) return;
    let msg: Msg;
    try {
      const parsed: unknown = JSON.parse(
        isBinary ? Buffer.from(data as Buffer).toString() : data.toString(),
      );
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new Error(
          `a message must be a JSON object, got ${Array.isArray(parsed) ? 'an array' : typeof parsed}`,
        );
      }
      msg = parsed as Msg;
    } catch (err) {
      // The parser's own words differ between Node versions: say it plainly.
      const why = err instanceof SyntaxError ? 'it is not valid JSON' : (err as Error).message;
      c.send(
        JSON.stringify({
          type: 'error',
          error: { reason: 'malformed', message: `Cannot read message: ${why}` },
        }),
      );
      return;
    }
    const id = msg.id;
    if (id !== undefined && typeof id !== 'string' && typeof id !== 'number') {
      c.fail(null, 'malformed', 'id must be a string or a number');
      return;
    }
    const op = msg.op;
    const trading = op === 'place' || op === 'cancel' || op === 'replace' || op === 'massCancel';
    if (trading && c.principal !== undefined) {
      // Backpressure: a connection may have maxInFlight commands waiting for the engine; more
      // are refused at once (never queued, never silently dropped).
      if (c.inFlight >= this.maxInFlight) {
        this.ctx.metrics.recordReject('throttled');
        c.fail(
          id,
          'throttled',
          `Too many requests in flight on this connection (${this.maxInFlight}); wait for replies`,
        );
        return;
      }
      c.inFlight++;
      const done = () => c.inFlight--;
      // The hot path: an authenticated place goes straight to the service, without the generic
      // dispatch's extra promise hops and object copies (same checks, same answers).
      if (op === 'place' && !this.ctx.closing()) {
        // No prototype: a "__proto__" key stays a plain (unknown, so refused) field.
        const fields: Msg = Object.create(null) as Msg;
        for (const k in msg) if (k !== 'op' && k !== 'id') fields[k] = msg[k];
        this.ctx.service.place(c.principal, fields).then(
          (r) => {
            done();
            c.reply(id, r.body);
          },
          (err: unknown) => {
            done();
            this.failed(c, id, err);
          },
        );
        return;
      }
      this.handle(c, msg).then(
        (result) => {
          done();
          c.reply(id, result);
        },
        (err: unknown) => {
          done();
          this.failed(c, id, err);
        },
      );
      return;
    }
    this.handle(c, msg).then(
      (result) => {
        if (result !== SENT) c.reply(id, result);
      },
      (err: unknown) => this.failed(c, id, err),
    );
  }

  private failed(c: Connection, id: unknown, err: unknown): void {
    if (err instanceof ApiError) c.fail(id, err.reason, err.message);
    else {
      this.ctx.logger.error({ err }, 'websocket request failed');
      c.fail(id, 'internal', 'Internal error');
    }
  }

  private async handle(c: Connection, msg: Msg): Promise<unknown> {
    const op = msg.op;
    if (this.ctx.closing() && op !== 'ping') {
      throw new ApiError('unavailable', 'The server is shutting down');
    }
    switch (op) {
      case 'ping':
        return { time: Date.now() };
      case 'auth':
        return this.auth(c, msg);
      case 'subscribe':
      case 'unsubscribe':
        return this.subscription(c, msg, op === 'subscribe');
      case 'place':
      case 'cancel':
      case 'replace':
      case 'massCancel':
        return this.trade(c, op, msg);
      default:
        throw new ApiError(
          'malformed',
          `Unknown op ${JSON.stringify(op)}: expected auth, subscribe, unsubscribe, place, cancel, replace, massCancel or ping`,
        );
    }
  }

  private async auth(c: Connection, msg: Msg): Promise<unknown> {
    const str = (v: unknown) =>
      typeof v === 'number' ? String(v) : typeof v === 'string' ? v : undefined;
    const p = await this.ctx.auth.verify(
      { key: str(msg.key), ts: str(msg.ts), sign: str(msg.sign) },
      { method: 'GET', path: '/ws', body: '' },
    );
    if (c.principal !== undefined) this.byAccount.get(c.principal.account)?.delete(c);
    c.principal = p;
    // `executions: false` opts out of execution reports (load generators read only the replies).
    if (msg.executions !== false) {
      let set = this.byAccount.get(p.account);
      if (set === undefined) this.byAccount.set(p.account, (set = new Set()));
      set.add(c);
    }
    return { account: p.account, role: p.role };
  }

  private subscription(c: Connection, msg: Msg, on: boolean): unknown {
    const { channel, symbol } = msg;
    if (typeof channel !== 'string' || !CHANNELS.has(channel)) {
      throw new ApiError('malformed', 'channel must be one of l1, l2, trades');
    }
    if (typeof symbol !== 'string') throw new ApiError('malformed', 'symbol is required');
    if (!this.ctx.marketData.has(symbol))
      throw new ApiError('unknown_symbol', `Unknown symbol ${symbol}`);
    const key = `${channel}:${symbol}`;
    if (!on) {
      c.subs.delete(key);
      this.bySub.get(key)?.delete(c);
      return { channel, symbol, subscribed: false };
    }
    c.subs.add(key);
    let set = this.bySub.get(key);
    if (set === undefined) this.bySub.set(key, (set = new Set()));
    set.add(c);
    // The reply goes first, then the snapshot, both before any later update (one thread).
    c.reply(msg.id, { channel, symbol, subscribed: true });
    const md = this.ctx.marketData;
    if (channel === 'l2') c.send(JSON.stringify(md.l2Snapshot(symbol)));
    else if (channel === 'l1') c.send(JSON.stringify(md.l1(symbol)));
    return SENT;
  }

  private async trade(c: Connection, op: string, msg: Msg): Promise<unknown> {
    const p = c.principal;
    if (p === undefined)
      throw new ApiError('unauthorized', 'Send {"op":"auth",...} before trading');
    const s = this.ctx.service;
    const fields: Msg = Object.create(null) as Msg;
    for (const k in msg) if (k !== 'op' && k !== 'id') fields[k] = msg[k];
    switch (op) {
      case 'place':
        return (await s.place(p, fields)).body;
      case 'cancel':
        return s.cancel(p, readOrderRef(fields, 'cancel'));
      case 'replace': {
        const ref = readOrderRef(fields, 'replace');
        delete fields.orderId;
        delete fields.clientOrderId;
        return s.replace(p, ref, fields);
      }
      default: {
        for (const k in fields) {
          if (k !== 'symbol')
            throw new ApiError('malformed', `Cannot mass cancel: unknown field ${k}`);
        }
        if (msg.symbol !== undefined && typeof msg.symbol !== 'string') {
          throw new ApiError('malformed', 'Cannot mass cancel: field symbol must be a string');
        }
        return s.massCancel(p, msg.symbol as string | undefined);
      }
    }
  }

  private onMarketData(symbol: string, msg: MarketDataMessage, json: () => string): void {
    if (msg.type === 'status') {
      const seen = new Set<Connection>();
      for (const ch of ['l1', 'l2', 'trades']) {
        for (const c of this.bySub.get(`${ch}:${symbol}`) ?? []) {
          if (!seen.has(c)) c.send(json());
          seen.add(c);
        }
      }
      return;
    }
    const set = this.bySub.get(`${msg.type === 'trade' ? 'trades' : msg.type}:${symbol}`);
    if (set === undefined || set.size === 0) return;
    const text = json();
    for (const c of set) c.send(text);
  }

  private onExecution(e: Execution): void {
    const set = this.byAccount.get(e.account);
    if (set === undefined || set.size === 0) return;
    const order = e.order === undefined ? null : this.ctx.service.view(e.order);
    const out: Msg = { type: 'execution', exec: e.exec, order };
    if (e.fill !== undefined) {
      out.fill = fillView(e.fill, this.ctx.service.units(e.fill.symbol), e.order?.clientOrderId);
    }
    if (e.exec === 'cancelled') out.reason = e.reason;
    if (e.exec === 'replaced') out.priorityKept = e.priorityKept;
    if (e.exec === 'rejected') out.error = { reason: e.reason, message: e.message };
    const json = JSON.stringify(out);
    for (const c of set) c.send(json);
  }
}
