import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The trading UI: Preact with esbuild's automatic JSX runtime (no plugin needed), built to
 * ui/dist, which `crossbook serve` serves at /. `vite ui` proxies the API to a local server.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/ws': { target: 'ws://127.0.0.1:8080', ws: true },
    },
  },
});
