/**
 * `crossbook journal verify|dump|compact DIR`: inspect and maintain a write-ahead journal.
 * verify is read-only; corruption in the middle exits 1 with the file and byte offset.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import {
  compactJournal,
  dumpJournal,
  JournalCorruptionError,
  repairJournal,
  verifyJournal,
} from '../../journal/index.js';

function fail(err: unknown, json: boolean): never {
  const message = err instanceof Error ? err.message : String(err);
  if (json) {
    const out: Record<string, unknown> = { ok: false, error: message };
    if (err instanceof JournalCorruptionError) {
      out.file = err.file;
      out.offset = err.offset;
    }
    process.stdout.write(JSON.stringify(out) + '\n');
  } else {
    console.error(message);
  }
  process.exit(1);
}

/** The journal's file names (src/journal/segment-files.ts). */
const JOURNAL_FILE_RE = /^(segment-\d{16}\.cbj|snapshot-\d{16}\.snap)$/;

/**
 * Throws a message for people unless `dir` is a directory holding a journal: a file, a missing
 * path, an empty folder, a data dir or a sharded journal's root each get their own answer.
 */
function requireJournalDir(dir: string, command: string): void {
  if (!existsSync(dir)) throw new Error(`No journal at ${dir}: the directory does not exist`);
  if (!statSync(dir).isDirectory()) {
    const hint = JOURNAL_FILE_RE.test(basename(dir))
      ? `; this file is part of the journal in ${dirname(dir)}: journal ${command} ${dirname(dir)}`
      : '';
    throw new Error(
      `journal ${command} wants a journal directory (the folder of segment-*.cbj files), not a file: ${dir}${hint}`,
    );
  }
  const names = readdirSync(dir);
  if (names.some((n) => JOURNAL_FILE_RE.test(n))) return;
  if (names.includes('manifest.json')) {
    const shards = names.filter((n) => /^shard-\d+$/.test(n)).sort();
    throw new Error(
      `${dir} is a sharded journal: run journal ${command} on each shard (${shards.map((s) => join(dir, s)).join(', ')})`,
    );
  }
  if (names.includes('journal')) {
    throw new Error(
      `No journal in ${dir} (it looks like a data dir): journal ${command} ${join(dir, 'journal')}`,
    );
  }
  throw new Error(`No journal in ${dir}: it holds no segment-*.cbj or snapshot-*.snap files`);
}

export function registerJournal(program: Command): void {
  const journal = program
    .command('journal')
    .description('Inspect and maintain a write-ahead journal directory');

  journal
    .command('verify')
    .argument('<dir>', 'journal directory')
    .option('--json', 'print one JSON object')
    .description('Check every record (length, CRC32C, sequence) and recompute the state hash')
    .action((dir: string, o: { json?: boolean }) => {
      try {
        requireJournalDir(dir, 'verify');
        const r = verifyJournal({ dir });
        if (o.json) {
          const out: Record<string, unknown> = {
            records: r.records,
            lastSeq: r.lastSeq,
            stateHash: r.stateHash,
            ok: true,
          };
          out.snapshotSeq = r.snapshotSeq;
          out.segments = r.segments;
          if (r.tornTail) out.tornTail = r.tornTail;
          if (r.invalidSnapshots) out.invalidSnapshots = r.invalidSnapshots;
          process.stdout.write(JSON.stringify(out) + '\n');
        } else {
          const torn = r.tornTail
            ? `; torn tail of ${r.tornTail.bytes} bytes at ${r.tornTail.file}:${r.tornTail.offset} (truncated on next open)`
            : '';
          process.stdout.write(
            `ok: ${r.records} records in ${r.segments} segments, last seq ${r.lastSeq}, snapshot at ${r.snapshotSeq}, state hash ${r.stateHash}${torn}\n`,
          );
        }
      } catch (err) {
        fail(err, o.json === true);
      }
    });

  journal
    .command('dump')
    .argument('<dir>', 'journal directory')
    .option('--seq', 'add the journal sequence number (journalSeq) to each line')
    .description(
      'Print the records as replay-protocol JSON lines (feed them back to `crossbook replay`)',
    )
    .action(async (dir: string, o: { seq?: boolean }) => {
      // `journal dump DIR | head`: the reader went away; that is not an error.
      process.stdout.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EPIPE') process.exit(0);
        fail(err, false);
      });
      try {
        requireJournalDir(dir, 'dump');
        let buf = '';
        dumpJournal({
          dir,
          withSeq: o.seq === true,
          line: (obj) => {
            buf += JSON.stringify(obj) + '\n';
            if (buf.length > 1 << 16) {
              process.stdout.write(buf);
              buf = '';
            }
          },
        });
        await new Promise<void>((resolve) => process.stdout.write(buf, () => resolve()));
      } catch (err) {
        fail(err, false);
      }
    });

  journal
    .command('repair')
    .argument('<dir>', 'journal directory (a shard directory in sharded mode)')
    .option('--accept-loss', 'drop everything from the first damaged byte on (required)')
    .option('--json', 'print one JSON object')
    .description(
      'Make a journal that refuses to start usable again by dropping the damage; what is dropped is moved to DIR/repair-*/ with report.json',
    )
    .action((dir: string, o: { acceptLoss?: boolean; json?: boolean }) => {
      try {
        const r = repairJournal({ dir, acceptLoss: o.acceptLoss === true });
        if (o.json) process.stdout.write(JSON.stringify({ ok: true, ...r }) + '\n');
        else if (r.clean) process.stdout.write(`clean: nothing to repair, last seq ${r.lastSeq}\n`);
        else
          process.stdout.write(
            `repaired: dropped ${r.dropped.length} piece(s) into ${r.droppedTo} (see report.json there); the journal now ends at seq ${r.lastSeq}\n`,
          );
      } catch (err) {
        fail(err, o.json === true);
      }
    });

  journal
    .command('compact')
    .argument('<dir>', 'journal directory')
    .option('--json', 'print one JSON object')
    .description('Take a snapshot and remove the segments it covers')
    .action(async (dir: string, o: { json?: boolean }) => {
      try {
        requireJournalDir(dir, 'compact');
        const r = await compactJournal({ dir });
        if (o.json) process.stdout.write(JSON.stringify({ ok: true, ...r }) + '\n');
        else
          process.stdout.write(
            `snapshot at seq ${r.snapshotSeq} (state hash ${r.stateHash}); removed ${r.removedSegments.length} segments, ${r.removedSnapshots.length} older snapshots\n`,
          );
      } catch (err) {
        fail(err, o.json === true);
      }
    });
}
