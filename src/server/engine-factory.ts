import type { Command, EngineEvent, Exchange } from '../core/index.js';
import { openDurableExchange, type DurableExchange } from '../journal/index.js';
import { createEngine, SingleEngine, type CommandJournal, type Engine } from '../runtime/index.js';
import type { EngineFactory } from './server.js';

/**
 * `single` with full durability: the journal's DurableExchange recovers the state (snapshot +
 * journal tail), journals each command, feeds the store and takes snapshots; the runtime's
 * SingleEngine queues and orders commands and releases events only once they are durable.
 * The two meet through a view of the exchange whose execute() goes through the DurableExchange
 * and a CommandJournal whose append() hands back that command's durability promise: SingleEngine
 * calls one right after the other, synchronously, so they always pair up.
 */
function durableSingle(dx: DurableExchange, clock: () => number): Engine {
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
 * The server's engine: `single` is journaled, recovered and mirrored into the store. The other
 * modes come from createEngine() as they are; their journals do not recover yet, so the server
 * runs them in memory and says so.
 */
export const defaultEngineFactory: EngineFactory = async (o) => {
  if (o.mode === 'single') {
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
