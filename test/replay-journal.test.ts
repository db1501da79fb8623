/**
 * `replay --journal DIR`: a run split in two over the same journal directory must end in exactly
 * the state and print exactly the events of one uninterrupted run, because the second process
 * recovers the first one's state (instruments included) before reading its input.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, FIXTURES, parseLines, runCli } from './replay-helpers.js';

let tmp = '';
beforeAll(() => {
  assertBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'crossbook-replay-journal-'));
});
afterAll(() => {
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
});

const withoutSeq = (events: Record<string, unknown>[]) =>
  events.map(({ seq: _seq, ...rest }) => rest);

describe('replay --journal', () => {
  for (const fsync of ['always', 'batch', 'off']) {
    it(`resumes from the journal (fsync ${fsync}) as if the run never stopped`, async () => {
      const lines = readFileSync(join(FIXTURES, 'replace-priority.jsonl'), 'utf8').split('\n');
      const whole = parseLines((await runCli(['replay'], { input: lines.join('\n') })).stdout);
      const dir = join(tmp, `j-${fsync}`);
      const args = ['replay', '--journal', dir, '--fsync', fsync];
      const first = await runCli(args, { input: lines.slice(0, 7).join('\n') });
      const second = await runCli(args, { input: lines.slice(7).join('\n') });
      expect(first.stderr + second.stderr).toBe('');
      expect([first.code, second.code]).toEqual([0, 0]);
      const a = parseLines(first.stdout);
      const b = parseLines(second.stdout);
      // Each run numbers its own output from 1.
      expect(b[0].seq).toBe(1);
      expect(withoutSeq([...a, ...b])).toEqual(withoutSeq(whole));
      expect(readdirSync(dir).some((f) => f.startsWith('segment-'))).toBe(true);
    });
  }

  it('refuses an unknown fsync policy and --fsync without --journal', async () => {
    const bad = await runCli(['replay', '--journal', join(tmp, 'x'), '--fsync', 'sometimes']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Unknown fsync policy "sometimes"/);
    const alone = await runCli(['replay', '--fsync', 'always'], { input: '' });
    expect(alone.code).toBe(1);
    expect(alone.stderr).toMatch(/--fsync needs --journal/);
  });
});
