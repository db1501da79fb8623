import { ApiError } from '../errors.js';
import { randomBytes } from 'node:crypto';
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
  /** How long a looked-up key (or its absence) is trusted before asking the store again, ms. */
  keyCacheMs?: number;
}

/** The one answer to every authentication failure: it never says which check failed. */
export const AUTH_FAILED =
  'Authentication failed: X-CB-KEY must be a live key, X-CB-TS milliseconds since the epoch within the window, and X-CB-SIGN the HMAC-SHA256 of ts + METHOD + pathWithQuery + body (docs/api.md §2)';
const MAX_CACHED_KEYS = 10_000;

export interface SignedHeaders {
  key?: string;
  ts?: string;
  sign?: string;
}

const TS_RE = /^\d{1,16}$/;
const SIGN_RE = /^[0-9a-f]{64}$/;

/**
 * Verifies signed requests: known key, timestamp inside the window, correct HMAC, and a signature
 * never seen before within the window (replay protection). Every failure is `unauthorized` with
 * the same message (AUTH_FAILED), so nobody learns which key ids exist; an unknown key costs the
 * same HMAC as a known one. The only extra words are a hint when X-CB-TS looks like seconds, which
 * depends on nothing but the request itself.
 * Decrypted keys are cached for `keyCacheMs` (default 5 s); `invalidate` drops one at once (revoke).
 */
export class Authenticator {
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly seen = new Set<string>();
  /** Signatures in arrival order with their expiry, so old ones are forgotten cheaply. */
  private readonly expiry: { sign: string; until: number }[] = [];
  private head = 0;
  private readonly keys = new Map<string, { key: ResolvedKey | undefined; until: number }>();
  private readonly keyCacheMs: number;
  private readonly decoy = randomBytes(32).toString('hex');

  constructor(private readonly opts: AuthenticatorOptions) {
    this.windowMs = opts.windowMs ?? 30_000;
    this.now = opts.now ?? Date.now;
    this.keyCacheMs = opts.keyCacheMs ?? 5_000;
  }

  /** Forgets a cached key (after a revoke), so the next request asks the store. */
  invalidate(keyId: string): void {
    this.keys.delete(keyId);
  }

  /** Whether a key is still live (cached for keyCacheMs): used to end sessions of revoked keys. */
  async isLive(keyId: string): Promise<boolean> {
    return (await this.key(keyId)) !== undefined;
  }

  private async key(keyId: string): Promise<ResolvedKey | undefined> {
    const now = this.now();
    const hit = this.keys.get(keyId);
    if (hit !== undefined && hit.until > now) return hit.key;
    const key = await this.opts.resolveKey(keyId);
    this.keys.delete(keyId);
    this.keys.set(keyId, { key, until: now + this.keyCacheMs });
    if (this.keys.size > MAX_CACHED_KEYS) this.keys.delete(this.keys.keys().next().value!);
    return key;
  }

  private fail(ts?: string): never {
    const hint =
      ts !== undefined && TS_RE.test(ts) && Number(ts) < 100_000_000_000
        ? ` (X-CB-TS ${ts} looks like seconds: milliseconds are expected)`
        : '';
    throw new ApiError('unauthorized', AUTH_FAILED + hint);
  }

  async verify(
    h: SignedHeaders,
    req: { method: string; path: string; body: string },
  ): Promise<Principal> {
    if (!h.key || !h.ts || !h.sign || h.key.length > 128) this.fail(h.ts);
    if (!TS_RE.test(h.ts) || !SIGN_RE.test(h.sign)) this.fail(h.ts);
    const now = this.now();
    const ts = Number(h.ts);
    const key = await this.key(h.key);
    // An unknown key is checked against a decoy secret: the same work, the same answer.
    const payload = signingPayload(h.ts, req.method, req.path, req.body);
    const expected = sign(key?.secret ?? this.decoy, payload);
    const good = sameSignature(expected, h.sign);
    if (key === undefined || !good || Math.abs(now - ts) > this.windowMs) this.fail(h.ts);
    this.forgetExpired(now);
    if (this.seen.has(h.sign)) this.fail();
    this.seen.add(h.sign);
    this.expiry.push({ sign: h.sign, until: ts + this.windowMs });
    return { account: key!.account, role: key!.role, keyId: h.key };
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
