/**
 * Keeps the worked examples of docs/protocol.md true: every ```jsonl input block is run through
 * the real `crossbook replay`, and the ```jsonl output block right after it must be exactly what
 * the CLI printed. Run `npx tsx test/replay-docs-examples.ts --write` to refresh the outputs.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT } from './replay-helpers.js';

export const PROTOCOL_DOC = join(ROOT, 'docs', 'protocol.md');

const PAIR =
  /(```jsonl input\n)([\s\S]*?)(```\n+)((?:(?!```)[\s\S])*?)(```jsonl output\n)([\s\S]*?)(```)/g;

export interface Example {
  input: string;
  documented: string;
  actual: string;
}

/** Runs one example's input lines through the CLI and returns its stdout. */
export function runExample(input: string): string {
  const res = spawnSync(process.execPath, [BIN, 'replay'], { cwd: ROOT, input, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`crossbook replay failed: ${res.stderr}`);
  return res.stdout;
}

export function examples(markdown: string): Example[] {
  return [...markdown.matchAll(PAIR)].map((m) => ({
    input: m[2],
    documented: m[6],
    actual: runExample(m[2]),
  }));
}

/** The document with every output block replaced by what the CLI prints now. */
export function refresh(markdown: string): string {
  return markdown.replace(
    PAIR,
    (_all, open, input: string, close, between, outOpen, _out, outClose) =>
      `${open}${input}${close}${between}${outOpen}${runExample(input)}${outClose}`,
  );
}

if (process.argv[1]?.endsWith('replay-docs-examples.ts') && process.argv.includes('--write')) {
  const doc = readFileSync(PROTOCOL_DOC, 'utf8');
  writeFileSync(PROTOCOL_DOC, refresh(doc));
  console.log(`refreshed ${examples(doc).length} examples in ${PROTOCOL_DOC}`);
}
