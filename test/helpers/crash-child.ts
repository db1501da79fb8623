/**
 * The process the crash test kills. It recovers from DIR (journal) and STORE (SQLite), prints
 * `ready <json>` with what it recovered, waits for `go` on stdin, then runs load and prints
 * `ack <seq> <type> <orderId>` for each command only after it is durable. `stop` on stdin closes
 * it cleanly (snapshot, store drained) and prints `closed <json>`.
 *
 * argv: DIR STORE SEED FSYNC SNAPSHOT_EVERY [SEGMENT_BYTES]
 */
import { openDurableExchange, type FsyncPolicy } from '../../src/journal/index.js';
import { openStore } from '../../src/store/index.js';
import { instrumentCommands, workload } from './crash-workload.js';

const [dir, storePath, seedText, fsync, snapText, segText] = process.argv.slice(2);
const seed = Number(seedText);

// stdout to a pipe is synchronous on Linux: a printed ack has left the process.
const out = (line: string): void => {
  process.stdout.write(line + '\n');
};

const store = await openStore({ url: storePath });
const d = await openDurableExchange({
  dir,
  fsync: fsync as FsyncPolicy,
  snapshotEvery: Number(snapText),
  segmentBytes: segText === undefined ? undefined : Number(segText),
  sink: store,
});
out(`ready ${JSON.stringify({ ...d.recovered, storeSeq: await store.lastJournalSeq(0) })}`);

let running = false;
const gen = workload(seed, `s${seed}-`);

function burst(): void {
  if (!running) return;
  const n = 1 + Math.floor(Math.random() * 80);
  const lines: string[] = [];
  let last: Promise<void> = Promise.resolve();
  for (let i = 0; i < n; i++) {
    const cmd = gen.next();
    const r = d.execute(cmd);
    lines.push(`ack ${r.seq} ${cmd.type} ${'orderId' in cmd ? cmd.orderId : '-'}`);
    last = r.durable;
  }
  // Batches become durable in order: the last one durable means all of them are.
  last.then(
    () => out(lines.join('\n')),
    (err: unknown) => out(`error ${(err as Error).message}`),
  );
  setImmediate(burst);
}

let buf = '';
process.stdin.on('data', (chunk: Buffer) => {
  buf += chunk.toString('utf8');
  let nl: number;
  while ((nl = buf.indexOf('\n')) >= 0) {
    const cmd = buf.slice(0, nl).trim();
    buf = buf.slice(nl + 1);
    if (cmd === 'go') {
      // Every run (re)defines the instruments: duplicates are rejected, harmlessly and durably.
      for (const c of instrumentCommands()) d.execute(c);
      running = true;
      burst();
    } else if (cmd === 'stop') {
      running = false;
      void d.close().then(async () => {
        out(
          `closed ${JSON.stringify({ lastSeq: d.journal.lastSeq, stateHash: d.exchange.stateHash(), storeSeq: await store.lastJournalSeq(0) })}`,
        );
        await store.close();
        process.exit(0);
      });
    }
  }
});
