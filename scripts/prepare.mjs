#!/usr/bin/env node
/**
 * `npm run prepare`, which npm runs after `npm ci` / `npm install` in a checkout: builds dist/ and
 * ui/dist/ with the development tools (TypeScript, Vite). After `npm ci --omit=dev` those tools
 * are not installed: then an existing build is kept (the production install of a built checkout)
 * and a missing one is reported, without failing the install.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tools = ['typescript', 'vite'].filter(
  (p) => !existsSync(join(root, 'node_modules', p, 'package.json')),
);
if (tools.length > 0) {
  const built = existsSync(join(root, 'dist', 'src', 'cli', 'main.js'));
  console.error(
    built
      ? `crossbook: ${tools.join(', ')} not installed (npm ci --omit=dev): keeping the existing build in dist/`
      : `crossbook: ${tools.join(', ')} not installed (npm ci --omit=dev), so nothing was built: ` +
          'run `npm ci` with dev dependencies once (or `npm run build`), or install the npm package, which ships the build',
  );
  process.exit(0);
}
const npm = process.env.npm_execpath;
const r = npm
  ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: root, stdio: 'inherit' })
  : spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
