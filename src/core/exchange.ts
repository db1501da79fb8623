/**
 * The deterministic multi-instrument engine: commands in, events out. (Skeleton: the matching
 * implementation lands with the foundation issue; the public API below is the contract.)
 */
import type { OrderBookFactory } from './book/order-book.js';
import type { Command } from './commands.js';
import type { EngineEvent } from './events.js';

export interface ExchangeOptions {
  /** Which book implementation each instrument uses (default: the fast book). */
  book?: OrderBookFactory;
}

/** Plain JSON data: everything needed to rebuild an Exchange exactly. */
export interface ExchangeSnapshot {
  version: 1;
  [key: string]: unknown;
}

export class Exchange {
  constructor(_opts: ExchangeOptions = {}) {}

  /** Applies one command and returns the events it caused, each with the next `seq`. */
  execute(_cmd: Command): EngineEvent[] {
    throw new Error('not built yet');
  }

  /** Sequence number of the last event produced (0 before any). */
  get seq(): number {
    return 0;
  }

  /** Hash of the whole state: books, orders, stops, phases, counters. */
  stateHash(): string {
    throw new Error('not built yet');
  }

  /** Structural self-check of every book and of the engine's own indexes. Throws on a breach. */
  validate(): void {}

  snapshot(): ExchangeSnapshot {
    throw new Error('not built yet');
  }

  static restore(_snap: ExchangeSnapshot, opts: ExchangeOptions = {}): Exchange {
    return new Exchange(opts);
  }
}
