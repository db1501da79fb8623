import { createHmac, timingSafeEqual } from 'node:crypto';

/** The text a request signs: `ts + METHOD + pathWithQuery + body` (docs/api.md §2). */
export const signingPayload = (ts: string | number, method: string, path: string, body: string) =>
  `${ts}${method.toUpperCase()}${path}${body}`;

/** Lowercase hex HMAC-SHA256 keyed by the secret. */
export function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

export function signRequest(
  secret: string,
  req: { ts: number | string; method: string; path: string; body?: string },
): string {
  return sign(secret, signingPayload(req.ts, req.method, req.path, req.body ?? ''));
}

/** Constant-time comparison of two hex signatures. */
export function sameSignature(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
