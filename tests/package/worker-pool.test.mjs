// SPDX-License-Identifier: MIT
// posenc/worker with a pool of worker threads (initWorker({ threads })) through the installed package
// under Node: attention split by blocks of queries gives the library's result bit for bit (every
// position method, causal or not, plain with weights and streaming, lengths the blocks do not
// divide), errors are the library's own, and a cancelled call leaves no worker thread behind.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { init } from 'posenc';
import { initWorker } from 'posenc/worker';

import { LINUX, bits, randomVector, settledThreads, threads } from './helpers.mjs';

const pe = await init();


const H = 3, D = 16;  // an odd head count
const MAX_LENGTH = 101;

/** Every position method with its parameters, for sequences up to MAX_LENGTH. */
const POSITIONS = {
  none: 'none',
  sinusoidal: { method: 'sinusoidal', layout: 'fairseq' },
  learned: { method: 'learned', table: randomVector(MAX_LENGTH * D, 11) },
  rope: { method: 'rope', frequencies: pe.rope.frequencies({ head_dim: D, rope_theta: 10000 }) },
  xpos: { method: 'xpos', scaleBase: 64 },
  alibi: 'alibi',
  t5: { method: 't5', table: randomVector(32 * H, 12), numBuckets: 32, maxDistance: 40 },
  kerple: { method: 'kerple', r1: [0.5, 1, 2], r2: [0.25, 0.5, 1] },
  shaw: { method: 'shaw', tableK: randomVector(9 * D, 13), tableV: randomVector(9 * D, 14), maxDistance: 4 },
};

/** q, k and v for `queries` x `keys`, [x][H][D]. */
const inputs = (queries, keys, seed) => ({ q: randomVector(queries * H * D, seed), k: randomVector(keys * H * D, seed + 1),
  v: randomVector(keys * H * D, seed + 2) });

/** Every case: [label, options]. Self-attention of 37 and 101 tokens, and cross-attention with an offset. */
function cases() {
  const out = [];
  for (const [name, position] of Object.entries(POSITIONS)) {
    for (const causal of [false, true]) {
      for (const seq of [37, 101]) {
        const data = inputs(seq, seq, seq);
        out.push([`${name} causal=${causal} seq=${seq} plain+weights`, { ...data, shape: [seq, H, D], position, causal, returnWeights: true, streaming: false }]);
        out.push([`${name} causal=${causal} seq=${seq} streaming`, { ...data, shape: [seq, H, D], position, causal, streaming: true }]);
      }
      const cross = inputs(37, 64, 5);
      out.push([`${name} causal=${causal} 37 queries at 27 against 64 keys`,
        { ...cross, shape: { queries: 37, keys: 64, heads: H, headDim: D }, queryOffset: 27, position, causal, returnWeights: true }]);
    }
  }
  // Queries past the last key (xPos then runs unsplit: its centre depends on the last query).
  const past = inputs(37, 40, 7);
  for (const position of ['xpos', 'alibi']) {
    out.push([`${position}: 37 queries at 50 against 40 keys`, { ...past, shape: { queries: 37, keys: 40, heads: H, headDim: D }, queryOffset: 50, position }]);
  }
  return out;
}

const sameBits = (actual, expected, label) => assert.deepEqual(bits(actual), bits(expected), label);

test('threads: 1 by default; pw.threads reports the pool size', async () => {
  for (const [options, n] of [[undefined, 1], [{}, 1], [{ threads: 1 }, 1], [{ threads: 2 }, 2], [{ threads: 3, simd: 'auto' }, 3]]) {
    const pw = await initWorker(options);
    try {
      assert.equal(pw.threads, n);
    } finally {
      pw.terminate();
    }
  }
});

test('threads: argument errors are named (TypeError/RangeError posenc.initWorker: threads ...)', async () => {
  for (const [threads, name, text] of [['2', 'TypeError', 'must be a number'], [null, 'TypeError', 'must be a number'],
    [0, 'RangeError', 'must be an integer >= 1'], [-1, 'RangeError', 'must be an integer >= 1'], [1.5, 'RangeError', 'must be an integer'],
    [NaN, 'RangeError', 'must be an integer'], [257, 'RangeError', 'must be an integer <= 256']]) {
    await assert.rejects(initWorker({ threads }), (e) => {
      assert.equal(e.name, name, e.message);
      assert.ok(e.message.startsWith(`posenc.initWorker: threads ${text}`), e.message);
      return true;
    });
  }
});

test('attention on 1, 2 and 3 threads is bit-identical to the library on the main thread, for every method', async () => {
  const list = cases();
  const pools = await Promise.all([1, 2, 3].map((threads) => initWorker({ threads })));
  try {
    for (const [label, options] of list) {
      const expected = pe.attention(options);
      const results = await Promise.all(pools.map((pw) => pw.attention(options)));
      results.forEach((result, i) => {
        const where = `${label}, threads ${pools[i].threads}`;
        assert.deepEqual(Object.keys(result).sort(), Object.keys(expected).sort(), where);
        sameBits(result.output, expected.output, `${where}: output`);
        if (expected.weights) sameBits(result.weights, expected.weights, `${where}: weights`);
      });
    }
  } finally {
    for (const pw of pools) pw.terminate();
  }
});

test('a pool splits more threads than queries, and runs a one-query call whole', async () => {
  const pw = await initWorker({ threads: 3 });
  try {
    for (const seq of [1, 2]) {
      const options = { ...inputs(seq, seq, 3), shape: [seq, H, D], position: 'alibi', causal: true, returnWeights: true };
      const expected = pe.attention(options);
      const result = await pw.attention(options);
      sameBits(result.output, expected.output, `seq ${seq}`);
      sameBits(result.weights, expected.weights, `seq ${seq} weights`);
    }
  } finally {
    pw.terminate();
  }
});

test('attention errors through the pool are the library\'s, by class and message', async () => {
  const seq = 37;
  const data = inputs(seq, seq, 9);
  const lateNaN = Float32Array.from(data.q);
  lateNaN[30 * H * D + 5] = NaN;  // in the last block of every split
  const short = { method: 'learned', table: randomVector(20 * D, 1) };  // rows for the first block only
  const BAD = [
    { ...data, q: lateNaN, shape: [seq, H, D] },
    { ...data, shape: [seq, H, D], position: short },
    { ...data, shape: [seq, H, D], position: 'rope' },
    { ...data, shape: [seq, H, D + 1] },
    { ...data, shape: { queries: seq, keys: 10, heads: H, headDim: D } },
    { ...data, shape: [seq, H, D], causal: 'yes' },
    { ...data, shape: [seq, H, D], streaming: true, returnWeights: true },
    { ...data, shape: [seq, H, D], queryOffset: -1 },
    { ...data, shape: [seq, H, D], out: new Float32Array(3) },
  ];
  const pw = await initWorker({ threads: 3 });
  try {
    for (const options of BAD) {
      let expected;
      assert.throws(() => pe.attention(options), (e) => { expected = e; return true; });
      await assert.rejects(pw.attention(options), (e) => {
        assert.equal(e.constructor, expected.constructor, e.message);
        assert.equal(e.message, expected.message);
        return true;
      });
    }
    // The pool keeps working, and the other functions (on the first worker) too.
    const options = { ...data, shape: [seq, H, D], position: 'alibi' };
    sameBits((await pw.attention(options)).output, pe.attention(options).output, 'after the errors');
    sameBits(await pw.sinusoidal({ length: 9, dim: 12 }), pe.sinusoidal({ length: 9, dim: 12 }), 'sinusoidal on the first worker');
  } finally {
    pw.terminate();
  }
});

test('cancel: every worker of a split call ends, none is left behind; the next call starts fresh ones', { skip: !LINUX && 'needs /proc' }, async () => {
  (await initWorker({ threads: 3 })).terminate();  // let the process reach its steady number of threads
  const baseline = await settledThreads(threads() - 3);
  const pw = await initWorker({ threads: 3 });
  assert.equal(await settledThreads(baseline + 3), baseline + 3, 'three worker threads');
  const big = randomVector(4096 * 8 * 64, 3);
  const long = { q: big, k: big, v: big, shape: [4096, 8, 64], streaming: false };  // seconds of work
  const controller = new AbortController();
  const running = pw.withSignal(controller.signal).attention(long);
  await new Promise((r) => setTimeout(r, 300));  // every block is now running in its worker
  controller.abort(new RangeError('stop'));
  await assert.rejects(running, { name: 'RangeError', message: 'stop' });
  assert.equal(await settledThreads(baseline), baseline, 'no worker thread left');
  const small = { ...inputs(101, 101, 4), shape: [101, H, D], position: 'alibi', causal: true };
  sameBits((await pw.attention(small)).output, pe.attention(small).output, 'the next call, on new workers');
  assert.equal(await settledThreads(baseline + 3), baseline + 3, 'three new worker threads');
  pw.terminate();
  assert.equal(await settledThreads(baseline), baseline, 'terminate() ends every thread');
  await assert.rejects(pw.attention(small), { name: 'Error', message: 'posenc.attention: the worker has been terminated' });
});
