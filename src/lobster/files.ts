/**
 * LOBSTER file readers. Message rows: time, type, order id, size, price (dollars x 10000),
 * direction (1 buy, -1 sell). Orderbook rows: per level ask price, ask size, bid price, bid size;
 * an empty level shows price +-9999999999 with size 0. Row i of the orderbook is the book after
 * message i. Both are read whole into typed arrays (the shipped days are a few MB).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LobsterMessages {
  rows: number;
  time: Float64Array;
  type: Uint8Array;
  id: Float64Array;
  size: Float64Array;
  price: Float64Array;
  /** 0 = buy, 1 = sell (the crossbook Side). */
  side: Uint8Array;
}

export interface LobsterOrderbook {
  rows: number;
  levels: number;
  /** rows x levels x 4: ask price, ask size, bid price, bid size. */
  data: Float64Array;
}

/** Sentinel prices LOBSTER uses for an empty level. */
export const EMPTY_ASK = 9999999999;
export const EMPTY_BID = -9999999999;

export function readMessages(path: string): LobsterMessages {
  const lines = readLines(path);
  const m: LobsterMessages = {
    rows: lines.length,
    time: new Float64Array(lines.length),
    type: new Uint8Array(lines.length),
    id: new Float64Array(lines.length),
    size: new Float64Array(lines.length),
    price: new Float64Array(lines.length),
    side: new Uint8Array(lines.length),
  };
  for (let i = 0; i < lines.length; i++) {
    const f = lines[i].split(',');
    if (f.length < 6) throw new Error(`${path}:${i + 1}: expected 6 columns, got ${f.length}`);
    const nums = f.slice(0, 6).map(Number);
    if (nums.some((x) => !Number.isFinite(x))) throw new Error(`${path}:${i + 1}: not a number`);
    const [time, type, id, size, price, dir] = nums;
    if (type < 1 || type > 7 || (dir !== 1 && dir !== -1)) {
      throw new Error(`${path}:${i + 1}: bad event type ${type} or direction ${dir}`);
    }
    m.time[i] = time;
    m.type[i] = type;
    m.id[i] = id;
    m.size[i] = size;
    m.price[i] = price;
    m.side[i] = dir === 1 ? 0 : 1;
  }
  return m;
}

export function readOrderbook(path: string): LobsterOrderbook {
  const lines = readLines(path);
  const width = lines.length > 0 ? lines[0].split(',').length : 0;
  if (width === 0 || width % 4 !== 0) {
    throw new Error(`${path}: expected 4 columns per level, got ${width}`);
  }
  const data = new Float64Array(lines.length * width);
  for (let i = 0; i < lines.length; i++) {
    const f = lines[i].split(',');
    if (f.length !== width) throw new Error(`${path}:${i + 1}: expected ${width} columns`);
    for (let j = 0; j < width; j++) {
      const x = Number(f[j]);
      if (!Number.isFinite(x)) throw new Error(`${path}:${i + 1}: column ${j + 1} is not a number`);
      data[i * width + j] = x;
    }
  }
  return { rows: lines.length, levels: width / 4, data };
}

function readLines(path: string): string[] {
  if (!existsSync(path)) throw new Error(`LOBSTER file not found: ${path}`);
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

export interface LobsterDay {
  symbol: string;
  levels: number;
  messages: string;
  orderbook: string;
}

/** The repository root (this file is src/lobster/files.ts, or dist/src/lobster/files.js). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!(existsSync(join(dir, 'package.json')) && basename(dir) !== 'dist')) {
    if (dirname(dir) === dir) throw new Error('cannot find the crossbook repository root');
    dir = dirname(dir);
  }
  return dir;
}

/** ../shared/data/lobster relative to the repository root. */
export function lobsterDataDir(): string {
  return resolve(repoRoot(), '..', 'shared', 'data', 'lobster');
}

/** The three shipped days; throws a clear error when the data folder is missing. */
export function shippedDays(): LobsterDay[] {
  const dir = lobsterDataDir();
  if (!existsSync(dir)) {
    throw new Error(
      `LOBSTER data not found at ${dir} (expected ../shared/data/lobster next to the repository)`,
    );
  }
  const day = (symbol: string, levels: number): LobsterDay => ({
    symbol,
    levels,
    messages: join(dir, `${symbol}_2012-06-21_34200000_57600000_message_${levels}.csv`),
    orderbook: join(dir, `${symbol}_2012-06-21_34200000_57600000_orderbook_${levels}.csv`),
  });
  return [day('AAPL', 10), day('AMZN', 1), day('GOOG', 1)];
}
