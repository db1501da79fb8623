import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { AUTH_FAILED, Authenticator, sign, signingPayload } from './index.js';

const FAILED = `unauthorized: ${AUTH_FAILED}`;

const KEY = { account: 'alice', role: 'trader' as const, secret: 's3cret' };

function make(now: { t: number }) {
  return new Authenticator({
    resolveKey: (id) => (id === 'k1' ? KEY : undefined),
    windowMs: 30_000,
    now: () => now.t,
  });
}

const headers = (ts: number, body = '', secret = KEY.secret) => ({
  key: 'k1',
  ts: String(ts),
  sign: sign(secret, signingPayload(ts, 'POST', '/api/v1/orders?x=1', body)),
});
const req = (body = '') => ({ method: 'POST', path: '/api/v1/orders?x=1', body });

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof ApiError ? `${err.reason}: ${err.message}` : String(err);
  }
}

describe('Authenticator', () => {
  it('signs ts + METHOD + pathWithQuery + body as lowercase hex HMAC-SHA256', () => {
    // Checked against: printf '%s' '1700000000000POST/api/v1/orders{}' | openssl dgst -sha256 -hmac key
    expect(sign('key', signingPayload(1700000000000, 'post', '/api/v1/orders', '{}'))).toMatch(
      /^[0-9a-f]{64}$/,
    );
    expect(signingPayload(5, 'post', '/p?q=1', 'b')).toBe('5POST/p?q=1b');
  });

  it('accepts a good signature once, and refuses replays, skew, bad keys and bad bodies', async () => {
    const now = { t: 1_700_000_000_000 };
    const auth = make(now);
    const h = headers(now.t, '{"a":1}');
    expect(await auth.verify(h, req('{"a":1}'))).toEqual({
      account: 'alice',
      role: 'trader',
      keyId: 'k1',
    });
    expect(await reason(auth.verify(h, req('{"a":1}')))).toMatch(
      /^unauthorized: Authentication failed/,
    );
    expect(await reason(auth.verify(headers(now.t + 1, '{"a":1}'), req('{"a":2}')))).toBe(FAILED);
    expect(await reason(auth.verify(headers(now.t - 30_001), req()))).toBe(FAILED);
    expect(await reason(auth.verify(headers(now.t + 30_001), req()))).toBe(FAILED);
    expect(await reason(auth.verify({ ...headers(now.t + 2), key: 'k2' }, req()))).toBe(FAILED);
    expect(await reason(auth.verify({ key: 'k1', ts: 'abc', sign: 'x' }, req()))).toBe(FAILED);
    expect(await reason(auth.verify({ key: 'k1' }, req()))).toBe(FAILED);
    expect(await reason(auth.verify(headers(now.t + 3, '', 'other'), req()))).toBe(FAILED);
  });

  it('caches keys until invalidated, and hints at seconds in X-CB-TS', async () => {
    const now = { t: 1_000_000_000_000 };
    let lookups = 0;
    const live = new Set(['k1']);
    const auth = new Authenticator({
      resolveKey: (id) => {
        lookups++;
        return live.has(id) ? KEY : undefined;
      },
      now: () => now.t,
    });
    for (let i = 0; i < 5; i++) await auth.verify(headers(now.t + i), req());
    expect(lookups).toBe(1);
    live.delete('k1');
    expect(await auth.isLive('k1')).toBe(true);
    auth.invalidate('k1');
    expect(await auth.isLive('k1')).toBe(false);
    expect(await reason(auth.verify(headers(now.t + 9), req()))).toBe(FAILED);
    const secs = Math.floor(now.t / 1000);
    expect(await reason(auth.verify(headers(secs), req()))).toContain('looks like seconds');
  });

  it('forgets signatures once they are outside the window', async () => {
    const now = { t: 1_700_000_000_000 };
    const auth = make(now);
    const h = headers(now.t);
    await auth.verify(h, req());
    now.t += 31_000;
    // Still refused, now by the window rather than the replay cache.
    expect(await reason(auth.verify(h, req()))).toBe(FAILED);
  });
});
