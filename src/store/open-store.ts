/** Picks and opens a store from a URL: postgres://... selects PostgreSQL, anything else SQLite. */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { migrate } from './migrations.js';
import { openPostgresDb } from './postgres-db.js';
import { SecretBox } from './secret-box.js';
import { openSqliteDb } from './sqlite-db.js';
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
}

export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//i.test(url);

/** Opens the store and applies pending migrations. */
export async function openStore(opts: OpenStoreOptions = {}): Promise<SqlStore> {
  const url = opts.url ?? process.env.CROSSBOOK_STORE ?? DEFAULT_STORE_PATH;
  if (isPostgresUrl(url)) {
    const box = opts.secretBox ?? SecretBox.fromDir(opts.dataDir ?? './data');
    const db = openPostgresDb(url);
    try {
      await migrate(db);
    } catch (err) {
      await db.close().catch(() => undefined);
      throw new Error(`Cannot open the PostgreSQL store: ${(err as Error).message}`);
    }
    return new SqlStore('postgres', db, box);
  }
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
  let box = opts.secretBox;
  if (path === ':memory:') {
    box ??= opts.dataDir ? SecretBox.fromDir(opts.dataDir) : SecretBox.ephemeral();
  } else {
    mkdirSync(dirname(resolve(path)), { recursive: true });
    box ??= SecretBox.fromDir(opts.dataDir ?? dirname(resolve(path)));
  }
  const db = openSqliteDb(path);
  await migrate(db);
  return new SqlStore('sqlite', db, box);
}
