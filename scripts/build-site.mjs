#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Build the one-file bundle of the demo site's widgets, web/site/posenc-widgets.js: web/site/elements.js
// (custom elements) + the package + the widgets + style.css in one ES module, made by esbuild with
// the .wasm of both builds inlined (scripts/one-file.mjs). Run after web/package/dist/ is filled
// (scripts/build.sh). The result has no other file to fetch: copy it anywhere.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { inlineWasm, report } from './one-file.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(ROOT, 'web/site/posenc-widgets.js');
await build({
  entryPoints: [join(ROOT, 'web/site/elements.js')],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  banner: { js: '// SPDX-License-Identifier: MIT\n// posenc-widgets.js: posenc (WebAssembly inlined) and its demo widgets as custom elements. Built by scripts/build-site.mjs.' },
  loader: { '.css': 'text' },
  plugins: [inlineWasm],
  outfile: target,
  logLevel: 'warning',
});
report(target);
