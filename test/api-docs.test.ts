/** docs/api.md shows real answers: each HTTP and WebSocket example is sent to a real server. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_DOC, runApiExamples } from './api-docs-examples.js';

describe('docs/api.md examples', () => {
  it('answer as documented (status, reason, message, limits)', async () => {
    const all = await runApiExamples(readFileSync(API_DOC, 'utf8'));
    expect(all.length).toBeGreaterThanOrEqual(12);
    for (const ex of all) {
      const label = `${ex.transport} example: ${ex.request.split('\n')[0]}`;
      if (ex.status !== undefined) expect(ex.actual.status, label).toBe(ex.status);
      expect(ex.actual.body, label).toMatchObject(ex.documented as object);
    }
  });
});
