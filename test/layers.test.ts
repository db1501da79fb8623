/**
 * The dependency rules of docs/architecture.md, checked by scripts/check-layers.mjs (which
 * `npm run lint` runs): clean on this repository, and each rule fails on a small tree that breaks it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkLayers, readLayerTable } from '../scripts/check-layers.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const script = join(root, 'scripts', 'check-layers.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'crossbook-layers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the checker as `npm run lint` does: exit code and output. */
function run(dir: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [script, '--root', dir], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

/** The same check in this process (fast): exit code 1 when anything is reported. */
function check(dir: string): { code: number; out: string } {
  const errors = checkLayers(dir);
  return { code: errors.length > 0 ? 1 : 0, out: errors.join('\n') || 'imports follow' };
}

const TABLE = `# arch

<!-- layers:begin -->
| folder | may import |
|---|---|
| \`src/core\` | nothing |
| \`src/store\` | \`core\` |
| \`src/journal\` | \`core\`, \`store\` (types only) |
| \`src/runtime\` | \`core\`, \`journal\` |
| \`src/cli\` | \`core\`, \`runtime\` |
<!-- layers:end -->
`;

/** A small repository: files maps path -> text; the layer table above; one dev dependency. */
function tree(name: string, files: Record<string, string>): string {
  const dir = join(tmp, name);
  const all: Record<string, string> = {
    'docs/architecture.md': TABLE,
    'package.json': JSON.stringify({
      dependencies: { commander: '1' },
      devDependencies: { 'dev-only': '1' },
    }),
    'src/core/index.ts': 'export const x = 1;\n',
    'src/core/inner.ts': 'export const y = 2;\n',
    'src/store/index.ts': "export type { Row } from './types.js';\n",
    'src/store/types.ts': 'export interface Row { a: number }\n',
    'src/journal/index.ts': "import type { Row } from '../store/index.js';\nexport type J = Row;\n",
    'src/runtime/index.ts': "import { x } from '../core/index.js';\nexport const r = x;\n",
    'src/cli/main.ts':
      "import { Command } from 'commander';\nimport { r } from '../runtime/index.js';\nexport { Command, r };\n",
    ...files,
  };
  for (const [p, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

describe('layer rules (scripts/check-layers.mjs)', () => {
  it('hold on this repository', () => {
    const r = run(root);
    expect(r.out).toContain('imports follow docs/architecture.md');
    expect(r.code).toBe(0);
  });

  it('read their table from docs/architecture.md: a row for every src folder', () => {
    const table = readLayerTable(root);
    const folders = readdirSync(join(root, 'src'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    expect([...table.keys()].sort()).toEqual(folders.sort());
    expect([...table.get('core')!.keys()]).toEqual([]);
    expect(table.get('journal')!.get('store')).toBe(true); // types only
    expect(table.get('store')!.has('journal')).toBe(false);
  });

  it('fail with exit code 1 and the file and line of each violation', () => {
    const r = run(tree('cli', { 'src/core/bad.ts': "export { r } from '../runtime/index.js';\n" }));
    expect(r.code).toBe(1);
    expect(r.out).toContain('src/core/bad.ts:1: src/core may not import src/runtime');
    expect(r.out).toContain('check-layers: 2 violation(s)'); // and the cycle core <-> runtime
  });

  it('pass on a clean small tree', () => {
    const r = check(tree('clean', {}));
    expect(r.out).toContain('imports follow');
    expect(r.code).toBe(0);
  });

  it('catch a cycle between folders (journal <-> runtime)', () => {
    const r = check(
      tree('cycle', {
        'src/journal/index.ts':
          "import type { r } from '../runtime/index.js';\nexport type J = typeof r;\n",
        'src/runtime/j.ts': "import type { J } from '../journal/index.js';\nexport type R = J;\n",
      }),
    );
    expect(r.code).toBe(1);
    expect(r.out).toContain('src/journal/index.ts:1: src/journal may not import src/runtime');
    expect(r.out).toMatch(
      /cycle between src folders: (journal -> runtime.*runtime -> journal|runtime -> journal.*journal -> runtime)/,
    );
  });

  it('catch a deep import that bypasses index.ts', () => {
    const r = check(
      tree('deep', { 'src/runtime/x.ts': "export { y } from '../core/inner.js';\n" }),
    );
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      'src/runtime/x.ts:1: import src/core through its index.ts, not ../core/inner.js',
    );
  });

  it('catch an import against the direction of the table (store -> journal)', () => {
    const r = check(
      tree('upward', {
        'src/store/up.ts': "import type { J } from '../journal/index.js';\nexport type U = J;\n",
      }),
    );
    expect(r.code).toBe(1);
    expect(r.out).toContain('src/store/up.ts:1: src/store may not import src/journal');
  });

  it('catch a value import where the table allows types only', () => {
    const r = check(
      tree('types-only', {
        'src/store/index.ts': "export const s = 1;\nexport type { Row } from './types.js';\n",
        'src/journal/v.ts': "import { s } from '../store/index.js';\nexport const v = s;\n",
      }),
    );
    expect(r.code).toBe(1);
    expect(r.out).toContain('src/journal/v.ts:1: src/journal may import only types from src/store');
  });

  it('catch src importing bench/ or test/, statically or not', () => {
    const r = check(
      tree('outside', {
        'bench/index.ts': 'export const b = 1;\n',
        'test/helper.ts': 'export const t = 1;\n',
        'src/cli/b.ts': "import { b } from '../../bench/index.js';\nexport const c = b;\n",
        'src/runtime/t.ts': "export const load = () => import('../../test/helper.js');\n",
      }),
    );
    expect(r.code).toBe(1);
    expect(r.out).toContain('src/cli/b.ts:1: src must not import bench/');
    expect(r.out).toContain('src/runtime/t.ts:1: src must not import test/');
  });

  it('catch a static import of a dev-only package in src, but allow a lazy one', () => {
    const r = check(
      tree('devdep', {
        'src/cli/dev.ts': "import dev from 'dev-only';\nexport const d = dev;\n",
        'src/cli/lazy.ts': "export const load = () => import('dev-only');\n",
      }),
    );
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      'src/cli/dev.ts:1: imports dev-only, which is not a production dependency',
    );
    expect(r.out).not.toContain('src/cli/lazy.ts');
  });

  it('catch a src folder that is not in the table', () => {
    const r = check(tree('unknown', { 'src/extra/index.ts': 'export const e = 1;\n' }));
    expect(r.code).toBe(1);
    expect(r.out).toContain('src/extra: not in the layer table of docs/architecture.md');
  });
});
