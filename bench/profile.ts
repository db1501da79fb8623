/**
 * `bench --profile DIR`: V8 CPU profiles of the timed part, one file per engine and workload,
 * taken through the in-process inspector (node:inspector), so the setup, the input preparation
 * and the other engines are not in them. Open a .cpuprofile in Chrome DevTools or speedscope.
 */
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ProfileTarget {
  start(): void;
  stop(): void;
}

/** Sampling interval in µs: the timed streams last tenths of a second. */
const INTERVAL_US = 50;

export class Profiler {
  private readonly session = new Session();
  readonly written: string[] = [];

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.session.connect();
    this.post('Profiler.enable');
    this.post('Profiler.setSamplingInterval', { interval: INTERVAL_US });
  }

  /** A target that writes DIR/NAME.cpuprofile when stopped. */
  target(name: string): ProfileTarget {
    return {
      start: () => this.post('Profiler.start'),
      stop: () => {
        const r = this.post('Profiler.stop') as { profile: unknown };
        const file = join(this.dir, `${name.replace(/[^A-Za-z0-9._-]/g, '_')}.cpuprofile`);
        writeFileSync(file, JSON.stringify(r.profile));
        this.written.push(file);
      },
    };
  }

  close(): void {
    this.post('Profiler.disable');
    this.session.disconnect();
  }

  /** The in-process session answers synchronously; a missing answer is an error, not a wait. */
  private post(method: string, params?: object): unknown {
    let done = false;
    let result: unknown;
    let failure: Error | null = null;
    this.session.post(method, params, (err, res) => {
      done = true;
      failure = err;
      result = res;
    });
    if (!done) throw new Error(`inspector did not answer ${method} synchronously`);
    if (failure !== null) throw failure;
    return result;
  }
}
