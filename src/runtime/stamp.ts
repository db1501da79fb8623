import type { Command } from '../core/index.js';

/**
 * The sequencer's time rule: a command that carries `ts` keeps it; one without gets `clock()` when
 * the engine was given a clock (the server: wall time in ns), and otherwise stays without, so the
 * engine applies "absent ts = last known ts" (deterministic for replays and tests).
 */
export function stampCommand(cmd: Command, clock: (() => number) | undefined): Command {
  if (cmd.ts !== undefined || clock === undefined) return cmd;
  return { ...cmd, ts: clock() } as Command;
}
