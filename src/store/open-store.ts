/** Picks and opens a store from a URL: postgres://... selects PostgreSQL, anything else SQLite. */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { migrate } from './migrations.js';
import { openPostgresDb } from './postgres-db.js';
import { SecretBox } from './secret-box.js';
import { openSqliteDb } from './sqlite-db.js';
import type { SqlDb } from './sql-db.js';
import { SqlStore } from './sql-store.js';

export const DEFAULT_STORE_PATH = './data/crossbook.db';

export interface OpenStoreOptions {
  /**
   * `postgres://` or `postgresql://` URL; `sqlite:PATH`, a plain file path, or `:memory:`.
   * Default: ./data/crossbook.db (or $CROSSBOOK_STORE).
   */
  url?: string;
  /** Where master.key lives. Default: the SQLite file's directory, or ./data for PostgreSQL. */
  dataDir?: string;
  /** Use this master key instead of dataDir/master.key (tests). */
  secretBox?: SecretBox;
  /** SQLite: how long a write waits for another connection's lock (default 5000 ms). */
  busyTimeoutMs?: number;
}

export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//i.test(url);

/**
 * The master key of `dir`, created on first use; but when it is missing while the store already
 * holds encrypted API keys, a new key would silently make every one of them undecryptable:
 * refuse instead, naming the file and what to do.
 */
async function masterKey(db: SqlDb, dir: string): Promise<SecretBox> {
  const path = SecretBox.pathIn(dir);
  if (!existsSync(path)) {
    const rows = await db.all<{ n: number }>('SELECT COUNT(*) AS n FROM api_keys');
    const n = Number(rows[0]?.n ?? 0);
    if (n > 0) {
      throw new Error(
        `${resolve(path)} is missing, but the store holds ${n} API key(s) encrypted under it. ` +
          'Refusing to create a new master key (every stored secret would become undecryptable). ' +
          'Restore master.key from a backup into that directory (or point --data-dir at the one ' +
          'that holds it). If it is lost for good, delete the rows of the api_keys table and ' +
          'issue new keys with `crossbook accounts add`.',
      );
    }
  }
  return SecretBox.fromDir(dir);
}

/** Opens the store and applies pending migrations. */
export async function openStore(opts: OpenStoreOptions = {}): Promise<SqlStore> {
  const url = opts.url ?? process.env.CROSSBOOK_STORE ?? DEFAULT_STORE_PATH;
  if (isPostgresUrl(url)) {
    const db = openPostgresDb(url);
    try {
      await migrate(db);
    } catch (err) {
      await db.close().catch(() => undefined);
      throw new Error(`Cannot open the PostgreSQL store: ${(err as Error).message}`);
    }
    try {
      const box = opts.secretBox ?? (await masterKey(db, opts.dataDir ?? './data'));
      return new SqlStore('postgres', db, box);
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
  }
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const db = openSqliteDb(path, { busyTimeoutMs: opts.busyTimeoutMs });
  try {
    await migrate(db);
    let box = opts.secretBox;
    if (path === ':memory:') {
      box ??= opts.dataDir ? await masterKey(db, opts.dataDir) : SecretBox.ephemeral();
    } else {
      box ??= await masterKey(db, opts.dataDir ?? dirname(resolve(path)));
    }
    return new SqlStore('sqlite', db, box);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}
