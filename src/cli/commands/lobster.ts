import type { Command } from 'commander';
import { replayDay, shippedDays, type DayReport } from '../../lobster/index.js';

const HELP = `
Replays a LOBSTER day (NASDAQ, lobsterdata.com format) on crossbook's fast book and checks the
reconstructed book against the orderbook file after every row (the levels the file shows).

Orders that rested before 09:30, or changed while deeper than the file's levels, have no rows:
they are LEARNED from the orderbook file when their price comes into view (as a synthetic order
for missing quantity, or as per-level stale debt for surplus). Prices that stay in view from one
row to the next must match the file exactly; any difference counts as a mismatch.

With 10 or more levels it also runs the matching check: each run of same-timestamp executions
becomes one aggressive order against a crossbook Exchange holding the reconstructed book, and
crossbook's fills must hit the same resting orders in the same order as NASDAQ's.

Files may be plain CSV or gzip-compressed (.csv.gz). Without --messages/--orderbook it replays
the three NASDAQ days of 2012-06-21 shipped with crossbook in samples/lobster.`;

export function registerLobster(program: Command): void {
  program
    .command('lobster')
    .description('Replay a LOBSTER day on the fast book and check it against the orderbook file')
    .option('--messages <file>', 'LOBSTER message file (..._message_N.csv or .csv.gz)')
    .option('--orderbook <file>', 'LOBSTER orderbook file (..._orderbook_N.csv or .csv.gz)')
    .option('--json', 'print {"rows","mismatches","eventsPerSec"} as JSON')
    .option('--no-matching', 'skip the matching check')
    .addHelpText('after', HELP)
    .action(
      async (opts: {
        messages?: string;
        orderbook?: string;
        json?: boolean;
        matching: boolean;
      }) => {
        if ((opts.messages === undefined) !== (opts.orderbook === undefined)) {
          throw new Error('Give both --messages and --orderbook, or neither (all shipped days)');
        }
        const days =
          opts.messages !== undefined
            ? [{ symbol: '', messages: opts.messages, orderbook: opts.orderbook! }]
            : shippedDays();
        const reports: { name: string; report: DayReport }[] = [];
        for (const d of days) {
          const report = await replayDay({
            messages: d.messages,
            orderbook: d.orderbook,
            matching: false,
          });
          if (opts.matching && report.levels >= 10) {
            Object.assign(
              report,
              await replayDay({ messages: d.messages, orderbook: d.orderbook, matching: true }),
            );
          }
          reports.push({ name: d.symbol || d.messages, report });
        }
        if (opts.json) {
          for (const { report: r } of reports) {
            const line: Record<string, unknown> = {
              rows: r.rows,
              mismatches: r.mismatches,
              eventsPerSec: r.eventsPerSec,
            };
            if (r.matching)
              line.matching = { matched: r.matching.matched, total: r.matching.total };
            console.log(JSON.stringify(line));
          }
        } else {
          for (const { name, report: r } of reports) print(name, r);
        }
        if (reports.some(({ report: r }) => r.mismatches > 0)) process.exitCode = 1;
      },
    );
}

function print(name: string, r: DayReport): void {
  console.log(`${name}: ${r.rows} rows, ${r.levels} level(s)`);
  console.log(`  mismatches     ${r.mismatches}`);
  console.log(`  events/s       ${r.eventsPerSec.toLocaleString('en-US')}`);
  console.log(`  learned levels ${r.learned} (unknown-order rows ${r.unknown})`);
  for (const m of r.firstMismatches) console.log(`  ! ${m}`);
  if (r.matching) {
    const m = r.matching;
    console.log(
      `  matching check ${m.matched}/${m.total} runs (${m.skipped} skipped: unknown orders)`,
    );
    for (const x of m.firstMisses) console.log(`  ! ${x}`);
  }
}
