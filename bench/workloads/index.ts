/**
 * Workloads, each generated deterministically (seeded) before timing. Sizes are chosen so
 * `bench --workload exchange-core-mix` stays well under a minute on a 2-core machine with the
 * slow peer included; `quick` shrinks everything for smoke runs.
 */
import type { Workload } from '../workload.js';
import { deepBook } from './deep-book.js';
import { exchangeCoreMix } from './exchange-core-mix.js';
import { lobsterWorkload } from './lobster.js';
import { sweep } from './sweep.js';
import type { RepPlan } from '../harness.js';

export interface WorkloadSpec {
  name: string;
  make: (quick: boolean) => Workload | Promise<Workload>;
  plan: (quick: boolean) => RepPlan;
  /** Too big to keep between engines: regenerated for each. */
  big?: boolean;
}

export const WORKLOADS: WorkloadSpec[] = [
  {
    name: 'exchange-core-mix',
    make: (quick) => exchangeCoreMix({ ops: quick ? 30_000 : 300_000 }),
    plan: (quick) => ({ warmups: 1, reps: quick ? 2 : 7, capSeconds: 30 }),
  },
  {
    name: 'deep-book',
    big: true,
    make: (quick) => deepBook(quick ? { resting: 50_000, ops: 50_000 } : {}),
    plan: (quick) => ({ warmups: 0, reps: quick ? 1 : 3, capSeconds: 120 }),
  },
  {
    name: 'sweep',
    make: (quick) => sweep({ sweeps: quick ? 1000 : 10_000 }),
    plan: (quick) => ({ warmups: 1, reps: quick ? 2 : 7, capSeconds: 30 }),
  },
  {
    name: 'lobster',
    make: () => lobsterWorkload(),
    plan: (quick) => ({ warmups: 1, reps: quick ? 2 : 7, capSeconds: 30 }),
  },
];

export { deepBook, exchangeCoreMix, lobsterWorkload, sweep };
