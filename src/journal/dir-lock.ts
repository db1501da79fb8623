/**
 * One writer per journal directory, across processes: a LOCK file holding the owner's pid.
 * A lock left by a dead process (kill -9) is taken over; so is one held by this same process
 * (tests and restarts in-process abandon journals without closing them).
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LOCK = 'LOCK';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock or throws naming the process that holds it. Returns a release function. */
export function lockDir(dir: string): () => void {
  const path = join(dir, LOCK);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(path, String(process.pid) + '\n', { flag: 'wx' });
      return () => {
        try {
          if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let owner = NaN;
    try {
      owner = Number(readFileSync(path, 'utf8').trim());
    } catch {
      continue;
    }
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
      throw new Error(
        `Journal ${dir} is in use by process ${owner} (remove ${path} if that is wrong)`,
      );
    }
    try {
      unlinkSync(path);
    } catch {
      // Someone else removed it first; retry.
    }
  }
  throw new Error(`Could not lock journal ${dir}`);
}
