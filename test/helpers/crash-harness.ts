/** Spawns and drives the crash-test child (test/helpers/crash-child.ts) through tsx. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

export interface Ack {
  seq: number;
  type: string;
  orderId: string;
}

export interface ChildRun {
  ready: Promise<Record<string, number | string>>;
  acks: Ack[];
  /** Resolves with the `closed` line's JSON (after `stop`) or null when killed. */
  exited: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    closed: Record<string, unknown> | null;
  }>;
  go(): void;
  stop(): void;
  kill(): void;
  stderr(): string;
}

export function startChild(opts: {
  dir: string;
  store: string;
  seed: number;
  fsync: string;
  snapshotEvery: number;
  segmentBytes?: number;
}): ChildRun {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      CHILD,
      opts.dir,
      opts.store,
      String(opts.seed),
      opts.fsync,
      String(opts.snapshotEvery),
      ...(opts.segmentBytes ? [String(opts.segmentBytes)] : []),
    ],
    { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, CROSSBOOK_LOG_LEVEL: 'error' } },
  );
  const acks: Ack[] = [];
  let err = '';
  let buf = '';
  let closed: Record<string, unknown> | null = null;
  let resolveReady!: (v: Record<string, number | string>) => void;
  let rejectReady!: (e: Error) => void;
  const ready = new Promise<Record<string, number | string>>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
  child.stdout.on('data', (b: Buffer) => {
    buf += b.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.startsWith('ack ')) {
        const [, seq, type, orderId] = line.split(' ');
        acks.push({ seq: Number(seq), type, orderId });
      } else if (line.startsWith('ready ')) {
        resolveReady(JSON.parse(line.slice(6)) as Record<string, number | string>);
      } else if (line.startsWith('closed ')) {
        closed = JSON.parse(line.slice(7)) as Record<string, unknown>;
      } else if (line.startsWith('error ')) {
        err += line + '\n';
      }
    }
  });
  // stdin may already be gone when the child is killed.
  child.stdin.on('error', () => undefined);
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    closed: Record<string, unknown> | null;
  }>((resolve) => {
    child.on('exit', (code, signal) => {
      rejectReady(new Error(`child exited (${code ?? signal}) before ready: ${err}`));
      resolve({ code, signal, closed });
    });
  });
  return {
    ready,
    acks,
    exited,
    go: () => child.stdin.write('go\n'),
    stop: () => child.stdin.write('stop\n'),
    kill: () => child.kill('SIGKILL'),
    stderr: () => err,
  };
}
