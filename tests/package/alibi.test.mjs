// SPDX-License-Identifier: MIT
// Package tests of pe.alibi, against the packed tarball installed by name (see sinusoidal.test.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { init } from 'posenc';

import { bits, expectErrors, golden } from './helpers.mjs';

const expected = golden('alibi.json');

const pe = await init();
const base = await init({ simd: false });
const builds = [['simd', pe], ['baseline', base]];

// Softmax of one row in float64 (-Infinity entries get weight 0).
function softmax(row) {
  const top = Math.max(...row);
  const w = row.map((x) => Math.exp(x - top));
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / sum);
}

for (const [name, inst] of builds) {
  test(`golden (${name}): slopes equal get_slopes exactly in float32 and float64`, () => {
    let compared = 0;
    for (const c of expected.slopes) {
      const s32 = inst.alibi.slopes(c.n_heads);
      const s64 = inst.alibi.slopes(c.n_heads, { dtype: 'float64' });
      assert.ok(s32 instanceof Float32Array && s64 instanceof Float64Array);
      assert.equal(s32.length, c.n_heads);
      for (let h = 0; h < c.n_heads; h++) {
        assert.equal(s32[h], c.slopes_float32[h], `float32 slope ${h} of ${c.n_heads}`);
        assert.equal(s64[h], c.slopes_float64[h], `float64 slope ${h} of ${c.n_heads}`);
        compared++;
      }
    }
    assert.equal(compared, 64);
    assert.deepEqual(inst.alibi.slopes(4, { dtype: 'float32' }), inst.alibi.slopes(4));
  });

  test(`golden (${name}): the 8-head causal bias in both forms, exactly`, () => {
    const c = expected.causal_bias_8_heads_6_positions;
    const { n_heads: heads, seq_len: n } = c.params;
    for (const [form, expect] of [['reference', c.bias_reference_form], ['relative', c.bias_relative_form_equivalent]]) {
      const b = inst.alibi.bias({ heads, queries: n, causal: true, form });
      assert.equal(b.length, heads * n * n);
      for (let h = 0; h < heads; h++) {
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            const want = expect[h][i][j] ?? -Infinity;
            assert.equal(b[(h * n + i) * n + j], want, `${form} [${h}][${i}][${j}]`);
          }
        }
      }
    }
  });
}

test('every value is the float32 product of the float32 slope and the distance; zeros are +0', () => {
  for (const [heads, queries, keys, queryOffset] of [[12, 5, 300, 250], [3, 7, 7, undefined], [5, 4, 9, 40]]) {
    const slopes = pe.alibi.slopes(heads);
    for (const [causal, form] of [[true, 'relative'], [true, 'reference'], [false, 'relative']]) {
      const b = pe.alibi.bias({ heads, queries, keys, queryOffset, causal, form });
      const p0 = queryOffset ?? keys - queries;
      for (let h = 0; h < heads; h++) {
        for (let i = 0; i < queries; i++) {
          const p = p0 + i;
          for (let j = 0; j < keys; j++) {
            let want;
            if (!causal) want = Math.fround(-slopes[h] * Math.abs(j - p));
            else if (j > p) want = -Infinity;
            else want = Math.fround(slopes[h] * (form === 'reference' ? j : j - p));
            if (want === 0) want = 0;  // +0, never -0
            assert.ok(Object.is(b[(h * queries + i) * keys + j], want), `${form} causal=${causal} [${h}][${i}][${j}]`);
          }
        }
      }
    }
  }
});

test("the paper's form and the reference code's form give the same softmax rows", () => {
  for (const [heads, tol] of [[8, 1e-15], [12, 2e-6]]) {
    const shape = { heads, queries: 9, keys: 40, queryOffset: 5, causal: true };
    const rel = pe.alibi.bias(shape);
    const ref = pe.alibi.bias({ ...shape, form: 'reference' });
    assert.notDeepEqual(rel, ref);
    let worst = 0;
    for (let r = 0; r < heads * 9; r++) {
      const a = softmax(Array.from(rel.subarray(r * 40, r * 40 + 40)));
      const b = softmax(Array.from(ref.subarray(r * 40, r * 40 + 40)));
      for (let j = 0; j < 40; j++) worst = Math.max(worst, Math.abs(a[j] - b[j]));
    }
    assert.ok(worst <= tol, `${heads} heads: softmax rows differ by ${worst}`);
  }
});

test('the symmetric (encoder) bias is symmetric and has no mask', () => {
  const b = pe.alibi.bias({ heads: 5, queries: 33, causal: false });
  for (let h = 0; h < 5; h++) {
    for (let i = 0; i < 33; i++) {
      for (let j = 0; j < 33; j++) {
        assert.equal(b[(h * 33 + i) * 33 + j], b[(h * 33 + j) * 33 + i]);
        assert.ok(Number.isFinite(b[(h * 33 + i) * 33 + j]));
      }
    }
  }
});

test('SIMD and baseline builds agree bit for bit at awkward sizes', () => {
  for (const [causal, form] of [[true, 'relative'], [true, 'reference'], [false, 'relative']]) {
    for (const heads of [1, 3, 7]) {
      for (const queries of [1, 2, 5, 17]) {
        for (const keys of [1, 3, 4, 5, 9, 33, 130]) {
          const queryOffset = keys >= queries ? undefined : 11;
          const o = { heads, queries, keys, queryOffset, causal, form };
          assert.deepEqual(bits(pe.alibi.bias(o)), bits(base.alibi.bias(o)), JSON.stringify(o));
        }
      }
    }
  }
});

test('results are new arrays the caller owns', () => {
  const s = pe.alibi.slopes(8);
  const b = pe.alibi.bias({ heads: 2, queries: 3, causal: true });
  assert.equal(s.buffer.byteLength, s.byteLength);
  assert.equal(b.buffer.byteLength, b.byteLength);
  s.fill(9);
  b.fill(9);
  assert.equal(pe.alibi.slopes(8)[0], 0.5);
  assert.equal(pe.alibi.bias({ heads: 2, queries: 3, causal: true })[1], -Infinity);
});

const badSlopes = [
  [[], TypeError, 'heads must be a number'],
  [['8'], TypeError, 'heads must be a number'],
  [[0], RangeError, 'heads must be an integer >= 1'],
  [[-4], RangeError, 'heads must be an integer >= 1'],
  [[2.5], RangeError, 'heads must be an integer'],
  [[NaN], RangeError, 'heads must be an integer'],
  [[65537], RangeError, 'heads must be an integer <= 65536'],
  [[8, null], TypeError, 'options must be an object'],
  [[8, 'float64'], TypeError, 'options must be an object'],
  [[8, { dtype: 'f64' }], RangeError, "dtype must be one of 'float32', 'float64'"],
  [[8, { dtype: Float64Array }], TypeError, 'dtype must be a string'],
  [[8, { type: 'float64' }], TypeError, 'unknown option "type"'],
];

const badBias = [
  [undefined, TypeError, 'options must be an object'],
  [8, TypeError, 'options must be an object'],
  [{ queries: 4 }, TypeError, 'heads must be a number'],
  [{ heads: 0, queries: 4 }, RangeError, 'heads must be an integer >= 1'],
  [{ heads: 70000, queries: 4 }, RangeError, 'heads must be an integer <= 65536'],
  [{ heads: 8 }, TypeError, 'queries must be a number'],
  [{ heads: 8, queries: 0 }, RangeError, 'queries must be an integer >= 1'],
  [{ heads: 8, queries: 1.5 }, RangeError, 'queries must be an integer'],
  [{ heads: 8, queries: 4, keys: -1 }, RangeError, 'keys must be an integer >= 1'],
  [{ heads: 8, queries: 4, keys: 2 ** 24 + 2 }, RangeError, 'keys must be an integer <='],
  [{ heads: 8, queries: 4, keys: 2 }, RangeError, 'queryOffset defaults to keys - queries'],
  [{ heads: 8, queries: 4, queryOffset: -1 }, RangeError, 'queryOffset must be an integer >= 0'],
  [{ heads: 8, queries: 4, queryOffset: '2' }, TypeError, 'queryOffset must be a number'],
  [{ heads: 8, queries: 4, queryOffset: 2 ** 24 - 2 }, RangeError, 'exceeds the largest position'],
  [{ heads: 64, queries: 1024, keys: 1025 }, RangeError, 'exceeds the 256 MiB output limit'],
  [{ heads: 8, queries: 4, causal: 1 }, TypeError, 'causal must be true or false'],
  [{ heads: 8, queries: 4, form: 'paper' }, RangeError, "form must be one of 'relative', 'reference'"],
  [{ heads: 8, queries: 4, form: 'reference', causal: false }, RangeError, "form 'reference' needs causal: true"],
  [{ heads: 8, queries: 4, slopes: [1] }, TypeError, 'unknown option "slopes"'],
];

test('bad arguments give a TypeError/RangeError that names the parameter', () => {
  expectErrors((args) => pe.alibi.slopes(...args), 'posenc.alibi.slopes', badSlopes);
  expectErrors((args) => pe.alibi.bias(args), 'posenc.alibi.bias', badBias);
});

test('many bad calls leave the module unchanged, and a good call still works', () => {
  for (const [, inst] of builds) {
    const good = inst.alibi.bias({ heads: 12, queries: 20, causal: true });
    const before = inst.diagnostics();
    for (let round = 0; round < 300; round++) {
      for (const [args] of badSlopes) assert.throws(() => inst.alibi.slopes(...args));
      for (const [args] of badBias) assert.throws(() => inst.alibi.bias(args));
    }
    assert.deepEqual(inst.diagnostics(), before);
    assert.deepEqual(inst.alibi.bias({ heads: 12, queries: 20, causal: true }), good);
  }
});
