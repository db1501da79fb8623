import { signRequest } from '../auth/signature.js';

export interface ApiKeyPair {
  keyId: string;
  secret: string;
}

export interface HttpResult<T = unknown> {
  status: number;
  body: T;
}

/**
 * One signed HTTP call (docs/api.md §2): signs `ts + METHOD + pathWithQuery + body` and sends the
 * X-CB-* headers. `ts` may be given to test the window.
 */
export async function signedRequest<T = unknown>(o: {
  baseUrl: string;
  key?: ApiKeyPair;
  method: string;
  path: string;
  body?: unknown;
  ts?: number;
  /** Send this exact text instead of JSON.stringify(body). */
  rawBody?: string;
}): Promise<HttpResult<T>> {
  const text = o.rawBody ?? (o.body === undefined ? '' : JSON.stringify(o.body));
  const headers: Record<string, string> = {};
  if (text !== '') headers['content-type'] = 'application/json';
  if (o.key !== undefined) {
    const ts = o.ts ?? Date.now();
    headers['x-cb-key'] = o.key.keyId;
    headers['x-cb-ts'] = String(ts);
    headers['x-cb-sign'] = signRequest(o.key.secret, {
      ts,
      method: o.method,
      path: o.path,
      body: text,
    });
  }
  const res = await globalThis.fetch(o.baseUrl + o.path, {
    method: o.method,
    headers,
    body: text === '' ? undefined : text,
  });
  const raw = await res.text();
  let body: unknown = raw;
  try {
    body = JSON.parse(raw);
  } catch {
    // Not JSON (e.g. /metrics): keep the text.
  }
  return { status: res.status, body: body as T };
}
