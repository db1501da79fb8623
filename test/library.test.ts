/**
 * crossbook as a library, the way a user gets it: `npm pack`, then the tarball installed into a
 * fresh project with its own package.json. There the README's "Use it as a library" example is
 * type-checked with `tsc` and run with plain `node` (ESM), the other two entry points load (a
 * sharded engine starts its worker threads from the installed dist/), deep imports are refused,
 * and the installed `crossbook lobster` finds the shipped samples.
 *
 * The install is `npm ci` from a lockfile made of this repository's own (production entries
 * only, the same versions the tests ran with), with --prefer-offline: after the repository's
 * `npm ci` every tarball is in the npm cache, so nothing is downloaded. Install scripts are off
 * (better-sqlite3 is not compiled: nothing here opens a database).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(join(tmpdir(), 'crossbook-lib-'));
const app = join(tmp, 'app');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  overrides?: unknown;
};
const tarball = `crossbook-${pkg.version}.tgz`;
let packed: string[] = [];

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function sh(cmd: string, args: string[], cwd = app) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout ?? '', out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** The ```ts block of README's "Use it as a library" section, and the output it documents. */
function readmeExample(): { code: string; expected: string[] } {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Use it as a library'));
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('README: no ```ts example under "## Use it as a library"');
  const expected = [...m[1].matchAll(/^\/\/ (.*)$/gm)].map((x) => x[1]);
  return { code: m[1], expected };
}

/** A lockfile for the app: crossbook from the tarball plus the repo's production entries. */
function appLock(integrity: string): unknown {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  const me = lock.packages[''] as Record<string, unknown>;
  const packages: Record<string, unknown> = {
    '': { name: 'app', dependencies: { crossbook: `file:${tarball}` } },
    'node_modules/crossbook': {
      version: pkg.version,
      resolved: `file:${tarball}`,
      integrity,
      license: me.license,
      dependencies: pkg.dependencies,
      bin: me.bin,
      engines: me.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path !== '' && entry.dev !== true) packages[path] = entry;
  }
  return { name: 'app', lockfileVersion: 3, requires: true, packages };
}

beforeAll(() => {
  const pack = sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], root);
  expect(pack.code, pack.out).toBe(0);
  const info = JSON.parse(pack.stdout) as { files: { path: string }[]; integrity: string }[];
  packed = info[0].files.map((f) => f.path);
  sh('mkdir', ['-p', app], tmp);
  sh('mv', [join(tmp, tarball), join(app, tarball)], tmp);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({
      name: 'app',
      private: true,
      type: 'module',
      dependencies: { crossbook: `file:${tarball}` },
      overrides: pkg.overrides,
    }),
  );
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify(appLock(info[0].integrity)));
  const install = sh('npm', [
    'ci',
    '--ignore-scripts',
    '--prefer-offline',
    '--no-audit',
    '--no-fund',
  ]);
  expect(install.code, install.out).toBe(0);
  expect(install.out).not.toContain('EBADENGINE');
}, 180_000);

describe('the packed npm package', () => {
  it('ships the build, the CLI, the UI and the LOBSTER samples, and no tests', () => {
    for (const f of [
      'package.json',
      'README.md',
      'LICENSE',
      'bin/crossbook',
      'dist/src/core/index.js',
      'dist/src/core/index.d.ts',
      'dist/src/runtime/index.d.ts',
      'dist/src/server/index.d.ts',
      'dist/src/runtime/sharded/worker.js',
      'ui/dist/index.html',
      'samples/README.md',
      'samples/lobster/AAPL_2012-06-21_34200000_57600000_message_10.csv.gz',
    ]) {
      expect(packed, f).toContain(f);
    }
    const stray = packed.filter((f) =>
      /(^|\/)(test|bench)\/|\.test\.|harness|\.map$|^src\/|^samples\/itch|^docs\//.test(f),
    );
    expect(stray).toEqual([]);
  });

  it("README's library example type-checks with tsc and runs with node", () => {
    const { code, expected } = readmeExample();
    expect(expected.length).toBeGreaterThan(0);
    writeFileSync(join(app, 'example.ts'), code);
    writeFileSync(
      join(app, 'entry-points.ts'),
      `import { createEngine, type Engine } from 'crossbook/runtime';
import { startServer, DEMO_INSTRUMENTS } from 'crossbook/server';

const engine: Engine = createEngine({ mode: 'sharded', shards: 2 });
const events = await engine.submit({
  type: 'instrument',
  instrument: { symbol: 'MSFT', tickSize: '0.01', lotSize: '1' },
});
console.log(engine.mode, events.map((e) => e.type).join(','));
await engine.close();
console.log(typeof startServer, DEMO_INSTRUMENTS.length > 0);
`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          outDir: 'out',
          types: ['node'],
          typeRoots: [join(root, 'node_modules', '@types')],
          skipLibCheck: true,
        },
        files: ['example.ts', 'entry-points.ts'],
      }),
    );
    const tsc = sh(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc')]);
    expect(tsc.out).toBe('');
    expect(tsc.code).toBe(0);
    const run = sh(process.execPath, ['out/example.js']);
    expect(run.code, run.out).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual(expected);
    const entry = sh(process.execPath, ['out/entry-points.js']);
    expect(entry.code, entry.out).toBe(0);
    expect(entry.stdout.trim().split('\n')).toEqual(['sharded instrument', 'function true']);
  });

  it('the core entry point type-checks on its own, without skipLibCheck or @types/node', () => {
    writeFileSync(
      join(app, 'tsconfig.core.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          types: [],
          lib: ['ES2022'],
          skipLibCheck: false,
        },
        files: ['core-only.ts'],
      }),
    );
    // The example with no lib but ES2022: `console` is all it needs from outside crossbook.
    const { code } = readmeExample();
    writeFileSync(
      join(app, 'core-only.ts'),
      `declare const console: { log(...args: unknown[]): void };\n${code}`,
    );
    const tsc = sh(process.execPath, [
      join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      'tsconfig.core.json',
    ]);
    expect(tsc.out).toBe('');
    expect(tsc.code).toBe(0);
  });

  it('exposes only its three entry points', () => {
    const r = sh(process.execPath, [
      '--input-type=module',
      '-e',
      "await import('crossbook/dist/src/core/exchange.js').catch((e) => console.log(e.code));",
    ]);
    expect(r.stdout.trim()).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('the installed CLI replays the shipped LOBSTER samples from the package', () => {
    const r = sh(join(app, 'node_modules', '.bin', 'crossbook'), ['lobster', '--json'], tmp);
    expect(r.code, r.out).toBe(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { rows: number; mismatches: number });
    expect(rows.map((x) => x.rows)).toEqual([999, 57515, 49482]);
    expect(rows.every((x) => x.mismatches === 0)).toBe(true);
  });
});
