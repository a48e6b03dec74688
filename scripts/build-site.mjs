#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Build the demo site's bundles into web/site/dist/, one flat folder that holds everything they load:
//   posenc-widgets.js  the custom elements (web/site/elements.js), for embedding in other pages;
//   site.js            the article and the single-widget page (web/site/main.js; index.html and
//                      embed.html load this);
//   lm-worker.js       the train-short-test-long widget's Web Worker (web/site/widgets/lm-worker.js);
//   cost-worker.js     the attention playground's cost measurement (web/site/widgets/cost-worker.js);
//   posenc-worker.js   the package's posenc/worker (web/package/worker.js), imported by the attention
//                      playground for its long lengths (a pool of workers), and worker-thread.js
//                      (web/package/worker-thread.js), the worker it starts (as new URL(
//                      './worker-thread.js', import.meta.url)), with a chunk they share: built
//                      apart from the site's bundles, so that it changes none of their chunks;
//   *-<hash>.js         code they share, and one chunk per widget (widgets/index.js imports each
//                      widget's module only when a page shows it);
//   style.css          web/site/style.css minified (elements.js holds the same text);
//   posenc_simd.wasm, posenc_base.wasm  the package's two builds: the first is fetched by every
//                      current browser, the second only where WebAssembly SIMD is missing.
// A page showing one widget loads its entry, the shared chunks, that widget's chunk, the stylesheet
// and one .wasm; the sizes are printed below (gzip level 9, as a static host would send them).
// Run after web/package/dist/ is filled (scripts/build.sh).
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, transform } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SITE = join(ROOT, 'web/site');
const PACKAGE = join(ROOT, 'web/package');
const OUT = join(SITE, 'dist');

// The package's lib/files.js names its .wasm files relative to itself (../dist/); in the bundle
// they sit beside every chunk.
const wasmBeside = {
  name: 'posenc-wasm-beside',
  setup(b) {
    b.onResolve({ filter: /^\.\/files\.js$/ }, (args) => (
      args.resolveDir === join(PACKAGE, 'lib') ? { path: 'files.js', namespace: 'posenc-wasm-beside' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'posenc-wasm-beside' }, () => ({
      contents: "export const wasmFiles = { simd: () => new URL('posenc_simd.wasm', import.meta.url), base: () => new URL('posenc_base.wasm', import.meta.url) };\n",
      loader: 'js',
    }));
  },
};

// The stylesheet, minified: imported as text by elements.js (adopted by each element's shadow root)
// and written as dist/style.css for index.html and embed.html.
const css = (await transform(readFileSync(join(SITE, 'style.css'), 'utf8'), { loader: 'css', minify: true, legalComments: 'none' })).code;
const minifiedCss = {
  name: 'posenc-minified-css',
  setup(b) {
    b.onLoad({ filter: /style\.css$/ }, () => ({ contents: css, loader: 'text' }));
  },
};

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const result = await build({
  entryPoints: {
    'posenc-widgets': join(SITE, 'elements.js'),
    site: join(SITE, 'main.js'),
    'lm-worker': join(SITE, 'widgets/lm-worker.js'),
    'cost-worker': join(SITE, 'widgets/cost-worker.js'),
  },
  bundle: true,
  splitting: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  // The entries find the site's folder (index.html, embed.html, embed.js) one level up.
  // and the package's posenc/worker as a file of its own (below; the source runs it from the package).
  define: { 'import.meta.posencSiteRoot': '"../"', 'import.meta.posencWorker': '"./posenc-worker.js"' },
  banner: { js: '// SPDX-License-Identifier: MIT\n// posenc demo site, built by scripts/build-site.mjs.' },
  loader: { '.css': 'text' },
  plugins: [wasmBeside, minifiedCss],
  outdir: OUT,
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  metafile: true,
  absWorkingDir: ROOT,
  logLevel: 'warning',
});
await build({
  entryPoints: { 'posenc-worker': join(PACKAGE, 'worker.js'), 'worker-thread': join(PACKAGE, 'worker-thread.js') },
  splitting: true,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  banner: { js: '// SPDX-License-Identifier: MIT\n// posenc demo site, built by scripts/build-site.mjs.' },
  plugins: [wasmBeside],
  outdir: OUT,
  entryNames: '[name]',
  chunkNames: 'worker-[hash]',
  absWorkingDir: ROOT,
  logLevel: 'warning',
});
writeFileSync(join(OUT, 'style.css'), `/* SPDX-License-Identifier: MIT */\n/* posenc demo site: web/site/style.css, minified by scripts/build-site.mjs. */\n${css}`);
for (const build of ['simd', 'base']) copyFileSync(join(PACKAGE, `dist/posenc_${build}.wasm`), join(OUT, `posenc_${build}.wasm`));

// What one widget costs: an entry, the chunks it imports statically, the widget's own chunk and
// what that imports statically, and the SIMD .wasm (plus, for the article's pages, style.css).
const outputs = result.metafile.outputs;
const gz = (file) => gzipSync(readFileSync(resolve(ROOT, file)), { level: 9 }).length;
const closure = (start) => {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of outputs[file]?.imports ?? []) if (i.kind === 'import-statement') visit(i.path);
  };
  visit(start);
  return seen;
};
const widgetChunk = (name) => Object.keys(outputs).find((file) => outputs[file].entryPoint === relative(ROOT, join(SITE, `widgets/${name}.js`)));
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const widgets = ['hero', 'embedding-sum', 'shuffle', 'learned', 'sinusoidal', 'shaw', 't5', 'rope', 'rope-scaling', 'alibi', 'models', 'attention', 'extrapolation'];
for (const [entry, extra] of [['posenc-widgets', []], ['site', [join(OUT, 'style.css')]]]) {
  const entryFile = relative(ROOT, join(OUT, `${entry}.js`));
  const sizes = widgets.map((widget) => {
    const files = new Set([...closure(entryFile), ...closure(widgetChunk(widget))]);
    return [widget, [...files].reduce((n, f) => n + gz(f), 0) + gz(join(OUT, 'posenc_simd.wasm')) + extra.reduce((n, f) => n + gz(f), 0)];
  });
  console.log(`one widget through web/site/dist/${entry}.js (its scripts${extra.length ? ', style.css' : ''} and posenc_simd.wasm, gzip -9):`);
  console.log(`  ${sizes.map(([w, n]) => `${w} ${kib(n)} (${(n / 1000).toFixed(1)} kB)`).join(', ')}`);
}
console.log(`web/site/dist/: ${Object.keys(outputs).length} scripts (${basename(OUT)}/), posenc_simd.wasm, posenc_base.wasm`);
