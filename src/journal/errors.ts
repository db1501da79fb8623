/** Journal failures that must stop startup: they name the file and the byte offset. */
export class JournalCorruptionError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    detail: string,
  ) {
    super(
      `Journal is corrupt in the middle: ${file} at byte offset ${offset}: ${detail}. ` +
        'Valid records follow it, so this is not a torn tail; refusing to start rather than skip ' +
        'acknowledged data. Restore the segment from a backup or replica.',
    );
    this.name = 'JournalCorruptionError';
  }
}
