/**
 * Journal states that must stop startup. Each names the file and the byte offset, says why the
 * journal cannot be trusted as it is, and names the command that repairs it knowingly.
 */
import { dirname } from 'node:path';

/** The operator's command that accepts the loss (it writes what it drops to a file). */
export const repairCommand = (dir: string): string =>
  `crossbook journal repair ${dir} --accept-loss`;

export class JournalCorruptionError extends Error {
  /** The journal directory (the file's directory). */
  readonly dir: string;

  constructor(
    readonly file: string,
    readonly offset: number,
    readonly detail: string,
    advice?: string,
  ) {
    const dir = dirname(file);
    super(
      `Refusing to start: the journal is damaged: ${file} at byte offset ${offset}: ${detail}. ` +
        (advice ??
          'This is not a torn final write (only those are truncated automatically), so records ' +
            'that may have been acknowledged would be lost or skipped. Restore the journal from a ' +
            'backup or replica, or accept the loss of everything from that offset on with `' +
            repairCommand(dir) +
            '`, which moves what it drops into ' +
            dir +
            '/repair-*/ and reports it.'),
    );
    this.name = 'JournalCorruptionError';
    this.dir = dir;
  }
}

/** Thrown by append() and by a durable engine once a journal write or fsync has failed. */
export class JournalUnavailableError extends Error {
  readonly code = 'unavailable';
  constructor(readonly reason: string) {
    super(`The engine is unavailable: ${reason}`);
    this.name = 'JournalUnavailableError';
  }
}
