import { ApiError } from '../errors.js';
import { sameSignature, sign, signingPayload } from './signature.js';

export type Role = 'trader' | 'admin';

/** Who a verified request acts for. */
export interface Principal {
  account: string;
  role: Role;
  keyId: string;
}

/** A usable key: the secret is only ever held in memory, never stored in plain text. */
export interface ResolvedKey {
  account: string;
  role: Role;
  secret: string;
}

/** Looks a key id up; undefined for an unknown or revoked key. */
export type KeyResolver = (
  keyId: string,
) => Promise<ResolvedKey | undefined> | ResolvedKey | undefined;

export interface AuthenticatorOptions {
  resolveKey: KeyResolver;
  /** Accepted clock skew either way, ms (default 30 s). */
  windowMs?: number;
  now?: () => number;
}

export interface SignedHeaders {
  key?: string;
  ts?: string;
  sign?: string;
}

const TS_RE = /^\d{1,16}$/;
const SIGN_RE = /^[0-9a-f]{64}$/;

/**
 * Verifies signed requests: known key, timestamp inside the window, correct HMAC, and a signature
 * never seen before within the window (replay protection). Every failure is `unauthorized`, with
 * a message that says which check failed.
 */
export class Authenticator {
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly seen = new Set<string>();
  /** Signatures in arrival order with their expiry, so old ones are forgotten cheaply. */
  private readonly expiry: { sign: string; until: number }[] = [];
  private head = 0;

  constructor(private readonly opts: AuthenticatorOptions) {
    this.windowMs = opts.windowMs ?? 30_000;
    this.now = opts.now ?? Date.now;
  }

  async verify(
    h: SignedHeaders,
    req: { method: string; path: string; body: string },
  ): Promise<Principal> {
    if (!h.key || !h.ts || !h.sign) {
      throw new ApiError('unauthorized', 'Missing X-CB-KEY, X-CB-TS or X-CB-SIGN');
    }
    if (!TS_RE.test(h.ts))
      throw new ApiError('unauthorized', 'X-CB-TS must be milliseconds since the epoch');
    if (!SIGN_RE.test(h.sign))
      throw new ApiError('unauthorized', 'X-CB-SIGN must be 64 lowercase hex digits');
    const now = this.now();
    const ts = Number(h.ts);
    if (Math.abs(now - ts) > this.windowMs) {
      throw new ApiError(
        'unauthorized',
        `Expired timestamp: ${h.ts} is more than ${this.windowMs / 1000} s from the server clock ${now}`,
      );
    }
    const key = await this.opts.resolveKey(h.key);
    if (key === undefined)
      throw new ApiError('unauthorized', `Unknown or revoked API key ${h.key}`);
    const expected = sign(key.secret, signingPayload(h.ts, req.method, req.path, req.body));
    if (!sameSignature(expected, h.sign)) {
      throw new ApiError(
        'unauthorized',
        'Bad signature: expected HMAC-SHA256 of ts + METHOD + pathWithQuery + body',
      );
    }
    this.forgetExpired(now);
    if (this.seen.has(h.sign))
      throw new ApiError('unauthorized', 'Replayed signature: sign each request afresh');
    this.seen.add(h.sign);
    this.expiry.push({ sign: h.sign, until: ts + this.windowMs });
    return { account: key.account, role: key.role, keyId: h.key };
  }

  private forgetExpired(now: number): void {
    // Expiries are pushed nearly in order; a late one is kept a little longer, which is harmless.
    while (this.head < this.expiry.length && this.expiry[this.head].until < now) {
      this.seen.delete(this.expiry[this.head].sign);
      this.head++;
    }
    if (this.head > 4096 && this.head * 2 > this.expiry.length) {
      this.expiry.splice(0, this.head);
      this.head = 0;
    }
  }
}
