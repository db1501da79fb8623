import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface MemoryResult {
  engine: string;
  orders: number;
  bytes: number;
  bytesPerOrder: number;
  error?: string;
}

/** Runs the memory probe for one engine in a fresh `node --expose-gc` process. */
export function probeMemory(engine: string, orders = 1_000_000): MemoryResult {
  const script = fileURLToPath(new URL('./memory-probe.js', import.meta.url));
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=8192', script, engine, String(orders)],
    { encoding: 'utf8', timeout: 180_000 },
  );
  if (r.status !== 0) {
    const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').pop();
    return { engine, orders, bytes: 0, bytesPerOrder: 0, error: why };
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as MemoryResult;
}
