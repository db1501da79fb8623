/**
 * Names and wire formats of cluster mode: streams, subjects, KV keys, and the JSON messages on
 * them. Everything a gateway, an engine, the admin commands and the test checker agree on.
 */
import type { Command, EngineEvent } from '../core/index.js';

/** Commands, one subject per partition (`cb.cmd.<p>`); the stream sequence is the command's. */
export const CMD_STREAM = 'CB_CMD';
/** Outcomes, one subject per partition (`cb.evt.<p>`), appended only by the partition's owner. */
export const EVT_STREAM = 'CB_EVT';
/** Partition map, leases, node heartbeats, the shared order-id salt. */
export const KV_BUCKET = 'cb_cluster';
/** Snapshots, one object per partition (`p<P>`). */
export const SNAP_BUCKET = 'cb_snap';

export const cmdSubject = (p: number): string => `cb.cmd.${p}`;
export const evtSubject = (p: number): string => `cb.evt.${p}`;
export const leaseKey = (p: number): string => `lease.${p}`;
export const nodeKey = (node: string): string => `node.${node}`;
export const MAP_KEY = 'map';
export const SALT_KEY = 'salt';
export const snapName = (p: number): string => `p${p}`;

export const DEFAULT_PARTITIONS = 16;

/** The partition map: a fixed number of partitions, pinned symbols; every change bumps epoch. */
export interface PartitionMap {
  epoch: number;
  partitions: number;
  /** Symbols pinned to a partition (otherwise a stable hash decides). */
  pins: Record<string, number>;
}

/** FNV-1a over UTF-16 code units: stable across processes and machines. */
export function hashSymbol(symbol: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < symbol.length; i++) {
    h ^= symbol.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function partitionOf(symbol: string, map: PartitionMap): number {
  return map.pins[symbol] ?? hashSymbol(symbol) % map.partitions;
}

/** A message on `cb.cmd.<p>`: a core command, or a control marker sequenced with them. */
export type CommandEnvelope =
  | { cmd: Command }
  /** The owner stops here, snapshots, and hands the partition to `to`. */
  | { ctl: 'handover'; to: string }
  /** The owner answers with its state hash at this point (the checker compares with a replay). */
  | { ctl: 'probe' };

/** One command's outcome inside an events message. */
export interface CommandResult {
  /** The command's stream sequence. */
  seq: number;
  events: EngineEvent[];
  /** probe: the owner's Exchange.stateHash() after every command before it. */
  hash?: string;
  /** handover: the node the partition was handed to. */
  handover?: string;
}

/** A message on `cb.evt.<p>`. */
export interface EventsMessage {
  /** `owner`: a new owner fenced the subject (no results); `events`: outcomes. */
  kind: 'owner' | 'events';
  p: number;
  node: string;
  /** The owner's fencing token: the KV revision of its lease when acquired. */
  token: number;
  /** The highest command sequence answered on this partition once this message is stored. */
  last: number;
  results: CommandResult[];
}

/** The lease value in KV (`lease.<p>`); the entry's revision at acquisition is the token. */
export interface Lease {
  node: string;
  /** Wall-clock ms until which the owner holds it; 0 once released. */
  until: number;
  /** Set when released at a handover marker: who takes over, and the snapshot it starts from. */
  handoverTo?: string;
  snapshotSeq?: number;
  releasedAt?: number;
}

/** A node's heartbeat in KV (`node.<id>`). */
export interface NodeBeat {
  node: string;
  until: number;
  partitions: number[];
  /** Commands per second matched over the last interval, per owned partition. */
  rates: Record<string, number>;
}

/** A snapshot object: the Exchange state after every command up to `seq`. */
export interface SnapshotRecord {
  p: number;
  seq: number;
  token: number;
  node: string;
  hash: string;
  exchange: unknown;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
export const encodeJson = (v: unknown): Uint8Array => enc.encode(JSON.stringify(v));
export const decodeJson = <T>(b: Uint8Array): T => JSON.parse(dec.decode(b)) as T;

/** The symbol a command is routed by (undefined: every partition, e.g. an account-wide cancel). */
export function symbolOf(cmd: Command): string | undefined {
  switch (cmd.type) {
    case 'instrument':
      return cmd.instrument.symbol;
    case 'massCancel':
      return cmd.symbol;
    case 'clock':
      return undefined;
    default:
      return cmd.symbol;
  }
}
