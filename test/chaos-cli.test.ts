/**
 * `crossbook chaos` end to end: the compiled CLI prints the table, writes the JSON contract and
 * exits 0 when only racy over-executes. Runs dist/ (build first, as `npm test` does).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const cli = join(process.cwd(), 'bin', 'crossbook');

describe('crossbook chaos', () => {
  it('prints the table, writes --json and exits 0 when only racy over-executes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossbook-chaos-'));
    try {
      const file = join(dir, 'chaos.json');
      const r = spawnSync(cli, ['chaos', '--json', file, '--modes', 'single,racy'], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/mode\s+orders\s+filled\s+liquidity\s+overExecution\s+conserved/);
      expect(r.stdout).toMatch(/racy: the seed's failing design, kept to prove the chaos test/);
      const json = JSON.parse(readFileSync(file, 'utf8')) as { modes: Record<string, unknown>[] };
      expect(json.modes.map((m) => m.mode)).toEqual(['single', 'racy']);
      expect(Object.keys(json.modes[0]).sort()).toEqual(
        [
          'conserved',
          'filled',
          'liquidity',
          'mode',
          'orders',
          'ordersPerSec',
          'overExecution',
        ].sort(),
      );
      expect(json.modes[0]).toMatchObject({ orders: 11000, filled: 5100, overExecution: 0 });
      expect(json.modes[1].overExecution as number).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown mode with a clear message', () => {
    const r = spawnSync(cli, ['chaos', '--modes', 'single,turbo'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Unknown mode\(s\) turbo/);
  });
});
