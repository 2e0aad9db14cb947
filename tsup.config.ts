import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library: one entry per public subpath, ESM + CJS with per-condition declarations.
    entry: {
      index: 'src/index.ts',
      rpm: 'src/rpm/index.ts',
      alpm: 'src/alpm/index.ts',
      xbps: 'src/xbps/index.ts',
      aptrpm: 'src/aptrpm/index.ts',
      repod: 'src/repod/index.ts',
      forge: 'src/forge/index.ts',
      repository: 'src/repository/index.ts',
      validate: 'src/validate/index.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node22',
    splitting: true,
    treeshake: true,
  },
  {
    // The CLI is ESM only and is not part of the exports map.
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    dts: false,
    clean: false,
    sourcemap: true,
    target: 'node22',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
