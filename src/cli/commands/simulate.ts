/**
 * `crossbook simulate --url URL ...`: runs the simulated market makers and takers against any
 * running server, through its public signed API. Keys come from --key/--secret pairs, from a keys
 * file (--keys, e.g. DATA_DIR/demo-keys.json), or from the server's own store (--data-dir: the
 * sim-* accounts are created there on first use, as `accounts add` would).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  DEFAULT_SIM_RATE,
  Simulator,
  simAccountKeys,
  type ApiKeyPair,
} from '../../simulate/index.js';
import { openStore } from '../../store/index.js';

interface SimulateFlags {
  url: string;
  key: string[];
  secret: string[];
  keys?: string;
  dataDir?: string;
  store?: string;
  symbols?: string;
  rate: string;
  seed?: string;
  duration?: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

/** Keys from a JSON file: `{"keys":[{keyId,secret}]}` (demo-keys.json) or `[{keyId,secret}]`. */
function keysFromFile(path: string): ApiKeyPair[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    fail(`Cannot read keys file ${path}: ${(err as Error).message}`);
  }
  const list = Array.isArray(raw) ? raw : (raw as { keys?: unknown }).keys;
  if (!Array.isArray(list))
    fail(`Keys file ${path} must hold [{"keyId","secret"}] or {"keys":[...]}`);
  const out: ApiKeyPair[] = [];
  for (const [i, k] of list.entries()) {
    const o = k as Record<string, unknown>;
    if (typeof o?.keyId !== 'string' || typeof o.secret !== 'string') {
      fail(`Keys file ${path} [${i}]: needs "keyId" and "secret" strings`);
    }
    if (o.role === 'admin') continue;
    out.push({ keyId: o.keyId, secret: o.secret });
  }
  return out;
}

/** Splits keys into makers and takers: one key plays both; otherwise the first half make. */
function split(keys: ApiKeyPair[]): { makers: ApiKeyPair[]; takers: ApiKeyPair[] } {
  if (keys.length === 1) return { makers: keys, takers: keys };
  const half = Math.ceil(keys.length / 2);
  return { makers: keys.slice(0, half), takers: keys.slice(half) };
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description(
      'Run simulated market makers and takers against a running server, through its signed API',
    )
    .requiredOption('--url <url>', 'server base URL, e.g. http://127.0.0.1:8080')
    .option('--key <keyId>', 'an API key id (repeat with --secret for more accounts)', collect, [])
    .option('--secret <secret>', 'the secret of the --key at the same position', collect, [])
    .option('--keys <file>', 'a JSON keys file, e.g. DATA_DIR/demo-keys.json (admin keys skipped)')
    .option(
      '--data-dir <dir>',
      "the server's data dir on this machine: use (and create) its sim-* accounts",
    )
    .option('--store <url>', 'with --data-dir: the store URL when it is not DATA_DIR/crossbook.db')
    .option('--symbols <list>', 'comma-separated symbols (default: every instrument with a price)')
    .option('--rate <n>', 'orders per second, all participants together', String(DEFAULT_SIM_RATE))
    .option('--seed <n>', 'random seed (default: the clock)')
    .option('--duration <s>', 'stop after this many seconds (default: until Ctrl-C)')
    .action(async (o: SimulateFlags) => {
      const rate = Number(o.rate);
      if (!Number.isFinite(rate) || rate <= 0)
        fail(`--rate must be a positive number, got ${o.rate}`);
      if (o.key.length !== o.secret.length) {
        fail('give one --secret for each --key, in the same order');
      }
      let keys: { makers: ApiKeyPair[]; takers: ApiKeyPair[] };
      if (o.dataDir !== undefined) {
        const dataDir = resolve(o.dataDir);
        const store = await openStore({ url: o.store ?? `${dataDir}/crossbook.db`, dataDir });
        try {
          keys = await simAccountKeys(store);
        } finally {
          await store.close();
        }
      } else {
        const list: ApiKeyPair[] = o.key.map((keyId, i) => ({ keyId, secret: o.secret[i] }));
        if (o.keys !== undefined) list.push(...keysFromFile(o.keys));
        if (list.length === 0) {
          fail(
            'simulate needs keys: --key ID --secret S (repeatable), --keys FILE, or --data-dir DIR of the server',
          );
        }
        keys = split(list);
      }
      const sim = await Simulator.start({
        url: o.url.replace(/\/+$/, ''),
        ...keys,
        symbols: o.symbols?.split(',').map((s) => s.trim()),
        rate,
        seed: o.seed === undefined ? undefined : Number(o.seed),
        log: (line) => console.log(line),
      });
      const report = setInterval(() => {
        const s = sim.stats;
        console.log(`simulate: ${s.orders} orders, ${s.rejects} rejected, ${s.fills} fills`);
      }, 10_000);
      let stopping = false;
      void sim.done.then(() => {
        if (stopping) return;
        clearInterval(report);
        console.error('simulate: the connection to the server ended');
        process.exit(1);
      });
      const stop = async () => {
        stopping = true;
        clearInterval(report);
        await sim.stop();
        const s = sim.stats;
        console.log(`simulate: done: ${s.orders} orders, ${s.rejects} rejected, ${s.fills} fills`);
        process.exit(0);
      };
      if (o.duration !== undefined) setTimeout(() => void stop(), Number(o.duration) * 1000);
      process.on('SIGINT', () => void stop());
      process.on('SIGTERM', () => void stop());
    });
}
