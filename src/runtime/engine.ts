/**
 * One interface for every concurrency mode. The gateway, the CLI and the tests talk to this and
 * never care which mode runs behind it.
 */
import type { Command, EngineEvent } from '../core/index.js';

export type Mode = 'single' | 'sharded' | 'lockfree' | 'racy';
export const MODES: readonly Mode[] = ['single', 'sharded', 'lockfree', 'racy'];

export interface Engine {
  readonly mode: Mode;
  /**
   * Submits one command. Resolves with the events it caused, in engine order, once the command is
   * durable under the configured journal policy. Never rejects for bad input: that is an event.
   */
  submit(cmd: Command): Promise<EngineEvent[]>;
  /** Subscribes to every event the engine produces (per symbol in engine order). */
  onEvents(listener: (events: readonly EngineEvent[]) => void): () => void;
  /** Hash of the whole matching state; equal states give equal hashes across modes. */
  stateHash(): Promise<string>;
  /** Stops accepting, drains what is queued, and releases threads and files. */
  close(): Promise<void>;
}

/** Write-ahead log seen from a mode; defined by src/journal, which implements it. */
export type { CommandJournal } from '../journal/index.js';
