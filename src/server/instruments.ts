import { readFileSync } from 'node:fs';
import {
  decimalText,
  PHASES,
  STP_MODES,
  type InstrumentConfig,
  type Phase,
  type StpMode,
} from '../core/index.js';

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

/** Each field: what it is and an example, for the error messages. */
const FIELDS: Record<string, { what: string; example: string }> = {
  symbol: { what: '1 to 32 of A-Z 0-9 . _ -', example: '"MSFT"' },
  tickSize: { what: 'a positive decimal (string or number)', example: '"0.01"' },
  lotSize: { what: 'a positive decimal (string or number)', example: '"1"' },
  bandPct: { what: 'a positive decimal percentage (string or number)', example: '"10"' },
  referencePrice: { what: 'a positive decimal (string or number)', example: '"420.00"' },
  stp: { what: `one of ${STP_MODES.join(', ')}`, example: '"none"' },
  phase: { what: `one of ${PHASES.join(', ')}`, example: '"continuous"' },
};

const EXAMPLE =
  '[{"symbol":"MSFT","tickSize":"0.01","lotSize":"1","bandPct":"10","referencePrice":"420.00"}]';

/**
 * Reads a JSON file: an array of InstrumentSpec (or `{ "instruments": [...] }`). Decimals may be
 * strings or plain JSON numbers (as in the API). Every error names the instrument and the field
 * and shows an example value; a symbol defined twice is an error.
 */
export function loadInstrumentsFile(path: string): InstrumentSpec[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read instruments file ${path}: ${(err as Error).message}`);
  }
  const list =
    raw !== null && typeof raw === 'object' && !Array.isArray(raw)
      ? (raw as { instruments?: unknown }).instruments
      : raw;
  if (!Array.isArray(list) || list.length === 0) {
    throw new Error(
      `Instruments file ${path} must hold a non-empty JSON array of instruments, e.g. ${EXAMPLE}`,
    );
  }
  const seen = new Map<string, number>();
  return list.map((x, i) => {
    const spec = checkSpec(x, path, i);
    const first = seen.get(spec.symbol);
    if (first !== undefined) {
      throw new Error(
        `Instruments file ${path}: instrument ${spec.symbol} (entry ${i}) is defined twice (first at entry ${first}); symbols must be unique`,
      );
    }
    seen.set(spec.symbol, i);
    return spec;
  });
}

function checkSpec(x: unknown, path: string, i: number): InstrumentSpec {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) {
    throw new Error(
      `Instruments file ${path}: entry ${i} must be an object, e.g. ${EXAMPLE.slice(1, -1)}`,
    );
  }
  const o = x as Record<string, unknown>;
  const name =
    typeof o.symbol === 'string' && o.symbol !== '' ? `instrument ${o.symbol}` : `entry ${i}`;
  const bad = (k: string, got: unknown): Error => {
    const f = FIELDS[k];
    const shown = got === undefined ? 'it is missing' : `got ${JSON.stringify(got)}`;
    return new Error(
      `Instruments file ${path}: ${name}: ${k} must be ${f.what} (e.g. "${k}": ${f.example}), ${shown}`,
    );
  };
  for (const k of Object.keys(o)) {
    if (!(k in FIELDS)) {
      throw new Error(
        `Instruments file ${path}: ${name}: unknown field ${k} (known: ${Object.keys(FIELDS).join(', ')})`,
      );
    }
  }
  const dec = (k: string, required: boolean): string | undefined => {
    const v = o[k];
    if (v === undefined && !required) return undefined;
    const text = decimalText(v);
    if (text === null || !DEC_RE.test(text) || !/[1-9]/.test(text)) throw bad(k, v);
    return text;
  };
  if (typeof o.symbol !== 'string' || !SYMBOL_RE.test(o.symbol)) throw bad('symbol', o.symbol);
  const spec: InstrumentSpec = {
    symbol: o.symbol,
    tickSize: dec('tickSize', true)!,
    lotSize: dec('lotSize', true)!,
  };
  const band = dec('bandPct', false);
  if (band !== undefined) spec.bandPct = band;
  const ref = dec('referencePrice', false);
  if (ref !== undefined) spec.referencePrice = ref;
  if (o.stp !== undefined) {
    if (!STP_MODES.includes(o.stp as StpMode)) throw bad('stp', o.stp);
    spec.stp = o.stp as StpMode;
  }
  if (o.phase !== undefined) {
    if (!PHASES.includes(o.phase as Phase)) throw bad('phase', o.phase);
    spec.phase = o.phase as Phase;
  }
  return spec;
}
