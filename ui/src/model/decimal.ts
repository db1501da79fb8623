/**
 * Decimal strings to integer units and back, exactly (no floats for prices or sizes): "420.5" at
 * scale 2 is 42050. Floats appear only for pixels and chart coordinates.
 */

/** Digits after the point of a step such as "0.01" (2) or "1" (0). */
export function scaleOf(step: string): number {
  const dot = step.indexOf('.');
  return dot < 0 ? 0 : step.length - dot - 1;
}

export function toUnits(s: string, scale: number): number {
  const neg = s.startsWith('-');
  const body = neg ? s.slice(1) : s;
  const dot = body.indexOf('.');
  const int = dot < 0 ? body : body.slice(0, dot);
  const frac = dot < 0 ? '' : body.slice(dot + 1);
  const n = Number((int === '' ? '0' : int) + frac.padEnd(scale, '0').slice(0, scale));
  return neg ? -n : n;
}

export function fromUnits(n: number, scale: number): string {
  const neg = n < 0;
  const digits = String(Math.abs(n)).padStart(scale + 1, '0');
  const s = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return neg ? `-${s}` : s;
}

/** Groups the integer part: "1234567.5" -> "1,234,567.5". */
export function group(s: string): string {
  const dot = s.indexOf('.');
  const int = dot < 0 ? s : s.slice(0, dot);
  const g = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return dot < 0 ? g : g + s.slice(dot);
}
