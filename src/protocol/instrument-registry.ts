import {
  limitsOf,
  parseStep,
  type Decimal,
  type EngineEvent,
  type InstrumentDefined,
} from '../core/index.js';

/** What the edge needs to know about a symbol to convert decimals to ticks and lots and back. */
export interface InstrumentUnits {
  readonly symbol: string;
  readonly tickSize: string;
  readonly lotSize: string;
  readonly tick: Decimal;
  readonly lot: Decimal;
  /** Largest order quantity in lots and price in ticks (the instrument's, or the defaults). */
  readonly maxQty: number;
  readonly maxPrice: number;
}

/**
 * Symbols the engine has defined, learnt only from its `instrument` events: the engine alone
 * decides what is a duplicate, so the edge never gets ahead of it.
 */
export class InstrumentRegistry {
  private readonly bySymbol = new Map<string, InstrumentUnits>();

  get(symbol: string): InstrumentUnits | undefined {
    return this.bySymbol.get(symbol);
  }

  has(symbol: string): boolean {
    return this.bySymbol.has(symbol);
  }

  get size(): number {
    return this.bySymbol.size;
  }

  /** Learns from any engine event; only `instrument` events matter, the rest are ignored. */
  observe(event: EngineEvent): void {
    if (event.type === 'instrument') this.define(event);
  }

  observeAll(events: readonly EngineEvent[]): void {
    for (const e of events) if (e.type === 'instrument') this.define(e);
  }

  /** Adds a symbol the engine already has (e.g. recovered from a journal). First one wins. */
  define(
    e: Pick<InstrumentDefined, 'symbol' | 'tickSize' | 'lotSize' | 'maxQty' | 'maxPrice'>,
  ): void {
    if (this.bySymbol.has(e.symbol)) return;
    const limits = limitsOf(e);
    this.bySymbol.set(e.symbol, {
      symbol: e.symbol,
      tickSize: e.tickSize,
      lotSize: e.lotSize,
      tick: parseStep(e.tickSize),
      lot: parseStep(e.lotSize),
      maxQty: limits.maxQty,
      maxPrice: limits.maxPrice,
    });
  }
}
