import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EngineFactory } from '../server/index.js';
import { ClusterEngine } from './cluster-engine.js';

/**
 * The server's engine in cluster mode (`crossbook serve --cluster URLS`): matching runs in the
 * cluster's engines; this server is a stateless gateway on NATS. Passed to startServer() by the
 * CLI (src/server does not import src/cluster).
 */
export const clusterEngineFactory: EngineFactory = async (o) => {
  if (o.cluster === undefined) throw new Error('clusterEngineFactory needs the cluster option');
  const engine = new ClusterEngine({
    urls: o.cluster.urls,
    ownerWaitMs: o.cluster.ownerWaitMs,
    clock: o.clock,
    log: (line) => o.logger.warn(line),
  });
  await engine.start();
  // Every gateway derives the same order id from a client order id: one salt, from the KV.
  writeFileSync(join(dirname(o.journal.dir), 'order-id.salt'), engine.salt + '\n', { mode: 0o600 });
  return engine;
};
