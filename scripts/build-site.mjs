#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Build the one-file bundle of the demo site's widgets, web/site/posenc-widgets.js: web/site/elements.js
// (custom elements) + the package + the widgets + style.css in one ES module, made by esbuild with
// the SIMD build's .wasm inlined (scripts/one-file.mjs). The baseline build, which only a browser
// without WebAssembly SIMD needs, is web/site/posenc_base.wasm beside it, fetched only there: every
// current browser loads this one file and nothing else (the baseline inlined as well would add
// 100 KiB gzipped to every reader's download). Run after web/package/dist/ is filled (scripts/build.sh).
import { copyFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { report, wasmFiles } from './one-file.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(ROOT, 'web/site/posenc-widgets.js');
await build({
  entryPoints: [join(ROOT, 'web/site/elements.js')],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  banner: { js: '// SPDX-License-Identifier: MIT\n// posenc-widgets.js: posenc (WebAssembly SIMD inlined; posenc_base.wasm beside it for browsers without SIMD) and its demo widgets as custom elements. Built by scripts/build-site.mjs.' },
  loader: { '.css': 'text' },
  plugins: [wasmFiles({ base: 'beside' })],
  outfile: target,
  logLevel: 'warning',
});
copyFileSync(join(ROOT, 'web/package/dist/posenc_base.wasm'), join(ROOT, 'web/site/posenc_base.wasm'));
report(target);
