/**
 * Request signing with WebCrypto (docs/api.md §2). The secret is imported once as a
 * non-extractable HMAC key; the page keeps the CryptoKey, never sends the secret.
 */
const utf8 = new TextEncoder();

function hex(buf: ArrayBuffer): string {
  const b = new Uint8Array(buf);
  let s = '';
  for (let i = 0; i < b.length; i++) s += b[i].toString(16).padStart(2, '0');
  return s;
}

export class Signer {
  private lastTs = 0;
  /** Server clock minus local clock, ms, learnt from WebSocket pings. */
  clockOffsetMs = 0;

  private constructor(
    readonly keyId: string,
    private readonly key: CryptoKey,
  ) {}

  static async create(keyId: string, secret: string): Promise<Signer> {
    if (globalThis.crypto?.subtle === undefined) {
      throw new Error('WebCrypto is unavailable: open the UI over http://127.0.0.1 or https');
    }
    const key = await crypto.subtle.importKey(
      'raw',
      utf8.encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    return new Signer(keyId, key);
  }

  /** A fresh timestamp: strictly increasing, since the server refuses a replayed signature. */
  nextTs(): number {
    const ts = Math.max(Math.round(Date.now() + this.clockOffsetMs), this.lastTs + 1);
    this.lastTs = ts;
    return ts;
  }

  async sign(ts: number, method: string, path: string, body: string): Promise<string> {
    const mac = await crypto.subtle.sign(
      'HMAC',
      this.key,
      utf8.encode(`${ts}${method}${path}${body}`),
    );
    return hex(mac);
  }
}
