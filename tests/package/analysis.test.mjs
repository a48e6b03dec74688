// SPDX-License-Identifier: MIT
// pe.analysis through the installed package: hand-computed cases, independent formulas written here,
// SIMD against baseline, and argument checking.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { init } from 'posenc';

import { maxDiff, randomVector } from './helpers.mjs';

const pe = await init();
const base = await init({ simd: false });

const close = (got, want, tol, label) => assert.ok(Math.abs(got - want) <= tol, `${label}: ${got} vs ${want}`);
const range = (first, last) => Array.from({ length: last - first + 1 }, (_, i) => first + i);

// ---------------------------------------------------------------------------------------------

test('similarity: a 3 x 2 table by hand, a zero row, the default metric', () => {
  const table = [1, 0, 0, 2, 3, 4];  // rows (1,0), (0,2), (3,4); norms 1, 2, 5
  const dot = pe.analysis.similarity({ table, dim: 2 });
  assert.ok(dot instanceof Float32Array);
  assert.deepEqual(Array.from(dot), [1, 0, 3, 0, 4, 8, 3, 8, 25]);
  const cos = pe.analysis.similarity({ table, rows: 3, dim: 2, metric: 'cosine' });
  [1, 0, 0.6, 0, 1, 0.8, 0.6, 0.8, 1].forEach((want, i) => close(cos[i], want, 1e-7, `cosine[${i}]`));
  const zero = pe.analysis.similarity({ table: [0, 0, 1, 1], dim: 2, metric: 'cosine' });
  assert.deepEqual(Array.from(zero), [0, 0, 0, 1]);
});

test('similarity: sinusoidal rows, cosine = sum_i cos((p - q) w_i) / (d/2); SIMD equals baseline', () => {
  const [length, dim] = [40, 16];
  const table = pe.sinusoidal({ length, dim });
  const cos = pe.analysis.similarity({ table, dim, metric: 'cosine' });
  for (let p = 0; p < length; p++) {
    for (let q = 0; q < length; q++) {
      let e = 0;
      for (let i = 0; i < dim / 2; i++) e += Math.cos((p - q) * 10000 ** (-2 * i / dim));
      close(cos[p * length + q], e / (dim / 2), 2e-6, `cos[${p}][${q}]`);
    }
  }
  const random = randomVector(37 * 65, 1);
  for (const metric of ['dot', 'cosine']) {
    const a = pe.analysis.similarity({ table: random, dim: 65, metric });
    const b = base.analysis.similarity({ table: random, dim: 65, metric });
    assert.ok(maxDiff(a, b) < 1e-5, metric);
    for (let i = 0; i < 37; i++) for (let j = 0; j < 37; j++) assert.equal(a[i * 37 + j], a[j * 37 + i]);
  }
});

// ---------------------------------------------------------------------------------------------

test('relativeScores, rope: all-ones q, k in 2 dimensions give 2 af^2 cos(d w); distance 0 gives af^2 |q|^2', () => {
  for (const attentionFactor of [1, 1.5]) {
    for (const layout of ['half', 'interleaved']) {
      const r = pe.analysis.relativeScores({ method: 'rope', frequencies: { invFreq: [0.3], attentionFactor }, range: [-20, 40], layout });
      assert.equal(r.heads, 1);
      assert.deepEqual(Array.from(r.distances), range(-20, 40));
      r.distances.forEach((d, t) => close(r.scores[t], 2 * attentionFactor ** 2 * Math.cos(0.3 * d), 2e-6, `d=${d}`));
    }
  }
  // YaRN, factor 4: attention factor 0.1 ln 4 + 1.
  const f = pe.rope.frequencies({ head_dim: 16, rope_scaling: { rope_type: 'yarn', factor: 4, original_max_position_embeddings: 2048 } });
  close(f.attentionFactor, 0.1 * Math.log(4) + 1, 1e-15, 'yarn attention factor');
  const q = randomVector(16, 2);
  const norm2 = q.reduce((s, x) => s + x * x, 0);
  const r = pe.analysis.relativeScores({ method: 'rope', frequencies: f, q, k: q, distances: [0, 3, 0] });
  close(r.scores[0], f.attentionFactor ** 2 * norm2, 1e-5, 'distance 0');
  assert.equal(r.scores[2], r.scores[0]);
});

test("relativeScores, rope: RoFormer's all-ones curve 2 sum_i cos(d w_i); SIMD equals baseline", () => {
  const f = pe.rope.frequencies({ head_dim: 32, rope_theta: 10000 });
  const opts = { method: 'rope', frequencies: f, range: [0, 2000] };
  const r = pe.analysis.relativeScores(opts);
  r.distances.forEach((d, t) => {
    let e = 0;
    for (let i = 0; i < 16; i++) e += 2 * Math.cos(d * 10000 ** (-2 * i / 32));
    close(r.scores[t], e, 2e-5, `d=${d}`);
  });
  assert.ok(maxDiff(r.scores, base.analysis.relativeScores(opts).scores) < 1e-5);
});

test('relativeScores, alibi: -m_h |d| with the slopes written out (4 heads)', () => {
  const r = pe.analysis.relativeScores({ method: 'alibi', heads: 4, range: [-7, 9] });
  assert.equal(r.heads, 4);
  assert.equal(r.scores.length, 4 * 17);
  [0.25, 0.0625, 0.015625, 0.00390625].forEach((m, h) => {
    r.distances.forEach((d, t) => assert.equal(r.scores[h * 17 + t], Math.fround(-m * Math.abs(d)) + 0, `h=${h} d=${d}`));
  });
});

test('relativeScores, t5: the table at the bucket of each distance (8 buckets, maxDistance 16)', () => {
  const table = Array.from({ length: 16 }, (_, i) => 10 * Math.floor(i / 2) + (i % 2));  // table[b][h] = 10 b + h
  // Bidirectional: 4 buckets per direction, exact below 2, then 2 + trunc(log(r/2) / log 8 * 2) (r = 2..5 -> 2,
  // r >= 6 -> 3); keys after the query (d < 0) add 4.
  const bi = { '-100': 7, '-6': 7, '-5': 6, '-2': 6, '-1': 5, 0: 0, 1: 1, 2: 2, 5: 2, 6: 3, 9: 3, 40: 3 };
  // Causal: d < 0 -> 0, exact below 4, then 4 + trunc(log(d/4) / log 4 * 4): 4, 5 -> 4; 6, 7 -> 5; 12, 100 -> 7.
  const causal = { '-5': 0, '-1': 0, 0: 0, 3: 3, 4: 4, 5: 4, 6: 5, 7: 5, 12: 7, 100: 7 };
  for (const [bidirectional, expected] of [[true, bi], [false, causal]]) {
    const distances = Object.keys(expected).map(Number);
    const r = pe.analysis.relativeScores({ method: 't5', table, numBuckets: 8, maxDistance: 16, bidirectional, distances });
    assert.equal(r.heads, 2);
    distances.forEach((d, t) => {
      for (let h = 0; h < 2; h++) assert.equal(r.scores[h * distances.length + t], 10 * expected[d] + h, `d=${d} h=${h}`);
    });
  }
});

test('relativeScores, kerple: -r1 log(1 + r2 |d|) and -r1 |d|^r2 per head; one value for all heads', () => {
  const r1 = [0.5, 2], r2 = [0.25, 1.5];
  const distances = [0, 1, -1, 17, -300, 4096];
  for (const variant of ['log', 'power']) {
    const r = pe.analysis.relativeScores({ method: 'kerple', r1, r2, variant, distances });
    assert.equal(r.heads, 2);
    for (let h = 0; h < 2; h++) {
      distances.forEach((d, t) => {
        const a = Math.abs(d);
        const e = variant === 'log' ? -r1[h] * Math.log(1 + r2[h] * a) : -r1[h] * a ** r2[h];
        close(r.scores[h * distances.length + t], e, 2e-7 * Math.max(1, Math.abs(e)), `${variant} h=${h} d=${d}`);
      });
    }
  }
  const shared = pe.analysis.relativeScores({ method: 'kerple', r1: 1, r2: 1, heads: 3, distances: [2] });
  assert.deepEqual(Array.from(shared.scores), Array(3).fill(Math.fround(-Math.log(3))));
});

test('relativeCheck: q_m . k_n depends on m - n only, up to position 1e6, within float32 rounding', () => {
  const f = pe.rope.frequencies({ head_dim: 128 });
  for (const inst of [pe, base]) {
    const c = inst.analysis.relativeCheck({ frequencies: f, range: [0, 256] });
    assert.equal(c.bound, 128);
    assert.equal(c.samples, 64);
    assert.equal(c.maxPosition, 1_000_000);
    assert.ok(c.maxDeviation < 128 * 4e-7, `deviation ${c.maxDeviation}`);
  }
  const q = randomVector(20, 3), k = randomVector(20, 4);
  const g = pe.rope.frequencies({ head_dim: 20, partial_rotary_factor: 0.5, rope_scaling: { rope_type: 'linear', factor: 2 } });
  const c = pe.analysis.relativeCheck({ frequencies: g, q, k, layout: 'interleaved', distances: [-50, 3, 900], maxPosition: 2 ** 24, samples: 17 });
  let qr = 0, kr = 0, qp = 0, kp = 0;
  for (let i = 0; i < 20; i++) { if (i < 10) { qr += q[i] ** 2; kr += k[i] ** 2; } else { qp += q[i] ** 2; kp += k[i] ** 2; } }
  close(c.bound, Math.sqrt(qr * kr) + Math.sqrt(qp * kp), 1e-12, 'bound');
  assert.ok(c.maxDeviation < c.bound * 4e-7, `deviation ${c.maxDeviation}`);
});

// ---------------------------------------------------------------------------------------------

test('wavelengths: llama3, linear and v5 partial rotary against the formulas; default unchanged', () => {
  const llama = { hidden_size: 4096, num_attention_heads: 32, rope_theta: 500000,
    rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 } };
  const w = pe.analysis.wavelengths(llama);
  assert.equal(w.ropeType, 'llama3');
  assert.equal(w.attentionFactor, 1);
  assert.equal(w.before.length, 64);
  for (let i = 0; i < 64; i++) {
    const lambda = 2 * Math.PI * 500000 ** (2 * i / 128);
    close(w.before[i], lambda, 1e-9 * lambda, `before[${i}]`);
    // Longer than 8192 / 1: times 8. Shorter than 8192 / 4: kept. Between: 1 / lerp of the frequencies.
    let after = lambda;
    if (lambda > 8192) after = 8 * lambda;
    else if (lambda >= 2048) {
      const smooth = (8192 / lambda - 1) / (4 - 1);
      after = 1 / ((1 - smooth) / (8 * lambda) + smooth / lambda);
    }
    close(w.after[i], after, 1e-9 * after, `after[${i}]`);
  }
  const linear = pe.analysis.wavelengths({ head_dim: 8, rope_scaling: { type: 'linear', factor: 4 } });
  linear.before.forEach((x, i) => close(linear.after[i], 4 * x, 1e-9 * x, `linear[${i}]`));
  // v5: theta and the partial rotary factor inside rope_parameters; 32 * 0.25 = 8 rotary dimensions.
  const v5 = pe.analysis.wavelengths({ head_dim: 32, rope_parameters: { rope_type: 'yarn', rope_theta: 1000, partial_rotary_factor: 0.25,
    factor: 4, original_max_position_embeddings: 1024 } });
  assert.equal(v5.before.length, 4);
  v5.before.forEach((x, i) => close(x, 2 * Math.PI * 1000 ** (2 * i / 8), 1e-9 * x, `v5 before[${i}]`));
  close(v5.attentionFactor, 0.1 * Math.log(4) + 1, 1e-15, 'yarn attention factor');
  const plain = pe.analysis.wavelengths({ head_dim: 16 });
  assert.deepEqual(plain.after, plain.before);
  // dynamic: unchanged within max_position_embeddings, longer beyond.
  const dyn = { head_dim: 16, max_position_embeddings: 1000, rope_scaling: { rope_type: 'dynamic', factor: 2 } };
  assert.deepEqual(pe.analysis.wavelengths(dyn, { seqLen: 1000 }).after, plain.before);
  assert.ok(pe.analysis.wavelengths(dyn, { seqLen: 4000 }).after[7] > plain.before[7]);
});

// ---------------------------------------------------------------------------------------------

const [L, H, D] = [10, 4, 8];
const N = L * H * D;
const q = randomVector(N, 11), k = randomVector(N, 12), v = randomVector(N, 13);
const permuteRows = (x, perm) => {
  const y = new Float32Array(x.length);
  perm.forEach((from, i) => y.set(x.subarray(from * H * D, (from + 1) * H * D), i * H * D));
  return y;
};

test('permutation: equivariant without positions and mask; outputs are pe.attention of the tokens and of the shuffle', () => {
  for (const inst of [pe, base]) {
    const r = inst.analysis.permutation({ q, k, v, shape: [L, H, D], seed: 3 });
    assert.ok(r.equivarianceError < 1e-6, `${r.equivarianceError}`);
    assert.deepEqual(Array.from(r.permutation).sort((a, b) => a - b), range(0, L - 1));
    assert.notDeepEqual(Array.from(r.permutation), range(0, L - 1));
    assert.deepEqual(r.output, inst.attention({ q, k, v, shape: [L, H, D] }).output);
    const [qy, ky, vy] = [q, k, v].map((x) => permuteRows(x, r.permutation));
    assert.deepEqual(r.permutedOutput, inst.attention({ q: qy, k: ky, v: vy, shape: [L, H, D] }).output);
    // max |permutedOutput_i - output_perm[i]|, written out
    let e = 0;
    r.permutation.forEach((from, i) => {
      for (let c = 0; c < H * D; c++) e = Math.max(e, Math.abs(r.permutedOutput[i * H * D + c] - r.output[from * H * D + c]));
    });
    assert.equal(r.equivarianceError, e);
  }
  const again = pe.analysis.permutation({ q, k, v, shape: [L, H, D], seed: 3 });
  assert.deepEqual(again.permutation, pe.analysis.permutation({ q, k, v, shape: [L, H, D], seed: 3 }).permutation);
  assert.deepEqual(pe.analysis.permutation({ q, k, v, shape: [L, H, D] }).permutation,
    pe.analysis.permutation({ q, k, v, shape: [L, H, D], seed: 1 }).permutation);
});

test('permutation: every position method, and the causal mask alone, break equivariance', () => {
  const positions = [
    'sinusoidal', 'xpos', 'alibi',
    { method: 'learned', table: randomVector(L * D, 14) },
    { method: 'rope', frequencies: pe.rope.frequencies({ head_dim: D }) },
    { method: 't5', table: randomVector(32 * H, 15) },
    { method: 'kerple', r1: 1, r2: 0.5 },
    { method: 'shaw', tableK: randomVector(5 * D, 16), tableV: randomVector(5 * D, 17), maxDistance: 2 },
  ];
  const permutation = [9, 0, 1, 2, 3, 4, 5, 6, 7, 8];  // the last token first
  for (const position of positions) {
    const name = typeof position === 'string' ? position : position.method;
    const r = pe.analysis.permutation({ q, k, v, shape: [L, H, D], position, permutation });
    assert.ok(r.equivarianceError > 1e-3, `${name}: ${r.equivarianceError}`);
    assert.deepEqual(Array.from(r.permutation), permutation);
    // The identity moves nothing: exactly 0 whatever the method.
    assert.equal(pe.analysis.permutation({ q, k, v, shape: [L, H, D], position, permutation: range(0, L - 1) }).equivarianceError, 0);
  }
  for (const inst of [pe, base]) {
    const r = inst.analysis.permutation({ q, k, v, shape: [L, H, D], causal: true, permutation });
    assert.ok(r.equivarianceError > 1e-3, `causal none: ${r.equivarianceError}`);
  }
});

// ---------------------------------------------------------------------------------------------

const f8 = { invFreq: [1, 0.1, 0.01, 0.001] };
const qkv = new Float32Array(2 * 1 * 4);
const bad = [
  ['similarity', { table: [1, 2, 3], dim: 2 }, RangeError, 'table must hold rows * dim (2) floats'],
  ['similarity', { table: [1, 2, 3, 4], dim: 2, rows: 3 }, RangeError, 'table must hold rows * dim = 6 floats'],
  ['similarity', { table: [1, 2], dim: 0 }, RangeError, 'dim must be an integer >= 1'],
  ['similarity', { table: [1, NaN], dim: 2 }, RangeError, 'table[1] must be finite'],
  ['similarity', { table: 'abc', dim: 1 }, TypeError, 'table must be a Float32Array'],
  ['similarity', { table: [1, 2], dim: 2, metric: 'l2' }, RangeError, "metric must be one of 'dot', 'cosine'"],
  ['similarity', { table: [3e19, 0], dim: 2 }, RangeError, 'table is so large that dot products exceed the float32 range'],
  ['similarity', { table: [1, 2], dim: 2, norm: true }, TypeError, 'unknown option "norm"'],
  ['similarity', [1, 2], TypeError, 'options must be an object'],
  ['relativeScores', { method: 'sinusoidal', range: [0, 1] }, RangeError, "method must be one of 'rope', 'alibi', 't5', 'kerple'"],
  ['relativeScores', null, TypeError, 'options must be an object'],
  ['relativeScores', { method: 'alibi', heads: 4 }, TypeError, 'give distances (a list of m - n) or range'],
  ['relativeScores', { method: 'alibi', heads: 4, range: [0, 1], distances: [0] }, RangeError, 'give distances or range, not both'],
  ['relativeScores', { method: 'alibi', heads: 4, range: [5, 1] }, RangeError, 'range [first, last] needs first <= last'],
  ['relativeScores', { method: 'alibi', heads: 4, range: 5 }, TypeError, 'range must be [first, last]'],
  ['relativeScores', { method: 'alibi', heads: 4, distances: [0.5] }, RangeError, 'distances[0] must be a 32-bit integer'],
  ['relativeScores', { method: 'alibi', heads: 4, distances: [] }, RangeError, 'distances must not be empty'],
  ['relativeScores', { method: 'alibi', heads: 4, distances: [-(2 ** 23), 2 ** 23 + 1] }, RangeError, 'must be at most 2^24'],
  ['relativeScores', { method: 'alibi', range: [0, 1] }, TypeError, 'heads must be a number'],
  ['relativeScores', { method: 'alibi', heads: 0, range: [0, 1] }, RangeError, 'heads must be an integer >= 1'],
  ['relativeScores', { method: 'alibi', heads: 2, range: [0, 1], table: [] }, TypeError, 'unknown option "table"'],
  ['relativeScores', { method: 'rope', range: [0, 1] }, TypeError, 'frequencies must be the object'],
  ['relativeScores', { method: 'rope', frequencies: f8, range: [0, 1], heads: 2 }, TypeError, 'unknown option "heads"'],
  ['relativeScores', { method: 'rope', frequencies: f8, range: [0, 1], q: [1, 1] }, RangeError, 'gives a rotary dimension of 8, more than the length of q and k (2)'],
  ['relativeScores', { method: 'rope', frequencies: f8, range: [0, 1], q: Array(8).fill(1), k: [1] }, RangeError, 'k must have 8 elements'],
  ['relativeScores', { method: 'rope', frequencies: f8, range: [0, 1], layout: 'neox' }, RangeError, "layout must be one of 'half', 'interleaved'"],
  ['relativeScores', { method: 'rope', frequencies: { invFreq: [NaN] }, range: [0, 1] }, RangeError, 'frequencies.invFreq[0] must be finite'],
  ['relativeScores', { method: 'rope', frequencies: { invFreq: [-1] }, range: [0, 1] }, RangeError, 'frequencies invFreq entries must be finite, >= 0 and at most 1e300'],
  ['relativeScores', { method: 't5', table: [1, 2, 3], range: [0, 1] }, RangeError, 'table must hold numBuckets * heads values'],
  ['relativeScores', { method: 't5', table: Array(16).fill(0), numBuckets: 8, maxDistance: 2, range: [0, 1] }, RangeError, 'maxDistance must be greater than max_exact'],
  ['relativeScores', { method: 'kerple', r1: 1, range: [0, 1] }, TypeError, 'r2 must be a number or one number per head'],
  ['relativeScores', { method: 'kerple', r1: [1, 2], r2: [1], range: [0, 1] }, RangeError, 'r2 must have 2 elements'],
  ['relativeScores', { method: 'kerple', r1: -1, r2: 1, range: [0, 1] }, RangeError, 'r1 must be > 0'],
  ['relativeScores', { method: 'kerple', r1: 1, r2: 3, variant: 'power', range: [0, 1] }, RangeError, 'r2 must be at most 2 for the power variant'],
  ['relativeCheck', { frequencies: f8, range: [0, 10], samples: 1 }, RangeError, 'samples must be an integer >= 2'],
  ['relativeCheck', { frequencies: f8, range: [0, 10], maxPosition: 5 }, RangeError, 'maxPosition must be at least max(0, max d) + max(0, -min d)'],
  ['relativeCheck', { frequencies: f8, range: [0, 10], maxPosition: 2 ** 24 + 1 }, RangeError, 'maxPosition must be an integer <= 16777216'],
  ['relativeCheck', { frequencies: f8, range: [0, 10], method: 'rope' }, TypeError, 'unknown option "method"'],
  ['wavelengths', [{ head_dim: 16 }, { seqLen: -1 }], RangeError, 'seqLen must be an integer >= 0'],
  ['wavelengths', [{ head_dim: 16 }, { length: 4 }], TypeError, 'unknown option "length"'],
  ['wavelengths', [{ head_dim: 16, rope_scaling: { rope_type: 'warp' } }], RangeError, "config.rope_scaling.rope_type must be one of"],
  ['wavelengths', [{ head_dim: 16, rope_scaling: { rope_type: 'linear' } }], RangeError, 'config.rope_scaling.factor is required'],
  ['wavelengths', [42], TypeError, 'config must be an object'],
  ['permutation', { q: qkv, k: qkv, v: qkv, shape: [2, 1, 4], permutation: [0, 0] }, RangeError, 'permutation must hold every token index exactly once'],
  ['permutation', { q: qkv, k: qkv, v: qkv, shape: [2, 1, 4], permutation: [0, 2] }, RangeError, 'permutation[1] must be in [0, 1]'],
  ['permutation', { q: qkv, k: qkv, v: qkv, shape: [2, 1, 4], permutation: [0] }, RangeError, 'permutation must have 2 elements'],
  ['permutation', { q: qkv, k: qkv, v: qkv, shape: [2, 1, 4], permutation: [1, 0], seed: 3 }, RangeError, 'give permutation or seed, not both'],
  ['permutation', { q: qkv, k: qkv, v: qkv, shape: [2, 1, 4], seed: -1 }, RangeError, 'seed must be an integer >= 0'],
  ['permutation', { q: qkv, k: qkv, v: qkv, shape: { queries: 2, heads: 1, headDim: 4 } }, TypeError, 'shape must be [seq, heads, headDim]'],
  ['permutation', { q: qkv, k: qkv, v: new Float32Array(7), shape: [2, 1, 4] }, RangeError, 'v must have 8 elements'],
  ['permutation', { q: qkv, k: [0, 0, 0, 0, 0, Infinity, 0, 0], v: qkv, shape: [2, 1, 4] }, RangeError, 'k[5] must be finite'],
  ['permutation', { q: qkv, k: qkv, v: qkv, shape: [2, 1, 4], position: 'warp' }, RangeError, 'position.method must be one of'],
  ['permutation', { q: qkv, k: qkv, v: qkv, shape: [2, 1, 4], position: { method: 't5', table: [1] } }, RangeError, 'position.table must have 32 elements'],
  ['permutation', { q: qkv, k: qkv, v: qkv, shape: [2, 1, 4], causal: 'yes' }, TypeError, 'causal must be true or false'],
  ['permutation', { q: qkv, k: qkv, v: qkv, shape: [2, 1, 4], streaming: true }, TypeError, 'unknown option "streaming"'],
];

test('bad arguments: TypeError/RangeError naming the parameter, the module unchanged', () => {
  const before = pe.diagnostics();
  for (let round = 0; round < 30; round++) {
    for (const [fn, args, cls, text] of bad) {
      const call = () => (fn === 'wavelengths' ? pe.analysis.wavelengths(...args) : pe.analysis[fn](args));
      assert.throws(call, (e) => {
        assert.equal(e.constructor, cls, `${fn}: ${e.message}`);
        assert.ok(e.message.startsWith(`posenc.analysis.${fn}: `), e.message);
        assert.ok(e.message.includes(text), `"${e.message}" should contain "${text}"`);
        return true;
      });
    }
  }
  assert.deepEqual(pe.diagnostics(), before);
  assert.equal(pe.analysis.similarity({ table: [1, 2], dim: 2 })[0], 5);
  assert.ok(Object.isFrozen(pe.analysis) && Object.isFrozen(pe.analysis.metrics));
});
