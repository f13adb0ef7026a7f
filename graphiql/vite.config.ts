// Bundles the GraphiQL playground (React 19, Monaco and its workers, fonts) into dist/graphiql so
// the server can serve it with no CDN: the page works offline and behind a firewall.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // src/http/graphiql.ts serves the assets under /graphiql/ and index.html at /graphql.
  base: '/graphiql/',
  publicDir: false,
  // No React plugin: esbuild's automatic JSX runtime is all the page needs.
  esbuild: { jsx: 'automatic' },
  // Monaco's language workers import modules, which only ES-module workers can do.
  worker: { format: 'es' },
  build: {
    outDir: fileURLToPath(new URL('../dist/graphiql/', import.meta.url)),
    emptyOutDir: true,
    // Monaco alone is several MB; the page is served locally, so size warnings are noise.
    chunkSizeWarningLimit: 10_000,
    reportCompressedSize: false,
    // Fonts and icons must never be fetched from elsewhere; small ones are inlined anyway.
    assetsInlineLimit: 4096,
    rollupOptions: {
      onwarn(warning, warn) {
        // Radix, headlessui and framer-motion mark modules "use client" for React Server
        // Components; in a client-only bundle the directive means nothing.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  logLevel: 'warn',
});
