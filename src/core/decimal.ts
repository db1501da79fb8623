/**
 * Exact decimal strings <-> integer multiples of a step (ticks, lots). No floats ever touch money:
 * strings are split into a BigInt mantissa and a scale, and divided exactly.
 */

export interface Decimal {
  /** Value = mantissa / 10^scale. */
  readonly mantissa: bigint;
  readonly scale: number;
}

const DECIMAL_RE = /^([+-])?(\d+)(?:\.(\d+))?$/;
/** Longest decimal string we parse; anything longer is absurd for a price or a quantity. */
const MAX_DECIMAL_LENGTH = 40;

/** Parses "420.50", "-3", "0.0001". Returns null when the text is not a plain decimal. */
export function parseDecimal(text: string): Decimal | null {
  if (text.length === 0 || text.length > MAX_DECIMAL_LENGTH) return null;
  const m = DECIMAL_RE.exec(text);
  if (m === null) return null;
  const frac = m[3] ?? '';
  let mantissa = BigInt(m[2] + frac);
  if (m[1] === '-') mantissa = -mantissa;
  return { mantissa, scale: frac.length };
}

/**
 * Accepts a JSON number by its shortest round-trip text (what a person typed), so 420.5 becomes
 * "420.5". Numbers in exponent form or beyond 2^53 are refused: they have lost exactness already.
 */
export function decimalText(value: unknown): string | null {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) {
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) return null;
    const text = String(value);
    return /e/i.test(text) ? null : text;
  }
  return null;
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

export type StepResult =
  { ok: true; value: number } | { ok: false; error: 'malformed' | 'off_step' | 'too_large' };

/** Converts a decimal string to an integer count of `step`s (e.g. price to ticks) exactly. */
export function toSteps(text: string, step: Decimal): StepResult {
  const d = parseDecimal(text);
  if (d === null) return { ok: false, error: 'malformed' };
  return decimalToSteps(d, step);
}

export function decimalToSteps(d: Decimal, step: Decimal): StepResult {
  const scale = Math.max(d.scale, step.scale);
  const num = d.mantissa * pow10(scale - d.scale);
  const den = step.mantissa * pow10(scale - step.scale);
  if (den <= 0n) return { ok: false, error: 'malformed' };
  if (num % den !== 0n) return { ok: false, error: 'off_step' };
  const q = num / den;
  if (q > BigInt(Number.MAX_SAFE_INTEGER) || q < -BigInt(Number.MAX_SAFE_INTEGER)) {
    return { ok: false, error: 'too_large' };
  }
  return { ok: true, value: Number(q) };
}

/** Formats an integer count of steps canonically: tick 0.01 gives "420.50", tick 1 gives "1250". */
export function formatSteps(steps: number, step: Decimal): string {
  const v = BigInt(steps) * step.mantissa;
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString();
  if (step.scale === 0) return (neg ? '-' : '') + digits;
  const padded = digits.padStart(step.scale + 1, '0');
  const int = padded.slice(0, padded.length - step.scale);
  const frac = padded.slice(padded.length - step.scale);
  return (neg ? '-' : '') + int + '.' + frac;
}

/** A positive step such as a tick or lot size, parsed once. Throws on nonsense (a config bug). */
export function parseStep(text: string): Decimal {
  const d = parseDecimal(text);
  if (d === null || d.mantissa <= 0n) throw new Error(`Invalid step size "${text}"`);
  return d;
}

/** Canonical text of a decimal, trailing zeros kept to its own scale ("0.010" stays "0.010"). */
export function formatDecimal(d: Decimal): string {
  return formatSteps(Number(d.mantissa), { mantissa: 1n, scale: d.scale });
}
