import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBench } from './index.js';
import { deepBook, exchangeCoreMix, sweep } from './workloads/index.js';

describe('bench workloads', () => {
  it('are generated deterministically from their seed', () => {
    const a = exchangeCoreMix({ ops: 5000 });
    const b = exchangeCoreMix({ ops: 5000 });
    expect(a.length).toBe(b.length);
    expect(Buffer.from(a.price.buffer).equals(Buffer.from(b.price.buffer))).toBe(true);
    expect(Buffer.from(a.kind.buffer).equals(Buffer.from(b.kind.buffer))).toBe(true);
    const c = exchangeCoreMix({ ops: 5000, seed: 9 });
    expect(Buffer.from(a.price.buffer).equals(Buffer.from(c.price.buffer))).toBe(false);
  });

  it('exchange-core-mix has the issue mix: ~1000 orders / ~750 levels, then ~6% trading', () => {
    const w = exchangeCoreMix({ ops: 50_000 });
    expect(w.setup).toBe(1000);
    const counts = [0, 0, 0, 0, 0, 0];
    for (let i = w.setup; i < w.length; i++) counts[w.kind[i]]++;
    const pct = (n: number) => (100 * n) / (w.length - w.setup);
    // The generator nudges cancels into placements while the book is thin, so GTC runs a bit high.
    expect(pct(counts[0])).toBeGreaterThan(8);
    expect(pct(counts[0])).toBeLessThan(11);
    expect(pct(counts[1])).toBeCloseTo(3, 0);
    expect(pct(counts[3])).toBeGreaterThan(80);
    const trading = pct(w.tradingOps);
    expect(trading).toBeGreaterThan(4.5);
    expect(trading).toBeLessThan(8);
  });

  it('deep-book and sweep build what they claim', () => {
    const d = deepBook({ resting: 20_000, ops: 10_000 });
    expect(d.setup).toBe(20_000);
    const s = sweep({ sweeps: 50 });
    expect(s.notes).toMatch(/mean (\d+)/);
    const mean = Number(/mean ([\d.]+)/.exec(s.notes)![1]);
    expect(mean).toBeGreaterThanOrEqual(10);
    expect(mean).toBeLessThanOrEqual(50);
  });

  it('runs end to end and writes the JSON shape of the issue', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossbook-bench-'));
    const file = join(dir, 'out.json');
    await runBench({
      workload: 'exchange-core-mix',
      quick: true,
      noMemory: true,
      engines: ['crossbook', 'nodejs-order-book'],
      json: file,
      verbose: false,
    });
    const out = JSON.parse(readFileSync(file, 'utf8'));
    expect(out.machine.cores).toBeGreaterThan(0);
    expect(typeof out.machine.cpu).toBe('string');
    const mix = out.workloads[0];
    expect(mix.name).toBe('exchange-core-mix');
    expect(mix.ops).toBeGreaterThan(0);
    const names = mix.results.map((r: { engine: string }) => r.engine);
    expect(names).toEqual(['crossbook', 'nodejs-order-book']);
    for (const r of mix.results) {
      expect(r.opsPerSec).toBeGreaterThan(0);
      expect(r.opsPerCpuSec).toBeGreaterThan(0);
      expect(r.firstRun.opsPerSec).toBeGreaterThan(0);
      expect(r.firstRun.opsPerCpuSec).toBeGreaterThan(0);
      expect(r.p99Ns).toBeGreaterThanOrEqual(r.p50Ns);
    }
    expect(typeof out.memory.bytesPerRestingOrder).toBe('number');
  });

  it('--profile writes a CPU profile of the timed part per engine', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossbook-prof-'));
    await runBench({
      workload: 'exchange-core-mix',
      quick: true,
      noMemory: true,
      engines: ['crossbook', 'crossbook-execute'],
      profile: dir,
      verbose: false,
    });
    for (const engine of ['crossbook', 'crossbook-execute']) {
      const p = JSON.parse(
        readFileSync(join(dir, `exchange-core-mix.${engine}.cpuprofile`), 'utf8'),
      );
      expect(p.nodes.length).toBeGreaterThan(1);
      expect(p.samples.length).toBeGreaterThan(0);
      // The timed part runs the engine: its own functions are in the profile.
      const names = new Set(
        p.nodes.map((n: { callFrame: { functionName: string } }) => n.callFrame.functionName),
      );
      expect(names.has(engine === 'crossbook' ? 'placeAt' : 'execute')).toBe(true);
    }
  });
});
