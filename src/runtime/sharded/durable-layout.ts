/**
 * On-disk layout of a durable sharded engine: DIR/manifest.json plus one journal directory per
 * shard, DIR/shard-<i>. A shard's journal only makes sense with the routing that filled it (a
 * symbol routed elsewhere after a restart would find an empty book on its new shard), so the
 * manifest pins the shard count, the hash and the overrides, and a mismatch refuses to start.
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { listSegments } from '../../journal/index.js';
import { ShardRouter } from './routing.js';

export const MANIFEST_FILE = 'manifest.json';
const ROUTING = 'fnv1a-utf16-mod-n';

interface Manifest {
  version: 1;
  routing: string;
  shards: number;
  overrides: Record<string, number>;
}

export interface DurableLayout {
  shards: number;
  overrides: Record<string, number>;
  shardDir: (shard: number) => string;
  /** Lets another engine of this process open the directory again (call on close). */
  release: () => void;
}

/**
 * Directories held by an engine of this process. The journal's LOCK file guards against other
 * processes but lets this process take a lock over, so two engines here would share the files.
 */
const held = new Set<string>();

const sorted = (o: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

function readManifest(path: string): Manifest | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let m: Partial<Manifest>;
  try {
    m = JSON.parse(text) as Partial<Manifest>;
  } catch {
    throw new Error(`${path} is not valid JSON: refusing to guess the shard routing`);
  }
  if (m.version !== 1 || !Number.isInteger(m.shards) || typeof m.overrides !== 'object') {
    throw new Error(`${path} is not a crossbook sharded manifest (version 1)`);
  }
  return m as Manifest;
}

/**
 * Resolves the shard count and overrides for `dir` (unset ones come from the manifest), checks
 * them against the manifest, and writes the manifest (atomically) when there is none yet.
 */
export function prepareDurableLayout(opts: {
  dir: string;
  shards?: number;
  overrides?: Record<string, number>;
  /** Shard count of a new directory when `shards` is not given. */
  defaultShards: number;
}): DurableLayout {
  const { dir } = opts;
  const key = resolve(dir);
  if (held.has(key)) {
    throw new Error(`${dir} is already open by another sharded engine in this process`);
  }
  mkdirSync(dir, { recursive: true });
  if (listSegments(dir).length > 0) {
    throw new Error(
      `${dir} holds a single-mode journal; a sharded engine keeps its journals in ${join(dir, 'shard-N')}: use another directory`,
    );
  }
  const path = join(dir, MANIFEST_FILE);
  const found = readManifest(path);
  const shards = opts.shards ?? found?.shards ?? opts.defaultShards;
  const overrides = sorted(opts.overrides ?? found?.overrides ?? {});
  new ShardRouter({ shards, overrides }); // throws on a bad count or override: write nothing
  if (found !== null) {
    const was = JSON.stringify(sorted(found.overrides));
    const now = JSON.stringify(overrides);
    if (found.routing !== ROUTING || found.shards !== shards || was !== now) {
      throw new Error(
        `${dir} was written with ${found.shards} shard(s) (routing ${found.routing}, overrides ${was}); ` +
          `this engine has ${shards} shard(s) (routing ${ROUTING}, overrides ${now}). ` +
          'Symbols would move between shards and lose their books: start with the same shards and overrides',
      );
    }
  } else {
    const manifest: Manifest = { version: 1, routing: ROUTING, shards, overrides };
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(manifest, null, 2) + '\n');
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
    const dirFd = openSync(dir, 'r');
    fsyncSync(dirFd);
    closeSync(dirFd);
  }
  held.add(key);
  return {
    shards,
    overrides,
    shardDir: (i) => join(dir, `shard-${i}`),
    release: () => held.delete(key),
  };
}
