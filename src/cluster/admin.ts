/** `crossbook cluster status` and `crossbook cluster move`: read and steer the cluster through NATS. */
import type { ClusterHandles } from './connect.js';
import {
  CMD_STREAM,
  cmdSubject,
  decodeJson,
  encodeJson,
  EVT_STREAM,
  evtSubject,
  KV_BUCKET,
  leaseKey,
  nodeKey,
  snapName,
  type EventsMessage,
  type Lease,
  type NodeBeat,
  type SnapshotRecord,
} from './protocol.js';

export interface PartitionStatus {
  partition: number;
  owner: string | null;
  token: number | null;
  leaseLeftMs: number;
  /** Sequence of the newest command on the partition's subject (0: none). */
  lastCommand: number;
  /** Highest command answered in the events stream. */
  answered: number;
  /** Commands sequenced on the partition and not matched yet (0 when caught up). */
  lag: number;
  snapshotSeq: number | null;
  handoverTo?: string;
}

export interface ClusterStatus {
  epoch: number;
  partitions: PartitionStatus[];
  nodes: { node: string; alive: boolean; partitions: number[]; rates: Record<string, number> }[];
}

async function lastOn(h: ClusterHandles, stream: string, subject: string) {
  try {
    return await h.jsm.streams.getMessage(stream, { last_by_subj: subject });
  } catch (err) {
    if (/no message found/i.test((err as Error).message)) return null;
    throw err;
  }
}

export async function clusterStatus(h: ClusterHandles): Promise<ClusterStatus> {
  const now = Date.now();
  const partitions: PartitionStatus[] = [];
  for (let p = 0; p < h.map.partitions; p++) {
    const le = await h.kv.get(leaseKey(p));
    const lease = le !== null && le.operation === 'PUT' ? decodeJson<Lease>(le.value) : null;
    const cmd = await lastOn(h, CMD_STREAM, cmdSubject(p));
    const evt = await lastOn(h, EVT_STREAM, evtSubject(p));
    const em = evt === null ? null : decodeJson<EventsMessage>(evt.data);
    let snapshotSeq: number | null = null;
    const info = await h.snaps.info(snapName(p)).catch(() => null);
    if (info !== null && info.description) {
      try {
        snapshotSeq = (JSON.parse(info.description) as Pick<SnapshotRecord, 'seq'>).seq;
      } catch {
        snapshotSeq = null;
      }
    }
    const live = lease !== null && lease.until > now;
    const lastCommand = cmd?.seq ?? 0;
    const answered = em?.last ?? 0;
    partitions.push({
      partition: p,
      owner: live ? lease.node : null,
      token: em?.token ?? null,
      leaseLeftMs: live ? lease.until - now : 0,
      lastCommand,
      answered,
      lag: lastCommand > answered ? lastCommand - answered : 0,
      snapshotSeq,
      handoverTo: lease?.handoverTo,
    });
  }
  const nodes: ClusterStatus['nodes'] = [];
  // Node keys from the bucket's stream subjects (a KV key listing can stall while a leader moves).
  const kvInfo = await h.jsm.streams.info(`KV_${KV_BUCKET}`, {
    subjects_filter: `$KV.${KV_BUCKET}.node.>`,
  });
  const keys = Object.keys(kvInfo.state.subjects ?? {}).map((s) =>
    s.slice(`$KV.${KV_BUCKET}.`.length),
  );
  for (const key of keys) {
    const e = await h.kv.get(key);
    if (e === null || e.operation !== 'PUT') continue;
    const b = decodeJson<NodeBeat>(e.value);
    nodes.push({ node: b.node, alive: b.until > now, partitions: b.partitions, rates: b.rates });
  }
  nodes.sort((a, b) => a.node.localeCompare(b.node));
  return { epoch: h.map.epoch, partitions, nodes };
}

export function formatStatus(s: ClusterStatus): string {
  const lines = [`partition map epoch ${s.epoch}, ${s.partitions.length} partitions`, ''];
  lines.push('part  owner       token  last cmd  answered  lag  snapshot');
  for (const p of s.partitions) {
    lines.push(
      `${String(p.partition).padStart(4)}  ${(p.owner ?? (p.handoverTo ? `->${p.handoverTo}` : '-')).padEnd(10)} ${String(p.token ?? '-').padStart(6)}  ${String(p.lastCommand).padStart(8)}  ${String(p.answered).padStart(8)}  ${String(p.lag).padStart(3)}  ${p.snapshotSeq ?? '-'}`,
    );
  }
  lines.push('', 'nodes:');
  for (const n of s.nodes)
    lines.push(
      `  ${n.node.padEnd(10)} ${n.alive ? 'alive' : 'gone '}  partitions ${n.partitions.join(',') || '-'}`,
    );
  return lines.join('\n');
}

/**
 * Hands partition `p` to `to`: a handover marker is sequenced in the partition's command stream;
 * the owner answers everything before it, snapshots at it and releases the lease to `to`, which
 * continues from there. Commands that arrive meanwhile wait in the stream; none is rejected.
 * Resolves with the marker's sequence once `to` owns the partition (or throws after timeoutMs).
 */
export async function movePartition(
  h: ClusterHandles,
  p: number,
  to: string,
  timeoutMs = 15_000,
): Promise<{ seq: number; ms: number }> {
  if (!Number.isInteger(p) || p < 0 || p >= h.map.partitions)
    throw new Error(`partition must be 0..${h.map.partitions - 1}, got ${p}`);
  const beat = await h.kv.get(nodeKey(to));
  if (
    beat === null ||
    beat.operation !== 'PUT' ||
    decodeJson<NodeBeat>(beat.value).until < Date.now()
  )
    throw new Error(`node ${to} is not alive (no heartbeat in the cluster KV)`);
  const t0 = Date.now();
  const js = h.nc.jetstream();
  const pa = await js.publish(cmdSubject(p), encodeJson({ ctl: 'handover', to }), {
    msgID: `move:${p}:${to}:${t0}`,
  });
  const deadline = t0 + timeoutMs;
  for (;;) {
    const le = await h.kv.get(leaseKey(p));
    const l = le === null ? null : decodeJson<Lease>(le.value);
    const evt = await lastOn(h, EVT_STREAM, evtSubject(p));
    const em = evt === null ? null : decodeJson<EventsMessage>(evt.data);
    if (
      l !== null &&
      l.node === to &&
      l.until > Date.now() &&
      em !== null &&
      em.node === to &&
      em.last >= pa.seq
    )
      return { seq: pa.seq, ms: Date.now() - t0 };
    if (Date.now() > deadline)
      throw new Error(`partition ${p} did not move to ${to} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
