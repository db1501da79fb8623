/**
 * API secrets at rest. HMAC-SHA256 verification needs the raw secret on the server, so a one-way
 * hash is not enough: the secret is encrypted with AES-256-GCM under a master key kept in the data
 * directory (`master.key`, 32 random bytes, mode 0600, created on first use), with the key id as
 * associated data so a ciphertext cannot be moved to another key's row. A SHA-256 of the secret is
 * stored beside it for display and comparison. Losing master.key makes every stored secret
 * unreadable (keys must be re-issued); whoever can read it and the database can read the secrets.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PREFIX = 'v1:';

export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('master key must be 32 bytes');
  }

  /** Path of the master key in a data directory. */
  static pathIn(dir: string): string {
    return join(dir, 'master.key');
  }

  /** Loads `dir/master.key`, creating it (0600) when absent. */
  static fromDir(dir: string): SecretBox {
    const path = SecretBox.pathIn(dir);
    if (!existsSync(path)) {
      mkdirSync(dir, { recursive: true });
      try {
        writeFileSync(path, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
      } catch (err) {
        // Another process created it first: use theirs.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    chmodSync(path, 0o600);
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${path} does not hold a 32-byte base64 key`);
    return new SecretBox(key);
  }

  /** For throwaway in-memory stores. */
  static ephemeral(): SecretBox {
    return new SecretBox(randomBytes(32));
  }

  seal(plain: string, aad: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return PREFIX + Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64');
  }

  open(sealed: string, aad: string): string {
    if (!sealed.startsWith(PREFIX)) throw new Error('unknown secret encoding');
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
    const d = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    d.setAAD(Buffer.from(aad, 'utf8'));
    d.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
  }
}

export const sha256Hex = (s: string): string =>
  createHash('sha256').update(s, 'utf8').digest('hex');
export const newKeyId = (): string => 'ck_' + randomBytes(9).toString('hex');
export const newSecret = (): string => randomBytes(32).toString('base64url');
