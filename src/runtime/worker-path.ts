import { fileURLToPath } from 'node:url';

/**
 * Worker threads always run compiled JavaScript from dist/, even when the caller is TypeScript run
 * by vitest or tsx: `src/runtime/x.ts` maps to `dist/src/runtime/x.js`. `npm test` builds first.
 */
export function workerPath(moduleUrl: string, relative: string): string {
  const target = new URL(relative, moduleUrl);
  const path = fileURLToPath(target);
  if (!path.endsWith('.ts')) return path;
  // Already running from dist/ (the compiled caller still names its sibling `x.ts`).
  if (path.includes('/dist/src/')) return path.replace(/\.ts$/, '.js');
  const at = path.lastIndexOf('/src/');
  return (path.slice(0, at) + '/dist' + path.slice(at)).replace(/\.ts$/, '.js');
}
