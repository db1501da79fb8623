import type { Command, EngineEvent } from '../../core/index.js';
import type { Engine } from '../engine.js';
import { EventLedger, type LedgerTotals } from './ledger.js';

export interface SeedScenarioOptions {
  /** Resting sells (default 1000), each `askQty` (100) at 420.00 + i * 0.01. */
  asks?: number;
  askQty?: number;
  /** Concurrent buys (default 10,000), each `bidQty` (10) at 420.50. */
  bids?: number;
  bidQty?: number;
  symbol?: string;
}

export interface SeedScenarioResult extends LedgerTotals {
  /** Sell quantity offered: the most that could ever trade. */
  liquidity: number;
  /** Sell quantity priced at or below the buy limit: what a correct engine fills at most. */
  crossingLiquidity: number;
  /** filled + open + cancelled = qty for every order, and nothing over-filled. */
  conserved: boolean;
  /** Wall time of the order flow, ms. */
  ms: number;
  ordersPerSec: number;
}

const BASE = 42_000; // 420.00 in ticks of 0.01
const BID = 42_050; // 420.50

/**
 * The seed's chaos test: 1000 asks of 100 at 420.00 + i*0.01, then 10,000 bids of 10 at 420.50, all
 * submitted before any completes (one Promise.all). Everything is checked from the events.
 */
export async function runSeedScenario(
  engine: Engine,
  opts: SeedScenarioOptions = {},
): Promise<SeedScenarioResult> {
  const asks = opts.asks ?? 1000;
  const askQty = opts.askQty ?? 100;
  const bids = opts.bids ?? 10_000;
  const bidQty = opts.bidQty ?? 10;
  const symbol = opts.symbol ?? 'MSFT';
  const ledger = new EventLedger();
  const record = (events: EngineEvent[]): void => ledger.add(events);
  const define: Command = {
    type: 'instrument',
    instrument: { symbol, tickSize: '0.01', lotSize: '1' },
    ts: 1,
  };
  record(await engine.submit(define));
  const started = performance.now();
  const sells: Promise<void>[] = [];
  for (let i = 0; i < asks; i++) {
    const cmd: Command = {
      type: 'place',
      symbol,
      orderId: `S${i}`,
      account: `seller${i % 10}`,
      side: 'sell',
      kind: 'limit',
      price: BASE + i,
      qty: askQty,
      ts: 2,
    };
    sells.push(engine.submit(cmd).then(record));
  }
  await Promise.all(sells);
  const buys: Promise<void>[] = [];
  for (let i = 0; i < bids; i++) {
    const cmd: Command = {
      type: 'place',
      symbol,
      orderId: `B${i}`,
      account: `buyer${i % 100}`,
      side: 'buy',
      kind: 'limit',
      price: BID,
      qty: bidQty,
      ts: 3,
    };
    buys.push(engine.submit(cmd).then(record));
  }
  await Promise.all(buys);
  const ms = performance.now() - started;
  record(await engine.submit({ type: 'snapshot', symbol, ts: 3 }));
  const totals = ledger.totals();
  const crossingAsks = Math.max(0, Math.min(asks, BID - BASE + 1));
  return {
    ...totals,
    liquidity: asks * askQty,
    crossingLiquidity: crossingAsks * askQty,
    conserved: totals.unconserved === 0 && totals.overFilled === 0 && totals.unknownFills === 0,
    ms,
    ordersPerSec: Math.round(((asks + bids) / ms) * 1000),
  };
}
