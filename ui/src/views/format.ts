import { group } from '../model';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Local wall time with milliseconds: 14:03:07.123. */
export function clock(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function hms(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function duration(sec: number): string {
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = Math.floor(sec % 60);
  return h > 0 ? `${h}h ${pad(m)}m` : m > 0 ? `${m}m ${pad(s)}s` : `${s}s`;
}

/** A rate from the server, shown with one decimal and grouping. */
export function rate(x: number): string {
  return group(x.toFixed(x >= 100 ? 0 : 1));
}

export const qty = (s: string): string => group(s);
