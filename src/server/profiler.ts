/**
 * `crossbook serve --profile DIR`: CPU profiles of the main thread and of every worker thread
 * (store writer, shard workers), written as DIR/<thread>.cpuprofile when the server closes. Open
 * them in Chrome DevTools (Performance > Load profile), speedscope or any flame-graph viewer.
 *
 * One inspector Session on the main thread does it all: the Profiler domain for the main thread,
 * and the NodeWorker domain to reach each worker's own inspector (attached as the worker starts,
 * so nothing has to change inside the workers).
 */
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface WorkerTarget {
  sessionId: string;
  name: string;
  pending: Map<number, (result: unknown) => void>;
}

export interface Profiler {
  /** Stops every profile and writes them; returns the files written. */
  stop(): Promise<string[]>;
}

/** Profile titles become file names: keep them to safe characters. */
const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'worker';

export async function startProfiler(dir: string, intervalUs = 1000): Promise<Profiler> {
  mkdirSync(dir, { recursive: true });
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params?: object) =>
    new Promise<T>((resolve, reject) =>
      session.post(method, params ?? {}, (err, result) =>
        err ? reject(err) : resolve(result as T),
      ),
    );

  const workers: WorkerTarget[] = [];
  let nextId = 1;
  const toWorker = <T>(w: WorkerTarget, method: string, params: object = {}) =>
    new Promise<T>((resolve) => {
      const id = nextId++;
      w.pending.set(id, resolve as (r: unknown) => void);
      void post('NodeWorker.sendMessageToWorker', {
        sessionId: w.sessionId,
        message: JSON.stringify({ id, method, params }),
      }).catch(() => resolve(undefined as T));
    });

  session.on('NodeWorker.attachedToWorker', (msg) => {
    const p = msg.params as {
      sessionId: string;
      workerInfo: { workerId: string; title: string; url: string };
    };
    const base = p.workerInfo.url.split('/').pop()?.replace(/\.js$/, '') ?? p.workerInfo.title;
    const w: WorkerTarget = {
      sessionId: p.sessionId,
      name: `${safe(base)}-${p.workerInfo.workerId}`,
      pending: new Map(),
    };
    workers.push(w);
    void (async () => {
      await toWorker(w, 'Profiler.enable');
      await toWorker(w, 'Profiler.setSamplingInterval', { interval: intervalUs });
      await toWorker(w, 'Profiler.start');
    })();
  });
  session.on('NodeWorker.receivedMessageFromWorker', (msg) => {
    const p = msg.params as { sessionId: string; message: string };
    const w = workers.find((x) => x.sessionId === p.sessionId);
    const reply = JSON.parse(p.message) as { id?: number; result?: unknown };
    if (w === undefined || reply.id === undefined) return;
    const done = w.pending.get(reply.id);
    w.pending.delete(reply.id);
    done?.(reply.result);
  });
  session.on('NodeWorker.detachedFromWorker', (msg) => {
    const p = msg.params as { sessionId: string };
    const w = workers.find((x) => x.sessionId === p.sessionId);
    // A worker that exits before stop() takes its profile with it; answer what waits for it.
    if (w !== undefined) for (const done of w.pending.values()) done(undefined);
  });

  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: intervalUs });
  await post('Profiler.start');
  await post('NodeWorker.enable', { waitForDebuggerOnStart: false });

  return {
    async stop() {
      const files: string[] = [];
      const write = (name: string, profile: unknown) => {
        if (profile === undefined || profile === null) return;
        const file = join(dir, `${name}.cpuprofile`);
        writeFileSync(file, JSON.stringify(profile));
        files.push(file);
      };
      const main = await post<{ profile: unknown }>('Profiler.stop');
      write('main', main.profile);
      for (const w of workers) {
        const r = await toWorker<{ profile: unknown } | undefined>(w, 'Profiler.stop');
        write(w.name, r?.profile);
      }
      await post('NodeWorker.disable').catch(() => undefined);
      session.disconnect();
      return files;
    },
  };
}
