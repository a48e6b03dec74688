// SPDX-License-Identifier: MIT
// Benchmark: W2 (causal attention with ALiBi, seq 1024, 8 heads, head dim 64) in chromium, in one
// cross-origin-isolated page, at the same number of threads for every library: posenc's worker
// pool (posenc/worker, initWorker({ threads })), onnxruntime-web's wasm backend
// (ort.env.wasm.numThreads) and tfjs-backend-wasm's threaded SIMD binary (setThreadsCount), at
// threads 1, 2 and the machine's core count. Ratios = peer median / posenc pool median at the same
// thread count, all measured interleaved in the same page.
//
//   node bench/browser-parallel.mjs [--quick] [--json PATH]   (default bench/results/browser-parallel.json)
//
// Needs Debian's chromium (/usr/bin/chromium, as the browser tests) and the dev dependencies
// (playwright-core, onnxruntime-web, tfjs, esbuild).
//
// The page is served from 127.0.0.1 with Cross-Origin-Opener-Policy: same-origin and
// Cross-Origin-Embedder-Policy: require-corp (crossOriginIsolated is asserted: SharedArrayBuffer and
// wasm threads need it). Each contender lives in its own same-origin iframe of that page (its own
// module instances: ORT and tfjs fix their thread count when their wasm starts), and the top page
// times `await contender.run()` with performance.now(), rotating the first contender every round
// and collecting garbage (--expose-gc) before each sample, outside the timed region.
//
// What one timed call is: what a user awaits for one attention call with the inputs already in JS
// Float32Arrays and the output returned as a new JS Float32Array.
// - posenc pool: pw.attention({ q, k, v, shape, position: 'alibi', causal: true }): the pool copies
//   q, k and v to every worker, each worker computes its block of queries, the blocks come back and
//   are put together; the page's thread only posts and assembles. Threads 1 is one worker.
// - posenc main thread (threads 1 only): pe.attention(...) on the page's thread, no worker.
// - onnxruntime-web: session.run({ q, k, v }) then result.o.data: inputs copied into its heap, run on
//   the page's thread plus numThreads - 1 pthreads of ORT's pool, output copied out. The graph is
//   Transpose + MatMul + Mul + Add(bias) + Softmax + MatMul (lib/onnx.mjs attentionModel) with the
//   ALiBi + causal bias [8, 1024, 1024] as an initializer (made once, not timed).
// - tfjs: tf.tensor3d for q, k, v (copies into its heap), matMul + mul + add(bias) + softmax + matMul,
//   await data() (copy out), dispose; the bias is a resident tensor made once; the page's thread
//   plus tfjs's pthreads (XNNPACK's pool).
// The peers take heads-first arrays [heads][seq][dim] and return that layout, prepared before timing
// (their natural layout; posenc takes [seq][heads][dim]); the outputs are compared in the page after
// mapping the layout. Not timed: loading and compiling each library, session/model creation, the
// bias, the first call.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

import { startServer } from '../scripts/serve.mjs';
import { alibiCausalBias, attentionReference, headsFirst } from './lib/attention.mjs';
import { ERROR_LIMIT, fmt, formatTable, machineInfo, parseArgs, randomArray, summarize, warn, writeJson } from './lib/harness.mjs';
import { attentionModel } from './lib/onnx.mjs';

const NAME = 'browser-parallel';
const REPO = fileURLToPath(new URL('..', import.meta.url));
const SHAPE = { seq: 1024, heads: 8, dim: 64 };
// The page's policy: module scripts and workers from this origin and blob: (tfjs starts its
// pthreads from a blob URL), WebAssembly compilation; isolation through COOP + COEP.
const CSP = "default-src 'self'; img-src data:; script-src 'self' blob: 'wasm-unsafe-eval'; worker-src 'self' blob:; object-src 'none'";
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

const bytesOf = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The server root: the package, the peers' dist folders, bench/ (page code) and gen/ (inputs, model, reference, tfjs bundle). */
async function makeRoot(shape) {
  const root = await mkdtemp(path.join(os.tmpdir(), 'posenc-bench-www-'));
  const links = { package: 'web/package', bench: 'bench', ort: 'node_modules/onnxruntime-web/dist', tfjs: 'node_modules/@tensorflow/tfjs-backend-wasm/dist' };
  for (const [name, target] of Object.entries(links)) await symlink(path.join(REPO, target), path.join(root, name));
  const gen = path.join(root, 'gen');
  await mkdir(gen);
  const n = shape.seq * shape.heads * shape.dim;
  const [q, k, v] = [31, 32, 33].map((seed) => randomArray(n, seed));
  const files = {
    q, k, v, qh: headsFirst(q, shape), kh: headsFirst(k, shape), vh: headsFirst(v, shape), bias: alibiCausalBias(shape),
  };
  for (const [name, array] of Object.entries(files)) await writeFile(path.join(gen, `${name}-${shape.seq}.f32`), bytesOf(array));
  await writeFile(path.join(gen, `attention-${shape.seq}.onnx`), attentionModel(shape, files.bias));
  await writeFile(path.join(gen, `ref-${shape.seq}.f64`), bytesOf(attentionReference(q, k, v, shape)));
  // tfjs-core + tfjs-backend-wasm as one ES module (their ESM builds import each other by package name).
  await build({
    stdin: { contents: "export * as tf from '@tensorflow/tfjs-core';\nexport * as wasm from '@tensorflow/tfjs-backend-wasm';\n", resolveDir: REPO },
    bundle: true, format: 'esm', platform: 'browser', outfile: path.join(gen, 'tfjs.mjs'), logLevel: 'error',
  });
  return root;
}

async function main() {
  const args = parseArgs(process.argv.slice(2), { name: NAME, defaultJson: fileURLToPath(new URL(`./results/${NAME}.json`, import.meta.url)) });
  const machine = machineInfo();
  const counts = [...new Set([1, 2, os.cpus().length])];
  const list = [
    { id: 'posenc-pool-1', lib: 'posenc-pool', threads: 1 },  // first: the output the others are compared with
    { id: 'posenc-main', lib: 'posenc-main', threads: 1 },
    ...counts.flatMap((threads) => [
      ...(threads > 1 ? [{ id: `posenc-pool-${threads}`, lib: 'posenc-pool', threads }] : []),
      { id: `ort-${threads}`, lib: 'ort', threads },
      { id: `tfjs-${threads}`, lib: 'tfjs', threads },
      { id: `echo-${threads}`, lib: 'echo', threads },
    ]),
  ];
  const settings = args.quick ? { warmupRounds: 1, minRounds: 2, maxRounds: 2, budgetMs: 0 }
    : { warmupRounds: 3, minRounds: 15, maxRounds: 100, budgetMs: 60000 };

  const root = await makeRoot(SHAPE);
  const server = await startServer({ port: 0, root, csp: CSP, headers: ISOLATION });
  const profile = await mkdtemp(path.join(os.tmpdir(), 'posenc-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--js-flags=--expose-gc'],
  });
  let result;
  const problems = [];
  try {
    const page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
    await page.goto(`${server.url}bench/browser/index.html`);
    await page.waitForFunction(() => typeof window.runBenchmark === 'function');
    const isolated = await page.evaluate(() => crossOriginIsolated);
    process.stdout.write(`chromium ${context.browser()?.version() ?? ''}, page ${server.url}bench/browser/index.html, crossOriginIsolated === ${isolated}\n`);
    if (isolated !== true) throw new Error('the benchmark page is not cross-origin isolated');
    result = await page.evaluate((config) => window.runBenchmark(config), { seq: SHAPE.seq, list, settings });
  } finally {
    await context.close();
    await server.close();
    await rm(profile, { recursive: true, force: true });
    await rm(root, { recursive: true, force: true });
  }
  for (const p of problems) process.stderr.write(`  page: ${p}\n`);
  const loadAtEnd = os.loadavg().map((x) => +x.toFixed(2));

  const warnings = [];
  const byId = {};
  for (const c of result.contenders) {
    byId[c.id] = { ...c, ...summarize(c.samples) };
    if (!c.info.crossOriginIsolated) warnings.push(warn(`${c.id}: its frame is not cross-origin isolated`));
    if (c.id.startsWith('echo')) continue;
    if (!(Number(c.vsPosenc) <= ERROR_LIMIT)) warnings.push(warn(`${c.id}: output differs from posenc's by ${c.vsPosenc} > ${ERROR_LIMIT}: its timing is not comparable`));
  }
  const label = (c) => ({
    'posenc-pool': `posenc pool (posenc/worker), threads ${c.threads}`, 'posenc-main': 'posenc pe.attention on the page thread (no worker)',
    ort: `onnxruntime-web wasm, numThreads ${c.threads}`, tfjs: `tfjs-backend-wasm, setThreadsCount(${c.threads})`,
    echo: `(the pool's data movement alone, ${c.threads} worker${c.threads > 1 ? 's' : ''}, no compute)`,
  })[c.lib];
  process.stdout.write(`W2 causal attention + ALiBi, seq ${SHAPE.seq}, ${SHAPE.heads} heads, head dim ${SHAPE.dim}; ${result.rounds} timed rounds, ` +
    `all contenders interleaved in one page (navigator.hardwareConcurrency ${result.hardwareConcurrency}); ` +
    `load average ${machine.loadAverage.join(' ')} at the start, ${loadAtEnd.join(' ')} at the end\n`);
  for (const c of result.contenders) process.stdout.write(`  ${c.id}: ${JSON.stringify(c.info)}\n`);
  const tables = {};
  for (const threads of counts) {
    const posenc = byId[`posenc-pool-${threads}`];
    const rows = [posenc, ...(threads === 1 ? [byId['posenc-main']] : []), byId[`ort-${threads}`], byId[`tfjs-${threads}`], byId[`echo-${threads}`]].map((r) => ({
      ...r, label: label(list.find((c) => c.id === r.id)), ratio: r.medianMs / posenc.medianMs,
    }));
    tables[threads] = rows.map(({ id, medianMs, minMs, p10Ms, p90Ms, ratio, vsPosenc, vsReference }) => ({ id, medianMs, minMs, p10Ms, p90Ms, ratio, vsPosenc, vsReference }));
    process.stdout.write(`\nthreads ${threads}\n${formatTable([
      { key: 'label', title: 'contender', align: 'left' },
      { key: 'medianMs', title: 'median ms', format: fmt.ms },
      { key: 'minMs', title: 'min ms', format: fmt.ms },
      { key: 'ratio', title: 'median / posenc pool', format: fmt.ratio },
      { key: 'vsPosenc', title: 'max abs err vs posenc', format: (x) => (x === null ? '-' : fmt.err(Number(x)) + (Number(x) <= ERROR_LIMIT ? '' : ' !!')) },
      { key: 'vsReference', title: 'vs float64', format: (x) => (x === null ? '-' : fmt.err(Number(x))) },
    ], rows)}\n`);
  }
  const pool = (n) => byId[`posenc-pool-${n}`].medianMs;
  const scaling = Object.fromEntries(counts.map((n) => [n, {
    posencPool: pool(1) / pool(n), ort: byId['ort-1'].medianMs / byId[`ort-${n}`].medianMs, tfjs: byId['tfjs-1'].medianMs / byId[`tfjs-${n}`].medianMs,
  }]));
  process.stdout.write(`\nspeed-up over threads 1 (median / median): ${counts.filter((n) => n > 1).map((n) =>
    `threads ${n}: posenc pool ${fmt.ratio(scaling[n].posencPool)}, ORT ${fmt.ratio(scaling[n].ort)}, tfjs ${fmt.ratio(scaling[n].tfjs)}`).join('; ')}; ` +
    `posenc main thread / pool threads 1: ${fmt.ratio(byId['posenc-main'].medianMs / pool(1))}\n`);
  // What the pool could reach here: the attention on one thread (pe.attention on the page's thread)
  // split perfectly over n workers, plus the pool's data movement measured alone.
  const bounds = Object.fromEntries(counts.map((n) => {
    const floor = byId['posenc-main'].medianMs / n + byId[`echo-${n}`].medianMs;
    const best = Math.min(byId[`ort-${n}`].medianMs, byId[`tfjs-${n}`].medianMs);
    return [n, { poolFloorMs: floor, poolMs: pool(n), bestPeerMs: best, bestPeerOverFloor: best / floor }];
  }));
  for (const n of counts) {
    const b = bounds[n];
    process.stdout.write(`threads ${n}: pool floor (main-thread attention / ${n} + data movement) ${fmt.ms(b.poolFloorMs)} ms, pool measured ${fmt.ms(b.poolMs)} ms, ` +
      `best peer ${fmt.ms(b.bestPeerMs)} ms (best peer / floor ${fmt.ratio(b.bestPeerOverFloor)})\n`);
  }

  const file = writeJson(args.json, {
    benchmark: NAME, mode: args.mode, machine, loadAverageAtEnd: loadAtEnd, shape: SHAPE, position: 'alibi', causal: true,
    browser: { userAgent: result.userAgent, crossOriginIsolated: result.crossOriginIsolated, hardwareConcurrency: result.hardwareConcurrency, gcBetweenSamples: result.gcBetweenSamples },
    settings, rounds: result.rounds, threads: counts, tables, scaling, bounds,
    contenders: Object.values(byId).map(({ samples, ...r }) => ({ ...r, samplesMs: samples.map((x) => +x.toFixed(3)) })),
    pageProblems: problems, warnings,
  });
  process.stdout.write(`\nwrote ${file}\n`);
  if (args.quick) process.stdout.write('(--quick: 2 timed rounds, the numbers are only a smoke test)\n');
}

main().catch((e) => {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exit(1);
});
