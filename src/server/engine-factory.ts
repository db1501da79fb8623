import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command, EngineEvent, Exchange } from '../core/index.js';
import { openDurableExchange, type DurableExchange } from '../journal/index.js';
import {
  createEngine,
  MANIFEST_FILE,
  SingleEngine,
  type CommandJournal,
  type Engine,
  type ShardedEngine,
} from '../runtime/index.js';
import type { EngineFactory } from './server.js';

/**
 * `single` with full durability: the journal's DurableExchange recovers the state (snapshot +
 * journal tail), journals each command, feeds the store and takes snapshots; the runtime's
 * SingleEngine queues and orders commands and releases events only once they are durable.
 * The two meet through a view of the exchange whose execute() goes through the DurableExchange
 * and a CommandJournal whose append() hands back that command's durability promise: SingleEngine
 * calls one right after the other, synchronously, so they always pair up.
 */
export function durableSingle(dx: DurableExchange, clock: () => number): Engine {
  let lastDurable: Promise<void> = Promise.resolve();
  const exchange = {
    execute(cmd: Command): EngineEvent[] {
      const r = dx.execute(cmd);
      lastDurable = r.durable;
      return r.events;
    },
    stateHash: () => dx.exchange.stateHash(),
    validate: () => dx.exchange.validate(),
    snapshot: () => dx.exchange.snapshot(),
    get seq() {
      return dx.exchange.seq;
    },
  } as unknown as Exchange;
  const journal: CommandJournal = {
    append: () => lastDurable,
    // Flushes the journal, writes a snapshot, drains the store and closes the files.
    close: () => dx.close(),
  };
  return new SingleEngine({ exchange, journal, clock });
}

/**
 * The server's engine: `single` is journaled, recovered and mirrored into the store. `sharded`
 * too: every shard thread recovers and journals JOURNAL/shard-N (shard count pinned by
 * JOURNAL/manifest.json, so use a journal directory of its own per mode) and feeds the store
 * through the main thread, tagged with its shard. `lockfree` and `racy` come from createEngine()
 * as they are; their journals do not recover yet, so the server runs them in memory and says so.
 */
export const defaultEngineFactory: EngineFactory = async (o) => {
  if (o.cluster !== undefined) {
    // src/server does not depend on src/cluster: the CLI passes clusterEngineFactory.
    throw new Error('cluster mode needs the cluster engine factory (crossbook serve --cluster)');
  }
  if (o.mode === 'single') {
    if (existsSync(join(o.journal.dir, MANIFEST_FILE))) {
      throw new Error(
        `${o.journal.dir} holds a sharded journal (${MANIFEST_FILE}): start with --mode sharded, or use another data directory`,
      );
    }
    const dx = await openDurableExchange({
      dir: o.journal.dir,
      fsync: o.journal.fsync,
      sink: o.sink,
      logger: o.logger,
    });
    const r = dx.recovered;
    if (r.records > 0 || r.snapshotSeq > 0) {
      o.logger.info({ ...r }, 'recovered from the journal');
    }
    return durableSingle(dx, o.clock);
  }
  if (o.mode === 'sharded') {
    const engine = createEngine({
      mode: 'sharded',
      shards: o.shards,
      clock: o.clock,
      log: (line) => o.logger.info(line),
      durableDir: o.journal.dir,
      fsync: o.journal.fsync,
      sink: o.sink,
    }) as ShardedEngine;
    try {
      const r = await engine.recovered();
      const records = r.shards.reduce((n, s) => n + s.lastSeq, 0);
      if (records > 0)
        o.logger.info({ shards: r.shards }, 'recovered the shards from their journals');
    } catch (err) {
      await engine.close().catch(() => undefined);
      throw err;
    }
    return engine;
  }
  o.logger.warn(
    { mode: o.mode },
    'this mode runs without a journal in the server: state is not kept across restarts',
  );
  return createEngine({
    mode: o.mode,
    shards: o.shards,
    clock: o.clock,
    log: (line) => o.logger.info(line),
  });
};
