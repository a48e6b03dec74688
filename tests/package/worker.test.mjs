// SPDX-License-Identifier: MIT
// posenc/worker through the installed package under Node (worker_threads): the same results and
// the same errors as the library on the main thread, arguments copied unless transferred, results
// moved, cancel and terminate ending the thread, the LM trainer through a handle.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';

import { init } from 'posenc';
import { initWorker, transfer } from 'posenc/worker';

import { LINUX, randomVector, settledThreads, threads } from './helpers.mjs';

const bytes = (view) => new Uint8Array(view.buffer, view.byteOffset, view.byteLength);

const pe = await init();


/** The same call on the page and in the worker: [name, (api) => result or Promise of it]. */
const f = pe.rope.frequencies({ head_dim: 16, rope_theta: 500000, rope_scaling: { rope_type: 'linear', factor: 2 } });
const x = randomVector(3 * 2 * 16, 5);
const [L, H, D] = [33, 2, 8];
const q = randomVector(L * H * D, 6), k = randomVector(L * H * D, 7), v = randomVector(L * H * D, 8);
const CALLS = [
  ['sinusoidal', (p) => p.sinusoidal({ length: 9, dim: 12, layout: 'fairseq' })],
  ['learned.table', (p) => p.learned.table({ maxPositions: 5, dim: 4, seed: 3 })],
  ['shaw.attention', (p) => p.shaw.attention({ q: q.subarray(0, 16), k: k.subarray(0, 16), v: v.subarray(0, 16),
    tableK: randomVector(24, 1), tableV: randomVector(24, 2), queries: 2, dim: 8, maxDistance: 1 })],
  ['t5.bucket', (p) => p.t5.bucket([-300, -1, 0, 5, 70])],
  ['rope.frequencies', (p) => p.rope.frequencies({ head_dim: 16, rope_theta: 500000, rope_scaling: { rope_type: 'linear', factor: 2 } })],
  ['rope.apply', (p) => p.rope.apply(x, { shape: [3, 2, 16], frequencies: f, positions: [4, 9, 2] })],
  ['xpos.apply', (p) => p.xpos.apply(x, { shape: [3, 2, 16], role: 'key', offset: 3 })],
  ['alibi.slopes', (p) => p.alibi.slopes(12, { dtype: 'float64' })],
  ['alibi.bias', (p) => p.alibi.bias({ heads: 3, queries: 4, keys: 7, causal: true })],
  ['kerple.bias', (p) => p.kerple.bias({ heads: 2, queries: 3, r1: [1, 2], r2: 0.5 })],
  ['nope.bias', (p) => p.nope.bias({ queries: 4, causal: true })],
  ['attention', (p) => p.attention({ q, k, v, shape: [L, H, D], position: 'alibi', causal: true, returnWeights: true })],
  ['analysis.similarity', (p) => p.analysis.similarity({ table: randomVector(6 * 4, 9), dim: 4, metric: 'cosine' })],
  ['corpus.generate', (p) => p.corpus.generate({ seed: 2, length: 50 })],
];

const BAD = [
  ['sinusoidal', (p) => p.sinusoidal({ length: -3, dim: 4 })],
  ['sinusoidal', (p) => p.sinusoidal({ length: 3, dim: 4, lenght: 2 })],
  ['sinusoidal', (p) => p.sinusoidal(() => 1)],                  // a function cannot be cloned: a stand-in is checked
  ['rope.apply', (p) => p.rope.apply(x, { shape: [3, 2, 16], frequencies: Symbol('f') })],
  ['rope.apply', (p) => p.rope.apply(new Int32Array(96), { shape: [3, 2, 16], frequencies: f })],
  ['alibi.bias', (p) => p.alibi.bias({ heads: 2, queries: 3, form: 'reference' })],
  ['attention', (p) => p.attention({ q, k, v, shape: [L, H, D], position: 'rope' })],
  ['attention', (p) => p.attention({ q: [NaN, ...q.subarray(1)], k, v, shape: [L, H, D] })],
  ['lm.create', (p) => p.lm.create({ corpus: {}, dModel: 30, heads: 4 })],
];

/** The error fn throws (or rejects with). */
async function errorOf(fn) {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  assert.fail('no error');
}

test('every namespace: the worker returns what the page computes, bit for bit, in arrays the page owns', async () => {
  const pw = await initWorker();
  try {
    assert.equal(pw.simd, pe.simd);
    assert.equal(pw.arch, pe.arch);
    assert.equal(pw.version, pe.version);
    assert.deepEqual(pw.rope.types, pe.rope.types);
    assert.deepEqual(pw.lm.defaults, pe.lm.defaults);
    for (const [name, call] of CALLS) {
      const [here, there] = [call(pe), await call(pw)];
      assert.deepEqual(there, here, name);
      const arrays = ArrayBuffer.isView(here) ? [[here, there]]
        : Object.keys(here).filter((key) => ArrayBuffer.isView(here[key])).map((key) => [here[key], there[key]]);
      assert.ok(arrays.length > 0, name);
      for (const [mine, theirs] of arrays) {
        assert.deepEqual(bytes(theirs), bytes(mine), `${name}: bit for bit`);
        assert.equal(theirs.buffer.byteLength, theirs.byteLength, `${name}: the result has its own buffer`);
      }
    }
  } finally {
    pw.terminate();
  }
});

test('errors: the same class and message as on the page, and the worker keeps working', async () => {
  const pw = await initWorker();
  try {
    for (const [name, call] of BAD) {
      const [here, there] = [await errorOf(() => call(pe)), await errorOf(() => call(pw))];
      assert.ok(here instanceof TypeError || here instanceof RangeError, `${name}: ${here}`);
      assert.equal(there.constructor, here.constructor, `${name}: ${there.message}`);
      assert.equal(there.message, here.message);
    }
    assert.deepEqual(await pw.t5.bucket([3]), pe.t5.bucket([3]));
    // initWorker checks its options as init() does (and takes two more, threads and sharedMemory: worker-pool.test.mjs).
    for (const opts of [{ simd: 'yes' }, { smid: true }, 5]) {
      const [here, there] = [await errorOf(() => init(opts)), await errorOf(() => initWorker(opts))];
      assert.equal(there.constructor, here.constructor);
      assert.equal(there.message, here.message.replace('posenc.init:', 'posenc.initWorker:').replace('simd, wasm)', 'simd, wasm, threads, sharedMemory)'));
    }
  } finally {
    pw.terminate();
  }
});

test('initWorker({ wasm }): bytes or a URL reach the worker; a Response is refused by name', async () => {
  const url = new URL(import.meta.resolve('posenc/dist/posenc_base.wasm'));
  for (const wasm of [await readFile(url), url]) {
    const pw = await initWorker({ simd: false, wasm });
    try {
      assert.equal(pw.simd, false);
      assert.deepEqual(await pw.t5.bucket([-300, -1, 0, 5]), pe.t5.bucket([-300, -1, 0, 5]));
    } finally {
      pw.terminate();
    }
  }
  await assert.rejects(initWorker({ simd: false, wasm: new Response(new Uint8Array(8)) }),
    (e) => e instanceof TypeError && /^posenc\.initWorker: wasm cannot be a Response/.test(e.message));
});

test('arguments are copied unless marked with transfer(); results move to the caller', async () => {
  const pw = await initWorker();
  try {
    const kept = Float32Array.from(x);
    const expected = pe.rope.apply(x, { shape: [3, 2, 16], frequencies: f });
    assert.deepEqual(await pw.rope.apply(kept, { shape: [3, 2, 16], frequencies: f }), expected);
    assert.deepEqual(kept, x, 'a copy was sent: the caller still has its array');
    const moved = Float32Array.from(x);
    assert.equal(transfer(moved), moved);
    assert.deepEqual(await pw.rope.apply(moved, { shape: [3, 2, 16], frequencies: f }), expected);
    assert.equal(moved.length, 0, 'a transferred array is detached');
    assert.equal(moved.buffer.byteLength, 0);
    assert.throws(() => transfer([1, 2]), { name: 'TypeError', message: 'posenc.worker.transfer: array must be a typed array or an ArrayBuffer, got an array' });
  } finally {
    pw.terminate();
  }
});

test('calls keep their order; the LM trainer lives in the worker behind a handle', async () => {
  const pw = await initWorker();
  try {
    const settings = { corpus: { seed: 3 }, position: 'rope', steps: 6, context: 16, dModel: 16, layers: 1, heads: 2, mlp: 32, batch: 2 };
    const local = pe.lm.create(settings);
    const remote = await pw.lm.create(settings);
    assert.deepEqual(remote.config, local.config);
    assert.equal(remote.parameterCount, local.parameterCount);
    const order = [];
    const runs = [remote.train(2), pw.t5.bucket([1]), remote.train(2)].map((p, i) => p.then((r) => { order.push(i); return r; }));
    const [a, , b] = await Promise.all(runs);
    assert.deepEqual(order, [0, 1, 2]);
    assert.deepEqual([a, b], [local.train(2), local.train(2)]);
    const tokens = pe.corpus.generate({ seed: 9, stream: 'eval', length: 200 });
    assert.deepEqual(await remote.evaluate({ tokens, length: 16 }), local.evaluate({ tokens, length: 16 }));
    const bad = await errorOf(() => remote.train(0));
    const good = await errorOf(() => local.train(0));
    assert.equal(bad.constructor, good.constructor);
    assert.equal(bad.message, good.message);
    await remote.dispose();
    local.dispose();
    const afterDispose = await errorOf(() => remote.train(1));
    assert.equal(afterDispose.constructor, RangeError);
    assert.equal(afterDispose.message, (await errorOf(() => local.train(1))).message);
  } finally {
    pw.terminate();
  }
});

test('cancel: a queued call never runs, a running call ends its worker, the next call starts a new one', { skip: !LINUX && 'needs /proc' }, async () => {
  (await initWorker()).terminate();  // let the process reach its steady number of threads
  const baseline = await settledThreads(threads() - 1);
  const pw = await initWorker();
  assert.equal(await settledThreads(baseline + 1), baseline + 1, 'one worker thread');
  const trainer = await pw.lm.create({ corpus: { seed: 1 }, steps: 4, context: 16, dModel: 16, layers: 1, heads: 2, mlp: 32, batch: 2 });
  const big = randomVector(4096 * 8 * 64, 3);
  const long = { q: big, k: big, v: big, shape: [4096, 8, 64], streaming: false };  // seconds of work
  const running = new AbortController();
  const queued = new AbortController();
  const first = pw.withSignal(running.signal).attention(long);
  const second = pw.withSignal(queued.signal).attention(long);
  const third = pw.t5.bucket([5]);
  queued.abort();
  await assert.rejects(second, { name: 'AbortError' });
  await new Promise((r) => setTimeout(r, 200));  // the first call is now running in the worker
  running.abort(new RangeError('stop'));
  await assert.rejects(first, { name: 'RangeError', message: 'stop' });
  assert.deepEqual(await third, pe.t5.bucket([5]), 'a call queued behind the cancelled one runs in a new worker');
  await assert.rejects(trainer.train(1), /lived in a worker that was terminated/);
  assert.equal(await settledThreads(baseline + 1), baseline + 1, 'one worker thread, the new one');
  const aborted = new AbortController();
  aborted.abort();
  await assert.rejects(pw.withSignal(aborted.signal).sinusoidal({ length: 2, dim: 2 }), { name: 'AbortError' });
  pw.terminate();
  assert.equal(await settledThreads(baseline), baseline, 'terminate() ends the thread');
  await assert.rejects(pw.sinusoidal({ length: 2, dim: 2 }), { name: 'Error', message: 'posenc.sinusoidal: the worker has been terminated' });
});

test('tensors stay on the page: a tensor argument is a TypeError naming it, and the worker offers no pe.tensor', async () => {
  const pw = await initWorker();
  const t = pe.tensor(x, { shape: [3, 2, 16] });
  try {
    assert.equal(pw.tensor, undefined);
    assert.equal(pw.zeros, undefined);
    const refused = (name) => (e) => e instanceof TypeError
      && e.message.startsWith(`${name} is a tensor, which lives in the page's WebAssembly memory and cannot be sent to a worker`);
    await assert.rejects(pw.rope.apply(t, { shape: [3, 2, 16], frequencies: f }), refused('posenc.rope.apply: x'));
    await assert.rejects(pw.rope.apply(x, { shape: [3, 2, 16], frequencies: f, out: t }), refused('posenc.rope.apply: options.out'));
    await assert.rejects(pw.attention({ q: t, k, v, shape: [L, H, D] }), refused('posenc.attention: options.q'));
    // Its values, copied out, are accepted and give what the page computes.
    const expected = pe.rope.apply(t, { shape: [3, 2, 16], frequencies: f });
    assert.deepEqual(await pw.rope.apply(t.toArray(), { shape: [3, 2, 16], frequencies: f }), expected);
  } finally {
    t.dispose();
    pw.terminate();
  }
});

test('terminate() rejects the pending calls', async () => {
  const pw = await initWorker({ simd: false });
  assert.equal(pw.simd, false);
  const pending = pw.sinusoidal({ length: 1000, dim: 64 });
  pw.terminate();
  await assert.rejects(pending, { message: 'posenc.worker: the worker has been terminated' });
});
