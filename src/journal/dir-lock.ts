/**
 * One writer per journal directory, across processes: a LOCK file created atomically and
 * exclusively (written to a temp file, then link()ed into place, which fails like O_EXCL when it
 * exists, and never shows a reader an empty file), holding the owner's pid, its start time (so a reused pid is not mistaken for the
 * owner) and a random token.
 *
 * A lock whose owner is dead (kill -9) is taken over in a second atomic step, so two processes can
 * never both break it and both win: the breaker first creates LOCK.break the same way (only one
 * process at a time gets it), re-reads LOCK and removes it only if it still holds the same dead
 * owner's token, then drops LOCK.break and competes for LOCK with O_EXCL like everyone else. A
 * process that finds LOCK.break retries for a short while (a break takes microseconds); a
 * LOCK.break left by a process that died while breaking is named in the error for the operator.
 * A lock held by this same process is taken over too (tests and in-process restarts abandon
 * journals without closing them).
 */
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

const LOCK = 'LOCK';
const BREAK = 'LOCK.break';

interface Owner {
  pid: number;
  start: string;
  token: string;
}

/** The kernel's start time of a process (Linux /proc), or '' where that is not available. */
function startTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22, counted after the command name, which may hold spaces and parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

function alive(o: Owner): boolean {
  try {
    process.kill(o.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // Same pid, another process (the pid was reused after the owner died).
  const now = startTime(o.pid);
  return o.start === '' || now === '' || now === o.start;
}

function parse(text: string): Owner | null {
  const [pid, start, token] = text.trim().split(/\s+/);
  const n = Number(pid);
  if (!Number.isInteger(n) || n <= 0) return null;
  // An older version wrote the pid alone.
  return { pid: n, start: start === '-' ? '' : (start ?? ''), token: token ?? '' };
}

function read(path: string): { text: string; owner: Owner | null } | null {
  try {
    const text = readFileSync(path, 'utf8');
    return { text, owner: parse(text) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Creates `path` holding `text`, atomically and exclusively: the text is written to a private
 * temp file first and hard-linked into place (link() fails with EEXIST like O_EXCL), so no reader
 * ever sees the file empty or half written. False when it exists.
 */
function createExclusive(path: string, text: string): boolean {
  const tmp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, text, { flag: 'wx', mode: 0o644 });
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

const sleepSync = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

/** Takes the lock or throws naming the process that holds it. Returns a release function. */
export function lockDir(dir: string): () => void {
  const path = join(dir, LOCK);
  const breakPath = join(dir, BREAK);
  const me = `${process.pid} ${startTime(process.pid) || '-'} ${randomBytes(8).toString('hex')}\n`;
  const deadline = Date.now() + 2000;
  for (;;) {
    // Step 1: the atomic create. Whoever creates LOCK owns the directory.
    if (createExclusive(path, me)) {
      return () => {
        try {
          if (readFileSync(path, 'utf8') === me) unlinkSync(path);
        } catch {
          // Already gone: nothing to release.
        }
      };
    }
    const held = read(path);
    if (held === null) continue; // released meanwhile: try again
    const owner = held.owner;
    const mine = owner !== null && owner.pid === process.pid;
    if (owner !== null && !mine && alive(owner)) {
      throw new Error(
        `Journal ${dir} is in use by process ${owner.pid} (remove ${path} only if no such process runs crossbook)`,
      );
    }
    // Step 2: break a dead (or our own abandoned, or unreadable) lock, one breaker at a time.
    if (createExclusive(breakPath, me)) {
      try {
        const again = read(path);
        // Remove it only if it is still exactly the lock we judged: never a fresh owner's.
        if (again !== null && again.text === held.text) unlinkSync(path);
      } finally {
        unlinkSync(breakPath);
      }
      continue;
    }
    const breaker = read(breakPath);
    if (
      breaker !== null &&
      breaker.owner !== null &&
      !alive(breaker.owner) &&
      Date.now() > deadline
    ) {
      throw new Error(
        `Journal ${dir}: ${breakPath} was left by process ${breaker.owner.pid}, which died while taking over a stale lock; ` +
          'remove it if no crossbook process is starting on this directory',
      );
    }
    if (Date.now() > deadline + 8000) throw new Error(`Could not lock journal ${dir}`);
    sleepSync(1);
  }
}
