import { formatSteps, parseStep, type Decimal } from '../core/index.js';

/** Turns an instrument's integer ticks and lots back into canonical decimal strings. */
export class Units {
  readonly tick: Decimal;
  readonly lot: Decimal;

  constructor(tickSize: string, lotSize: string) {
    this.tick = parseStep(tickSize);
    this.lot = parseStep(lotSize);
  }

  price(ticks: number): string {
    return formatStepsFast(ticks, this.tick);
  }

  qty(lots: number): string {
    return formatStepsFast(lots, this.lot);
  }
}

/**
 * formatSteps without BigInt when the product is a safe integer (every realistic price and size);
 * the same text as formatSteps, which remains the fallback.
 */
export function formatStepsFast(steps: number, step: Decimal): string {
  const m = Number(step.mantissa);
  const v = steps * m;
  if (!Number.isSafeInteger(v) || !Number.isSafeInteger(m)) return formatSteps(steps, step);
  if (step.scale === 0) return String(v);
  const neg = v < 0;
  const padded = String(neg ? -v : v).padStart(step.scale + 1, '0');
  const cut = padded.length - step.scale;
  return (neg ? '-' : '') + padded.slice(0, cut) + '.' + padded.slice(cut);
}

/** Engine time is nanoseconds; the wire speaks milliseconds since the epoch. */
export const nsToMs = (ns: number): number => Math.floor(ns / 1e6);
