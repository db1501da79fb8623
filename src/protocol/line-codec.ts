import type { Command } from '../core/index.js';
import type { WireEvent } from './format-event.js';
import type { InstrumentRegistry } from './instrument-registry.js';
import { parseCommand } from './parse-command.js';

export type DecodedLine =
  | { kind: 'blank' }
  | { kind: 'command'; command: Command }
  /** Refused at the edge: the engine never sees it, and state is unchanged. */
  | { kind: 'rejected'; event: WireEvent };

/**
 * Decodes one JSONL input line (numbered from 1, blank lines counted). Blank lines produce
 * nothing; a malformed line produces a `rejected` event that names the line, so a run can go on.
 */
export function decodeLine(text: string, line: number, registry: InstrumentRegistry): DecodedLine {
  // A UTF-8 byte order mark only ever starts a file.
  const body = line === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // Most lines start with '{': only the others pay for a trim.
  if (body.charCodeAt(0) !== 123 && body.trim() === '') return { kind: 'blank' };
  let obj: unknown;
  try {
    obj = JSON.parse(body);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return {
      kind: 'rejected',
      event: {
        type: 'rejected',
        reason: 'malformed',
        line,
        message: `Line ${line} is not valid JSON: ${why}`,
      },
    };
  }
  const parsed = parseCommand(obj, registry);
  if (parsed.ok) return { kind: 'command', command: parsed.command };
  const event: WireEvent = { type: 'rejected' };
  if (parsed.orderId !== undefined) event.orderId = parsed.orderId;
  if (parsed.symbol !== undefined) event.symbol = parsed.symbol;
  if (parsed.account !== undefined) event.account = parsed.account;
  event.reason = parsed.reason;
  if (parsed.reason === 'malformed') event.line = line;
  event.message = parsed.message;
  return { kind: 'rejected', event };
}

/** One output line (without the newline): `seq` first, then the event's own fields in order. */
export function encodeLine(seq: number, event: WireEvent): string {
  return `{"seq":${seq},${JSON.stringify(event).slice(1)}`;
}
