/**
 * Keeps the worked examples of docs/protocol.md true: every ```jsonl input block is run through
 * the real `crossbook replay`, and the ```jsonl output block right after it must be exactly what
 * the CLI printed. Run `npx tsx test/replay-docs-examples.ts --write` to refresh the outputs.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, runCli } from './replay-helpers.js';

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

/** Every example of the document with what the CLI prints for it now (runs 4 at a time). */
export async function examples(markdown: string): Promise<Example[]> {
  const found = [...markdown.matchAll(PAIR)].map((m) => ({ input: m[2], documented: m[6] }));
  const out: Example[] = [];
  for (let i = 0; i < found.length; i += 4) {
    const batch = found.slice(i, i + 4);
    const actual = await Promise.all(batch.map((e) => runCli(['replay'], { input: e.input })));
    batch.forEach((e, k) => {
      if (actual[k].code !== 0) throw new Error(`crossbook replay failed: ${actual[k].stderr}`);
      out.push({ ...e, actual: actual[k].stdout });
    });
  }
  return out;
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
  console.log(`refreshed the examples in ${PROTOCOL_DOC}`);
}
