/**
 * The seed's chaos test, the same test for every mode: 1000 asks of 100 at 420.00 + i*0.01, then
 * 10,000 bids of 10 at 420.50 submitted before any completes. Checked from the events alone.
 * single / sharded / lockfree must pass; racy (the seed's failing design) must be caught.
 * Worker threads run dist/: build first (`npm test` does).
 */
import { describe, expect, it } from 'vitest';
import { createEngine, MODES, runChaos, runSeedScenario, type Mode } from '../src/runtime/index.js';

const CORRECT: Mode[] = ['single', 'sharded', 'lockfree'];

describe('seed chaos test', () => {
  for (const mode of MODES) {
    it(`${mode}: ${mode === 'racy' ? 'over-execution is caught' : 'never over-executes'}`, async () => {
      const engine = createEngine({ mode, shards: 2, lockfree: { threads: 2 } });
      try {
        const r = await runSeedScenario(engine);
        expect(r.orders).toBe(11_000);
        expect(r.liquidity).toBe(100_000);
        if (mode === 'racy') {
          expect(r.overExecution).toBeGreaterThan(0);
          expect(r.conserved).toBe(false);
          return;
        }
        expect(r.filled).toBeLessThanOrEqual(100_000);
        // Only asks at or below 420.50 cross: 51 of them, all filled exactly.
        expect(r.filled).toBe(r.crossingLiquidity);
        expect(r.overExecution).toBe(0);
        expect(r.overFilled).toBe(0);
        expect(r.unconserved).toBe(0);
        expect(r.unknownFills).toBe(0);
        expect(r.conserved).toBe(true);
        expect(r.buySellBalanced).toBe(true);
        expect(r.crossed).toBe(false);
      } finally {
        await engine.close();
      }
    });
  }

  it('lockfree holds with random delays injected between its reads and CASes', async () => {
    const engine = createEngine({ mode: 'lockfree', lockfree: { threads: 3, delaySpins: 3000 } });
    try {
      const r = await runSeedScenario(engine, { asks: 300, bids: 3000 });
      expect(r.overExecution).toBe(0);
      expect(r.conserved).toBe(true);
      expect(r.crossed).toBe(false);
      expect(r.filled).toBe(r.crossingLiquidity);
    } finally {
      await engine.close();
    }
  });

  it('runChaos reports every mode and flags only racy', async () => {
    const report = await runChaos({ asks: 200, bids: 2000, engine: { shards: 2 } });
    expect(report.modes.map((m) => m.mode)).toEqual([...MODES]);
    expect(report.ok).toBe(true);
    expect(report.racyCaught).toBe(true);
    for (const m of report.modes.filter((x) => CORRECT.includes(x.mode))) {
      expect(m.overExecution).toBe(0);
      expect(m.conserved).toBe(true);
    }
  });
});
