import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig, type ServerConfig } from './config.js';
import { startServer, type DemoKey, type RunningServer, type StartOptions } from './server.js';

/**
 * Throwaway servers for tests and tools: a temp data dir, port 0, quiet logs. In-process for
 * speed, or as a child process of the built CLI when a test needs to kill -9 it.
 */
export interface TestServer {
  url: string;
  wsUrl: string;
  dataDir: string;
  keys: Record<string, DemoKey>;
  server: RunningServer;
  close(): Promise<void>;
}

export async function startTestServer(
  o: { config?: Partial<ServerConfig>; dataDir?: string; start?: StartOptions } = {},
): Promise<TestServer> {
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'crossbook-server-'));
  const config = {
    ...resolveConfig({ env: {} }),
    port: 0,
    dataDir,
    logLevel: 'silent',
    ...o.config,
  };
  const server = await startServer(config, o.start);
  const keys = Object.fromEntries(server.demoKeys.map((k) => [k.account, k]));
  return {
    url: server.url,
    wsUrl: server.url.replace(/^http/, 'ws') + '/ws',
    dataDir,
    keys,
    server,
    close: async () => {
      await server.close();
      if (o.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Path of the built CLI entry (dist/src/cli/main.js). */
export function builtCli(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // From src/server (tsx/vitest) or dist/src/server (built).
  const root = here.includes('/dist/') ? join(here, '..', '..', '..') : join(here, '..', '..');
  const main = join(root, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(main))
    throw new Error(`${main} is missing: run \`npx tsc -p tsconfig.json\` first`);
  return main;
}

export interface ChildServer {
  url: string;
  child: ChildProcess;
  /** Everything the child printed on stdout so far. */
  output(): string;
  exited: Promise<number | null>;
}

/**
 * Runs `crossbook serve --port 0` as a child process and waits for its URL. Tests get an empty
 * market: `--no-simulate` is added unless `args` say `--simulate` or `opts.defaultSimulate` asks
 * for the server's own default (as `npm start` runs it).
 */
export function spawnServer(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  opts: { defaultSimulate?: boolean } = {},
): Promise<ChildServer> {
  const own = opts.defaultSimulate === true || args.some((a) => /^--(no-)?simulate$/.test(a));
  const sim = own ? [] : ['--no-simulate'];
  const child = spawn(process.execPath, [builtCli(), 'serve', '--port', '0', ...sim, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start:\n${out}\n${err}`)),
      60_000,
    );
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ url: m[1], child, output: () => out, exited });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before starting:\n${out}\n${err}`));
    });
  });
}

/** Reads the demo keys from a child's first-start banner. */
export function keysFromBanner(out: string): Record<string, { keyId: string; secret: string }> {
  const keys: Record<string, { keyId: string; secret: string }> = {};
  for (const m of out.matchAll(/^\s+(\S+)\s+(trader|admin)\s+key (\S+)\s+secret (\S+)$/gm)) {
    keys[m[1]] = { keyId: m[3], secret: m[4] };
  }
  return keys;
}
