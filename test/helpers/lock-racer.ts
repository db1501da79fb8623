/**
 * One of the processes of the journal-lock race (test/journal-lock.test.ts). It takes DIR's lock
 * ROUNDS times; inside, it creates DIR/owner with O_EXCL (which fails if another process is inside
 * too), then leaves. Every other round it "dies" holding the lock: it atomically replaces LOCK with
 * one naming DEAD_PID (a process that has exited), so the other racer must take a stale lock over.
 * Prints one JSON line: {acquired, violations}.
 *
 * argv: DIR ROUNDS DEAD_PID
 */
import { openSync, closeSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockDir } from '../../src/journal/dir-lock.js';

const [dir, roundsText, deadPid] = process.argv.slice(2);
const rounds = Number(roundsText);
let acquired = 0;
let violations = 0;
let i = 0;
while (acquired < rounds) {
  let release: () => void;
  try {
    release = lockDir(dir);
  } catch {
    continue; // held by the other racer: try again
  }
  acquired++;
  const owner = join(dir, 'owner');
  let inside = false;
  try {
    closeSync(openSync(owner, 'wx'));
    inside = true;
  } catch {
    violations++;
  }
  for (let spin = 0; spin < 2000; spin++) i++;
  if (inside) unlinkSync(owner);
  if (acquired % 2 === 0) {
    const tmp = join(dir, `LOCK.tmp-${process.pid}`);
    writeFileSync(tmp, `${deadPid} - deadbeef${acquired}\n`);
    renameSync(tmp, join(dir, 'LOCK'));
  } else release();
}
process.stdout.write(JSON.stringify({ acquired, violations, i }) + '\n');
