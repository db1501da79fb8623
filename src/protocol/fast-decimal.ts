import {
  decimalToSteps,
  formatSteps,
  parseDecimal,
  type Decimal,
  type StepResult,
} from '../core/index.js';

/**
 * Number-only fast paths for the decimal <-> steps conversions of src/core/decimal.ts, which go
 * through BigInt. They are exact because every intermediate value is checked to stay below 2^53;
 * anything larger (or unusual) falls back to the BigInt versions, which define the results.
 */

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
const SIMPLE = /^(\d{1,15})(?:\.(\d{1,15}))?$/;

/** A step whose mantissa and scale fit the fast paths, as plain numbers, or null. */
function smallStep(step: Decimal): { m: number; scale: number } | null {
  if (step.scale > 15 || step.mantissa > 4294967295n) return null;
  return { m: Number(step.mantissa), scale: step.scale };
}

/** `text` (a positive or zero plain decimal) as a count of `step`s; same results as toSteps. */
export function textToSteps(text: string, step: Decimal): StepResult {
  const m = SIMPLE.exec(text);
  const s = m === null ? null : smallStep(step);
  if (m !== null && s !== null) {
    const frac = m[2] ?? '';
    const digits = m[1] + frac;
    if (digits.length <= 15) {
      const scale = Math.max(frac.length, s.scale);
      const num = Number(digits) * POW10[scale - frac.length];
      const den = s.m * POW10[scale - s.scale];
      if (Number.isSafeInteger(num) && Number.isSafeInteger(den)) {
        if (num % den !== 0) return { ok: false, error: 'off_step' };
        return { ok: true, value: num / den };
      }
    }
  }
  const d = parseDecimal(text);
  return d === null ? { ok: false, error: 'malformed' } : decimalToSteps(d, step);
}

/** Same output as formatSteps ("420.50" for 42050 ticks of 0.01), without BigInt when safe. */
export function stepsToText(steps: number, step: Decimal): string {
  const s = smallStep(step);
  if (s === null || !Number.isSafeInteger(steps)) return formatSteps(steps, step);
  const v = steps * s.m;
  if (!Number.isSafeInteger(v)) return formatSteps(steps, step);
  if (s.scale === 0) return String(v);
  const neg = v < 0;
  const padded = String(neg ? -v : v).padStart(s.scale + 1, '0');
  const cut = padded.length - s.scale;
  return (neg ? '-' : '') + padded.slice(0, cut) + '.' + padded.slice(cut);
}
