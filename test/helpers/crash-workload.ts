/**
 * Deterministic random command streams for the journal, recovery and crash tests: a few symbols,
 * several accounts, every state-changing command type, including ones the engine rejects.
 */
import type { Command } from '../../src/core/index.js';

/** mulberry32: tiny, fast and good enough for workloads. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const SYMBOLS = ['MSFT', 'AAPL', 'BTC-USD'];
const ACCOUNTS = ['A', 'B', 'C', 'D'];
const BASE_TS = 1_700_000_000_000_000_000;

export function instrumentCommands(): Command[] {
  return [
    {
      type: 'instrument',
      instrument: { symbol: 'MSFT', tickSize: '0.01', lotSize: '1' },
      ts: BASE_TS,
    },
    {
      type: 'instrument',
      instrument: {
        symbol: 'AAPL',
        tickSize: '0.01',
        lotSize: '1',
        bandPct: '50',
        referencePrice: 20000,
      },
      ts: BASE_TS,
    },
    {
      type: 'instrument',
      instrument: { symbol: 'BTC-USD', tickSize: '0.5', lotSize: '0.001', stp: 'cancelNewest' },
      ts: BASE_TS,
    },
  ];
}

export interface WorkloadGen {
  next(): Command;
}

/** Commands after the instruments; ids are `${prefix}${n}` so separate runs never collide. */
export function workload(seed: number, prefix = 'o'): WorkloadGen {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const live: { id: string; symbol: string; account: string }[] = [];
  let n = 0;
  let ts = BASE_TS + 1000;
  return {
    next(): Command {
      ts += 1 + Math.floor(rnd() * 1000);
      const r = rnd();
      if (r < 0.62 || live.length === 0) {
        const symbol = pick(SYMBOLS);
        const account = pick(ACCOUNTS);
        const id = `${prefix}${++n}`;
        const side = rnd() < 0.5 ? 'buy' : 'sell';
        const mid = 20000;
        const price = mid + Math.floor(rnd() * 40) - 20 + (side === 'buy' ? -5 : 5);
        const k = rnd();
        const cmd: Command =
          k < 0.8
            ? {
                type: 'place',
                symbol,
                orderId: id,
                account,
                side,
                kind: 'limit',
                price,
                qty: 1 + Math.floor(rnd() * 50),
                ts,
              }
            : k < 0.9
              ? {
                  type: 'place',
                  symbol,
                  orderId: id,
                  account,
                  side,
                  kind: 'market',
                  qty: 1 + Math.floor(rnd() * 30),
                  ts,
                }
              : k < 0.95
                ? {
                    type: 'place',
                    symbol,
                    orderId: id,
                    account,
                    side,
                    kind: 'limit',
                    price,
                    qty: 10,
                    tif: 'IOC',
                    ts,
                  }
                : {
                    type: 'place',
                    symbol,
                    orderId: id,
                    account,
                    side,
                    kind: 'limit',
                    price,
                    qty: 40,
                    displayQty: 10,
                    ts,
                  };
        live.push({ id, symbol, account });
        if (live.length > 400) live.shift();
        return cmd;
      }
      if (r < 0.8) {
        const o = live.splice(Math.floor(rnd() * live.length), 1)[0];
        return { type: 'cancel', symbol: o.symbol, orderId: o.id, account: o.account, ts };
      }
      if (r < 0.95) {
        const o = pick(live);
        return rnd() < 0.5
          ? {
              type: 'replace',
              symbol: o.symbol,
              orderId: o.id,
              account: o.account,
              qty: 1 + Math.floor(rnd() * 20),
              ts,
            }
          : {
              type: 'replace',
              symbol: o.symbol,
              orderId: o.id,
              account: o.account,
              price: 19990 + Math.floor(rnd() * 20),
              ts,
            };
      }
      if (r < 0.97)
        return { type: 'massCancel', account: pick(ACCOUNTS), symbol: pick(SYMBOLS), ts };
      return { type: 'clock', ts };
    },
  };
}

export function commands(seed: number, count: number, prefix = 'o'): Command[] {
  const g = workload(seed, prefix);
  const out = instrumentCommands();
  while (out.length < count) out.push(g.next());
  return out;
}
