/**
 * Journal command -> replay-protocol wire object (decimal strings), the inverse of
 * src/protocol's parseCommand. Used by `journal dump`: its output can be fed back to
 * `crossbook replay`. Units come from the `instrument` commands seen so far (or are seeded from a
 * snapshot when the defining records were compacted away).
 */
import {
  formatSteps,
  parseStep,
  type Command,
  type Decimal,
  type InstrumentConfig,
} from '../core/index.js';

interface Units {
  tick: Decimal;
  lot: Decimal;
}

const INTEGER: Decimal = { mantissa: 1n, scale: 0 };

export class CommandFormatter {
  private readonly units = new Map<string, Units>();

  define(cfg: Pick<InstrumentConfig, 'symbol' | 'tickSize' | 'lotSize'>): void {
    if (this.units.has(cfg.symbol)) return;
    try {
      this.units.set(cfg.symbol, { tick: parseStep(cfg.tickSize), lot: parseStep(cfg.lotSize) });
    } catch {
      // An invalid definition was rejected by the engine; its symbol stays unknown.
    }
  }

  /** Finds instrument definitions anywhere inside a snapshot (its layout belongs to the core). */
  seedFrom(value: unknown, depth = 0): void {
    if (depth > 6 || typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      for (const v of value) this.seedFrom(v, depth + 1);
      return;
    }
    const o = value as Record<string, unknown>;
    if (
      typeof o.symbol === 'string' &&
      typeof o.tickSize === 'string' &&
      typeof o.lotSize === 'string'
    ) {
      this.define({ symbol: o.symbol, tickSize: o.tickSize, lotSize: o.lotSize });
    }
    for (const k in o) this.seedFrom(o[k], depth + 1);
  }

  format(cmd: Command): Record<string, unknown> {
    if (cmd.type === 'instrument') {
      const i = cmd.instrument;
      this.define(i);
      const out: Record<string, unknown> = {
        type: 'instrument',
        symbol: i.symbol,
        tickSize: i.tickSize,
        lotSize: i.lotSize,
      };
      if (i.bandPct !== undefined) out.bandPct = i.bandPct;
      if (i.referencePrice !== undefined)
        out.referencePrice = this.price(i.symbol, i.referencePrice);
      if (i.stp !== undefined) out.stp = i.stp;
      if (i.phase !== undefined) out.phase = i.phase;
      if (i.haltPauseNs !== undefined) out.haltPauseNs = i.haltPauseNs;
      if (cmd.ts !== undefined) out.ts = cmd.ts;
      return out;
    }
    const src = cmd as unknown as Record<string, unknown>;
    const symbol = typeof src.symbol === 'string' ? src.symbol : '';
    const out: Record<string, unknown> = {};
    for (const key in src) {
      const v = src[key];
      if (v === undefined) continue;
      if (typeof v === 'number' && (key === 'price' || key === 'stopPrice'))
        out[key] = this.price(symbol, v);
      else if (typeof v === 'number' && (key === 'qty' || key === 'displayQty'))
        out[key] = this.qty(symbol, v);
      else out[key] = v;
    }
    return out;
  }

  private price(symbol: string, ticks: number): string {
    return formatSteps(ticks, this.units.get(symbol)?.tick ?? INTEGER);
  }

  private qty(symbol: string, lots: number): string {
    return formatSteps(lots, this.units.get(symbol)?.lot ?? INTEGER);
  }
}
