import type { Engine, Mode } from '../engine.js';
import { MODES } from '../engine.js';
import type { CreateEngineOptions } from '../create-engine.js';
import { createEngine } from '../create-engine.js';
import { RACY_LABEL } from '../racy/index.js';
import { runSeedScenario, type SeedScenarioOptions } from './seed-scenario.js';

export interface ChaosModeResult {
  mode: Mode;
  orders: number;
  filled: number;
  liquidity: number;
  overExecution: number;
  conserved: boolean;
  ordersPerSec: number;
  /** Extra detail (not in the CLI's JSON contract, harmless to ignore). */
  crossed: boolean;
  crossingLiquidity: number;
  note?: string;
}

export interface ChaosReport {
  modes: ChaosModeResult[];
  /** True when every mode except racy neither over-executed nor broke conservation. */
  ok: boolean;
  /** True when racy (if it ran) was caught over-executing. */
  racyCaught: boolean | null;
}

export interface RunChaosOptions extends SeedScenarioOptions {
  /** Modes to run, in order (default: all four). */
  modes?: Mode[];
  /** Engine options applied to every mode (mode is set per run). */
  engine?: Omit<CreateEngineOptions, 'mode'>;
  /** Called once per finished mode (progress). */
  onMode?: (result: ChaosModeResult) => void;
}

/** Runs the seed's chaos test once per mode on a fresh engine and reports what each did. */
export async function runChaos(opts: RunChaosOptions = {}): Promise<ChaosReport> {
  const modes = opts.modes ?? [...MODES];
  for (const m of modes) {
    if (!MODES.includes(m)) throw new Error(`unknown mode ${m}: expected ${MODES.join(', ')}`);
  }
  const results: ChaosModeResult[] = [];
  for (const mode of modes) {
    const engine: Engine = createEngine({ ...opts.engine, mode });
    try {
      const r = await runSeedScenario(engine, opts);
      const result: ChaosModeResult = {
        mode,
        orders: r.orders,
        filled: r.filled,
        liquidity: r.liquidity,
        overExecution: r.overExecution,
        conserved: r.conserved,
        ordersPerSec: r.ordersPerSec,
        crossed: r.crossed,
        crossingLiquidity: r.crossingLiquidity,
        note: mode === 'racy' ? RACY_LABEL : undefined,
      };
      results.push(result);
      opts.onMode?.(result);
    } finally {
      await engine.close();
    }
  }
  const sound = (r: ChaosModeResult) =>
    r.overExecution === 0 && r.conserved && !r.crossed && r.filled <= r.liquidity;
  const racy = results.find((r) => r.mode === 'racy');
  return {
    modes: results,
    ok: results.filter((r) => r.mode !== 'racy').every(sound),
    racyCaught: racy ? racy.overExecution > 0 : null,
  };
}
