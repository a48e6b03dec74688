#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// The package's one-file builds, which need no other file at run time:
//   web/package/dist/posenc-inline.mjs  ES module (`import { init } from 'posenc/inline'`);
//   web/package/dist/posenc.iife.js     classic script defining the global `posenc`, for a
//                                       <script src> from a CDN (the package's unpkg/jsdelivr file).
// Both are esbuild bundles of web/package/index.js in which lib/files.js (where the .wasm files are)
// is replaced by a module that holds the bytes of both builds (base64). Run after web/package/dist/ has
// the glue and the .wasm files (scripts/build.sh).
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGE = join(ROOT, 'web/package');

/** esbuild plugin: the package's lib/files.js becomes the .wasm bytes of both builds. */
function wasmFiles() {
  return {
    name: 'posenc-inline-wasm',
    setup(b) {
      b.onResolve({ filter: /^\.\/files\.js$/ }, (args) => (
        args.resolveDir === join(PACKAGE, 'lib') ? { path: 'files.js', namespace: 'posenc-inline-wasm' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'posenc-inline-wasm' }, () => {
        const base64 = (build) => readFileSync(join(PACKAGE, `dist/posenc_${build}.wasm`)).toString('base64');
        return {
          contents: `// The .wasm of both builds, inlined by scripts/one-file.mjs.
const SIMD = '${base64('simd')}';
const BASE = '${base64('base')}';
function bytes(text) {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
export const wasmFiles = { simd: () => bytes(SIMD), base: () => bytes(BASE) };
`,
          loader: 'js',
        };
      });
    },
  };
}
const inlineWasm = wasmFiles();

/** Print a bundle's size. */
function report(file) {
  const kib = (n) => (n / 1024).toFixed(0);
  console.log(`${file}: ${kib(statSync(file).size)} KiB (${kib(gzipSync(readFileSync(file)).length)} KiB gzip)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const banner = '// SPDX-License-Identifier: MIT\n// posenc (https://www.npmjs.com/package/posenc), one-file build with the WebAssembly inlined. Built by scripts/one-file.mjs.';
  const common = {
    entryPoints: [join(PACKAGE, 'index.js')], bundle: true, target: 'es2022', banner: { js: banner },
    legalComments: 'none', plugins: [inlineWasm], logLevel: 'warning',
  };
  const outputs = [
    { format: 'esm', outfile: join(PACKAGE, 'dist/posenc-inline.mjs') },
    // A classic script has no import.meta; the glue reads import.meta.url only to find files, which
    // it never does here (index.js hands it the compiled module).
    { format: 'iife', globalName: 'posenc', define: { 'import.meta.url': 'undefined' }, outfile: join(PACKAGE, 'dist/posenc.iife.js') },
  ];
  for (const output of outputs) {
    await build({ ...common, ...output });
    report(output.outfile);
  }
}
