import type { OrderBookFactory } from '../core/index.js';
import type { DurableSink, FsyncPolicy } from '../journal/index.js';
import type { CommandJournal, Engine, Mode } from './engine.js';
import { MODES } from './engine.js';
import { LockfreeEngine, type LockfreeOptions } from './lockfree/index.js';
import { RacyEngine } from './racy/index.js';
import { ShardedEngine } from './sharded/index.js';
import { SingleEngine } from './single/index.js';
import type { WaitStrategyConfig } from './shm/index.js';

export interface CreateEngineOptions {
  /** Concurrency mode (default `single`). */
  mode?: Mode;
  /** `sharded`: number of shard threads (default: available cores - 1, at least 1). */
  shards?: number;
  /** `sharded`: symbols pinned to a shard, e.g. { MSFT: 0 }. */
  shardOverrides?: Record<string, number>;
  /** `single`: the book implementation (shards and lockfree use their own). */
  book?: OrderBookFactory;
  /** Journal per shard (`single`, `lockfree` and `racy` use shard 0). */
  journal?: (shard: number) => CommandJournal | undefined;
  /**
   * `sharded` only: each shard recovers and journals DIR/shard-i in its own thread (see
   * ShardedEngine.recovered()). Shards and overrides default to, and must match, DIR/manifest.json.
   */
  durableDir?: string;
  /** Fsync policy for durableDir (default `batch`). */
  fsync?: FsyncPolicy;
  /** Durable shards snapshot every N journaled commands (default 100 000) and on close. */
  snapshotEvery?: number;
  /** With durableDir: the store every shard feeds (entries tagged by shard) and catches up. */
  sink?: DurableSink;
  /** Time source (ns) stamped on commands that carry no `ts`; default: leave them without. */
  clock?: () => number;
  log?: (line: string) => void;
  /** `sharded`: ring size per shard (power of two, 64-byte slots). */
  sharded?: { ringSlots?: number };
  /** `sharded` / `lockfree`: how ring readers and writers wait (default spin-then-park). */
  wait?: WaitStrategyConfig;
  /** `lockfree`: threads, price window, pool sizes, debug delays. */
  lockfree?: LockfreeOptions;
}

/** Builds the engine for a mode. Threads start in the background; submit() may be called at once. */
export function createEngine(opts: CreateEngineOptions = {}): Engine {
  const mode = opts.mode ?? 'single';
  if (!MODES.includes(mode)) {
    throw new Error(`unknown mode ${String(mode)}: expected one of ${MODES.join(', ')}`);
  }
  if (opts.durableDir !== undefined && mode !== 'sharded') {
    throw new Error(
      `durableDir is for --mode sharded; ${mode} is made durable with openDurableExchange or journal`,
    );
  }
  const common = { clock: opts.clock, log: opts.log };
  switch (mode) {
    case 'single':
      return new SingleEngine({ ...common, book: opts.book, journal: opts.journal?.(0) });
    case 'sharded':
      if (opts.book) opts.log?.('sharded: shard threads use the default book (book ignored)');
      return new ShardedEngine({
        ...common,
        shards: opts.shards,
        shardOverrides: opts.shardOverrides,
        journal: opts.journal,
        durableDir: opts.durableDir,
        fsync: opts.fsync,
        snapshotEvery: opts.snapshotEvery,
        sink: opts.sink,
        ringSlots: opts.sharded?.ringSlots,
        wait: opts.wait,
      });
    case 'lockfree':
      return new LockfreeEngine({
        ...common,
        lockfree: { wait: opts.wait, ...opts.lockfree },
        journal: opts.journal?.(0),
      });
    case 'racy':
      return new RacyEngine({ ...common, journal: opts.journal?.(0) });
  }
}
