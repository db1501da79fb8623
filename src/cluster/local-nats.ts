/**
 * Real nats-server processes on 127.0.0.1 for `cluster up`, the tests and the benchmark: free
 * ports, JetStream (`-js`) with a data dir (`-sd`) each, one cluster name and full-mesh routes.
 * A node can be killed (-9) and restarted on the same ports and data dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where nats-server is, or null. CROSSBOOK_NATS_SERVER overrides. */
export function findNatsServer(): string | null {
  const explicit = process.env.CROSSBOOK_NATS_SERVER;
  if (explicit !== undefined && explicit !== '') return existsSync(explicit) ? explicit : null;
  const dirs = ['/usr/sbin', '/usr/bin', '/usr/local/bin', ...(process.env.PATH ?? '').split(':')];
  for (const d of dirs)
    if (d !== '' && existsSync(join(d, 'nats-server'))) return join(d, 'nats-server');
  return null;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface NatsNode {
  name: string;
  port: number;
  clusterPort: number;
  url: string;
  dataDir: string;
  child: ChildProcess | null;
}

export interface LocalNats {
  nodes: NatsNode[];
  /** Client URLs, comma-separated. */
  urls: string;
  dir: string;
  /** kill -9 one node (it stays down until restart). */
  kill(i: number): void;
  restart(i: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `n` nats-server nodes (1 = standalone JetStream, 3 = a clustered JetStream). */
export async function startLocalNats(
  o: { nodes?: number; dir?: string; bin?: string } = {},
): Promise<LocalNats> {
  const bin = o.bin ?? findNatsServer();
  if (bin === null) throw new Error('nats-server not found (apt-get install nats-server)');
  const n = o.nodes ?? 3;
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'crossbook-nats-'));
  const nodes: NatsNode[] = [];
  for (let i = 0; i < n; i++) {
    const port = await freePort();
    const clusterPort = await freePort();
    const dataDir = join(dir, `n${i + 1}`);
    mkdirSync(dataDir, { recursive: true });
    nodes.push({
      name: `n${i + 1}`,
      port,
      clusterPort,
      url: `nats://127.0.0.1:${port}`,
      dataDir,
      child: null,
    });
  }
  const launch = async (node: NatsNode): Promise<void> => {
    const args = [
      '-a',
      '127.0.0.1',
      '-p',
      String(node.port),
      '-js',
      '-sd',
      node.dataDir,
      '-n',
      node.name,
    ];
    if (n > 1) {
      const routes = nodes
        .filter((x) => x !== node)
        .map((x) => `nats://127.0.0.1:${x.clusterPort}`)
        .join(',');
      args.push(
        '--cluster_name',
        'crossbook',
        '--cluster',
        `nats://127.0.0.1:${node.clusterPort}`,
        '--routes',
        routes,
      );
    }
    const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-4000);
    });
    node.child = child;
    const deadline = Date.now() + 15_000;
    while (!(await portOpen(node.port))) {
      if (child.exitCode !== null) throw new Error(`nats-server ${node.name} exited: ${err}`);
      if (Date.now() > deadline) throw new Error(`nats-server ${node.name} did not start: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await Promise.all(nodes.map(launch));
  const stopNode = async (node: NatsNode, signal: NodeJS.Signals): Promise<void> => {
    const c = node.child;
    node.child = null;
    if (c === null || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
  };
  return {
    nodes,
    urls: nodes.map((x) => x.url).join(','),
    dir,
    kill: (i) => {
      const c = nodes[i].child;
      nodes[i].child = null;
      c?.kill('SIGKILL');
    },
    restart: async (i) => {
      await stopNode(nodes[i], 'SIGKILL');
      await launch(nodes[i]);
    },
    stop: async () => {
      await Promise.all(nodes.map((x) => stopNode(x, 'SIGTERM')));
      if (o.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}
