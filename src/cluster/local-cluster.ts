/**
 * A whole cluster on this machine, as real processes: nats-server nodes, engines and gateways of
 * the built CLI. Used by `crossbook cluster up`, the cluster tests and `bench --cluster`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalNats, type LocalNats } from './local-nats.js';

/** The built CLI (dist/src/cli/main.js), from src/cluster (tsx) or dist/src/cluster. */
export function builtCli(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = here.includes('/dist/') ? join(here, '..', '..', '..') : join(here, '..', '..');
  const main = join(root, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(main))
    throw new Error(`${main} is missing: run \`npx tsc -p tsconfig.json\` first`);
  return main;
}

/** The demo keys a gateway prints on its first start. */
export function keysFromBanner(out: string): Record<string, { keyId: string; secret: string }> {
  const keys: Record<string, { keyId: string; secret: string }> = {};
  for (const m of out.matchAll(/^\s+(\S+)\s+(trader|admin)\s+key (\S+)\s+secret (\S+)$/gm)) {
    keys[m[1]] = { keyId: m[3], secret: m[4] };
  }
  return keys;
}

export interface ChildProc {
  name: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

export interface LocalGateway extends ChildProc {
  url: string;
  keys: Record<string, { keyId: string; secret: string }>;
}

export interface LocalCluster {
  nats: LocalNats;
  engines: Map<string, ChildProc>;
  gateways: LocalGateway[];
  dir: string;
  startEngine(node: string, extra?: string[]): ChildProc;
  startGateway(i: number, extra?: string[]): Promise<LocalGateway>;
  stop(): Promise<void>;
}

export function spawnProc(
  name: string,
  args: string[],
  opts: { node?: string; cmd?: string } = {},
): ChildProc {
  const child = spawn(opts.cmd ?? process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const add = (d: Buffer): void => {
    out += d.toString();
    if (out.length > 1_000_000) out = out.slice(-500_000);
  };
  child.stdout!.on('data', add);
  child.stderr!.on('data', add);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { name, child, output: () => out, exited };
}

export async function startLocalCluster(o: {
  natsNodes?: number;
  engines?: number;
  gateways?: number;
  leaseMs?: number;
  snapshotEvery?: number;
  gatewayWaitMs?: number;
  /** Extra arguments for every engine (e.g. --balance). */
  engineArgs?: string[];
  dir?: string;
}): Promise<LocalCluster> {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'crossbook-cluster-'));
  const nats = await startLocalNats({ nodes: o.natsNodes ?? 3, dir: join(dir, 'nats') });
  const cli = builtCli();
  const engines = new Map<string, ChildProc>();
  const gateways: LocalGateway[] = [];
  const startEngine = (node: string, extra: string[] = []): ChildProc => {
    const args = [cli, 'engine', '--nats', nats.urls, '--node', node];
    if (o.leaseMs !== undefined) args.push('--lease-ms', String(o.leaseMs));
    if (o.snapshotEvery !== undefined) args.push('--snapshot-every', String(o.snapshotEvery));
    const p = spawnProc(node, [...args, ...(o.engineArgs ?? []), ...extra]);
    engines.set(node, p);
    return p;
  };
  const startGateway = async (i: number, extra: string[] = []): Promise<LocalGateway> => {
    const data = join(dir, `gateway-${i}`);
    mkdirSync(data, { recursive: true });
    const args = [cli, 'serve', '--port', '0', '--cluster', nats.urls, '--data-dir', data];
    if (o.gatewayWaitMs !== undefined) args.push('--cluster-wait-ms', String(o.gatewayWaitMs));
    const p = spawnProc(`gateway-${i}`, [...args, ...extra]);
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`gateway ${i} did not start:\n${p.output()}`)),
        60_000,
      );
      const onData = (): void => {
        const m = /running at (http:\/\/\S+)/.exec(p.output());
        if (m !== null) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      };
      p.child.stdout!.on('data', onData);
      void p.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`gateway ${i} exited with ${code}:\n${p.output()}`));
      });
    });
    const g: LocalGateway = { ...p, url, keys: keysFromBanner(p.output()) };
    gateways[i] = g;
    return g;
  };
  try {
    for (let i = 1; i <= (o.engines ?? 3); i++) startEngine(`e${i}`);
    for (let i = 0; i < (o.gateways ?? 1); i++) await startGateway(i);
  } catch (err) {
    for (const e of engines.values()) e.child.kill('SIGKILL');
    for (const g of gateways) g?.child.kill('SIGKILL');
    await nats.stop();
    throw err;
  }
  const stop = async (): Promise<void> => {
    const all = [...engines.values(), ...gateways.filter(Boolean)];
    for (const p of all) {
      if (p.child.exitCode === null) {
        p.child.kill('SIGCONT');
        p.child.kill('SIGTERM');
      }
    }
    await Promise.race([
      Promise.all(all.map((p) => p.exited)),
      new Promise((r) => setTimeout(r, 5000)),
    ]);
    for (const p of all) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await nats.stop();
    if (o.dir === undefined) rmSync(dir, { recursive: true, force: true });
  };
  return { nats, engines, gateways, dir, startEngine, startGateway, stop };
}
