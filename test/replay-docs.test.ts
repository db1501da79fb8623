/** docs/protocol.md shows real output: each worked example is rerun through the CLI. */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { examples, PROTOCOL_DOC } from './replay-docs-examples.js';
import { assertBuilt } from './replay-helpers.js';

beforeAll(assertBuilt);

describe('docs/protocol.md worked examples', () => {
  it('print exactly what the replay CLI prints', async () => {
    const all = await examples(readFileSync(PROTOCOL_DOC, 'utf8'));
    expect(all.length).toBeGreaterThanOrEqual(15);
    for (const ex of all) {
      expect(ex.documented, `example starting ${ex.input.split('\n')[0]}`).toBe(ex.actual);
    }
  });
});
