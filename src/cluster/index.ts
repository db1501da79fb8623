/**
 * Cluster mode: symbol-sharded matching across processes and machines on NATS JetStream.
 *
 * Topology: symbols map to a fixed number of partitions (map in the KV bucket `cb_cluster`, with an
 * epoch). Gateways (`crossbook serve --cluster`) publish each command to `cb.cmd.<p>` in the
 * stream CB_CMD (R3 on three nodes, R1 on one); the stream sequence is the command's sequence.
 * Engines (`crossbook engine`) own partitions and run their commands, in that order, through the
 * same deterministic core Exchange as `single`; each command's events go to `cb.evt.<p>` in CB_EVT.
 *
 * Invariants:
 * - One writer per events subject: every append carries JetStream's expected-last-subject-sequence,
 *   so two owners can never both append after the same message. A new owner first appends an
 *   `owner` marker; from then on a deposed owner's appends fail and it steps down.
 * - Fencing tokens: an owner's token is the KV revision of its lease when acquired, so tokens grow
 *   with every change of owner; a new owner refuses to fence over a newer token.
 * - Each command is answered exactly once, in sequence order: the owner skips (replays without
 *   publishing) every command up to the `last` answered sequence found in the events stream.
 *   Appends carry a message id, so a retried publish is stored once.
 * - A gateway acknowledges a command only once its outcome is stored in CB_EVT (replicated).
 * - A snapshot (object store `cb_snap`) is the Exchange after command `seq`, written only after
 *   the outcomes through `seq` are stored; takeover = newest snapshot + replay of the stream.
 * - Moves are sequenced: a `handover` marker in the command stream; the old owner answers all
 *   before it, snapshots at it and releases the lease to the new owner, which starts right after.
 */
export * from './protocol.js';
export { connectCluster, parseUrls, isWrongLastSequence, type ClusterHandles } from './connect.js';
export { EngineNode, type EngineNodeOptions } from './engine-node.js';
export { ClusterEngine, type ClusterEngineOptions } from './cluster-engine.js';
export { clusterStatus, formatStatus, movePartition, type ClusterStatus } from './admin.js';
export { startLocalNats, findNatsServer, freePort, type LocalNats } from './local-nats.js';
export {
  startLocalCluster,
  spawnProc,
  type LocalCluster,
  type LocalGateway,
  type ChildProc,
} from './local-cluster.js';
export { clusterEngineFactory } from './gateway-factory.js';
export { runClusterBench } from './bench.js';
export { builtCli, keysFromBanner } from './local-cluster.js';
