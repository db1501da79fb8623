import { parseStep, type BookLevelView, type Decimal, type EngineEvent } from '../core/index.js';
import { stepsToText } from './fast-decimal.js';
import type { InstrumentRegistry } from './instrument-registry.js';

/** Price fields (ticks -> decimal in the symbol's tick): `price` and any `...Price`. */
const isPriceField = (key: string): boolean => key === 'price' || key.endsWith('Price');
/** Quantity fields (lots -> decimal in the symbol's lot): `qty`, `...Qty`, `...Leaves`, totals. */
const isQtyField = (key: string): boolean =>
  key === 'qty' ||
  key.endsWith('Qty') ||
  key.endsWith('Leaves') ||
  key === 'volume' ||
  key === 'imbalance';

export interface FormatOptions {
  /** Include the engine time `ts` (ns) of each event. Off by default: replay output stays terse. */
  ts?: boolean;
}

export type WireEvent = Record<string, unknown> & { type: string };

const INTEGER_UNIT: Decimal = { mantissa: 1n, scale: 0 };

/**
 * Turns an engine event into its wire object: prices and quantities as canonical decimal strings
 * in the instrument's units, ids as strings. The engine's own `seq` is internal and dropped: the
 * writer numbers its output lines. Fields the core adds later pass through unchanged, so this
 * never hides information; new price / quantity fields are recognised by their names (`...Price`, `...Qty`).
 */
export function formatEvent(
  event: EngineEvent,
  registry: InstrumentRegistry,
  opts: FormatOptions = {},
): WireEvent {
  let tick = INTEGER_UNIT;
  let lot = INTEGER_UNIT;
  if (event.type === 'instrument') {
    tick = parseStep(event.tickSize);
    lot = parseStep(event.lotSize);
  } else if ('symbol' in event && event.symbol !== undefined) {
    const units = registry.get(event.symbol);
    if (units !== undefined) {
      tick = units.tick;
      lot = units.lot;
    }
  }
  const out: WireEvent = { type: event.type };
  const src = event as unknown as Record<string, unknown>;
  for (const key in src) {
    const v = src[key];
    if (key === 'type' || key === 'seq' || v === undefined) continue;
    if (key === 'ts') {
      if (opts.ts === true) out.ts = v;
    } else if (typeof v === 'number' && isPriceField(key)) {
      out[key] = stepsToText(v, tick);
    } else if (typeof v === 'number' && isQtyField(key)) {
      out[key] = stepsToText(v, lot);
    } else if (key === 'tradeId') {
      out[key] = String(v);
    } else if (key === 'bids' || key === 'asks') {
      out[key] = (v as BookLevelView[]).map((level) => ({
        price: stepsToText(level.price, tick),
        orders: level.orders.map((o) => ({ orderId: o.orderId, qty: stepsToText(o.qty, lot) })),
      }));
    } else {
      out[key] = v;
    }
  }
  return out;
}
