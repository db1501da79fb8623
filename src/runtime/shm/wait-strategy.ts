/**
 * How a ring participant waits for the other side to move a sequence. The waiter spins first
 * (cheap when the other thread is about to publish), then raises a "sleeping" flag and parks in
 * Atomics.wait (worker threads) or Atomics.waitAsync (the main thread, which must never block).
 *
 * Lost wake-ups are impossible because every Atomics operation is sequentially consistent: the
 * waiter does store(flag = 1) then load(seq); the waker does store(seq) then load(flag). In the
 * single total order at least one of them sees the other's store, so either the waiter sees the
 * new sequence and does not park, or the waker sees the flag and notifies. Atomics.wait itself
 * re-checks the value atomically, which closes the gap between the waiter's load and its park.
 */

interface WaitAsyncResult {
  async: boolean;
  value: 'not-equal' | 'timed-out' | 'ok' | Promise<'ok' | 'timed-out'>;
}
type WaitAsyncFn = (
  arr: Int32Array,
  index: number,
  value: number,
  timeout?: number,
) => WaitAsyncResult;

// lib ES2023 has no typing for Atomics.waitAsync (Node 20 has the function).
const waitAsyncImpl = (Atomics as unknown as { waitAsync?: WaitAsyncFn }).waitAsync;

export interface WaitStrategy {
  readonly name: string;
  /** Blocks the calling thread until `arr[index] !== value` (or a timeout; callers re-check). */
  waitSync(arr: Int32Array, index: number, sleepIndex: number, value: number): void;
  /** Resolves once `arr[index] !== value` (or a timeout; callers re-check). Never blocks. */
  waitAsync(arr: Int32Array, index: number, sleepIndex: number, value: number): Promise<void>;
  /** Called by the side that just stored `arr[index]`: wakes a parked waiter if there is one. */
  wake(arr: Int32Array, index: number, sleepIndex: number): void;
}

export interface SpinThenParkOptions {
  /** Loads of the sequence before parking (default 2000 in workers). */
  spins?: number;
  /** Spins on the main thread before waitAsync (default 0: the event loop must stay free). */
  asyncSpins?: number;
  /** Upper bound on one park, ms: a safety net, never needed for correctness (default 100). */
  parkMs?: number;
}

/** Spin, then Atomics.wait / Atomics.waitAsync. The default strategy. */
export class SpinThenPark implements WaitStrategy {
  readonly name = 'spin-then-park';
  private readonly spins: number;
  private readonly asyncSpins: number;
  private readonly parkMs: number;

  constructor(opts: SpinThenParkOptions = {}) {
    this.spins = opts.spins ?? 2000;
    this.asyncSpins = opts.asyncSpins ?? 0;
    this.parkMs = opts.parkMs ?? 100;
  }

  waitSync(arr: Int32Array, index: number, sleepIndex: number, value: number): void {
    for (let i = 0; i < this.spins; i++) {
      // seq-cst load: acquires the other side's publication when it changed.
      if (Atomics.load(arr, index) !== value) return;
    }
    // seq-cst store before the re-check below: the Dekker pair with wake()'s store-then-load.
    Atomics.store(arr, sleepIndex, 1);
    // seq-cst: wait re-checks arr[index] === value atomically with parking, so no wake is lost.
    Atomics.wait(arr, index, value, this.parkMs);
    // seq-cst store: lets the waker skip notify again; a stale 1 only costs one extra notify.
    Atomics.store(arr, sleepIndex, 0);
  }

  async waitAsync(
    arr: Int32Array,
    index: number,
    sleepIndex: number,
    value: number,
  ): Promise<void> {
    for (let i = 0; i < this.asyncSpins; i++) {
      // seq-cst load: as in waitSync.
      if (Atomics.load(arr, index) !== value) return;
    }
    // seq-cst store: the Dekker pair with wake(), as in waitSync.
    Atomics.store(arr, sleepIndex, 1);
    if (waitAsyncImpl) {
      // seq-cst: waitAsync compares and enqueues atomically, like Atomics.wait.
      const r = waitAsyncImpl(arr, index, value, this.parkMs);
      if (r.async) await r.value;
    } else {
      await new Promise<void>((resolve) => setTimeout(resolve, 1));
    }
    // seq-cst store: clears the flag once awake.
    Atomics.store(arr, sleepIndex, 0);
  }

  wake(arr: Int32Array, index: number, sleepIndex: number): void {
    // seq-cst CAS after the caller's seq-cst store of arr[index]: the other half of the Dekker
    // pair. Clearing the flag means only the first publication after a park pays for a notify.
    if (Atomics.compareExchange(arr, sleepIndex, 1, 0) === 1) Atomics.notify(arr, index);
  }
}

/** Pure busy-spin with no parking (lowest latency, burns a core; for benchmarks only). */
export class BusySpin implements WaitStrategy {
  readonly name = 'busy-spin';

  waitSync(arr: Int32Array, index: number, _sleepIndex: number, value: number): void {
    // seq-cst load: acquires the publication that ends the wait.
    while (Atomics.load(arr, index) === value) {
      /* spin */
    }
  }

  async waitAsync(arr: Int32Array, index: number, _sleep: number, value: number): Promise<void> {
    // seq-cst load; yields to the event loop between checks since the main thread must not spin.
    while (Atomics.load(arr, index) === value) await new Promise((r) => setImmediate(r));
  }

  wake(): void {}
}

export const defaultWaitStrategy = (): WaitStrategy => new SpinThenPark();

export type WaitStrategyName = 'spin-then-park' | 'busy-spin';

/** Plain data, so the choice can cross to a worker thread (workerData) and be rebuilt there. */
export interface WaitStrategyConfig {
  name?: WaitStrategyName;
  /** spin-then-park: loads before parking in a worker (default 2000). */
  spins?: number;
}

export function makeWaitStrategy(cfg: WaitStrategyConfig = {}): WaitStrategy {
  const name = cfg.name ?? 'spin-then-park';
  if (name === 'busy-spin') return new BusySpin();
  if (name === 'spin-then-park') return new SpinThenPark({ spins: cfg.spins });
  throw new Error(`unknown wait strategy ${String(name)}: expected spin-then-park or busy-spin`);
}
