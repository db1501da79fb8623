import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, loadInstrumentsFile, resolveConfig } from '../src/server/index.js';

const dir = mkdtempSync(join(tmpdir(), 'crossbook-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('server configuration', () => {
  it('defaults to single mode on 127.0.0.1:8080 with ./data and fsync batch', () => {
    const c = resolveConfig({ env: {} });
    expect(c).toEqual(DEFAULT_CONFIG);
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      mode: 'single',
      fsync: 'batch',
      dataDir: './data',
      logLevel: 'warn',
    });
  });

  it('layers config file < environment < flags', () => {
    const file = join(dir, 'c.json');
    writeFileSync(
      file,
      JSON.stringify({ port: 9000, mode: 'sharded', shards: 3, fsync: 'off', dataDir: '/tmp/x' }),
    );
    const c = resolveConfig({
      flags: { config: file, port: '9100' },
      env: {
        CROSSBOOK_PORT: '9050',
        CROSSBOOK_FSYNC: 'always',
        CROSSBOOK_STORE: 'postgres://db/x',
      },
    });
    expect(c).toMatchObject({
      port: 9100,
      mode: 'sharded',
      shards: 3,
      fsync: 'always',
      dataDir: '/tmp/x',
      store: 'postgres://db/x',
    });
  });

  it('refuses bad values with a clear message', () => {
    expect(() => resolveConfig({ flags: { port: '99999' } })).toThrow(
      /port must be an integer from 0 to 65535/,
    );
    expect(() => resolveConfig({ env: { CROSSBOOK_MODE: 'fast' } })).toThrow(
      /environment: mode must be one of/,
    );
    expect(() => resolveConfig({ flags: { fsync: 'sometimes' } })).toThrow(
      /fsync must be one of always, batch, off/,
    );
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ colour: 'blue' }));
    expect(() => resolveConfig({ flags: { config: bad } })).toThrow(/unknown setting colour/);
    writeFileSync(bad, '{');
    expect(() => resolveConfig({ flags: { config: bad } })).toThrow(/Cannot read config file/);
  });

  it('reads an instruments file and checks it', () => {
    const file = join(dir, 'i.json');
    writeFileSync(
      file,
      JSON.stringify([
        {
          symbol: 'BTC-USD',
          tickSize: '0.5',
          lotSize: '0.001',
          bandPct: '20',
          referencePrice: '60000',
        },
      ]),
    );
    expect(loadInstrumentsFile(file)).toEqual([
      {
        symbol: 'BTC-USD',
        tickSize: '0.5',
        lotSize: '0.001',
        bandPct: '20',
        referencePrice: '60000',
      },
    ]);
    writeFileSync(file, JSON.stringify([{ symbol: 'X', tickSize: 'zero', lotSize: '1' }]));
    expect(() => loadInstrumentsFile(file)).toThrow(/tickSize/);
  });
});
