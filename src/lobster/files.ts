/**
 * LOBSTER file readers. Message rows: time, type, order id, size, price (dollars x 10000),
 * direction (1 buy, -1 sell). Orderbook rows: per level ask price, ask size, bid price, bid size;
 * an empty level shows price +-9999999999 with size 0. Row i of the orderbook is the book after
 * message i. Files are streamed (a `.gz` file through a zlib gunzip stream, anything else as plain
 * CSV) and parsed row by row into typed arrays; the file text is never held whole.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';

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

/** Streams a LOBSTER message file (`.csv` or `.csv.gz`). Rejects with file:line on a bad row. */
export async function readMessages(path: string): Promise<LobsterMessages> {
  const cols = { time: [], type: [], id: [], size: [], price: [], side: [] } as Record<
    keyof Omit<LobsterMessages, 'rows'>,
    number[]
  >;
  let rows = 0;
  await forEachLine(path, (line, n) => {
    const f = line.split(',');
    if (f.length < 6) throw new Error(`${path}:${n}: expected 6 columns, got ${f.length}`);
    const nums = f.slice(0, 6).map(Number);
    if (nums.some((x) => !Number.isFinite(x))) throw new Error(`${path}:${n}: not a number`);
    const [time, type, id, size, price, dir] = nums;
    if (type < 1 || type > 7 || (dir !== 1 && dir !== -1)) {
      throw new Error(`${path}:${n}: bad event type ${type} or direction ${dir}`);
    }
    cols.time.push(time);
    cols.type.push(type);
    cols.id.push(id);
    cols.size.push(size);
    cols.price.push(price);
    cols.side.push(dir === 1 ? 0 : 1);
    rows++;
  });
  return {
    rows,
    time: Float64Array.from(cols.time),
    type: Uint8Array.from(cols.type),
    id: Float64Array.from(cols.id),
    size: Float64Array.from(cols.size),
    price: Float64Array.from(cols.price),
    side: Uint8Array.from(cols.side),
  };
}

/** Streams a LOBSTER orderbook file (`.csv` or `.csv.gz`). Rejects with file:line on a bad row. */
export async function readOrderbook(path: string): Promise<LobsterOrderbook> {
  const values: number[] = [];
  let width = 0;
  let rows = 0;
  await forEachLine(path, (line, n) => {
    const f = line.split(',');
    if (width === 0) {
      width = f.length;
      if (width % 4 !== 0) {
        throw new Error(`${path}: expected 4 columns per level, got ${width}`);
      }
    }
    if (f.length !== width) throw new Error(`${path}:${n}: expected ${width} columns`);
    for (let j = 0; j < width; j++) {
      const x = Number(f[j]);
      if (!Number.isFinite(x)) throw new Error(`${path}:${n}: column ${j + 1} is not a number`);
      values.push(x);
    }
    rows++;
  });
  if (rows === 0) throw new Error(`${path}: no rows`);
  return { rows, levels: width / 4, data: Float64Array.from(values) };
}

/**
 * Calls `row` with each non-empty trimmed line and its 1-based line number. A name ending in
 * `.gz` is decompressed with a zlib stream; a missing file or a corrupt stream rejects.
 */
async function forEachLine(path: string, row: (line: string, n: number) => void): Promise<void> {
  if (!existsSync(path)) throw new Error(`LOBSTER file not found: ${path}`);
  if (statSync(path).isDirectory()) throw new Error(`LOBSTER file is a directory: ${path}`);
  const file = createReadStream(path);
  const text = path.endsWith('.gz') ? file.pipe(createGunzip()) : file;
  // Errors on the file or gunzip stream surface through the line iterator below.
  file.on('error', (err) => text.destroy(err));
  const lines = createInterface({ input: text, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const raw of lines) {
      n++;
      const line = raw.trim();
      if (line.length > 0) row(line, n);
    }
  } catch (err) {
    if (err instanceof Error && 'code' in err && String(err.code).startsWith('Z_')) {
      throw new Error(`${path}: not a valid gzip file (${err.message})`);
    }
    throw err;
  } finally {
    lines.close();
    file.destroy();
  }
}

export interface LobsterDay {
  symbol: string;
  levels: number;
  messages: string;
  orderbook: string;
}

/** The package root (this file is src/lobster/files.ts, or dist/src/lobster/files.js). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!(existsSync(join(dir, 'package.json')) && basename(dir) !== 'dist')) {
    if (dirname(dir) === dir) throw new Error('cannot find the crossbook package root');
    dir = dirname(dir);
  }
  return dir;
}

/** samples/lobster inside the package: the shipped, gzip-compressed days (see its README). */
export function lobsterDataDir(): string {
  return join(packageRoot(), 'samples', 'lobster');
}

/** The three shipped days (NASDAQ 2012-06-21); throws a clear error when a file is missing. */
export function shippedDays(): LobsterDay[] {
  const dir = lobsterDataDir();
  const day = (symbol: string, levels: number): LobsterDay => ({
    symbol,
    levels,
    messages: join(dir, `${symbol}_2012-06-21_34200000_57600000_message_${levels}.csv.gz`),
    orderbook: join(dir, `${symbol}_2012-06-21_34200000_57600000_orderbook_${levels}.csv.gz`),
  });
  const days = [day('AAPL', 10), day('AMZN', 1), day('GOOG', 1)];
  for (const d of days) {
    for (const f of [d.messages, d.orderbook]) {
      if (!existsSync(f)) throw new Error(`shipped LOBSTER sample missing: ${f}`);
    }
  }
  return days;
}
