/** The journal's logger: warnings (torn tails, bad snapshots) go to stderr; quiet otherwise. */
import { pino } from 'pino';

export interface JournalLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

let shared: JournalLogger | undefined;

export function defaultLogger(): JournalLogger {
  shared ??= pino(
    { name: 'journal', level: process.env.CROSSBOOK_LOG_LEVEL ?? 'warn' },
    pino.destination(2),
  );
  return shared;
}
