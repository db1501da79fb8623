import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadInstrumentsFile } from '../src/server/index.js';

const dir = mkdtempSync(join(tmpdir(), 'crossbook-instruments-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function load(content: unknown): ReturnType<typeof loadInstrumentsFile> {
  const file = join(dir, 'i.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return loadInstrumentsFile(file);
}

describe('instruments file', () => {
  it('accepts numbers where the API accepts numbers', () => {
    expect(
      load([{ symbol: 'ACME', tickSize: 0.05, lotSize: 10, bandPct: 7.5, referencePrice: 12.35 }]),
    ).toEqual([
      { symbol: 'ACME', tickSize: '0.05', lotSize: '10', bandPct: '7.5', referencePrice: '12.35' },
    ]);
    expect(
      load({ instruments: [{ symbol: 'X', tickSize: '0.01', lotSize: '1', stp: 'cancelNewest' }] }),
    ).toEqual([{ symbol: 'X', tickSize: '0.01', lotSize: '1', stp: 'cancelNewest' }]);
  });

  it('names the instrument and the field and shows an example in every error', () => {
    const cases: [unknown, RegExp][] = [
      [
        [{ symbol: 'ACME', lotSize: '1' }],
        /instrument ACME: tickSize must be .*"tickSize": "0\.01".*it is missing/,
      ],
      [[{ symbol: 'ACME', tickSize: '0', lotSize: '1' }], /instrument ACME: tickSize .*got "0"/],
      [[{ symbol: 'ACME', tickSize: 1e-7, lotSize: '1' }], /instrument ACME: tickSize .*got 1e-7/],
      [
        [{ symbol: 'ACME', tickSize: '0.01', lotSize: -1 }],
        /instrument ACME: lotSize .*"lotSize": "1".*got -1/,
      ],
      [
        [{ symbol: 'ACME', tickSize: '0.01', lotSize: '1', referencePrice: 'soon' }],
        /instrument ACME: referencePrice .*"420\.00"/,
      ],
      [
        [{ symbol: 'ACME', tickSize: '0.01', lotSize: '1', stp: 'never' }],
        /instrument ACME: stp must be one of none, cancelNewest.*got "never"/,
      ],
      [
        [{ symbol: 'ACME', tickSize: '0.01', lotSize: '1', phase: 'open' }],
        /instrument ACME: phase must be one of preopen, continuous/,
      ],
      [
        [{ symbol: 'ACME', ticksize: '0.01', lotSize: '1' }],
        /instrument ACME: unknown field ticksize \(known: symbol, tickSize/,
      ],
      [
        [{ symbol: 'acme', tickSize: '0.01', lotSize: '1' }],
        /instrument acme: symbol must be 1 to 32 of A-Z .*"MSFT".*got "acme"/,
      ],
      [[{ tickSize: '0.01', lotSize: '1' }], /entry 0: symbol .*it is missing/],
      [['MSFT'], /entry 0 must be an object, e\.g\. \{"symbol":"MSFT"/],
      [[], /non-empty JSON array of instruments, e\.g\. \[\{"symbol"/],
      ['{', /Cannot read instruments file/],
    ];
    for (const [content, re] of cases)
      expect(() => load(content), JSON.stringify(content)).toThrow(re);
  });

  it('refuses a symbol defined twice', () => {
    const x = { symbol: 'ACME', tickSize: '0.01', lotSize: '1' };
    expect(() => load([x, { symbol: 'B', tickSize: '1', lotSize: '1' }, x])).toThrow(
      /instrument ACME \(entry 2\) is defined twice \(first at entry 0\)/,
    );
  });
});
