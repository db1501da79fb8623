/**
 * crossbook journal: durability for the engine (DESIGN.md §6).
 *
 * Public API
 *   openDurableExchange({ dir, fsync?, book?, snapshotEvery?, segmentBytes?, sink?, shard? })
 *     -> { exchange, journal, recovered: { records, lastSeq, snapshotSeq, stateHash, ... },
 *          execute(cmd) -> { events, seq, durable }, submit(cmd) -> Promise<events>,
 *          snapshot(), drainSink(), close() }
 *     Recovers (newest valid snapshot + journal tail through Exchange.execute), then journals
 *     every state-changing command. Release a command's events only after `durable` resolves.
 *     `sink` (a Store from src/store) receives durable entries off the matching path and is caught
 *     up from the journal on open, so nothing journaled is ever missing from it.
 *   Journal.open({ dir, fsync?, segmentBytes?, afterSeq?, onRecord? }) implements CommandJournal
 *     (src/runtime/engine.ts): append(cmd) resolves once durable. `sharded` opens one per shard
 *     directory (or one openDurableExchange per shard, with `shard` set for the store).
 *   sinkStatus() tells how far the sink lags; past `maxSinkBacklog` entries (or on a write error)
 *     it is detached for the rest of the run, never given a gap, and caught up on the next open.
 *   journal.appendOutcome(bytes|string, ts?) appends an opaque record for `lockfree`, whose input
 *     order is not deterministic: it journals the outcome of each command in the order the shared
 *     book committed it (the command plus the fills it reserved). Recovery for that mode reads the
 *     records back with Journal.open({ onRecord }) (kind 'outcome') and re-applies them in journal
 *     order; replaying outcomes, not inputs, reproduces exactly the state that was acknowledged.
 *   scanJournal / loadLatestSnapshot / writeSnapshot / compactJournal / verifyJournal for tools.
 *
 * Invariants and ordering
 *   - Journal seq starts at 1 and increases by one per record with no gaps; a snapshot named N
 *     covers records 1..N. Journal order is append() call order, which is execution order.
 *   - fsync policy: `always` (write + fdatasync per record), `batch` (default: group commit, one
 *     write + fdatasync per batch, appends resolve after it), `off` (resolve after write();
 *     survives kill -9, not power loss). A clean close always fsyncs.
 *   - A snapshot is published only after the journal is durable up to its seq, atomically
 *     (temp file, fsync, rename, fsync dir), and is checked on load by CRC and stateHash.
 *   - A bad record at the end of the last segment with nothing valid after it is a torn tail:
 *     truncated with a warning. Any other bad byte throws JournalCorruptionError naming the file
 *     and byte offset. Nothing is ever silently skipped.
 *
 * Limits
 *   - Records up to 16 MiB; segments rotate between batches once past `segmentBytes` (64 MiB).
 *   - One writer per directory: a LOCK file with the owner's pid; a dead owner's lock (kill -9) is
 *     taken over. After a write error (disk full) every later append rejects: restart to recover.
 *   - Snapshots are captured synchronously on the matching thread (ex.snapshot() + stateHash()),
 *     written off it; size snapshotEvery to the book sizes you run.
 *   - Commands with fields unknown to the binary codec are stored as JSON, so they round-trip.
 *
 * Performance: records are encoded into one growing buffer per batch; one promise per batch.
 */
export { crc32c } from './crc32c.js';
export { encodeCommand, decodeCommand } from './command-codec.js';
export { ByteWriter, ByteReader } from './byte-buffer.js';
export * from './record-codec.js';
export { JournalCorruptionError } from './errors.js';
export type { JournalLogger } from './log.js';
export { defaultLogger } from './log.js';
export {
  scanJournal,
  type JournalRecord,
  type ScanResult,
  type SegmentInfo,
  type TornTail,
} from './journal-reader.js';
export {
  Journal,
  FSYNC_POLICIES,
  DEFAULT_SEGMENT_BYTES,
  type FsyncPolicy,
  type JournalOptions,
  type CommandJournal,
} from './journal.js';
export {
  captureSnapshot,
  writeSnapshot,
  loadSnapshotFile,
  loadLatestSnapshot,
  SNAPSHOTS_KEPT,
  type CapturedSnapshot,
  type LoadedSnapshot,
  type SnapshotHeader,
} from './snapshot-files.js';
export { listSegments, listSnapshots, segmentName, snapshotName } from './segment-files.js';
export {
  openDurableExchange,
  type DurableExchange,
  type DurableExchangeOptions,
  type DurableSink,
  type JournaledEntry,
  type RecoveryInfo,
} from './durable-exchange.js';
export { CommandFormatter } from './command-format.js';
export {
  verifyJournal,
  dumpJournal,
  compactJournal,
  type VerifyResult,
  type CompactResult,
} from './journal-tools.js';
