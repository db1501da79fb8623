import { formatSteps, parseStep, type Decimal } from '../core/decimal.js';

/** Turns an instrument's integer ticks and lots back into canonical decimal strings. */
export class Units {
  readonly tick: Decimal;
  readonly lot: Decimal;

  constructor(tickSize: string, lotSize: string) {
    this.tick = parseStep(tickSize);
    this.lot = parseStep(lotSize);
  }

  price(ticks: number): string {
    return formatSteps(ticks, this.tick);
  }

  qty(lots: number): string {
    return formatSteps(lots, this.lot);
  }
}

/** Engine time is nanoseconds; the wire speaks milliseconds since the epoch. */
export const nsToMs = (ns: number): number => Math.floor(ns / 1e6);
