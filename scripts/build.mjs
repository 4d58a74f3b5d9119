// Bundles the extension and the CLI with esbuild. tsc only type-checks (npm run typecheck).
// Usage: node scripts/build.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  legalComments: 'none',
};

const builds = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // The offline checks worker threads (src/core/offline/pool.ts), loaded from beside dist/cli.js and dist/extension.js.
  { ...common, entryPoints: ['src/core/offline/worker.ts'], outfile: 'dist/offlineWorker.js' },
];

// Offline checks: web-tree-sitter's runtime and the grammars load at run time from dist/grammars/
// (kept out of the JS bundle). Only these files ship; keep the list equal to wasmFiles() in
// src/core/offline/grammars.ts (a unit test checks).
const GRAMMAR_WASM = [
  'tree-sitter.wasm',
  'tree-sitter-typescript.wasm',
  'tree-sitter-tsx.wasm',
  'tree-sitter-javascript.wasm',
  'tree-sitter-python.wasm',
  'tree-sitter-go.wasm',
];
const grammarSource = path.join(path.dirname(createRequire(import.meta.url).resolve('@vscode/tree-sitter-wasm')));
fs.mkdirSync('dist/grammars', { recursive: true });
for (const file of GRAMMAR_WASM) fs.copyFileSync(path.join(grammarSource, file), path.join('dist/grammars', file));

if (watch) {
  for (const options of builds) (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
