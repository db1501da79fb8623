import type { Command } from '../core/index.js';

/**
 * The sequencer's time rule: a command that carries `ts` keeps it; one without gets `clock()` when
 * the engine was given a clock (the server: wall time in ns), and otherwise stays without, so the
 * engine applies "absent ts = last known ts" (deterministic for replays and tests).
 */
/** journal.append as a promise even when it throws synchronously (callers keep their ordering). */
export function appendSafely(
  journal: { append(cmd: Command): Promise<void> },
  cmd: Command,
): Promise<void> {
  try {
    return journal.append(cmd);
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

export function stampCommand(cmd: Command, clock: (() => number) | undefined): Command {
  if (cmd.ts !== undefined || clock === undefined) return cmd;
  return { ...cmd, ts: clock() } as Command;
}
