#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// The consumer matrix: the packed tarball (build/pack/posenc-*.tgz) used as apps use it, each app
// loaded in Debian's chromium (or run by Node) with its result checked and no console error:
//   vite6, vite7, vite8   dev server and production build, on the page and in a module worker;
//                         for 6 and 7 also the dev server without the setting (init()'s error);
//   webpack5              production build, page and worker;
//   esbuild               the .wasm files through --loader:.wasm=file, and posenc/inline;
//   rollup                posenc/inline with node-resolve;
//   static pages          an import map; a cross-origin "CDN" (another origin, CORS) serving the ES
//                         module, the inline ES module and the IIFE (<script src>, global posenc);
//   node                  ESM and CommonJS (import()), no process-wide handlers, Node < 20.16
//                         simulated;
//   typescript            tsc 5 strict with moduleResolution bundler, node16 and nodenext.
// Each app is tests/bundlers/<name>/ (package.json, package-lock.json, the bundler's config, exactly
// what the README's "Using posenc with your bundler" says) plus the shared tests/bundlers/app/; it is
// copied to build/bundlers/<name>/, installed with `npm ci`, and given the tarball with npm install.
//
//   node tests/bundlers/run.mjs [--only vite8,node,...]
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { cpSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = resolve(HERE, '../..');
const WORK = join(ROOT, 'build/bundlers');
const PACK = join(ROOT, 'build/pack');
const TARBALL = join(PACK, readdirSync(PACK).find((f) => /^posenc-.*\.tgz$/.test(f)) ?? 'posenc-missing.tgz');
const VERSION = TARBALL.match(/posenc-(.*)\.tgz$/)[1];
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1].split(',') : null;
const wanted = (name) => !only || only.includes(name);
const run = promisify(execFile);

// Row 3 of the sinusoidal table of width 8 (Vaswani et al.), in float64: the expected values.
const EXPECTED = Array.from({ length: 8 }, (_, c) => {
  const angle = 3 / 10000 ** ((c - (c % 2)) / 8);
  return c % 2 ? Math.cos(angle) : Math.sin(angle);
});

/** Check one app's results ({ auto, base } from app/report.js). */
function checkResults(name, value) {
  assert.equal(value.error, undefined, `${name}: ${value.error}`);
  assert.equal(value.auto.simd, true, `${name}: chromium and Node have WebAssembly SIMD, so 'auto' loads the SIMD build`);
  assert.equal(value.base.simd, false, `${name}: simd: false loads the baseline build`);
  for (const build of ['auto', 'base']) {
    const row = value[build].row;
    assert.equal(row.length, 8, `${name} ${build}: row length`);
    row.forEach((v, i) => assert.ok(Math.abs(v - EXPECTED[i]) < 1e-6, `${name} ${build}: PE[3][${i}] = ${v}, expected ${EXPECTED[i]}`));
  }
}

// ---- apps: copied, installed -------------------------------------------------------------------

async function npm(cwd, ...args) {
  await run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, maxBuffer: 1 << 26 });
}

/** build/bundlers/<name>: tests/bundlers/app/ + tests/bundlers/<name>/, bundler from its lockfile, posenc from the tarball. */
async function prepare(name) {
  const started = Date.now();
  const dir = join(WORK, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(HERE, 'app'), dir, { recursive: true });
  cpSync(join(HERE, name), dir, { recursive: true });
  if (existsSync(join(dir, 'package-lock.json'))) {
    await npm(dir, 'ci', '--prefer-offline');  // a warm npm cache is used without asking the registry again
    await npm(dir, 'install', '--no-save', '--prefer-offline', TARBALL);
  } else {
    await npm(dir, 'install', '--no-save', '--no-package-lock', '--prefer-offline', TARBALL);
  }
  console.log(`# ${name}: installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}

/** The tarball unpacked into `dir` (what a CDN serves at /posenc@<version>/). */
async function unpack(dir) {
  const tmp = mkdtempSync(join(tmpdir(), 'posenc-unpack-'));
  await run('tar', ['xzf', TARBALL, '-C', tmp]);
  mkdirSync(resolve(dir, '..'), { recursive: true });
  renameSync(join(tmp, 'package'), dir);
  rmSync(tmp, { recursive: true, force: true });
}

// ---- a static server (optionally CORS-open, like a CDN) ----------------------------------------

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

function serve(root, { cors = false } = {}) {
  const server = createServer((req, res) => {
    let file = normalize(join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
    if (!file.startsWith(root)) file = root;
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    const headers = cors ? { 'access-control-allow-origin': '*' } : {};
    if (!existsSync(file)) {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' });
      return res.end('not found');
    }
    res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done({
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((closed) => { server.closeAllConnections(); server.close(closed); }),
  })));
}

function freePort() {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

// ---- chromium ----------------------------------------------------------------------------------

let context;
let profile;

/** Open `url`, wait for every `data-<name>` the app writes, and return them; nothing may go wrong on the page. */
async function load(url, names) {
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  try {
    await page.goto(url);
    await page.waitForFunction((names) => names.every((n) => document.documentElement.dataset[n]), names, { timeout: 60_000 })
      .catch((e) => { throw new Error(`${url}: no result (${problems.join('; ') || e.message})`); });
    const values = await page.evaluate((names) => names.map((n) => JSON.parse(document.documentElement.dataset[n])), names);
    return { values: Object.fromEntries(names.map((n, i) => [n, values[i]])), problems };
  } finally {
    await page.close();
  }
}

async function checkPage(label, url, names) {
  const { values, problems } = await load(url, names);
  for (const name of names) checkResults(`${label} ${name}`, values[name]);
  assert.deepEqual(problems, [], `${label}: problems on the page`);
}

/** Build the app (npm run build) and check its dist/ served over HTTP. */
async function checkBuild(name, names) {
  const dir = await apps[name];
  await npm(dir, 'run', 'build');
  const server = await serve(join(dir, 'dist'));
  try {
    await checkPage(`${name} build`, server.url, names);
  } finally {
    await server.close();
  }
}

/** Start `npm run dev` (Vite's dev server) and return { url, stop }. */
async function devServer(dir) {
  const port = await freePort();
  const child = spawn('npm', ['run', 'dev', '--', '--port', String(port), '--strictPort', '--host', '127.0.0.1'],
    { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const url = await new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`dev server did not start: ${output}`)), 60_000);
    const read = (chunk) => {
      output += chunk;
      const m = output.match(/Local:\s+(http:\/\/\S+)/);
      if (m) { clearTimeout(timer); done(m[1]); }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => fail(new Error(`dev server exited (${code}): ${output}`)));
  });
  return {
    url,
    output: () => output,
    stop: () => new Promise((done) => {
      child.on('exit', done);
      process.kill(-child.pid, 'SIGTERM');  // npm and the vite process it started (its own group)
    }),
  };
}

// ---- the matrix --------------------------------------------------------------------------------

// In order of installation (webpack's is the longest), three at a time; the tests wait for theirs.
const APPS = ['webpack5', 'vite6', 'vite7', 'vite8', 'esbuild', 'rollup', 'typescript', 'node'].filter(wanted);
const apps = {};

before(async () => {
  mkdirSync(WORK, { recursive: true });
  const slots = [Promise.resolve(), Promise.resolve(), Promise.resolve()];
  for (const [i, name] of APPS.entries()) {
    const slot = i % slots.length;
    slots[slot] = slots[slot].catch(() => {}).then(() => prepare(name));
    apps[name] = slots[slot];
    apps[name].catch(() => {});  // reported by the test that awaits it
  }
  profile = mkdtempSync(join(tmpdir(), 'posenc-bundlers-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

for (const vite of ['vite6', 'vite7', 'vite8'].filter(wanted)) {
  test(`${vite}: dev server, page and module worker`, async () => {
    const server = await devServer(await apps[vite]);
    try {
      await checkPage(`${vite} dev`, server.url, ['main', 'worker']);
    } finally {
      await server.stop();
    }
  });

  test(`${vite}: production build, page and worker`, () => checkBuild(vite, ['main', 'worker']));
}

// Vite 8 needs no setting (its dev server keeps the files where they are); 6 and 7 need one.
for (const vite of ['vite6', 'vite7'].filter(wanted)) {
  test(`${vite}: without optimizeDeps.exclude the dev server serves index.html for the .wasm, and init() says so`, async (t) => {
    const dir = await apps[vite];
    writeFileSync(join(dir, 'vite.config.js'), 'export default {};\n');
    const server = await devServer(dir);
    try {
      const { values } = await load(server.url, ['main']);
      t.diagnostic(`init() rejected with: ${values.main.error}`);
      assert.match(values.main.error ?? JSON.stringify(values.main),
        /^posenc\.init: http:\/\/127\.0\.0\.1:\d+\/\S*posenc_simd\.wasm\S* is not a WebAssembly file \(HTTP 200, content-type text\/html.*starting 3c 21 64 6f .*see "Using posenc with your bundler"/);
    } finally {
      await server.stop();
      cpSync(join(HERE, vite, 'vite.config.js'), join(dir, 'vite.config.js'));
    }
  });
}

if (wanted('webpack5')) test('webpack5: production build, page and worker', () => checkBuild('webpack5', ['main', 'worker']));
if (wanted('esbuild')) test('esbuild: .wasm through the file loader, and posenc/inline', () => checkBuild('esbuild', ['main', 'inline']));
if (wanted('rollup')) test('rollup: posenc/inline', () => checkBuild('rollup', ['inline']));

if (wanted('static')) {
  test('static pages: an import map, and a cross-origin CDN serving the ES module, the inline module and the IIFE', async () => {
    const dir = join(WORK, 'static');
    rmSync(dir, { recursive: true, force: true });
    await unpack(join(dir, 'site/node_modules/posenc'));
    await unpack(join(dir, `cdn/posenc@${VERSION}`));
    cpSync(join(HERE, 'app/report.js'), join(dir, 'site/report.js'));
    const site = await serve(join(dir, 'site'));
    const cdn = await serve(join(dir, 'cdn'), { cors: true });
    const pkg = `${cdn.url}posenc@${VERSION}`;
    const page = (name, head, module) => writeFileSync(join(dir, 'site', name), `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${name}</title>${head}</head><body>
<script type="module">
import { results, show } from './report.js';
${module}
</script></body></html>
`);
    page('importmap.html', '<script type="importmap">{ "imports": { "posenc": "./node_modules/posenc/index.js" } }</script>',
      "import { init } from 'posenc';\nshow('main', results((simd) => init({ simd })));");
    page('cdn-esm.html', '', `import { init } from '${pkg}/index.js';\nshow('main', results((simd) => init({ simd })));`);
    page('cdn-inline.html', '', `import { init } from '${pkg}/dist/posenc-inline.mjs';\nshow('main', results((simd) => init({ simd })));`);
    page('cdn-iife.html', `<script src="${pkg}/dist/posenc.iife.js"></script>`, "show('main', results((simd) => posenc.init({ simd })));");
    try {
      for (const name of ['importmap', 'cdn-esm', 'cdn-inline', 'cdn-iife']) await checkPage(name, `${site.url}${name}.html`, ['main']);
    } finally {
      await site.close();
      await cdn.close();
    }
  });
}

if (wanted('node')) {
  const node = async (args, options = {}) => {
    const dir = await apps.node;
    return new Promise((done) => execFile(process.execPath, args, { cwd: dir, ...options }, (error, stdout, stderr) => done({ code: error?.code ?? 0, stdout, stderr })));
  };

  test('node: ES module (posenc and posenc/inline) and CommonJS through import(); no process-wide handlers', async () => {
    const esm = await node(['esm.mjs']);
    assert.equal(esm.code, 0, esm.stderr);
    const out = JSON.parse(esm.stdout);
    checkResults('node esm', out.main);
    checkResults('node esm posenc/inline', out.inline);
    assert.equal(out.handlers, 0, 'uncaughtException/unhandledRejection listeners after init()');
    const cjs = await node(['cjs.cjs']);
    assert.equal(cjs.code, 0, cjs.stderr);
    checkResults('node cjs', JSON.parse(cjs.stdout).main);
  });

  test("node: an app's own crash and rejection after init() stay the app's", async () => {
    const crash = await node(['after-init.mjs', 'throw']);
    assert.equal(crash.code, 1);
    assert.match(crash.stderr, /Error: the app failed/);
    assert.ok(crash.stderr.length < 2000, `stderr is the app's error alone (${crash.stderr.length} bytes)`);
    assert.doesNotMatch(crash.stderr, /createPosencModule|posenc\.mjs/);
    const warn = await node(['--unhandled-rejections=warn', 'after-init.mjs', 'reject']);
    assert.equal(warn.code, 0, `--unhandled-rejections=warn keeps the process alive: ${warn.stderr}`);
    assert.match(warn.stderr, /the app rejected/);
    const strict = await node(['after-init.mjs', 'reject']);
    assert.equal(strict.code, 1, 'the default mode still ends the process');
  });

  test('node: Node < 20.16 (no process.getBuiltinModule, simulated) gets a clear error, and loads from bytes', async () => {
    const r = await node(['old-node.mjs']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.match(out.plain, /^Error: posenc\.init: Node v[\d.]+ is not supported: posenc needs Node >= 20\.16 to read \S*posenc_base\.wasm/);
    out.withBytes.forEach((v, i) => assert.ok(Math.abs(v - EXPECTED[i]) < 1e-6, `PE[3][${i}] = ${v}`));
  });
}

if (wanted('typescript')) {
  test('typescript 5: strict, moduleResolution bundler, node16 and nodenext', async () => {
    const dir = await apps.typescript;
    const { stdout } = await run('npx', ['tsc', '--version'], { cwd: dir });
    assert.match(stdout, /^Version 5\./);
    await npm(dir, 'run', 'build');
  });
}
