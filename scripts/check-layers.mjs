#!/usr/bin/env node
/**
 * Checks the dependency rules of docs/architecture.md on the import graph (run by `npm run lint`,
 * so by `npm test`; `test/layers.test.ts` shows that each rule can fail):
 *
 * 1. A folder of src/ imports only the src/ folders its row of the layer table allows (the table
 *    between the `layers:begin` and `layers:end` markers in docs/architecture.md; a name followed
 *    by "(types only" allows type imports only), and a folder missing from the table is an error.
 * 2. Across src/ folders, and from bench/ or ui/ into src/, imports go through the folder's
 *    index.ts, never a file inside it.
 * 3. No cycle between src/ folders.
 * 4. src/ never imports bench/, test/ or ui/; the only exception is a dynamic import() (and its
 *    type) listed in LAZY below: a command that loads bench/ when it runs. ui/ imports src/ for
 *    types only.
 * 5. A static, non-type import of an npm package in src/ names a production dependency (package
 *    `dependencies`): `npm ci --omit=dev` must be enough to run the CLI and the server. Dev-only
 *    packages may be loaded with a dynamic import() that says what to install when missing.
 *
 * Type-only imports count for rules 1-4 (they are dependencies of the design). Unit tests inside
 * src (*.test.ts) are exempt: they are white-box tests of their folder, like test/.
 *
 * Usage: node scripts/check-layers.mjs [--root DIR]. Exit 0 when clean, 1 with one line per
 * violation.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

/** Dynamic imports from src/ to outside src/ that are allowed: file -> target (repo-relative). */
const LAZY = new Map([['src/cli/commands/bench.ts', 'bench/index.ts']]);

const SOURCE = /\.(ts|tsx|mts)$/;

/** Every source file under dir (repo-relative, forward slashes), skipping build output. */
function sources(root, dir) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { withFileTypes: true }).flatMap((d) => {
    const rel = `${dir}/${d.name}`;
    if (d.isDirectory())
      return d.name === 'dist' || d.name === 'node_modules' ? [] : sources(root, rel);
    return SOURCE.test(d.name) && !d.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** The imports of one file: { spec, dynamic, typeOnly, line }. */
export function importsOf(text, fileName) {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const out = [];
  const add = (node, spec, dynamic, typeOnly) => {
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
    out.push({ spec, dynamic, typeOnly, line });
  };
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const c = node.importClause;
      const typeOnly =
        c !== undefined &&
        (c.isTypeOnly ||
          (c.name === undefined &&
            c.namedBindings !== undefined &&
            ts.isNamedImports(c.namedBindings) &&
            c.namedBindings.elements.length > 0 &&
            c.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node, node.moduleSpecifier.text, false, typeOnly);
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const typeOnly =
        node.isTypeOnly ||
        (node.exportClause !== undefined &&
          ts.isNamedExports(node.exportClause) &&
          node.exportClause.elements.length > 0 &&
          node.exportClause.elements.every((e) => e.isTypeOnly));
      add(node, node.moduleSpecifier.text, false, typeOnly);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments.length > 0 &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      add(node, node.arguments[0].text, true, false);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      add(node, node.argument.literal.text, false, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/**
 * Parses the layer table of docs/architecture.md: Map folder -> Map(folder it may import ->
 * true when only type imports are allowed).
 */
export function readLayerTable(root) {
  const doc = join(root, 'docs', 'architecture.md');
  const text = readFileSync(doc, 'utf8');
  const m = /<!-- layers:begin -->([\s\S]*?)<!-- layers:end -->/.exec(text);
  if (!m) throw new Error(`${doc}: no layer table between <!-- layers:begin/end --> markers`);
  const table = new Map();
  for (const row of m[1].split('\n')) {
    const cells = row.split('|').map((c) => c.trim());
    const folder = /^`src\/([a-z0-9-]+)`$/.exec(cells[1] ?? '');
    if (!folder) continue;
    const allowed = new Map();
    for (const x of (cells[2] ?? '').matchAll(/`([a-z0-9-]+)`( \(types only)?/g)) {
      allowed.set(x[1], x[2] !== undefined);
    }
    table.set(folder[1], allowed);
  }
  if (table.size === 0) throw new Error(`${doc}: the layer table has no rows`);
  return table;
}

/** Repo-relative path of the file an import resolves to (.js -> .ts), or null for a package. */
function resolveRelative(root, from, spec) {
  if (!spec.startsWith('.')) return null;
  const abs = resolve(root, dirname(from), spec);
  let rel = relative(root, abs).split(sep).join('/');
  rel = rel
    .replace(/\.js$/, '.ts')
    .replace(/\.mjs$/, '.mts')
    .replace(/\.jsx$/, '.tsx');
  return rel;
}

function packageName(spec) {
  if (spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0])) return null;
  const parts = spec.split('/');
  return spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** Finds one cycle in a folder graph (Map name -> Set of names), or null. */
function findCycle(graph) {
  const state = new Map();
  const stack = [];
  const dfs = (n) => {
    state.set(n, 1);
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 1) return [...stack.slice(stack.indexOf(m)), m];
      if (!state.has(m)) {
        const c = dfs(m);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, 2);
    return null;
  };
  for (const n of graph.keys()) {
    if (!state.has(n)) {
      const c = dfs(n);
      if (c) return c;
    }
  }
  return null;
}

/** Checks the repository at root; returns the violations, one string each. */
export function checkLayers(root) {
  const errors = [];
  const table = readLayerTable(root);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const prodDeps = new Set(Object.keys(pkg.dependencies ?? {}));
  const graph = new Map();
  const edgeWhere = new Map();

  for (const [folder, allowed] of table) {
    for (const a of allowed.keys()) {
      if (!table.has(a))
        errors.push(`docs/architecture.md: src/${folder} may import unknown folder ${a}`);
    }
  }

  const files = [...sources(root, 'src'), ...sources(root, 'bench'), ...sources(root, 'ui/src')];
  for (const file of files) {
    if (file.startsWith('src/') && file.endsWith('.test.ts')) continue;
    const area = file.startsWith('src/') ? 'src' : file.startsWith('bench/') ? 'bench' : 'ui';
    const folder = area === 'src' && file.split('/').length > 2 ? file.split('/')[1] : null;
    if (folder !== null && !table.has(folder) && !graph.has(folder)) {
      errors.push(
        `src/${folder}: not in the layer table of docs/architecture.md; add a row saying what it may import`,
      );
    }
    if (folder !== null) graph.set(folder, graph.get(folder) ?? new Set());
    const text = readFileSync(join(root, file), 'utf8');
    for (const imp of importsOf(text, file)) {
      const at = `${file}:${imp.line}`;
      const target = resolveRelative(root, file, imp.spec);
      if (target === null) {
        const name = packageName(imp.spec);
        if (
          area === 'src' &&
          name !== null &&
          !imp.dynamic &&
          !imp.typeOnly &&
          !prodDeps.has(name)
        ) {
          errors.push(
            `${at}: imports ${name}, which is not a production dependency; load it lazily with import() or add it to dependencies`,
          );
        }
        continue;
      }
      const [tArea, tFolder] = target.split('/');
      if (area === 'src' && tArea !== 'src') {
        if ((imp.dynamic || imp.typeOnly) && LAZY.get(file) === target) continue;
        errors.push(`${at}: src must not import ${tArea}/ (${imp.spec})`);
        continue;
      }
      if (area === 'bench' && tArea === 'test') {
        errors.push(`${at}: bench must not import test/ (${imp.spec})`);
        continue;
      }
      if (tArea !== 'src' || target.split('/').length < 3) continue;
      if (area === 'ui' && !imp.typeOnly) {
        errors.push(`${at}: ui may import src/ for types only (${imp.spec})`);
      }
      if (tFolder === folder) continue;
      if (target !== `src/${tFolder}/index.ts`) {
        errors.push(`${at}: import src/${tFolder} through its index.ts, not ${imp.spec}`);
      }
      if (folder === null) continue;
      graph.get(folder).add(tFolder);
      if (!edgeWhere.has(`${folder}>${tFolder}`)) edgeWhere.set(`${folder}>${tFolder}`, at);
      const allowed = table.get(folder);
      if (allowed !== undefined && !allowed.has(tFolder)) {
        errors.push(
          `${at}: src/${folder} may not import src/${tFolder} (layer table in docs/architecture.md)`,
        );
      } else if (allowed?.get(tFolder) === true && !imp.typeOnly) {
        errors.push(
          `${at}: src/${folder} may import only types from src/${tFolder} (layer table in docs/architecture.md)`,
        );
      }
    }
  }
  const cycle = findCycle(graph);
  if (cycle) {
    const where = cycle
      .slice(0, -1)
      .map((n, i) => `${n} -> ${cycle[i + 1]} (${edgeWhere.get(`${n}>${cycle[i + 1]}`)})`);
    errors.push(`cycle between src folders: ${where.join(', ')}`);
  }
  return errors;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const at = process.argv.indexOf('--root');
  const root =
    at >= 0
      ? resolve(process.argv[at + 1])
      : resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const errors = checkLayers(root);
  for (const e of errors) console.error(e);
  if (errors.length > 0) {
    console.error(
      `check-layers: ${errors.length} violation(s) of the rules in docs/architecture.md`,
    );
    process.exit(1);
  }
  console.log('check-layers: imports follow docs/architecture.md');
}
