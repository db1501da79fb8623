import { readFileSync } from 'node:fs';
import type { InstrumentConfig } from '../core/index.js';

/** An instrument as configured: decimals everywhere (the reference price too). */
export interface InstrumentSpec {
  symbol: string;
  tickSize: string;
  lotSize: string;
  bandPct?: string;
  referencePrice?: string;
  stp?: InstrumentConfig['stp'];
  phase?: InstrumentConfig['phase'];
}

/** The demo venue: six US names at rough recent prices, ±10% bands, tick 0.01, lot 1. */
export const DEMO_INSTRUMENTS: readonly InstrumentSpec[] = [
  { symbol: 'MSFT', tickSize: '0.01', lotSize: '1', bandPct: '10', referencePrice: '420.00' },
  { symbol: 'AAPL', tickSize: '0.01', lotSize: '1', bandPct: '10', referencePrice: '230.00' },
  { symbol: 'GOOGL', tickSize: '0.01', lotSize: '1', bandPct: '10', referencePrice: '170.00' },
  { symbol: 'TSLA', tickSize: '0.01', lotSize: '1', bandPct: '15', referencePrice: '250.00' },
  { symbol: 'NVDA', tickSize: '0.01', lotSize: '1', bandPct: '15', referencePrice: '130.00' },
  { symbol: 'SPY', tickSize: '0.01', lotSize: '1', bandPct: '5', referencePrice: '570.00' },
];

const SYMBOL_RE = /^[A-Z0-9._-]{1,32}$/;
const DEC_RE = /^\d+(\.\d+)?$/;

/** Reads a JSON file: an array of InstrumentSpec (or `{ "instruments": [...] }`). */
export function loadInstrumentsFile(path: string): InstrumentSpec[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read instruments file ${path}: ${(err as Error).message}`);
  }
  const list = Array.isArray(raw) ? raw : (raw as { instruments?: unknown }).instruments;
  if (!Array.isArray(list) || list.length === 0) {
    throw new Error(`Instruments file ${path} must hold a non-empty array of instruments`);
  }
  return list.map((x, i) => checkSpec(x, `${path} [${i}]`));
}

function checkSpec(x: unknown, where: string): InstrumentSpec {
  const o = x as Record<string, unknown>;
  if (o === null || typeof o !== 'object') throw new Error(`${where}: not an object`);
  const str = (k: string, re: RegExp, required: boolean): string | undefined => {
    const v = o[k];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || !re.test(v)) throw new Error(`${where}: ${k} must match ${re}`);
    return v;
  };
  const spec: InstrumentSpec = {
    symbol: str('symbol', SYMBOL_RE, true)!,
    tickSize: str('tickSize', DEC_RE, true)!,
    lotSize: str('lotSize', DEC_RE, true)!,
  };
  const band = str('bandPct', DEC_RE, false);
  if (band !== undefined) spec.bandPct = band;
  const ref = str('referencePrice', DEC_RE, false);
  if (ref !== undefined) spec.referencePrice = ref;
  if (o.stp !== undefined) spec.stp = o.stp as InstrumentSpec['stp'];
  if (o.phase !== undefined) spec.phase = o.phase as InstrumentSpec['phase'];
  return spec;
}
