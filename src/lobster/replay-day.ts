import { readMessages, readOrderbook } from './files.js';
import { matchingCheck, type MatchingResult } from './matching-check.js';
import { LobsterBook, type ReplayStats } from './reconstruct.js';

export interface DayReport extends ReplayStats {
  eventsPerSec: number;
  levels: number;
  /** Present when asked for (the command runs it on files with 10 or more levels). */
  matching?: MatchingResult;
}

/** Reads, replays and checks one LOBSTER day; optionally runs the matching check too. */
export async function replayDay(opts: {
  messages: string;
  orderbook: string;
  matching?: boolean;
}): Promise<DayReport> {
  const [msgs, ob] = await Promise.all([
    readMessages(opts.messages),
    readOrderbook(opts.orderbook),
  ]);
  const lb = new LobsterBook(msgs, ob);
  const t0 = performance.now();
  const stats = lb.replay();
  const seconds = (performance.now() - t0) / 1000;
  lb.book.validate();
  const report: DayReport = {
    ...stats,
    levels: ob.levels,
    eventsPerSec: Math.round(stats.rows / Math.max(seconds, 1e-9)),
  };
  if (opts.matching) report.matching = matchingCheck(msgs, ob);
  return report;
}
