import { WebSocket } from 'ws';
import { signRequest } from '../auth/signature.js';
import type { ApiKeyPair } from './signed-http.js';

export interface WsResponse {
  type: 'response';
  id: string | number | null;
  ok: boolean;
  result?: unknown;
  error?: { reason: string; message: string };
}

type Pending = { resolve: (r: WsResponse) => void; reject: (e: Error) => void };

/**
 * A small client for /ws: correlates replies by request id and hands every other message (market
 * data, execution reports) to `onMessage`. Used by tests, `crossbook load` and as an example.
 */
export class CrossbookWs {
  private nextId = 1;
  private readonly pending = new Map<string | number, Pending>();
  onMessage: (msg: Record<string, unknown>) => void = () => undefined;
  closeInfo: { code: number; reason: string } | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as Record<string, unknown>;
      if (msg.type === 'response') {
        const id = msg.id as string | number;
        const p = this.pending.get(id);
        if (p !== undefined) {
          this.pending.delete(id);
          p.resolve(msg as unknown as WsResponse);
          return;
        }
      }
      this.onMessage(msg);
    });
    ws.on('close', (code, reason) => {
      this.closeInfo = { code, reason: reason.toString() };
      for (const p of this.pending.values()) p.reject(new Error(`connection closed (${code})`));
      this.pending.clear();
    });
  }

  static connect(url: string, opts: { perMessageDeflate?: boolean } = {}): Promise<CrossbookWs> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: opts.perMessageDeflate ?? false });
      ws.once('open', () => resolve(new CrossbookWs(ws)));
      ws.once('error', reject);
    });
  }

  /** Sends one request and resolves with its reply (ok or not). */
  request(op: string, fields: Record<string, unknown> = {}): Promise<WsResponse> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ op, id, ...fields }));
    });
  }

  /** Sends without waiting; the reply arrives through `onReply` of the caller's own bookkeeping. */
  send(msg: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(msg));
  }

  auth(key: ApiKeyPair, ts = Date.now()): Promise<WsResponse> {
    const sign = signRequest(key.secret, { ts, method: 'GET', path: '/ws' });
    return this.request('auth', { key: key.keyId, ts, sign });
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
