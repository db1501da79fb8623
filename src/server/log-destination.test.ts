import { closeSync, existsSync, openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NonBlockingLog } from './log-destination.js';

describe('NonBlockingLog', () => {
  it.skipIf(!existsSync('/dev/full'))(
    'drops and counts lines on a full disk (ENOSPC) without throwing or blocking',
    async () => {
      const fd = openSync('/dev/full', 'w');
      try {
        const log = new NonBlockingLog(fd, 1024);
        for (let i = 0; i < 100; i++) log.write(`{"msg":"line ${i}"}\n`);
        // The queue is bounded: most lines were dropped at once, the first batch by ENOSPC.
        expect(log.dropped).toBeGreaterThan(40);
        await new Promise((r) => setTimeout(r, 50));
        expect(log.dropped).toBe(100);
        log.flushSync();
      } finally {
        closeSync(fd);
      }
    },
  );
});
