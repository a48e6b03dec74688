// SPDX-License-Identifier: MIT
// Package tests of pe.t5, against the packed tarball installed by name (see sinusoidal.test.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { init } from 'posenc';

import { bits, expectErrors, golden } from './helpers.mjs';

const expected = golden('t5_relative_position_bucket.json');

const pe = await init();
const base = await init({ simd: false });
const builds = [['simd', pe], ['baseline', base]];

const f = Math.fround;
// T5Attention._relative_position_bucket written again here: every tensor op rounded to float32.
function hfBucket(rp, bidirectional = true, numBuckets = 32, maxDistance = 128) {
  let n = numBuckets;
  let buckets = 0;
  if (bidirectional) {
    n = Math.floor(n / 2);
    if (rp > 0) buckets += n;
    rp = Math.abs(rp);
  } else {
    rp = -Math.min(rp, 0);
  }
  const maxExact = Math.floor(n / 2);
  if (rp < maxExact) return buckets + rp;
  const scaled = f(f(f(Math.log(f(f(rp) / maxExact))) / f(Math.log(maxDistance / maxExact))) * (n - maxExact));
  return buckets + Math.min(maxExact + Math.trunc(scaled), n - 1);
}

const range = (lo, hi) => Array.from({ length: hi - lo + 1 }, (_, k) => lo + k);

for (const [name, inst] of builds) {
  test(`golden (${name}): buckets equal _relative_position_bucket exactly`, () => {
    const rp = expected.relative_positions;
    assert.equal(rp.length, 601);
    for (const c of expected.cases) {
      const { bidirectional, num_buckets: numBuckets, max_distance: maxDistance } = c.params;
      const got = inst.t5.bucket(rp, { bidirectional, numBuckets, maxDistance });
      assert.ok(got instanceof Int32Array);
      assert.deepEqual(Array.from(got), c.buckets, c.name);
      assert.deepEqual(inst.t5.bucket(new Int32Array(rp), { bidirectional }), got, 'defaults 32 / 128');
    }
  });
}

test('float32 decides exact ties, as the reference does', () => {
  // 20 buckets, maxDistance 160 = 5 * 2^5: for |rp| = 5 * 2^k the log term is exactly k in float32
  // (k - 1e-16 in float64, which would truncate to k - 1).
  assert.deepEqual(Array.from(pe.t5.bucket([-10, -20, -40, -80, 80, -79], { numBuckets: 20, maxDistance: 160 })), [6, 7, 8, 9, 19, 8]);
});

test('other parameters equal an independent float32 evaluation', () => {
  const rp = [...range(-3000, 3000), -(2 ** 31) + 1, 2 ** 31 - 1, -(2 ** 24), 2 ** 24];
  for (const [bidirectional, numBuckets, maxDistance] of [
    [true, 64, 256], [false, 64, 256], [true, 8, 20], [false, 8, 20], [true, 4, 2], [false, 2, 2],
    [true, 5, 9], [false, 7, 40], [true, 32, 9], [true, 256, 1000], [false, 65536, 2 ** 30],
    [true, 20, 160], [false, 10, 160], [false, 9, 128], [true, 40, 320], [false, 19, 288],
  ]) {
    const got = pe.t5.bucket(rp, { bidirectional, numBuckets, maxDistance });
    rp.forEach((r, k) => {
      assert.equal(got[k], hfBucket(r, bidirectional, numBuckets, maxDistance), `${bidirectional} ${numBuckets} ${maxDistance}: rp ${r}`);
    });
  }
});

test('properties: sign handling, exact region, monotone in distance, saturation at maxDistance', () => {
  for (const [bidirectional, numBuckets, maxDistance] of [[true, 32, 128], [false, 32, 128], [true, 10, 50], [false, 6, 7]]) {
    const o = { bidirectional, numBuckets, maxDistance };
    const n = bidirectional ? Math.floor(numBuckets / 2) : numBuckets;  // buckets per direction
    const d = range(0, maxDistance + 500);
    const before = pe.t5.bucket(d.map((x) => -x), o);  // keys before the query
    const after = pe.t5.bucket(d, o);
    const label = JSON.stringify(o);
    for (const x of d) {
      if (x < Math.floor(n / 2)) assert.equal(before[x], x, `${label}: exact at ${x}`);
      if (x > 0) assert.ok(before[x] >= before[x - 1], `${label}: monotone at ${x}`);
      if (x >= maxDistance) assert.equal(before[x], n - 1, `${label}: saturated at ${x}`);
      if (bidirectional) assert.equal(after[x], x === 0 ? 0 : before[x] + n, `${label}: upper half at ${x}`);
      else assert.equal(after[x], 0, `${label}: causal, key after the query`);
    }
    assert.ok(before[maxDistance - 1] <= n - 1);
  }
});

test('bias: table[bucket(j - p)][h] for every element, in both builds', () => {
  for (const [heads, queries, keys, queryOffset, bidirectional] of [
    [3, 5, 300, undefined, true], [2, 7, 7, undefined, false], [5, 4, 9, 140, true], [1, 17, 3, 0, false],
  ]) {
    const table = Float32Array.from({ length: 32 * heads }, (_, k) => Math.sin(k + 0.5));
    const p0 = queryOffset ?? keys - queries;
    const want = new Float32Array(heads * queries * keys);
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < queries; i++) {
        for (let j = 0; j < keys; j++) want[(h * queries + i) * keys + j] = table[hfBucket(j - (p0 + i), bidirectional) * heads + h];
      }
    }
    for (const [, inst] of builds) {
      const got = inst.t5.bias({ table, heads, queries, keys, queryOffset, bidirectional });
      assert.deepEqual(bits(got), bits(want), JSON.stringify({ heads, queries, keys, queryOffset, bidirectional }));
    }
  }
  // A number array or Float64Array table is rounded to float32.
  const t = Array.from({ length: 64 }, (_, k) => k / 3);
  assert.deepEqual(pe.t5.bias({ table: t, heads: 2, queries: 3 }), pe.t5.bias({ table: Float32Array.from(t), heads: 2, queries: 3 }));
  assert.deepEqual(pe.t5.bias({ table: Float64Array.from(t), heads: 2, queries: 3 }), pe.t5.bias({ table: t, heads: 2, queries: 3 }));
});

test('SIMD and baseline builds agree bit for bit at awkward sizes', () => {
  for (const heads of [1, 3, 5]) {
    const table = Float32Array.from({ length: 32 * heads }, (_, k) => Math.cos(3 * k));
    for (const queries of [1, 2, 5, 17]) {
      for (const keys of [1, 3, 4, 9, 33, 130]) {
        const o = { table, heads, queries, keys, queryOffset: keys >= queries ? undefined : 11, bidirectional: keys % 2 === 1 };
        assert.deepEqual(bits(pe.t5.bias(o)), bits(base.t5.bias(o)));
      }
    }
  }
});

const table64 = new Float32Array(64);
const badBucket = [
  [[], TypeError, 'relativePositions must be an Int32Array or array of integers'],
  [[new Float32Array(2)], TypeError, 'relativePositions must be an Int32Array'],
  [[[1, 'x']], TypeError, 'relativePositions[1] must be a number'],
  [[[1, 2.5]], RangeError, 'relativePositions[1] must be a 32-bit integer'],
  [[[2 ** 31]], RangeError, 'relativePositions[0] must be a 32-bit integer'],
  [[[1], null], TypeError, 'options must be an object'],
  [[[1], { numBuckets: 3 }], RangeError, 'numBuckets must be an integer >= 4'],
  [[[1], { numBuckets: 1, bidirectional: false }], RangeError, 'numBuckets must be an integer >= 2'],
  [[[1], { numBuckets: 65538 }], RangeError, 'numBuckets must be an integer <= 65536'],
  [[[1], { numBuckets: 32.5 }], RangeError, 'numBuckets must be an integer'],
  [[[1], { numBuckets: '32' }], TypeError, 'numBuckets must be a number'],
  [[[1], { maxDistance: 8 }], RangeError, 'maxDistance must be > 8'],
  [[[1], { maxDistance: 16, bidirectional: false }], RangeError, 'maxDistance must be > 16'],
  [[[1], { maxDistance: NaN }], RangeError, 'maxDistance must be an integer'],
  [[[1], { bidirectional: 'no' }], TypeError, 'bidirectional must be true or false'],
  [[[1], { num_buckets: 32 }], TypeError, 'unknown option "num_buckets"'],
];
const badBias = [
  [undefined, TypeError, 'options must be an object'],
  [{ heads: 2, queries: 3 }, TypeError, 'table must be a Float32Array'],
  [{ table: table64, queries: 3 }, TypeError, 'heads must be a number'],
  [{ table: table64, heads: 2 }, TypeError, 'queries must be a number'],
  [{ table: new Float32Array(63), heads: 2, queries: 3 }, RangeError, 'table must have numBuckets * heads = 64 values'],
  [{ table: table64, heads: 2, queries: 3, numBuckets: 16 }, RangeError, 'table must have numBuckets * heads = 32 values'],
  [{ table: [...table64.slice(1), NaN], heads: 2, queries: 3 }, RangeError, 'table[63] must be finite'],
  [{ table: 'abc', heads: 2, queries: 3 }, TypeError, 'table must be a Float32Array'],
  [{ table: table64, heads: 2, queries: 3, keys: 2 }, RangeError, 'queryOffset defaults to keys - queries'],
  [{ table: table64, heads: 2, queries: 3, queryOffset: 2 ** 24 }, RangeError, 'exceeds the largest position'],
  [{ table: table64, heads: 2, queries: 3, maxDistance: 2 }, RangeError, 'maxDistance must be > 8'],
  [{ table: table64, heads: 2, queries: 8192, keys: 8193 }, RangeError, 'exceeds the 256 MiB output limit'],
  [{ table: table64, heads: 2, queries: 3, causal: true }, TypeError, 'unknown option "causal"'],
];

test('bad arguments give a TypeError/RangeError that names the parameter', () => {
  expectErrors((args) => pe.t5.bucket(...args), 'posenc.t5.bucket', badBucket);
  expectErrors((args) => pe.t5.bias(args), 'posenc.t5.bias', badBias);
});

test('many bad calls leave the module unchanged, and a good call still works', () => {
  for (const [, inst] of builds) {
    const good = inst.t5.bias({ table: table64.map((_, k) => k), heads: 2, queries: 40 });
    const before = inst.diagnostics();
    for (let round = 0; round < 300; round++) {
      for (const [args] of badBucket) assert.throws(() => inst.t5.bucket(...args));
      for (const [args] of badBias) assert.throws(() => inst.t5.bias(args));
    }
    assert.deepEqual(inst.diagnostics(), before);
    assert.deepEqual(inst.t5.bias({ table: table64.map((_, k) => k), heads: 2, queries: 40 }), good);
    assert.deepEqual(inst.t5.bucket([]), new Int32Array(0));
  }
});
