/**
 * src/core is pure and deterministic: it imports nothing outside itself (no node:*, no npm
 * packages) and reads no clock and no randomness. This test reads every core source file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const core = resolve(dirname(fileURLToPath(import.meta.url)), '../src/core');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sources(p);
    return d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') ? [p] : [];
  });
}

const IMPORT_RE =
  /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;
const FORBIDDEN = [
  /\bDate\b/,
  /Math\.random/,
  /\bprocess\./,
  /\bperformance\./,
  /\bsetTimeout\b/,
  /\bsetInterval\b/,
  /crypto\./,
];

describe('src/core purity', () => {
  const files = sources(core);

  it('has source files to check', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  for (const file of files) {
    const name = relative(core, file);
    it(`${name} imports only from inside src/core`, () => {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(IMPORT_RE)) {
        const spec = m[1] ?? m[2] ?? m[3];
        expect(spec.startsWith('.'), `${name} imports "${spec}"`).toBe(true);
        const target = resolve(dirname(file), spec);
        expect(target.startsWith(core), `${name} imports "${spec}" from outside src/core`).toBe(
          true,
        );
      }
    });

    it(`${name} reads no clock and no randomness`, () => {
      const code = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '')
        .replace(/'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g, "''");
      for (const re of FORBIDDEN) expect(re.test(code), `${name} uses ${re}`).toBe(false);
    });
  }

  it('would catch a forbidden import (the checker itself works)', () => {
    const bad = "import { readFileSync } from 'node:fs';\nimport x from 'left-pad';";
    const specs = [...bad.matchAll(IMPORT_RE)].map((m) => m[1]);
    expect(specs).toEqual(['node:fs', 'left-pad']);
  });
});
