// SPDX-License-Identifier: MIT
// Package tests of pe.shaw, against the packed tarball installed by name (see scripts/test.sh).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { init } from 'posenc';

import { expectErrors } from './helpers.mjs';

const pe = await init();
const base = await init({ simd: false });
const U = 2 ** -24;  // float32 unit roundoff

// Deterministic data: amp * sin(a n + b), rows x dim.
const data = (rows, dim, a, b, amp = 1) => Float32Array.from({ length: rows * dim }, (_, n) => amp * Math.sin(a * n + b));

function inputs({ queries, keys = queries, dim, maxDistance }, tableAmp = 0.7) {
  const rows = 2 * maxDistance + 1;
  return {
    q: data(queries, dim, 0.37, 0.1, 2.5), k: data(keys, dim, 0.91, 0.4, 1.5), v: data(keys, dim, 0.23, 1.2),
    tableK: data(rows, dim, 1.7, 0.2, tableAmp), tableV: data(rows, dim, 0.53, 2.1, tableAmp),
  };
}

// A problem: the shape plus its data.
const problem = (shape) => ({ ...shape, ...inputs(shape) });

// Independent float64 implementation of the paper's equations, term by term:
// e_ij = (q_i.k_j + q_i.aK_r) / sqrt(d), softmax, z_i = sum_j a_ij v_j + sum_j a_ij aV_r.
// scale[i][j] = sum_t |q_it| (|k_jt| + |aK_rt|): the size of the float32 dot-product error.
function exact({ q, k, v, tableK, tableV, queries, keys = queries, dim, maxDistance: K, causal = false, queryOffset = keys - queries }) {
  const logits = new Float64Array(queries * keys), weights = new Float64Array(queries * keys);
  const output = new Float64Array(queries * dim), scale = new Float64Array(queries * keys);
  const row = (i, j) => Math.min(Math.max(j - (queryOffset + i), -K), K) + K;
  for (let i = 0; i < queries; i++) {
    let m = -Infinity;
    for (let j = 0; j < keys; j++) {
      const r = row(i, j);
      let qk = 0, qa = 0, s = 0;
      for (let t = 0; t < dim; t++) {
        qk += q[i * dim + t] * k[j * dim + t];
        qa += q[i * dim + t] * tableK[r * dim + t];
        s += Math.abs(q[i * dim + t]) * (Math.abs(k[j * dim + t]) + Math.abs(tableK[r * dim + t]));
      }
      scale[i * keys + j] = s;
      logits[i * keys + j] = causal && j > queryOffset + i ? -Infinity : (qk + qa) / Math.sqrt(dim);
      m = Math.max(m, logits[i * keys + j]);
    }
    let sum = 0;
    for (let j = 0; j < keys; j++) sum += Math.exp(logits[i * keys + j] - m);
    for (let j = 0; j < keys; j++) {
      const a = Math.exp(logits[i * keys + j] - m) / sum;
      weights[i * keys + j] = a;
      const r = row(i, j);
      for (let t = 0; t < dim; t++) output[i * dim + t] += a * v[j * dim + t] + a * tableV[r * dim + t];
    }
  }
  return { logits, weights, output, scale };
}

const maxAbs = (x) => x.reduce((m, y) => Math.max(m, Math.abs(y)), 0);

// Error bounds for a float32 result (see tests/cpp/test_shaw.cpp): logits within
// (d + 4) u S_ij / sqrt(d) + u |e| (float32 dot products); weights within a (exp(2 D) - 1) + 2 u a for
// a row's largest logit error D; outputs within (sum of weight bounds + (2 keys + 4) u) M, with
// M = max|v| + max|aV|. `factor` widens them (2 when two float32 results are compared).
function checkClose(opts, got, x, factor = 1, label = '') {
  const { queries, keys = queries, dim } = opts;
  const M = maxAbs(opts.v) + maxAbs(opts.tableV);
  for (let i = 0; i < queries; i++) {
    let D = 0, wsum = 0, wtol = 0;
    for (let j = 0; j < keys; j++) {
      const n = i * keys + j;
      if (x.logits[n] === -Infinity) {
        assert.equal(got.logits[n], -Infinity, `${label} masked logit [${i}][${j}]`);
        assert.equal(got.weights[n], 0, `${label} masked weight [${i}][${j}]`);
        continue;
      }
      const tol = factor * ((dim + 4) * U * x.scale[n] / Math.sqrt(dim) + U * Math.abs(x.logits[n]));
      assert.ok(Math.abs(got.logits[n] - x.logits[n]) <= tol, `${label} logit [${i}][${j}]: ${got.logits[n]} vs ${x.logits[n]}`);
      D = Math.max(D, tol);
    }
    for (let j = 0; j < keys; j++) {
      const n = i * keys + j;
      const tol = x.weights[n] * Math.expm1(2 * D) + factor * 2 * U * x.weights[n] + 1e-30;
      assert.ok(Math.abs(got.weights[n] - x.weights[n]) <= tol, `${label} weight [${i}][${j}]: ${got.weights[n]} vs ${x.weights[n]}`);
      wtol += tol;
      wsum += got.weights[n];
    }
    assert.ok(Math.abs(wsum - 1) <= 2 * keys * U, `${label} row ${i} sums to ${wsum}`);
    for (let t = 0; t < dim; t++) {
      const tol = (wtol + factor * (2 * keys + 4) * U) * M;
      assert.ok(Math.abs(got.output[i * dim + t] - x.output[i * dim + t]) <= tol, `${label} output [${i}][${t}]`);
    }
  }
}

// ---- Indices ---------------------------------------------------------------------------------

test('shaw.indices: hand-checked matrices', () => {
  // k = 2, 5 x 5: clip(j - i, -2, 2) + 2.
  assert.deepEqual(pe.shaw.indices({ queries: 5, maxDistance: 2 }), new Int32Array([
    2, 3, 4, 4, 4,
    1, 2, 3, 4, 4,
    0, 1, 2, 3, 4,
    0, 0, 1, 2, 3,
    0, 0, 0, 1, 2,
  ]));
  // 2 queries, 5 keys: by default the queries are the last positions (3 and 4).
  const last = new Int32Array([0, 0, 1, 2, 3, 0, 0, 0, 1, 2]);
  assert.deepEqual(pe.shaw.indices({ queries: 2, keys: 5, maxDistance: 2 }), last);
  assert.deepEqual(pe.shaw.indices({ queries: 2, keys: 5, maxDistance: 2, queryOffset: 3 }), last);
  // Queries at positions 0 and 1 of 5 keys.
  assert.deepEqual(pe.shaw.indices({ queries: 2, keys: 5, maxDistance: 2, queryOffset: 0 }),
    new Int32Array([2, 3, 4, 4, 4, 1, 2, 3, 4, 4]));
  // k = 0: a single row.
  assert.deepEqual(pe.shaw.indices({ queries: 3, keys: 4, maxDistance: 0 }), new Int32Array(12));
  // More queries than keys needs an explicit queryOffset.
  assert.deepEqual(pe.shaw.indices({ queries: 3, keys: 2, maxDistance: 1, queryOffset: 0 }), new Int32Array([1, 2, 0, 1, 0, 0]));
});

test('shaw.indices: every distance beyond k maps to the end rows', () => {
  const queries = 11, keys = 50, K = 4, queryOffset = 23;
  const idx = pe.shaw.indices({ queries, keys, maxDistance: K, queryOffset });
  const counts = [0, 0, 0];
  for (let i = 0; i < queries; i++) {
    for (let j = 0; j < keys; j++) {
      const dist = j - (queryOffset + i), got = idx[i * keys + j];
      if (dist <= -K) { assert.equal(got, 0); counts[0]++; }
      else if (dist >= K) { assert.equal(got, 2 * K); counts[2]++; }
      else { assert.equal(got, dist + K); counts[1]++; }
    }
  }
  // Query positions P = 23..33: P - 3 keys at distance <= -4, 46 - P at >= 4, 7 in between.
  assert.deepEqual(counts, [11 * 25, 11 * 7, 11 * 18]);
  assert.equal(counts[0] + counts[1] + counts[2], queries * keys);
});

// ---- Attention -------------------------------------------------------------------------------

test('shaw.attention: zero tables give plain scaled dot-product attention', () => {
  for (const causal of [false, true]) {
    const opts = problem({ queries: 5, keys: 7, dim: 6, maxDistance: 2, causal });
    opts.tableK = new Float32Array(opts.tableK.length);
    opts.tableV = new Float32Array(opts.tableV.length);
    const got = pe.shaw.attention(opts);
    const { q, k, v } = opts;
    for (let i = 0; i < 5; i++) {
      // softmax(q K^T / sqrt(6)) V over the visible keys (query i at position 2 + i), no tables.
      const e = Array.from({ length: 7 }, (_, j) => {
        if (causal && j > 2 + i) return -Infinity;
        let s = 0;
        for (let t = 0; t < 6; t++) s += q[i * 6 + t] * k[j * 6 + t];
        return s / Math.sqrt(6);
      });
      const m = Math.max(...e), sum = e.reduce((a, x) => a + Math.exp(x - m), 0);
      for (let j = 0; j < 7; j++) {
        assert.ok(Math.abs(got.weights[i * 7 + j] - Math.exp(e[j] - m) / sum) <= 1e-6, `weight ${i} ${j}`);
        if (e[j] === -Infinity) assert.equal(got.logits[i * 7 + j], -Infinity);
        else assert.ok(Math.abs(got.logits[i * 7 + j] - e[j]) <= 1e-6 * (1 + Math.abs(e[j])), `logit ${i} ${j}`);
      }
      for (let t = 0; t < 6; t++) {
        let z = 0;
        for (let j = 0; j < 7; j++) z += Math.exp(e[j] - m) / sum * v[j * 6 + t];
        assert.ok(Math.abs(got.output[i * 6 + t] - z) <= 1e-6, `output ${i} ${t}`);
      }
    }
  }
});

const SHAPES = [
  // [queries, keys, maxDistance, queryOffset]
  [1, 1, 0, 0], [1, 1, 3, 0], [3, 5, 1, 2], [7, 7, 2, 0], [5, 9, 3, undefined], [9, 5, 3, 0], [3, 11, 20, 8],
  [13, 33, 4, 20], [1, 17, 2, undefined], [3, 301, 4, 149],
];

test('shaw.attention: nonzero tables against an independent float64 implementation, awkward sizes, both builds', () => {
  for (const dim of [2, 6, 62, 130]) {
    for (const [queries, keys, maxDistance, queryOffset] of SHAPES) {
      for (const causal of [false, true]) {
        const opts = problem({ queries, keys, dim, maxDistance, causal });
        if (queryOffset !== undefined) opts.queryOffset = queryOffset;
        const x = exact(opts);
        for (const [name, inst] of [['simd', pe], ['baseline', base]]) {
          checkClose(opts, inst.shaw.attention(opts), x, 1, `${name} d=${dim} ${queries}x${keys} k=${maxDistance} causal=${causal}`);
        }
      }
    }
  }
});

test('shaw.attention: SIMD and baseline builds agree within twice the float32 bound', () => {
  // Both are float32 computations within the bound of the exact result; so within 2x of each other.
  for (const dim of [3, 62, 131, 257]) {
    const opts = problem({ queries: 17, keys: 29, dim, maxDistance: 5, causal: true });
    const a = pe.shaw.attention(opts), b = base.shaw.attention(opts);
    const asExact = { ...b, scale: exact(opts).scale };
    checkClose(opts, a, asExact, 2, `simd vs baseline d=${dim}`);
  }
});

test('shaw.attention: causal rows see only keys at or before the query, and weights sum to 1', () => {
  const opts = problem({ queries: 4, keys: 9, dim: 5, maxDistance: 2, causal: true });
  const r = pe.shaw.attention(opts);  // default queryOffset 5: query i at position 5 + i
  for (let i = 0; i < 4; i++) {
    let sum = 0;
    for (let j = 0; j < 9; j++) {
      const visible = j <= 5 + i;
      assert.equal(r.weights[i * 9 + j] > 0, visible, `weight [${i}][${j}]`);
      assert.equal(r.logits[i * 9 + j] === -Infinity, !visible, `logit [${i}][${j}]`);
      sum += r.weights[i * 9 + j];
    }
    assert.ok(Math.abs(sum - 1) <= 1e-6);
  }
  const open = pe.shaw.attention({ ...opts, causal: false });
  assert.ok(open.weights.every((w) => w > 0), 'without the mask every key has weight');
});

test('shaw.attention: logits depend on relative positions only', () => {
  // Shift every position by s: queryOffset + s, and s extra keys in front of the same keys. The
  // logits of the original keys stay the same (same dot products, same table rows).
  const dim = 62, opts = problem({ queries: 5, keys: 8, dim, maxDistance: 3, queryOffset: 3, causal: true });
  const a = pe.shaw.attention(opts);
  for (const s of [1, 4, 37]) {
    const k = new Float32Array((8 + s) * dim).fill(0.25);
    k.set(opts.k, s * dim);
    const v = new Float32Array((8 + s) * dim).fill(-0.5);
    const b = pe.shaw.attention({ ...opts, keys: 8 + s, queryOffset: 3 + s, k, v });
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j < 8; j++) assert.equal(b.logits[i * (8 + s) + s + j], a.logits[i * 8 + j], `s=${s} [${i}][${j}]`);
    }
  }
  // Content-free keys and the same query in every row: logits constant along diagonals.
  const q1 = data(1, 6, 0.37, 0.1, 2.5);
  const q = new Float32Array(7 * 6);
  for (let i = 0; i < 7; i++) q.set(q1, i * 6);
  const t = pe.shaw.attention({ ...problem({ queries: 7, keys: 12, dim: 6, maxDistance: 2 }), q, k: new Float32Array(72) });
  for (let i = 0; i + 1 < 7; i++) {
    for (let j = 0; j + 1 < 12; j++) assert.equal(t.logits[(i + 1) * 12 + j + 1], t.logits[i * 12 + j]);
  }
  // Query 0 sits at position 5: keys 2 and 3 (distances -3, -2) share row 0, key 4 (-1) uses row 1;
  // keys 10 and 11 (distances 5, 6) share row 4.
  assert.equal(t.logits[2], t.logits[3]);
  assert.notEqual(t.logits[3], t.logits[4]);
  assert.equal(t.logits[10], t.logits[11]);
});

test('shaw.attention: inputs as Float64Array or number[], defaults, and result ownership', () => {
  const shape = { queries: 3, keys: 4, dim: 5, maxDistance: 1 };
  const f32 = inputs(shape);
  const a = pe.shaw.attention({ ...shape, ...f32 });
  const asF64 = Object.fromEntries(Object.entries(f32).map(([n, x]) => [n, Float64Array.from(x)]));
  const asArr = Object.fromEntries(Object.entries(f32).map(([n, x]) => [n, Array.from(x)]));
  assert.deepEqual(pe.shaw.attention({ ...shape, ...asF64 }), a);
  assert.deepEqual(pe.shaw.attention({ ...shape, ...asArr }), a);
  assert.deepEqual(pe.shaw.attention({ ...shape, ...f32, causal: false, queryOffset: 1 }), a, 'defaults: not causal, offset keys - queries');
  assert.deepEqual(Object.keys(a), ['logits', 'weights', 'output']);
  for (const x of Object.values(a)) assert.ok(x instanceof Float32Array && x.buffer.byteLength === x.byteLength);
  assert.equal(a.logits.length, 12);
  assert.equal(a.output.length, 15);
  const square = problem({ queries: 4, dim: 5, maxDistance: 1 });
  assert.deepEqual(pe.shaw.attention(square), pe.shaw.attention({ ...square, keys: 4, queryOffset: 0 }), 'keys defaults to queries');
});

// ---- Bad arguments ---------------------------------------------------------------------------

const ok = problem({ queries: 2, keys: 3, dim: 2, maxDistance: 1 });
const badIndices = [
  [undefined, TypeError, 'options must be an object'],
  [{ maxDistance: 2 }, TypeError, 'queries must be a number'],
  [{ queries: 3 }, TypeError, 'maxDistance must be a number'],
  [{ queries: 0, maxDistance: 2 }, RangeError, 'queries must be an integer >= 1'],
  [{ queries: 3.5, maxDistance: 2 }, RangeError, 'queries must be an integer'],
  [{ queries: 3, keys: 0, maxDistance: 2 }, RangeError, 'keys must be an integer >= 1'],
  [{ queries: 3, keys: '3', maxDistance: 2 }, TypeError, 'keys must be a number'],
  [{ queries: 3, maxDistance: -1 }, RangeError, 'maxDistance must be an integer >= 0'],
  [{ queries: 3, maxDistance: NaN }, RangeError, 'maxDistance must be an integer'],
  [{ queries: 3, maxDistance: 2 ** 24 + 1 }, RangeError, 'maxDistance must be an integer <= 16777216'],
  [{ queries: 3, maxDistance: 2, queryOffset: -1 }, RangeError, 'queryOffset must be an integer >= 0'],
  [{ queries: 3, maxDistance: 2, queryOffset: 0.5 }, RangeError, 'queryOffset must be an integer'],
  [{ queries: 3, maxDistance: 2, queryOffset: 2 ** 24 - 1 }, RangeError, 'queryOffset + queries - 1 = 16777217, exceeds 2^24'],
  [{ queries: 5, keys: 3, maxDistance: 2 }, RangeError, 'queryOffset defaults to keys - queries = -2'],
  [{ queries: 2 ** 14, keys: 2 ** 14, maxDistance: 2 }, RangeError, 'exceeds the 256 MiB output limit'],
  [{ queries: 3, maxDistance: 2, causal: true }, TypeError, 'unknown option "causal"'],
];
const badAttention = [
  [null, TypeError, 'options must be an object'],
  [{ ...ok, dim: undefined }, TypeError, 'dim must be a number'],
  [{ ...ok, dim: 0 }, RangeError, 'dim must be an integer >= 1'],
  [{ ...ok, q: undefined }, TypeError, 'q must be a Float32Array, Float64Array or array of numbers'],
  [{ ...ok, q: new Float32Array(3) }, RangeError, 'q must have 4 elements, got 3'],
  [{ ...ok, k: new Float32Array(5) }, RangeError, 'k must have 6 elements, got 5'],
  [{ ...ok, v: new Int32Array(6) }, TypeError, 'v must be a Float32Array'],
  [{ ...ok, tableK: new Float32Array(8) }, RangeError, 'tableK must have 6 elements, got 8'],
  [{ ...ok, tableV: 'x' }, TypeError, 'tableV must be a Float32Array'],
  [{ ...ok, q: [1, 2, NaN, 4] }, RangeError, 'q[2] must be finite'],
  [{ ...ok, tableV: [1, 2, 3, 4, 5, Infinity] }, RangeError, 'tableV[5] must be finite'],
  [{ ...ok, causal: 1 }, TypeError, 'causal must be true or false'],
  [{ ...ok, queryOffset: -3 }, RangeError, 'queryOffset must be an integer >= 0'],
  [{ ...ok, queries: 2 ** 13, keys: 2 ** 13 }, RangeError, 'exceed the 256 MiB output limit'],
  [{ ...ok, q: new Float32Array(4).fill(1e19), k: new Float32Array(6).fill(1e19) }, RangeError, 'q is too large'],
  [{ ...ok, v: new Float32Array(6).fill(3e38) }, RangeError, 'v is too large'],
  [{ ...ok, heads: 2 }, TypeError, 'unknown option "heads"'],
];

test('shaw: bad arguments give a TypeError/RangeError that names the parameter', () => {
  expectErrors(pe.shaw.indices, 'posenc.shaw.indices', badIndices);
  expectErrors(pe.shaw.attention, 'posenc.shaw.attention', badAttention);
});

test('shaw: many bad calls leave the module unchanged, and a good call still works', () => {
  for (const inst of [pe, base]) {
    const good = inst.shaw.attention(ok);
    const before = inst.diagnostics();
    for (let round = 0; round < 300; round++) {
      for (const [args] of badIndices) assert.throws(() => inst.shaw.indices(args));
      for (const [args] of badAttention) assert.throws(() => inst.shaw.attention(args));
    }
    assert.deepEqual(inst.diagnostics(), before, 'heap size, malloc use and stack pointer unchanged');
    assert.deepEqual(inst.shaw.attention(ok), good);
    assert.deepEqual(inst.shaw.indices({ queries: 2, keys: 3, maxDistance: 1 }), new Int32Array([0, 1, 2, 0, 0, 1]));
  }
});
