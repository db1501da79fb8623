/**
 * Real-browser helpers for the UI tests: Debian's chromium driven by playwright-core, and the
 * built UI (ui/dist), rebuilt here when it is missing or older than its sources.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CROSSBOOK_CHROMIUM ?? '/usr/bin/chromium';

/** The flags from DESIGN.md §10; no --user-data-dir (playwright makes a temp profile). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * True when chromium can be launched. When it is missing: a loud warning and false (the suite
 * skips), or a thrown error under CROSSBOOK_REQUIRE_SYSTEM_DEPS=1 (CI must not skip silently).
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const msg = `chromium not found at ${CHROMIUM_PATH}: install it (apt-get install -y --no-install-recommends chromium)`;
  if (process.env.CROSSBOOK_REQUIRE_SYSTEM_DEPS === '1') throw new Error(msg);
  console.warn(`\n!!! SKIPPING the browser UI tests: ${msg}\n`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

/** Builds ui/dist with vite when it is missing or older than ui/src; returns its path. */
export async function ensureUiBuilt(root = process.cwd()): Promise<string> {
  const ui = join(root, 'ui');
  const dist = join(ui, 'dist');
  const index = join(dist, 'index.html');
  const stale =
    !existsSync(index) ||
    statSync(index).mtimeMs <
      Math.max(newestMtime(join(ui, 'src')), statSync(join(ui, 'index.html')).mtimeMs);
  if (stale) {
    const { build } = await import('vite');
    await build({ root: ui, configFile: join(ui, 'vite.config.ts'), logLevel: 'warn' });
  }
  if (!existsSync(index)) {
    throw new Error(
      `${index} is missing after the build: run \`npm run build:ui\` and read its output`,
    );
  }
  return dist;
}
