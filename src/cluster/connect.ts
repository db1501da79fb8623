/**
 * Connecting to the NATS cluster and creating what cluster mode needs in it (idempotent): the two
 * streams, the KV bucket with the partition map and the salt, and the snapshot object store.
 */
import { randomBytes } from 'node:crypto';
import {
  connect,
  DiscardPolicy,
  nanos,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type KV,
  type NatsConnection,
  type ObjectStore,
} from 'nats';
import {
  CMD_STREAM,
  DEFAULT_PARTITIONS,
  decodeJson,
  encodeJson,
  EVT_STREAM,
  KV_BUCKET,
  MAP_KEY,
  SALT_KEY,
  SNAP_BUCKET,
  type PartitionMap,
} from './protocol.js';

export interface ClusterHandles {
  nc: NatsConnection;
  jsm: JetStreamManager;
  kv: KV;
  snaps: ObjectStore;
  map: PartitionMap;
  salt: string;
  replicas: number;
}

/** Parses `URL[,URL...]`; throws a one-line error for an empty or malformed list. */
export function parseUrls(urls: string): string[] {
  const list = urls
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (list.length === 0) throw new Error('no NATS URL given (expected URL[,URL...])');
  for (const u of list) {
    if (!/^(nats|tls):\/\/[^\s/:]+(:\d+)?$/.test(u) && !/^[^\s/:]+:\d+$/.test(u)) {
      throw new Error(`bad NATS URL ${JSON.stringify(u)} (expected nats://host:port)`);
    }
  }
  return list;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Connects (reconnecting forever afterwards) and waits until JetStream answers. Fails with one
 * clear line when no server is reachable or JetStream is not up within `timeoutMs`.
 */
export async function connectCluster(o: {
  urls: string;
  name: string;
  timeoutMs?: number;
  /** Stream and KV replicas; default 3 when three or more URLs are given, else 1. */
  replicas?: number;
  partitions?: number;
}): Promise<ClusterHandles> {
  const servers = parseUrls(o.urls);
  const timeoutMs = o.timeoutMs ?? 15_000;
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers,
      name: o.name,
      timeout: Math.min(timeoutMs, 5000),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      pingInterval: 2000,
    });
  } catch (err) {
    throw new Error(`cannot connect to NATS at ${servers.join(',')}: ${(err as Error).message}`);
  }
  try {
    const jsm = await nc.jetstreamManager({ checkAPI: false });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await jsm.getAccountInfo();
        break;
      } catch (err) {
        if (Date.now() > deadline)
          throw new Error(
            `JetStream at ${servers.join(',')} is not available: ${(err as Error).message}`,
          );
        await sleep(250);
      }
    }
    const replicas = o.replicas ?? (servers.length >= 3 ? 3 : 1);
    const retry = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
      for (;;) {
        try {
          return await f();
        } catch (err) {
          if (Date.now() > deadline) throw new Error(`${what}: ${(err as Error).message}`);
          await sleep(250);
        }
      }
    };
    for (const [name, subject] of [
      [CMD_STREAM, 'cb.cmd.>'],
      [EVT_STREAM, 'cb.evt.>'],
    ]) {
      await retry(`cannot create stream ${name}`, async () => {
        try {
          await jsm.streams.info(name);
        } catch {
          await jsm.streams.add({
            name,
            subjects: [subject],
            num_replicas: replicas,
            storage: StorageType.File,
            retention: RetentionPolicy.Limits,
            discard: DiscardPolicy.Old,
            duplicate_window: nanos(120_000),
          });
        }
      });
    }
    const js = nc.jetstream();
    const kv = await retry('cannot open the cluster KV bucket', () =>
      js.views.kv(KV_BUCKET, { replicas, history: 1 }),
    );
    const snaps = await retry('cannot open the snapshot store', () =>
      js.views.os(SNAP_BUCKET, { replicas }),
    );
    const map = await retry('cannot read the partition map', async () => {
      const e = await kv.get(MAP_KEY);
      if (e !== null && e.value.length > 0) return decodeJson<PartitionMap>(e.value);
      const fresh: PartitionMap = {
        epoch: 1,
        partitions: o.partitions ?? DEFAULT_PARTITIONS,
        pins: {},
      };
      try {
        await kv.create(MAP_KEY, encodeJson(fresh));
        return fresh;
      } catch {
        const again = await kv.get(MAP_KEY);
        if (again === null) throw new Error('partition map vanished');
        return decodeJson<PartitionMap>(again.value);
      }
    });
    const salt = await retry('cannot read the order-id salt', async () => {
      const e = await kv.get(SALT_KEY);
      if (e !== null && e.value.length > 0) return new TextDecoder().decode(e.value);
      try {
        await kv.create(SALT_KEY, new TextEncoder().encode(randomBytes(16).toString('hex')));
      } catch {
        // Another process created it first.
      }
      const again = await kv.get(SALT_KEY);
      return new TextDecoder().decode(again!.value);
    });
    return { nc, jsm, kv, snaps, map, salt, replicas };
  } catch (err) {
    await nc.close().catch(() => undefined);
    throw err;
  }
}

/** True for JetStream's "wrong last sequence" answer to an expected-sequence publish or KV update. */
export function isWrongLastSequence(err: unknown): boolean {
  return err instanceof Error && /wrong last sequence/i.test(err.message);
}
