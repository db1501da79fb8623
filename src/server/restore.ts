import type { CancelReason, EngineEvent, OrderKind, TimeInForce } from '../core/index.js';
import type { OrderRecord, OrderRegistry } from '../gateway/index.js';
import type { MarketData } from '../market-data/index.js';
import type { Engine } from '../runtime/index.js';
import type { OrderRow, Store } from '../store/index.js';

const HISTORY = 1000;

/** A stored order row as the gateway's order record. */
export function recordOf(row: OrderRow): OrderRecord {
  const stop = row.kind === 'stop' || row.kind === 'stopLimit';
  const open = row.status === 'open';
  return {
    orderId: row.orderId,
    account: row.account,
    symbol: row.symbol,
    side: row.side,
    kind: row.kind as OrderKind,
    price: row.price ?? undefined,
    stopPrice: row.stopPrice ?? undefined,
    qty: row.qty,
    filled: row.filledQty,
    leaves: row.leavesQty,
    // The store keeps no fill notional per order: the average price restarts from the fills seen.
    filledNotional: (row.price ?? 0) * row.filledQty,
    tif: (row.tif ?? 'GTC') as TimeInForce,
    postOnly: false,
    status: open
      ? stop && row.filledQty === 0
        ? 'pendingTrigger'
        : row.filledQty > 0
          ? 'partiallyFilled'
          : 'open'
      : row.status,
    cancelReason: row.status === 'cancelled' ? ((row.reason ?? 'user') as CancelReason) : undefined,
    ts: row.createdTs,
    updatedTs: row.updatedTs,
  };
}

/**
 * After a restart: the public books come from the engine's own `book` events (a snapshot command
 * per symbol), the tape and the accounts' orders and fills from the store, which the journal has
 * already caught up. Nothing is read from book internals.
 */
export async function restoreState(o: {
  engine: Engine;
  store: Store;
  marketData: MarketData;
  orders: OrderRegistry;
  symbols: string[];
  onEvents: (events: readonly EngineEvent[]) => void;
}): Promise<void> {
  for (const symbol of o.symbols) {
    const events = await o.engine.submit({ type: 'snapshot', symbol });
    // A `book` event replaces the visible book, so seeing it twice (also via onEvents) is harmless.
    o.marketData.apply(events.filter((e) => e.type === 'book'));
    const trades = await o.store.recentTrades({ symbol, limit: HISTORY });
    trades.sort((a, b) => a.tradeId - b.tradeId);
    o.marketData.restoreTrades(symbol, trades);
  }
  const accounts = new Set((await o.store.listApiKeys()).map((k) => k.account));
  for (const a of await o.store.listAccounts()) accounts.add(a.account);
  for (const account of accounts) {
    const open = await o.store.orders({ account, status: 'open', limit: 1_000_000 });
    const recent = await o.store.orders({ account, status: 'all', limit: HISTORY });
    const rows = [...recent, ...open].sort((a, b) => a.createdTs - b.createdTs);
    for (const row of rows) o.orders.restore(recordOf(row));
    const fills = await o.store.fills({ account, limit: HISTORY });
    fills.reverse();
    o.orders.restoreFills(
      account,
      fills
        .sort((a, b) => a.ts - b.ts)
        .map((f) => ({
          tradeId: f.tradeId,
          orderId: f.orderId,
          symbol: f.symbol,
          side: f.side,
          price: f.price,
          qty: f.qty,
          liquidity: f.liquidity,
          ts: f.ts,
        })),
    );
  }
}
