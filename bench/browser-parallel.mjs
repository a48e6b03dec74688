// SPDX-License-Identifier: MIT
// Benchmark: attention in chromium, in one cross-origin-isolated page, at the same number of
// threads for every library:
//
//   W2  causal attention with ALiBi, seq 1024, 8 heads, head dim 64: posenc's worker pool
//       (posenc/worker, initWorker({ threads })), onnxruntime-web's wasm backend
//       (ort.env.wasm.numThreads) and tfjs-backend-wasm's threaded SIMD binary (setThreadsCount), at
//       threads 1, 2 and the machine's core count. Ratios = peer median / posenc pool median at the
//       same thread count, all measured interleaved in the same page.
//   W4  the same at seq 8192 through posenc's streaming path (pool and page thread) only, against
//       the peers' best W2 throughput: their graphs would need the [8, 8192, 8192] score matrix
//       (2 GiB of float32) and a bias as large.
//
//   node bench/browser-parallel.mjs [--quick] [--only W2,W4] [--json PATH]   (default bench/results/browser-parallel.json)
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
//   plus tfjs's pthreads (XNNPACK's pool). tfjs caps its pool at navigator.hardwareConcurrency / 2
//   threads, so its frame reports twice the threads asked for (bench/browser/contender.mjs); the
//   thread count it ran with (getThreadsCount()) is printed and recorded.
// - the copying path's data movement alone ("echo": not a contender): q, k, v posted to n workers as
//   the pool does on a page without shared memory (here the pool itself writes them into a reused
//   SharedArrayBuffer instead), a new output block of the same size back, put together: the floor
//   of the pool's call on a page that is not cross-origin isolated.
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

import { ISOLATION, startServer } from '../scripts/serve.mjs';
import { alibiCausalBias, attentionReference, headsFirst } from './lib/attention.mjs';
import { ERROR_LIMIT, fmt, formatTable, machineInfo, parseArgs, randomArray, summarize, warn, writeJson } from './lib/harness.mjs';
import { attentionModel } from './lib/onnx.mjs';

const NAME = 'browser-parallel';
const REPO = fileURLToPath(new URL('..', import.meta.url));
// The page's policy: module scripts and workers from this origin and blob: (tfjs starts its
// pthreads from a blob URL), WebAssembly compilation; isolation through COOP + COEP.
const CSP = "default-src 'self'; img-src data:; script-src 'self' blob: 'wasm-unsafe-eval'; worker-src 'self' blob:; object-src 'none'";

const bytesOf = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The server root: the package, the peers' dist folders, bench/ (page code) and gen/ (inputs, models, references, tfjs bundle). */
async function makeRoot() {
  const root = await mkdtemp(path.join(os.tmpdir(), 'posenc-bench-www-'));
  const links = { package: 'web/package', bench: 'bench', ort: 'node_modules/onnxruntime-web/dist', tfjs: 'node_modules/@tensorflow/tfjs-backend-wasm/dist' };
  for (const [name, target] of Object.entries(links)) await symlink(path.join(REPO, target), path.join(root, name));
  await mkdir(path.join(root, 'gen'));
  // tfjs-core + tfjs-backend-wasm as one ES module (their ESM builds import each other by package name).
  await build({
    stdin: { contents: "export * as tf from '@tensorflow/tfjs-core';\nexport * as wasm from '@tensorflow/tfjs-backend-wasm';\n", resolveDir: REPO },
    bundle: true, format: 'esm', platform: 'browser', outfile: path.join(root, 'gen', 'tfjs.mjs'), logLevel: 'error',
  });
  return root;
}

/**
 * gen/ files of one sequence length: q, k, v ([seq][heads][dim]), the float64 reference of the
 * query rows `rows` (null: all) and, with `peers`, the heads-first inputs, the bias and the ONNX model.
 */
async function writeInputs(root, shape, { peers, rows }) {
  const gen = (name) => path.join(root, 'gen', `${name}-${shape.seq}.${name === 'attention' ? 'onnx' : name === 'ref' ? 'f64' : 'f32'}`);
  const n = shape.seq * shape.heads * shape.dim;
  const [q, k, v] = [31, 32, 33].map((seed) => randomArray(n, seed));
  const files = { q, k, v, ...(peers ? { qh: headsFirst(q, shape), kh: headsFirst(k, shape), vh: headsFirst(v, shape), bias: alibiCausalBias(shape) } : {}) };
  for (const [name, array] of Object.entries(files)) await writeFile(gen(name), bytesOf(array));
  if (peers) await writeFile(gen('attention'), attentionModel(shape, files.bias));
  await writeFile(gen('ref'), bytesOf(attentionReference(q, k, v, shape, rows ?? undefined)));
}

const LABELS = {
  'posenc-pool': (n) => `posenc pool (posenc/worker), threads ${n}`, 'posenc-main': () => 'posenc pe.attention on the page thread (no worker)',
  ort: (n) => `onnxruntime-web wasm, numThreads ${n}`, tfjs: (n) => `tfjs-backend-wasm, setThreadsCount(${n})`,
  echo: (n) => `(copies to ${n} worker${n > 1 ? 's' : ''} and back, no compute: a non-isolated page's floor)`,
};
const ERR_COLUMNS = [
  { key: 'vsPosenc', title: 'max abs err vs posenc', format: (x) => (x === null ? '-' : fmt.err(Number(x)) + (Number(x) <= ERROR_LIMIT ? '' : ' !!')) },
  { key: 'vsReference', title: 'vs float64', format: (x) => (x === null ? '-' : fmt.err(Number(x))) },
];
const flopsOf = ({ seq, heads, dim }) => 4 * heads * (seq * (seq + 1) / 2) * dim;  // causal: QK^T and PV

/** Run one workload in the page; returns { byId, result, warnings } with each contender's statistics. */
async function measure(page, { workload, shape, list, settings, rows = null }) {
  const result = await page.evaluate((config) => window.runBenchmark(config), { seq: shape.seq, list, settings, rows });
  const warnings = [];
  const byId = {};
  for (const c of result.contenders) {
    const { lib, threads } = list.find((x) => x.id === c.id);
    const stats = summarize(c.samples);
    byId[c.id] = { ...c, lib, threads, label: LABELS[lib](threads), ...stats, gflops: lib === 'echo' ? null : flopsOf(shape) / (stats.medianMs * 1e6) };
    if (!c.info.crossOriginIsolated) warnings.push(warn(`${workload} ${c.id}: its frame is not cross-origin isolated`));
    if (lib !== 'echo' && !(Number(c.vsPosenc) <= ERROR_LIMIT)) {
      warnings.push(warn(`${workload} ${c.id}: output differs from posenc's by ${c.vsPosenc} > ${ERROR_LIMIT}: its timing is not comparable`));
    }
  }
  process.stdout.write(`\n${workload}: causal attention + ALiBi, seq ${shape.seq}, ${shape.heads} heads, head dim ${shape.dim} ` +
    `(${(flopsOf(shape) / 1e9).toFixed(2)} GFLOP per call); ${result.rounds} timed rounds, all contenders interleaved in one page\n`);
  for (const c of result.contenders) process.stdout.write(`  ${c.id}: ${JSON.stringify(c.info)}\n`);
  return { byId, result, warnings };
}

/** W2: every library at every thread count; one table per thread count, ratios against posenc's pool. */
async function runW2(page, { counts, quick }) {
  const shape = { seq: 1024, heads: 8, dim: 64 };
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
  const settings = quick ? { warmupRounds: 1, minRounds: 2, maxRounds: 2, budgetMs: 0 } : { warmupRounds: 3, minRounds: 15, maxRounds: 100, budgetMs: 60000 };
  const { byId, result, warnings } = await measure(page, { workload: 'W2', shape, list, settings });
  const tables = {};
  for (const threads of counts) {
    const posenc = byId[`posenc-pool-${threads}`];
    const rows = [posenc, ...(threads === 1 ? [byId['posenc-main']] : []), byId[`ort-${threads}`], byId[`tfjs-${threads}`], byId[`echo-${threads}`]]
      .map((r) => ({ ...r, ratio: r.medianMs / posenc.medianMs }));
    tables[threads] = rows.map(({ id, medianMs, minMs, p10Ms, p90Ms, ratio, gflops, vsPosenc, vsReference }) => ({ id, medianMs, minMs, p10Ms, p90Ms, ratio, gflops, vsPosenc, vsReference }));
    process.stdout.write(`\nW2, threads ${threads}\n${formatTable([
      { key: 'label', title: 'contender', align: 'left' },
      { key: 'medianMs', title: 'median ms', format: fmt.ms },
      { key: 'minMs', title: 'min ms', format: fmt.ms },
      { key: 'ratio', title: 'median / posenc pool', format: fmt.ratio },
      ...ERR_COLUMNS,
    ], rows)}\n`);
  }
  const pool = (n) => byId[`posenc-pool-${n}`].medianMs;
  const scaling = Object.fromEntries(counts.map((n) => [n, {
    posencPool: pool(1) / pool(n), ort: byId['ort-1'].medianMs / byId[`ort-${n}`].medianMs, tfjs: byId['tfjs-1'].medianMs / byId[`tfjs-${n}`].medianMs,
  }]));
  process.stdout.write(`\nspeed-up over threads 1 (median / median): ${counts.filter((n) => n > 1).map((n) =>
    `threads ${n}: posenc pool ${fmt.ratio(scaling[n].posencPool)}, ORT ${fmt.ratio(scaling[n].ort)}, tfjs ${fmt.ratio(scaling[n].tfjs)}`).join('; ')}; ` +
    `posenc main thread / pool threads 1: ${fmt.ratio(byId['posenc-main'].medianMs / pool(1))}\n`);
  // What the pool could reach: the attention on one thread (pe.attention on the page's thread) split
  // perfectly over n workers; and, without shared memory, that plus the copies measured alone.
  const bounds = Object.fromEntries(counts.map((n) => {
    const ideal = byId['posenc-main'].medianMs / n;
    const copyingFloor = ideal + byId[`echo-${n}`].medianMs;
    const best = Math.min(byId[`ort-${n}`].medianMs, byId[`tfjs-${n}`].medianMs);
    return [n, { idealMs: ideal, copyingFloorMs: copyingFloor, poolMs: pool(n), bestPeerMs: best, bestPeerOverCopyingFloor: best / copyingFloor }];
  }));
  for (const n of counts) {
    const b = bounds[n];
    process.stdout.write(`threads ${n}: perfect split of the page-thread call ${fmt.ms(b.idealMs)} ms, pool measured ${fmt.ms(b.poolMs)} ms ` +
      `(shared memory), best peer ${fmt.ms(b.bestPeerMs)} ms; without shared memory the floor is ${fmt.ms(b.copyingFloorMs)} ms ` +
      `(best peer / that floor ${fmt.ratio(b.bestPeerOverCopyingFloor)})\n`);
  }
  const memory = await page.evaluate(() => window.memoryCosts());
  process.stdout.write(`memory in this page, 2 MiB: a new array written once ${fmt.ms(memory.newArrayWrittenMs)} ms, slice() ${fmt.ms(memory.sliceMs)} ms, ` +
    `copied into an array already written ${fmt.ms(memory.copyIntoWrittenMs)} ms\n`);
  return { workload: 'W2', shape, settings, rounds: result.rounds, tables, scaling, bounds, memory, contenders: byId, warnings };
}

/** The query rows of W4 checked against float64 (the whole reference would take minutes in JS). */
const W4_ROWS = (seq) => [0, 1, seq / 2, seq - 2, seq - 1];

/**
 * W4-like: seq 8192 through posenc's streaming path (pool threads 1..n and the page thread), against
 * the peers' best W2 throughput: their graphs would need the [8, 8192, 8192] score matrix (2 GiB of
 * float32) and a bias as large, so they are not run at this length.
 */
async function runW4(page, { counts, quick, w2 }) {
  const shape = { seq: quick ? 2048 : 8192, heads: 8, dim: 64 };
  const list = [
    ...counts.map((threads) => ({ id: `posenc-pool-${threads}`, lib: 'posenc-pool', threads })),
    { id: 'posenc-main', lib: 'posenc-main', threads: 1 },
    ...counts.map((threads) => ({ id: `echo-${threads}`, lib: 'echo', threads })),
  ];
  const settings = quick ? { warmupRounds: 0, minRounds: 1, maxRounds: 1, budgetMs: 0 } : { warmupRounds: 0, minRounds: 3, maxRounds: 3, budgetMs: 0 };
  const { byId, result, warnings } = await measure(page, { workload: 'W4', shape, list, settings, rows: W4_ROWS(shape.seq) });
  const one = byId['posenc-pool-1'].medianMs;
  const rows = Object.values(byId).map((r) => ({ ...r, speedup: r.lib === 'echo' ? null : one / r.medianMs }));
  for (const n of counts) {
    const peers = ['ort', 'tfjs'].map((lib) => w2.contenders[`${lib}-${n}`]);
    const best = peers.reduce((a, b) => (a.gflops > b.gflops ? a : b));
    rows.push({ label: `(peers' best at W2, threads ${n}: ${best.label})`, gflops: best.gflops, vsPosenc: null, vsReference: null });
  }
  process.stdout.write(`\nW4, seq ${shape.seq} (streaming)\n${formatTable([
    { key: 'label', title: 'contender', align: 'left' },
    { key: 'medianMs', title: 'median ms', format: fmt.ms },
    { key: 'gflops', title: 'GFLOP/s', format: fmt.rate },
    { key: 'speedup', title: 'speed-up over pool threads 1', format: fmt.ratio },
    ...ERR_COLUMNS.map((c) => (c.key === 'vsReference' ? { ...c, title: `vs float64 (${W4_ROWS(shape.seq).length} rows)` } : c)),
  ], rows)}\n`);
  return { workload: 'W4', shape, settings, rounds: result.rounds, rows: rows.map(({ samples, info, ...r }) => r), contenders: byId, warnings };
}

async function main() {
  const argv = process.argv.slice(2);
  const onlyAt = argv.indexOf('--only');
  const only = new Set(onlyAt >= 0 ? argv.splice(onlyAt, 2)[1]?.split(',') : ['W2', 'W4']);
  only.add('W2');  // W4 is read against W2's peers
  const args = parseArgs(argv, { name: NAME, defaultJson: fileURLToPath(new URL(`./results/${NAME}.json`, import.meta.url)) });
  const machine = machineInfo();
  const counts = [...new Set([1, 2, os.cpus().length])];

  const root = await makeRoot();
  await writeInputs(root, { seq: 1024, heads: 8, dim: 64 }, { peers: true, rows: null });
  if (only.has('W4')) await writeInputs(root, { seq: args.quick ? 2048 : 8192, heads: 8, dim: 64 }, { peers: false, rows: W4_ROWS(args.quick ? 2048 : 8192) });
  const server = await startServer({ port: 0, root, csp: CSP })  // isolated: COOP + COEP;
  const profile = await mkdtemp(path.join(os.tmpdir(), 'posenc-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--js-flags=--expose-gc'],
  });
  const cases = [];
  const problems = [];
  let browser;
  try {
    const open = async () => {
      const page = await context.newPage();
      page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
      await page.goto(`${server.url}bench/browser/index.html`);
      await page.waitForFunction(() => typeof window.runBenchmark === 'function');
      browser = await page.evaluate(() => ({ crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency, userAgent: navigator.userAgent, gc: typeof gc === 'function' }));
      process.stdout.write(`${browser.userAgent}\npage ${server.url}bench/browser/index.html: crossOriginIsolated === ${browser.crossOriginIsolated}, ` +
        `navigator.hardwareConcurrency ${browser.hardwareConcurrency}, gc between samples ${browser.gc}; load average ${machine.loadAverage.join(' ')}\n`);
      if (browser.crossOriginIsolated !== true) throw new Error('the benchmark page is not cross-origin isolated');
      return page;
    };
    // One page per workload (the same page for all of a workload's contenders).
    let page = await open();
    cases.push(await runW2(page, { counts, quick: args.quick }));
    if (only.has('W4')) {
      await page.close();
      page = await open();
      cases.push(await runW4(page, { counts, quick: args.quick, w2: cases[0] }));
    }
  } finally {
    await context.close();
    await server.close();
    await rm(profile, { recursive: true, force: true });
    await rm(root, { recursive: true, force: true });
  }
  for (const p of problems) process.stderr.write(`  page: ${p}\n`);
  const loadAtEnd = os.loadavg().map((x) => +x.toFixed(2));
  process.stdout.write(`\nload average ${machine.loadAverage.join(' ')} at the start, ${loadAtEnd.join(' ')} at the end\n`);

  const file = writeJson(args.json, {
    benchmark: NAME, mode: args.mode, machine, loadAverageAtEnd: loadAtEnd, position: 'alibi', causal: true, browser, csp: CSP, isolationHeaders: ISOLATION,
    threads: counts,
    cases: cases.map(({ contenders, ...c }) => ({
      ...c, contenders: Object.values(contenders).map(({ samples, ...r }) => ({ ...r, samplesMs: samples.map((x) => +x.toFixed(3)) })),
    })),
    pageProblems: problems, warnings: cases.flatMap((c) => c.warnings),
  });
  process.stdout.write(`wrote ${file}\n`);
  if (args.quick) process.stdout.write(`(--quick: 2 timed rounds${only.has('W4') ? ', W4 at seq 2048 once' : ''}: the numbers are only a smoke test)\n`);
}

main().catch((e) => {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exit(1);
});
