/**
 * Benchmark of the gateway's per-order bookkeeping (issue 12 item 1): 1,000,000 orders through the
 * real core (Exchange) into the OrderRegistry and the RiskChecker's admission and release, from one
 * account and from 10,000 accounts. Every 2nd order crosses (both sides finish), every 10th rests
 * far from the market and stays open, so the history rings evict both finished and open orders.
 * Reports process CPU time per order (process.cpuUsage, user + system) in the first and the last
 * 10% of the run and their ratio, which must stay near 1 (flat): no operation grows with history.
 *
 *   npx tsx bench/server/registry.ts [orders=1000000]
 */
import { Exchange, type Command } from '../../src/core/index.js';
import { OrderRegistry, RiskChecker } from '../../src/gateway/index.js';
import { parseStep } from '../../src/core/index.js';

interface Result {
  accounts: number;
  orders: number;
  firstUsPerOrder: number;
  lastUsPerOrder: number;
  ratio: number;
  wallSec: number;
  heldOrders: number;
}

const tick = parseStep('0.01');
const lot = parseStep('1');

function run(orders: number, accounts: number): Result {
  const ex = new Exchange();
  ex.execute({ type: 'instrument', instrument: { symbol: 'X', tickSize: '0.01', lotSize: '1' } });
  const registry = new OrderRegistry();
  const risk = new RiskChecker(
    { openOrders: (a) => registry.openCount(a), band: () => ({}) },
    {
      maxOrderQty: '1000000',
      maxNotional: '1000000000',
      maxOpenOrders: 1_000_000,
      ordersPerSecond: 1_000_000_000,
      burst: 1_000_000_000,
    },
  );
  const segment = Math.floor(orders / 10);
  const cpu = (): number => {
    const u = process.cpuUsage();
    return u.user + u.system;
  };
  let firstCpu = 0;
  let lastStart = 0;
  let lastCpu = 0;
  const t0 = performance.now();
  let c0 = cpu();
  for (let i = 0; i < orders; i++) {
    if (i === segment) firstCpu = cpu() - c0;
    if (i === orders - segment) lastStart = cpu();
    const account = `acct-${i % accounts}`;
    const resting = i % 10 === 9;
    const side = resting ? 'buy' : i % 2 === 0 ? 'sell' : 'buy';
    const price = resting ? 100 : 10_000;
    const cmd: Command = {
      type: 'place',
      symbol: 'X',
      orderId: `o${i}`,
      account,
      side,
      kind: 'limit',
      price,
      qty: 1,
      ts: i,
    };
    const bad = risk.admit({ account, symbol: 'X', side, kind: 'limit', price, qty: 1, tick, lot });
    if (bad !== null) throw new Error(bad.message);
    registry.expect(cmd.orderId, `c${i}`);
    registry.apply(ex.execute(cmd));
    registry.forget(cmd.orderId);
    risk.release(account);
  }
  lastCpu = cpu() - lastStart;
  c0 = 0;
  const firstUs = firstCpu / segment;
  const lastUs = lastCpu / segment;
  return {
    accounts,
    orders,
    firstUsPerOrder: Math.round(firstUs * 100) / 100,
    lastUsPerOrder: Math.round(lastUs * 100) / 100,
    ratio: Math.round((lastUs / firstUs) * 100) / 100,
    wallSec: Math.round((performance.now() - t0) / 10) / 100,
    heldOrders: registry.size,
  };
}

const orders = Number(process.argv[2] ?? 1_000_000);
for (const accounts of [1, 10_000]) {
  const r = run(orders, accounts);
  console.log(JSON.stringify(r));
}
