// SPDX-License-Identifier: MIT
// One contender of bench/browser-parallel.mjs, in its own same-origin iframe (its own module
// instances, so onnxruntime-web and tfjs can be set up with a different thread count in each
// frame of the one page): contender.html?lib=posenc-pool|posenc-main|ort|tfjs|echo&threads=N&seq=L.
// Sets window.contender = { info, run } once ready (or { error }); run() is one timed call: inputs
// already in JS arrays, the output as a new JS Float32Array ([seq][heads][dim] for posenc,
// [heads][seq][dim] for the peers: each takes its own layout, prepared before timing).
const params = new URLSearchParams(location.search);
const lib = params.get('lib');
const threads = Number(params.get('threads'));
const seq = Number(params.get('seq'));
const HEADS = 8, DIM = 64;

const load = async (name) => new Float32Array(await (await fetch(`/gen/${name}-${seq}.f32`)).arrayBuffer());

/** The .wasm files this frame fetched (which binary a peer chose). */
const wasmFiles = () => performance.getEntriesByType('resource').map((e) => e.name.split('/').pop()).filter((n) => n.endsWith('.wasm'));

async function posenc(worker) {
  const [q, k, v] = await Promise.all(['q', 'k', 'v'].map(load));
  const options = { q, k, v, shape: [seq, HEADS, DIM], position: 'alibi', causal: true };
  if (!worker) {
    const { init } = await import('/package/index.js');
    const pe = await init();
    return { info: { version: pe.version, simd: pe.simd }, run: () => pe.attention(options).output };
  }
  const { initWorker } = await import('/package/worker.js');
  const pw = await initWorker({ threads });
  return { info: { threads: pw.threads, sharedMemory: pw.sharedMemory }, run: async () => (await pw.attention(options)).output };
}

async function ort() {
  const ort = await import('/ort/ort.wasm.min.mjs');
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.wasmPaths = new URL('/ort/', location.href).href;
  ort.env.wasm.proxy = false;  // the session runs on this page's main thread (+ ORT's pthreads)
  ort.env.logLevel = 'error';
  const model = new Uint8Array(await (await fetch(`/gen/attention-${seq}.onnx`)).arrayBuffer());
  const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const [q, k, v] = await Promise.all(['qh', 'kh', 'vh'].map(load));
  const dims = [HEADS, seq, DIM];
  const run = async () => {
    const result = await session.run({ q: new ort.Tensor('float32', q, dims), k: new ort.Tensor('float32', k, dims), v: new ort.Tensor('float32', v, dims) });
    return result.o.data;
  };
  await run();
  return { info: { version: ort.env.versions?.web ?? null, numThreads: ort.env.wasm.numThreads, wasm: wasmFiles() }, run };
}

async function tfjs() {
  // tfjs-backend-wasm 4.22 caps its XNNPACK pool at navigator.hardwareConcurrency / 2 (its wasm
  // clamps setThreadsCount's value to that), so on 2 cores setThreadsCount(2) gives 1 thread. To
  // give it the threads asked for, this frame reports twice as many cores to it.
  const cores = navigator.hardwareConcurrency;
  if (threads > Math.floor(cores / 2)) Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => 2 * threads, configurable: true });
  const { tf, wasm } = await import('/gen/tfjs.mjs');
  const dist = new URL('/tfjs/', location.href).href;
  wasm.setWasmPaths(Object.fromEntries(['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']
    .map((name) => [name, dist + name])));
  wasm.setThreadsCount(threads);
  if (!(await tf.setBackend('wasm')) || tf.getBackend() !== 'wasm') throw new Error(`tfjs: the wasm backend did not start (${tf.getBackend()})`);
  await tf.ready();
  const [q, k, v, bias] = await Promise.all(['qh', 'kh', 'vh', 'bias'].map(load));
  const dims = [HEADS, seq, DIM], scale = 1 / Math.sqrt(DIM);
  const bt = tf.tensor3d(bias, [HEADS, seq, seq]);  // resident: ALiBi + causal mask, made once
  const run = async () => {
    const [qt, kt, vt] = [q, k, v].map((x) => tf.tensor3d(x, dims));
    const o = tf.tidy(() => tf.matMul(tf.softmax(tf.add(tf.mul(tf.matMul(qt, kt, false, true), scale), bt)), vt));
    [qt, kt, vt].forEach((t) => t.dispose());
    const out = await o.data();
    o.dispose();
    return out;
  };
  await run();
  return {
    info: { version: tf.version_core, threadsCount: wasm.getThreadsCount(), multithreadSupport: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
      simdSupport: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'), wasm: wasmFiles(),
      hardwareConcurrencyShownToTfjs: navigator.hardwareConcurrency, realHardwareConcurrency: cores },
    run,
  };
}

/**
 * What posenc's pool moves, without computing (a floor of its call): threads 1 structured-clones q,
 * k and v to one worker; threads n > 1 copies a block of q and all of k and v per worker and
 * transfers the copies (as lib/worker-pool.js; equal blocks here); each worker replies with a new
 * output block (transferred), which the page puts together. Its output is zeros: not checked.
 */
async function echo() {
  const [q, k, v] = await Promise.all(['q', 'k', 'v'].map(load));
  const row = HEADS * DIM;
  const workers = Array.from({ length: threads }, () => new Worker(new URL('./echo-worker.mjs', import.meta.url), { type: 'module' }));
  const call = (worker, message, transfers = []) => new Promise((resolve) => {
    worker.onmessage = (event) => resolve(event.data.out);
    worker.postMessage(message, transfers);
  });
  const run = async () => {
    if (threads === 1) return call(workers[0], { q, k, v, queries: seq, row });
    const ends = Array.from({ length: threads + 1 }, (_, i) => Math.round((i * seq) / threads));
    const parts = await Promise.all(workers.map((worker, i) => {
      const block = { q: q.slice(ends[i] * row, ends[i + 1] * row), k: k.slice(), v: v.slice(), queries: ends[i + 1] - ends[i], row };
      return call(worker, block, [block.q.buffer, block.k.buffer, block.v.buffer]);
    }));
    const out = new Float32Array(q.length);
    parts.forEach((part, i) => out.set(part, ends[i] * row));
    return out;
  };
  return { info: {}, run };
}

const setups = { 'posenc-pool': () => posenc(true), 'posenc-main': () => posenc(false), ort, tfjs, echo };
try {
  const { info, run } = await setups[lib]();
  window.contender = { info: { lib, threads, crossOriginIsolated: self.crossOriginIsolated, ...info }, run };
} catch (e) {
  window.contender = { error: `${lib} threads ${threads}: ${e?.stack ?? e}` };
}
