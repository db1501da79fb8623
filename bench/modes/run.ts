/**
 * Concurrency-mode benchmark (`crossbook bench --modes`). Placeholder until the full workload lands.
 */
export interface ModesBenchOptions {
  json?: string;
  quick?: boolean;
}

export async function runModesBench(_opts: ModesBenchOptions = {}): Promise<unknown> {
  throw new Error('crossbook bench --modes is not built yet');
}
