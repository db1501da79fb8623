/**
 * The Jepsen-style checker for cluster mode, written apart from the engine: it reads the client
 * history and both JetStream streams and uses nothing of src/cluster beyond its message types
 * (the replay runs the command stream through `single`, the reference). Every failure names the
 * partition, symbol, order and sequence.
 */
import { connect, DeliverPolicy } from 'nats';
import type { Command, EngineEvent } from '../../src/core/index.js';
import { SingleEngine } from '../../src/runtime/index.js';
import type { CommandEnvelope, EventsMessage } from '../../src/cluster/protocol.js';

export interface HistoryEntry {
  client: string;
  gateway: number;
  op: 'place' | 'cancel';
  symbol: string;
  /** For place: the client order id; for cancel: the order id. */
  ref: string;
  t0: number;
  t1: number;
  /** HTTP status; 0 for a network error (outcome unknown). */
  status: number;
  body: unknown;
}

export interface CheckReport {
  violations: string[];
  stats: {
    commands: number;
    eventMessages: number;
    trades: number;
    ackedPlaces: number;
    ackedCancels: number;
    partitions: number;
    owners: number;
    probes: number;
  };
}

interface Stored {
  seq: number;
  subject: string;
  data: Uint8Array;
}

async function readAll(urls: string, stream: string, subjects: string): Promise<Stored[]> {
  const nc = await connect({ servers: urls.split(','), maxReconnectAttempts: 20 });
  try {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(stream);
    const last = info.state.last_seq;
    const out: Stored[] = [];
    if (info.state.messages === 0) return out;
    const c = await nc.jetstream().consumers.get(stream, {
      filterSubjects: subjects,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: 1,
    });
    const it = await c.consume({ max_messages: 1000, expires: 2000, idle_heartbeat: 1000 });
    for await (const m of it) {
      out.push({ seq: m.seq, subject: m.subject, data: m.data });
      if (m.seq >= last) break;
    }
    return out;
  } finally {
    await nc.close();
  }
}

const dec = new TextDecoder();
const partOf = (subject: string): number => Number(subject.slice(subject.lastIndexOf('.') + 1));

function symbolOfCmd(c: Command): string {
  if (c.type === 'instrument') return c.instrument.symbol;
  if (c.type === 'clock') return '*';
  if (c.type === 'massCancel') return c.symbol ?? '*';
  return c.symbol;
}

export async function checkCluster(urls: string, history: HistoryEntry[]): Promise<CheckReport> {
  const violations: string[] = [];
  const v = (s: string): void => {
    if (violations.length < 200) violations.push(s);
  };
  const cmds = await readAll(urls, 'CB_CMD', 'cb.cmd.>');
  const evts = await readAll(urls, 'CB_EVT', 'cb.evt.>');
  const cmdsBy = new Map<number, { seq: number; env: CommandEnvelope }[]>();
  for (const m of cmds) {
    const p = partOf(m.subject);
    if (!cmdsBy.has(p)) cmdsBy.set(p, []);
    cmdsBy.get(p)!.push({ seq: m.seq, env: JSON.parse(dec.decode(m.data)) as CommandEnvelope });
  }
  const evtsBy = new Map<number, { seq: number; msg: EventsMessage }[]>();
  for (const m of evts) {
    const p = partOf(m.subject);
    if (!evtsBy.has(p)) evtsBy.set(p, []);
    evtsBy.get(p)!.push({ seq: m.seq, msg: JSON.parse(dec.decode(m.data)) as EventsMessage });
  }

  // 1. Fencing: tokens never go backwards; outcomes only from the latest owner marker's token.
  let owners = 0;
  const answers = new Map<
    number,
    Map<number, { events: EngineEvent[]; hash?: string; at: number }>
  >();
  for (const [p, list] of evtsBy) {
    let maxToken = 0;
    let ownerToken = -1;
    let lastAnswered = 0;
    const byCmd = new Map<number, { events: EngineEvent[]; hash?: string; at: number }>();
    answers.set(p, byCmd);
    for (const { seq, msg } of list) {
      if (msg.token < maxToken)
        v(
          `partition ${p}: events message at stream seq ${seq} from ${msg.node} carries token ${msg.token} after token ${maxToken}: a deposed owner published`,
        );
      maxToken = Math.max(maxToken, msg.token);
      if (msg.kind === 'owner') {
        owners++;
        ownerToken = msg.token;
        continue;
      }
      if (msg.token !== ownerToken)
        v(
          `partition ${p}: events at stream seq ${seq} from ${msg.node} (token ${msg.token}) while the owner is token ${ownerToken}`,
        );
      for (const r of msg.results) {
        if (byCmd.has(r.seq) || r.seq <= lastAnswered)
          v(
            `partition ${p}: command ${r.seq} answered twice or out of order (events stream seq ${seq}, from ${msg.node})`,
          );
        else byCmd.set(r.seq, { events: r.events, hash: r.hash, at: seq });
        lastAnswered = Math.max(lastAnswered, r.seq);
      }
    }
  }

  // 2. Per partition: the events equal a single-process replay of the command stream.
  let probes = 0;
  for (const [p, list] of cmdsBy) {
    const ref = new SingleEngine();
    const got = answers.get(p) ?? new Map();
    for (const { seq, env } of list) {
      const a = got.get(seq);
      const tail = seq > Math.max(0, ...got.keys());
      if (a === undefined && 'cmd' in env && env.cmd.type === 'clock' && tail) {
        // A tick sequenced just before the read and not matched yet: nobody waits for ticks.
      } else if (a === undefined) {
        const what =
          'cmd' in env
            ? `${env.cmd.type} ${symbolOfCmd(env.cmd)} ${'orderId' in env.cmd ? env.cmd.orderId : ''}`
            : env.ctl;
        v(`partition ${p}: command ${seq} (${what}) was never answered`);
      }
      if ('cmd' in env) {
        const expected = await ref.submit(env.cmd);
        if (a !== undefined && JSON.stringify(a.events) !== JSON.stringify(expected)) {
          const c = env.cmd;
          v(
            `partition ${p}: command ${seq} (${c.type} ${symbolOfCmd(c)} ${'orderId' in c ? c.orderId : ''}): stored events differ from the single replay: ${JSON.stringify(a.events).slice(0, 300)} vs ${JSON.stringify(expected).slice(0, 300)}`,
          );
        }
      } else if (env.ctl === 'probe') {
        probes++;
        const h = await ref.stateHash();
        if (a !== undefined && a.hash !== h)
          v(
            `partition ${p}: state hash at probe ${seq} is ${a.hash}, the single replay gives ${h}`,
          );
      }
    }
    await ref.close();
  }
  // Commands sequenced after the command stream was read (clock ticks) are not judged.
  const cmdLast = cmds.length === 0 ? 0 : cmds[cmds.length - 1].seq;
  for (const [p, got] of answers) {
    const known = new Set((cmdsBy.get(p) ?? []).map((c) => c.seq));
    for (const seq of got.keys())
      if (seq <= cmdLast && !known.has(seq))
        v(`partition ${p}: an answer for command ${seq}, which is not in the command stream`);
  }

  // 3. Trades and orders, from the stored events.
  const tradeIds = new Set<string>();
  const orders = new Map<
    string,
    {
      symbol: string;
      side: string;
      qty: number;
      filled: number;
      done: 'open' | 'filled' | 'cancelled';
    }
  >();
  let trades = 0;
  for (const got of answers.values()) {
    for (const { events } of [...got.entries()].sort((a, b) => a[0] - b[0]).map((x) => x[1])) {
      for (const e of events) {
        if (e.type === 'accepted') {
          orders.set(e.orderId, {
            symbol: e.symbol,
            side: e.side,
            qty: e.qty,
            filled: 0,
            done: 'open',
          });
        } else if (e.type === 'trade') {
          trades++;
          const key = `${e.symbol}#${e.tradeId}`;
          if (tradeIds.has(key)) v(`symbol ${e.symbol}: trade id ${e.tradeId} appears twice`);
          tradeIds.add(key);
          for (const id of [e.makerOrderId, e.takerOrderId]) {
            const o = orders.get(id);
            if (o === undefined) {
              v(`symbol ${e.symbol}: trade ${e.tradeId} fills order ${id}, never accepted`);
              continue;
            }
            o.filled += e.qty;
            if (o.filled > o.qty)
              v(
                `symbol ${e.symbol}: order ${id} filled ${o.filled} of ${o.qty} (overfill, trade ${e.tradeId})`,
              );
            if (o.filled === o.qty) o.done = 'filled';
          }
        } else if (e.type === 'cancelled') {
          const o = orders.get(e.orderId);
          if (o !== undefined) o.done = 'cancelled';
        }
      }
    }
  }
  const bought = new Map<string, number>();
  const sold = new Map<string, number>();
  for (const o of orders.values()) {
    const m = o.side === 'buy' ? bought : sold;
    m.set(o.symbol, (m.get(o.symbol) ?? 0) + o.filled);
  }
  for (const s of new Set([...bought.keys(), ...sold.keys()])) {
    if ((bought.get(s) ?? 0) !== (sold.get(s) ?? 0))
      v(`symbol ${s}: bought ${bought.get(s) ?? 0} != sold ${sold.get(s) ?? 0}`);
  }

  // 4. Every acknowledged order and cancel is in the final state.
  let ackedPlaces = 0;
  let ackedCancels = 0;
  for (const h of history) {
    if (h.op === 'place' && (h.status === 200 || h.status === 201)) {
      ackedPlaces++;
      const view = (h.body as { order: { orderId: string; filledQty: string } }).order;
      const o = orders.get(view.orderId);
      if (o === undefined)
        v(
          `symbol ${h.symbol}: acknowledged order ${view.orderId} (client ${h.ref}, ${h.client}) is not in the events stream`,
        );
      else if (o.filled < Number(view.filledQty))
        v(
          `symbol ${h.symbol}: acknowledged order ${view.orderId} had ${view.filledQty} filled, the final state only ${o.filled}`,
        );
    } else if (h.op === 'cancel' && h.status === 200) {
      ackedCancels++;
      const o = orders.get(h.ref);
      if (o === undefined || o.done !== 'cancelled')
        v(
          `symbol ${h.symbol}: acknowledged cancel of ${h.ref} (${h.client}) is not in the final state (${o?.done ?? 'unknown order'})`,
        );
    }
  }
  return {
    violations,
    stats: {
      commands: cmds.length,
      eventMessages: evts.length,
      trades,
      ackedPlaces,
      ackedCancels,
      partitions: cmdsBy.size,
      owners,
      probes,
    },
  };
}
