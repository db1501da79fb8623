import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LobsterBook,
  lobsterDataDir,
  matchingCheck,
  readMessages,
  readOrderbook,
  replayDay,
  shippedDays,
} from '../src/lobster/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(join(tmpdir(), 'crossbook-lobster-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ITCH_SHA256 = '6eb643216cb4f0a1960457ca95d88a9fad167f5152841dd94c460dcddf58063b';
const ITCH_TYPES = ['H', 'R', 'S', 'Y'];

describe('LOBSTER replay of the shipped NASDAQ days', () => {
  it('reads the gzip-compressed copies shipped in samples/lobster, inside the repository', () => {
    expect(lobsterDataDir()).toBe(join(root, 'samples', 'lobster'));
    const days = shippedDays();
    expect(days.map((d) => d.symbol)).toEqual(['AAPL', 'AMZN', 'GOOG']);
    for (const d of days) {
      expect(d.messages.startsWith(root + '/samples/lobster/')).toBe(true);
      expect(d.messages.endsWith('.csv.gz')).toBe(true);
    }
  });

  for (const day of shippedDays()) {
    it(`${day.symbol} (${day.levels} level(s)) reconstructs with 0 mismatches`, async () => {
      const r = await replayDay({ messages: day.messages, orderbook: day.orderbook });
      expect(r.rows).toBeGreaterThan(900);
      expect(r.firstMismatches).toEqual([]);
      expect(r.mismatches).toBe(0);
    });
  }

  it('AAPL level 10: crossbook fills the same resting orders, in order, as NASDAQ', async () => {
    const day = shippedDays().find((d) => d.symbol === 'AAPL')!;
    const r = matchingCheck(await readMessages(day.messages), await readOrderbook(day.orderbook));
    expect(r.firstMisses).toEqual([]);
    expect(r.total).toBeGreaterThan(50);
    expect(r.matched).toBe(r.total);
  });

  it('the check is strict: a corrupted message is caught as a mismatch', async () => {
    const day = shippedDays().find((d) => d.symbol === 'AAPL')!;
    const msgs = await readMessages(day.messages);
    const ob = await readOrderbook(day.orderbook);
    // Inflate one visible new order: its level must disagree with the file from then on.
    const row = msgs.type.findIndex((t, i) => t === 1 && i > 100);
    msgs.size[row] += 7;
    const stats = new LobsterBook(msgs, ob).replay();
    expect(stats.mismatches).toBeGreaterThan(0);
  });

  it('a plain .csv and its .csv.gz read to the same rows', async () => {
    const day = shippedDays().find((d) => d.symbol === 'AAPL')!;
    const plainMsgs = join(tmp, 'AAPL_message_10.csv');
    const plainBook = join(tmp, 'AAPL_orderbook_10.csv');
    writeFileSync(plainMsgs, gunzipSync(readFileSync(day.messages)));
    writeFileSync(plainBook, gunzipSync(readFileSync(day.orderbook)));
    const [a, b] = [await readMessages(day.messages), await readMessages(plainMsgs)];
    expect(b.rows).toBe(a.rows);
    expect(Array.from(b.id)).toEqual(Array.from(a.id));
    expect(Array.from(b.price)).toEqual(Array.from(a.price));
    const [c, d] = [await readOrderbook(day.orderbook), await readOrderbook(plainBook)];
    expect(d.levels).toBe(10);
    expect(Array.from(d.data)).toEqual(Array.from(c.data));
    const r = await replayDay({ messages: plainMsgs, orderbook: plainBook });
    expect(r.mismatches).toBe(0);
  });

  it('rejects a missing file, a corrupt .gz and a bad row with clear errors', async () => {
    await expect(readMessages('/nonexistent/x_message_1.csv')).rejects.toThrow(/not found/);
    const bad = join(tmp, 'bad_message_1.csv.gz');
    writeFileSync(bad, 'this is not gzip');
    await expect(readMessages(bad)).rejects.toThrow(/bad_message_1\.csv\.gz: not a valid gzip/);
    const row = join(tmp, 'row_message_1.csv');
    writeFileSync(row, '34200.1,1,5,100,5850000,1\n34200.2,9,6,100,5850000,1\n');
    await expect(readMessages(row)).rejects.toThrow(/row_message_1\.csv:2: bad event type 9/);
  });
});

describe('the shipped ITCH sample', () => {
  it('is 1000 length-prefixed NASDAQ TotalView-ITCH 5.0 messages, unchanged (sha256)', () => {
    const raw = gunzipSync(readFileSync(join(root, 'samples/itch/itch50_first1000msgs.itch.gz')));
    expect(createHash('sha256').update(raw).digest('hex')).toBe(ITCH_SHA256);
    const types = new Map<string, number>();
    let at = 0;
    let count = 0;
    while (at < raw.length) {
      const len = raw.readUInt16BE(at);
      expect(len).toBeGreaterThan(0);
      const type = String.fromCharCode(raw[at + 2]);
      types.set(type, (types.get(type) ?? 0) + 1);
      at += 2 + len;
      count++;
    }
    expect(at).toBe(raw.length);
    expect(count).toBe(1000);
    // System event (S) first, then stock directory (R), trading action (H), Reg SHO (Y).
    expect(String.fromCharCode(raw[2])).toBe('S');
    expect([...types.keys()].sort()).toEqual(ITCH_TYPES);
  });
});

/** SHA-256 per file, from the table in samples/README.md (so the provenance note stays true). */
function documentedHashes(): Map<string, string> {
  const text = readFileSync(join(root, 'samples/README.md'), 'utf8');
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^\| `([A-Z]+_[^`]+)` \|.*`([0-9a-f]{64})` \|$/gm)) {
    out.set(`${m[1]}.csv.gz`, m[2]);
  }
  return out;
}

describe('the shipped samples are the published originals', () => {
  it('every LOBSTER file decompresses to the SHA-256 documented in samples/README.md', () => {
    const hashes = documentedHashes();
    expect(hashes.size).toBe(6);
    for (const d of shippedDays()) {
      for (const f of [d.messages, d.orderbook]) {
        const name = f.slice(f.lastIndexOf('/') + 1);
        const sum = createHash('sha256')
          .update(gunzipSync(readFileSync(f)))
          .digest('hex');
        expect([name, sum]).toEqual([name, hashes.get(name)]);
      }
    }
  });
});
