/**
 * `crossbook load` against a real server on a real socket, and `serve --profile`: the report's
 * CPU figures come from the server's /metrics and /proc, its percentiles from one histogram, and
 * the profiler leaves loadable CPU profiles of the main thread and the store writer.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../src/server/harness.js';
import { runLoad } from '../src/server/load/index.js';
import { cpuSecondsFromMetrics } from '../src/server/process-metrics.js';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples: number[];
  startTime: number;
  endTime: number;
}

describe('crossbook load', () => {
  it('reports acks, latency from one histogram, and CPU per order of server and generator', async () => {
    const s = await startTestServer();
    try {
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      expect(cpuSecondsFromMetrics(metrics)).toBeGreaterThan(0);
      const r = await runLoad({
        url: s.url,
        keys: [s.keys.demo1, s.keys.demo2],
        connections: 2,
        rate: 400,
        durationSec: 3,
        warmupSec: 1,
        inflight: 64,
        threads: 1,
        serverPid: process.pid,
      });
      expect(r.errors).toEqual([]);
      expect(r.acked).toBeGreaterThan(0);
      const l = r.latencyUs;
      expect(l.p50).toBeLessThanOrEqual(l.p99);
      expect(l.p99).toBeLessThanOrEqual(l.p999);
      expect(l.p999).toBeLessThanOrEqual(l.max);
      expect(r.cpu.window.orders).toBeGreaterThan(0);
      expect(r.cpu.window.serverUsPerOrder).toBeGreaterThan(0);
      expect(r.cpu.window.loadUsPerOrder).toBeGreaterThan(0);
      expect(r.cpu.first.fromSec).toBeLessThan(r.cpu.last.fromSec);
      expect(r.cpu.serverThreads?.some((t) => t.name === 'main')).toBe(true);
    } finally {
      await s.close();
    }
  });
});

describe('serve --profile', () => {
  it('writes CPU profiles of the main thread and the store writer on close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossbook-profile-'));
    try {
      const s = await startTestServer({ config: { profile: dir } });
      await fetch(`${s.url}/api/v1/instruments`);
      await s.close();
      const files = readdirSync(dir).sort();
      expect(files).toContain('main.cpuprofile');
      const store = files.find((f) => f.startsWith('store-worker-'));
      expect(store, files.join(', ')).toBeDefined();
      for (const f of ['main.cpuprofile', store!]) {
        const p = JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile;
        expect(p.nodes.length).toBeGreaterThan(1);
        expect(p.endTime).toBeGreaterThan(p.startTime);
      }
      const storeProfile = JSON.parse(readFileSync(join(dir, store!), 'utf8')) as CpuProfile;
      expect(storeProfile.nodes.some((n) => n.callFrame.url.includes('store-worker'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
