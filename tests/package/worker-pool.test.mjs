// SPDX-License-Identifier: MIT
// posenc/worker with a pool of worker threads (initWorker({ threads })) through the installed package
// under Node: attention split by blocks of queries gives the library's result bit for bit (every
// position method, causal or not, plain with weights and streaming, lengths the blocks do not
// divide), errors are the library's own, and a cancelled call leaves no worker thread behind. The
// language model trains data-parallel over the batch (a replica per worker, steps synchronised
// through shared memory or messages) exactly as one trainer on the main thread does.
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
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

test('threads: 1 by default; pw.threads reports the pool size (pe.threads: 1, the calling thread)', async () => {
  assert.equal(pe.threads, 1);
  const auto = Math.min(16, availableParallelism());
  for (const [options, n] of [[undefined, 1], [{}, 1], [{ threads: 1 }, 1], [{ threads: 2 }, 2], [{ threads: 3, simd: 'auto' }, 3], [{ threads: 'auto' }, auto]]) {
    const pw = await initWorker(options);
    try {
      assert.equal(pw.threads, n);
      assert.equal(pw.sharedMemory, true, 'Node has SharedArrayBuffer: training synchronises through it by default');
    } finally {
      pw.terminate();
    }
  }
});

test('threads: argument errors are named (TypeError/RangeError posenc.initWorker: threads ...)', async () => {
  for (const [threads, name, text] of [['2', 'TypeError', 'must be a number'], [null, 'TypeError', 'must be a number'],
    [0, 'RangeError', 'must be an integer >= 1'], [-1, 'RangeError', 'must be an integer >= 1'], [1.5, 'RangeError', 'must be an integer'],
    [NaN, 'RangeError', 'must be an integer'], [257, 'RangeError', 'must be an integer <= 256'], ['all', 'TypeError', 'must be a number']]) {
    await assert.rejects(initWorker({ threads }), (e) => {
      assert.equal(e.name, name, e.message);
      assert.ok(e.message.startsWith(`posenc.initWorker: threads ${text}`), e.message);
      return true;
    });
  }
});

test('attention on 1, 2 and 3 threads (through shared memory and by copies) is bit-identical to the library on the main thread, for every method', async () => {
  const list = cases();
  const pools = await Promise.all([[1, true], [2, true], [3, true], [2, false], [3, false]].map(([threads, sharedMemory]) => initWorker({ threads, sharedMemory })));
  try {
    for (const [label, options] of list) {
      const expected = pe.attention(options);
      const results = await Promise.all(pools.map((pw) => pw.attention(options)));
      results.forEach((result, i) => {
        const where = `${label}, threads ${pools[i].threads}${pools[i].sharedMemory ? '' : ', copies'}`;
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

// ------------------------------------------------------------------------------------------------
// The language model, data-parallel.

/** A small model: batch 5 (blocks of 3 + 2, or 2 + 2 + 1: the tree's nodes do not align with them). */
const LM = { corpus: { seed: 2, length: 20000 }, batch: 5, steps: 12, dModel: 16, heads: 2, mlp: 32, context: 16 };
const evalTokens = pe.corpus.generate({ seed: 2, stream: 'eval', length: 400 });

/** What a trainer reports after 4 steps, the rest of its schedule, an evaluation (and a RoPE fine-tune). */
async function trainingRecord(trainer, position) {
  const first = await trainer.train(4);
  const rest = await trainer.train(100);
  const evaluation = await trainer.evaluate({ tokens: evalTokens, length: 16 });
  const tuned = position === 'rope' ? await trainer.finetune({ context: 32, rope: { type: 'linear', factor: 2 }, steps: 2 }) : null;
  const after = tuned ? await trainer.evaluate({ tokens: evalTokens, length: 32, rope: { type: 'linear', factor: 2 } }) : null;
  return { first, rest, evaluation, tuned, after };
}

test('lm: data-parallel training on 2 and 3 threads, through shared memory and through messages, is the main thread\'s bit for bit, every position method', async () => {
  const pools = await Promise.all([[2, true], [3, true], [2, false], [3, false]].map(([threads, sharedMemory]) => initWorker({ threads, sharedMemory })));
  try {
    for (const position of pe.lm.positions) {
      const here = pe.lm.create({ ...LM, position });
      const expected = await trainingRecord(here, position);
      here.dispose();
      assert.equal(expected.rest.done, LM.steps);
      for (const pw of pools) {
        const where = `${position}, threads ${pw.threads}, ${pw.sharedMemory ? 'shared memory' : 'messages'}`;
        const trainer = await pw.lm.create({ ...LM, position });
        assert.equal(trainer.threads, pw.threads, where);
        assert.equal(trainer.parameterCount, here.parameterCount, where);
        assert.deepEqual(await trainingRecord(trainer, position), expected, where);
        await trainer.dispose();
        assert.equal(await pw.lm.liveTrainers(), 0, `${where}: every replica freed`);
      }
    }
  } finally {
    for (const pw of pools) pw.terminate();
  }
});

test('lm: gradients() and applyGradient() by hand: replicas combined by the tree rule take train()\'s steps', () => {
  const P = (t) => t.parameterCount;
  // The tree of lib/lm.d.ts written out: S(b, b + 1) = g_b, S(lo, hi) = S(lo, mid) + S(mid, hi).
  const combine = (have, lo, hi, n) => {
    if (have.has(`${lo},${hi}`)) return have.get(`${lo},${hi}`);
    const mid = lo + Math.floor((hi - lo) / 2);
    const a = combine(have, lo, mid, n), b = combine(have, mid, hi, n);
    return a.map((x, i) => Math.fround(x + b[i]));
  };
  const options = { ...LM, batch: 7, position: 't5' };
  const reference = pe.lm.create(options);
  const replicas = [0, 1, 2].map(() => pe.lm.create(options));
  const blocks = [[0, 2], [2, 3], [5, 2]];  // [first, count]
  try {
    for (let step = 0; step < 3; step++) {
      const { loss } = reference.train(1);
      const have = new Map();
      const losses = new Array(options.batch).fill(0);
      // Asked in reverse order, and the first block twice: the batch is drawn once per step.
      for (const [r, [first, count]] of [...blocks.entries()].reverse().concat([[0, blocks[0]]])) {
        const part = replicas[r].gradients({ first, count });
        assert.equal(part.step, step);
        assert.equal(part.losses.length, count);
        assert.equal(part.gradients.length, part.nodes.length * P(reference));
        part.nodes.forEach(([lo, hi], k) => have.set(`${lo},${hi}`, Array.from(part.gradients.subarray(k * P(reference), (k + 1) * P(reference)))));
        losses.splice(first, count, ...part.losses);
      }
      const sum = losses.reduce((a, b) => a + b, 0);
      const gradient = Float32Array.from(combine(have, 0, options.batch));
      for (const replica of replicas) assert.equal(replica.applyGradient(gradient).steps, step + 1);
      assert.equal(sum, loss, `step ${step}: the losses, added in sequence order, are train()'s`);
    }
    const expected = reference.evaluate({ tokens: evalTokens, length: 16 });
    for (const replica of replicas) assert.deepEqual(replica.evaluate({ tokens: evalTokens, length: 16 }), expected);
    // Arguments are checked by name.
    const t = replicas[0];
    for (const [args, name, text] of [[{ first: 7 }, 'RangeError', 'first must be an integer <= 6'], [{ first: 5, count: 3 }, 'RangeError', 'count must be an integer <= 2'],
      [{ count: 0 }, 'RangeError', 'count must be an integer >= 1'], [{ firts: 1 }, 'TypeError', 'unknown option "firts"'],
      [{ apply: new Float32Array(3) }, 'RangeError', `apply must have ${P(t)} elements`]]) {
      assert.throws(() => t.gradients(args), (e) => e.name === name && e.message.startsWith(`posenc.lm.gradients: ${text}`), JSON.stringify(args));
    }
    const bad = new Float32Array(P(t));
    bad[9] = NaN;
    assert.throws(() => t.applyGradient(bad), (e) => e.name === 'RangeError' && /^posenc\.lm\.applyGradient: gradient\[9\] must be finite/.test(e.message));
    assert.throws(() => t.applyGradient([1, 2]), (e) => e.name === 'RangeError' && e.message.startsWith(`posenc.lm.applyGradient: gradient must have ${P(t)} elements`));
    t.train(100);
    assert.throws(() => t.gradients(), (e) => e.name === 'RangeError' && e.message === 'posenc.lm.gradients: trainer has taken every step of its schedule');
    assert.throws(() => t.applyGradient(new Float32Array(P(t))), (e) => e.name === 'RangeError' && e.message === 'posenc.lm.applyGradient: trainer has taken every step of its schedule');
  } finally {
    reference.dispose();
    for (const r of replicas) r.dispose();
  }
});

test('lm: errors through the pool are the library\'s; a disposed pool trainer is refused', async () => {
  const pw = await initWorker({ threads: 2 });
  try {
    for (const bad of [{ ...LM, batch: 0 }, { ...LM, position: 'xpos' }, { ...LM, heads: 3 }]) {
      let expected;
      assert.throws(() => pe.lm.create(bad), (e) => { expected = e; return true; });
      await assert.rejects(pw.lm.create(bad), (e) => e.constructor === expected.constructor && e.message === expected.message);
    }
    assert.equal(await pw.lm.liveTrainers(), 0, 'a refused create leaves no replica behind');
    const trainer = await pw.lm.create(LM);
    const local = pe.lm.create(LM);
    for (const steps of ['3', 0, 1.5]) {
      let expected;
      assert.throws(() => local.train(steps), (e) => { expected = e; return true; });
      await assert.rejects(trainer.train(steps), (e) => e.constructor === expected.constructor && e.message === expected.message);
    }
    local.dispose();
    await trainer.dispose();
    await assert.rejects(trainer.train(1), /^RangeError: posenc\.lm\.train: this trainer has been disposed/);
  } finally {
    pw.terminate();
  }
});

for (const sharedMemory of [true, false]) {
  test(`lm: cancelling a data-parallel train() (${sharedMemory ? 'shared memory' : 'messages'}) ends its workers, frees every replica, and the pool goes on`, { skip: !LINUX && 'needs /proc' }, async () => {
    (await initWorker({ threads: 2 })).terminate();
    const baseline = await settledThreads(threads() - 2);
    const pw = await initWorker({ threads: 2, sharedMemory });
    try {
      for (let round = 0; round < 3; round++) {
        const trainer = await pw.lm.create({ corpus: { seed: 1, length: 200000 }, batch: 8, steps: 1e6 });
        assert.equal(await settledThreads(baseline + 2), baseline + 2, `round ${round}: two worker threads`);
        const controller = new AbortController();
        const running = trainer.withSignal(controller.signal).train(100000);  // minutes of work
        await new Promise((r) => setTimeout(r, 400));
        controller.abort(new RangeError('stop'));
        await assert.rejects(running, { name: 'RangeError', message: 'stop' });
        await assert.rejects(trainer.train(1), /^Error: posenc\.lm\.train: this trainer lived in workers that a cancelled call terminated/);
        await assert.rejects(trainer.evaluate({ tokens: evalTokens, length: 16 }), /^Error: posenc\.lm\.evaluate: this trainer lived in workers/);
        // The next call runs on new workers (or the idle one), where no replica is left.
        assert.equal(await pw.lm.liveTrainers(), 0, `round ${round}: no replica left in any worker`);
        assert.equal(await settledThreads(baseline + 2), baseline + 2, `round ${round}: two worker threads, not more`);
      }
      const again = await pw.lm.create(LM);
      const local = pe.lm.create(LM);
      assert.deepEqual(await again.train(5), local.train(5), 'the pool trains as before');
      local.dispose();
    } finally {
      pw.terminate();
    }
    assert.equal(await settledThreads(baseline), baseline, 'terminate() ends every thread');
  });
}
