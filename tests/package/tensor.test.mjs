// SPDX-License-Identifier: MIT
// Resident tensors (pe.tensor, pe.zeros), `out` and in place, through every function that takes
// arrays; memory growth, dispose, use after dispose, other instances, and the heap over many calls.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';

import { Tensor, init } from 'posenc';

import { bits, expectErrors, maxDiff, randomVector } from './helpers.mjs';

const pe = await init();
const base = await init({ simd: false });

/** float64 RoPE, half layout: pairs (i, i + r/2) of each head rotated by position * w_i. */
function ropeReference(x, [seq, heads, dim], w, positionOf = (t) => t) {
  const out = Float64Array.from(x), h = w.length;
  for (let t = 0; t < seq; t++) {
    for (let hd = 0; hd < heads; hd++) {
      const o = (t * heads + hd) * dim;
      for (let i = 0; i < h; i++) {
        const a = positionOf(t) * w[i], c = Math.cos(a), s = Math.sin(a);
        out[o + i] = x[o + i] * c - x[o + i + h] * s;
        out[o + i + h] = x[o + i] * s + x[o + i + h] * c;
      }
    }
  }
  return out;
}

const shape = [5, 3, 8];
const n = shape[0] * shape[1] * shape[2];
const freqs = pe.rope.frequencies({ head_dim: 8, rope_theta: 100 });
const x = randomVector(n, 3);

// Every function that takes arrays, given its arrays through `a` (identity, or pe.tensor).
// Each returns the array(s) to compare.
const q = randomVector(4 * 2 * 4, 5), k = randomVector(4 * 2 * 4, 6), v = randomVector(4 * 2 * 4, 7);
const sq = randomVector(3 * 4, 8), sk = randomVector(3 * 4, 9), sv = randomVector(3 * 4, 10);
const tK = randomVector(3 * 4, 11), tV = randomVector(3 * 4, 12);
const CASES = {
  'rope.apply': (a) => pe.rope.apply(a(x), { shape, frequencies: freqs, positions: a(new Int32Array([0, 3, 1, 9, 2])) }),
  'rope.inverse': (a) => pe.rope.inverse(a(x), { shape, frequencies: freqs, offset: 4 }),
  'xpos.apply': (a) => pe.xpos.apply(a(x), { shape, role: 'key' }),
  'rope.cache': (a) => Object.values(pe.rope.cache({ frequencies: { invFreq: a(freqs.invFreq) }, positions: a(new Int32Array([4, 1])) })),
  'rope.wavelengths': (a) => pe.rope.wavelengths({ invFreq: a(freqs.invFreq) }),
  attention: (a) => pe.attention({ q: a(q), k: a(k), v: a(v), shape: [4, 2, 4], position: 'alibi', causal: true, returnWeights: true }),
  'attention (t5 table)': (a) => pe.attention({ q: a(q), k: a(k), v: a(v), shape: [4, 2, 4], position: { method: 't5', table: a(randomVector(64, 13)) } }),
  'shaw.attention': (a) => Object.values(pe.shaw.attention({ q: a(sq), k: a(sk), v: a(sv), tableK: a(tK), tableV: a(tV), queries: 3, dim: 4, maxDistance: 1 })),
  't5.bucket': (a) => pe.t5.bucket(a(new Int32Array([-200, -1, 0, 1, 16]))),
  't5.bias': (a) => pe.t5.bias({ table: a(randomVector(32 * 2, 14)), heads: 2, queries: 3 }),
  'kerple.bias': (a) => pe.kerple.bias({ heads: 2, queries: 3, r1: a(new Float32Array([1.2, 0.4])), r2: a(new Float32Array([0.5, 0.9])) }),
  'learned.lookup': (a) => pe.learned.lookup({ table: a(randomVector(6 * 4, 15)), maxPositions: 6, dim: 4, positions: a(new Int32Array([5, 0, 2])) }),
  'analysis.similarity': (a) => pe.analysis.similarity({ table: a(randomVector(5 * 4, 16)), dim: 4, metric: 'cosine' }),
  'analysis.relativeScores': (a) => pe.analysis.relativeScores({ method: 'rope', frequencies: freqs, q: a(randomVector(8, 17)), distances: a(new Int32Array([-2, 0, 3])) }).scores,
  'analysis.permutation': (a) => Object.values(pe.analysis.permutation({ q: a(q), k: a(k), v: a(v), shape: [4, 2, 4], position: 'alibi' })),
  'corpus.decode': (a) => pe.corpus.decode(a(new Int32Array([1, 2, 3]))),
};

test('every function that takes arrays takes tensors, with the same results', () => {
  for (const [name, run] of Object.entries(CASES)) {
    const made = [];
    const asTensor = (arr) => { const t = pe.tensor(arr); made.push(t); return t; };
    const plain = [run((arr) => arr)].flat();
    const resident = [run(asTensor)].flat();
    assert.equal(resident.length, plain.length, name);
    // Bit for bit (the same kernels ran): same type, same bytes.
    const bytes = (r) => (typeof r === 'string' ? r : [r.constructor.name, ...new Uint8Array(r.buffer, r.byteOffset, r.byteLength)]);
    resident.forEach((r, i) => assert.deepEqual(bytes(r), bytes(plain[i]), name));
    // The inputs were read where they live, not changed.
    for (const t of made) assert.equal(t.disposed, false, name);
    made.forEach((t) => t.dispose());
  }
  assert.equal(pe.diagnostics().tensors, 0);
});

test('rope through tensors matches a float64 rotation written here; in place and out', () => {
  const ref = ropeReference(x, shape, freqs.invFreq, (t) => 7 + t);
  const t = pe.tensor(x, { shape });
  assert.deepEqual(t.shape, shape);
  const out = pe.zeros(shape);
  assert.equal(pe.rope.apply(t, { shape, frequencies: freqs, offset: 7, out }), out);
  assert.ok(maxDiff(out.data, ref) < 2e-6, `${maxDiff(out.data, ref)}`);
  assert.deepEqual(bits(t.data), bits(x), 'x itself unchanged when out is another tensor');
  // In place: out is x.
  assert.equal(pe.rope.apply(t, { shape, frequencies: freqs, offset: 7, out: t }), t);
  assert.deepEqual(bits(t.data), bits(out.data));
  pe.rope.inverse(t, { shape, frequencies: freqs, offset: 7, out: t });
  assert.ok(maxDiff(t.data, x) < 2e-6);
  // xPos in place equals xPos into a new array.
  const xp = pe.xpos.apply(x, { shape, role: 'query', offset: 2 });
  t.data.set(x);
  pe.xpos.apply(t, { shape, role: 'query', offset: 2, out: t });
  assert.deepEqual(bits(t.data), bits(xp));
  // Plain arrays: out filled and returned; out: x rotates the array in place.
  const arrOut = new Float32Array(n);
  assert.equal(pe.rope.apply(x, { shape, frequencies: freqs, offset: 7, out: arrOut }), arrOut);
  assert.ok(maxDiff(arrOut, ref) < 2e-6);
  const y = x.slice();
  assert.equal(pe.rope.apply(y, { shape, frequencies: freqs, offset: 7, out: y }), y);
  assert.deepEqual(bits(y), bits(arrOut));
  // A plain array written into a tensor, and a tensor into a plain array.
  pe.rope.apply(x, { shape, frequencies: freqs, offset: 7, out });
  assert.deepEqual(bits(out.data), bits(arrOut));
  t.dispose();
  out.dispose();
});

test('out on every function with one main result: same values as without, independent checks', () => {
  const withOut = (name, fn, Type, count) => {
    const fresh = fn(undefined);
    const arr = new Type(count).fill(7);
    assert.equal(fn(arr), arr, name);
    assert.deepEqual(arr, fresh, name);
    const t = pe.zeros([count], { dtype: Type === Int32Array ? 'int32' : 'float32' });
    assert.equal(fn(t), t, name);
    assert.deepEqual(t.toArray(), fresh, name);
    t.dispose();
    return fresh;
  };
  // sinusoidal (Vaswani): sin(p / 10000^(2i/d)) at 2i, cos at 2i + 1.
  const table = withOut('sinusoidal', (out) => pe.sinusoidal({ length: 6, dim: 8, out }), Float32Array, 48);
  for (let p = 0; p < 6; p++) {
    for (let i = 0; i < 4; i++) {
      const a = p / 10000 ** ((2 * i) / 8);
      assert.ok(Math.abs(table[p * 8 + 2 * i] - Math.sin(a)) < 1e-7 && Math.abs(table[p * 8 + 2 * i + 1] - Math.cos(a)) < 1e-7);
    }
  }
  // ALiBi (causal, relative form): -m_h (i - j) up to the query, -Infinity after; m_h = 2^(-8(h+1)/H).
  const alibi = withOut('alibi.bias', (out) => pe.alibi.bias({ heads: 2, queries: 3, causal: true, out }), Float32Array, 18);
  for (let h = 0; h < 2; h++) {
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        assert.equal(alibi[(h * 3 + i) * 3 + j], j <= i ? -(2 ** (-8 * (h + 1) / 2)) * (i - j) || 0 : -Infinity);
      }
    }
  }
  const nope = withOut('nope.bias', (out) => pe.nope.bias({ queries: 2, causal: true, out }), Float32Array, 4);
  assert.deepEqual([...nope], [0, -Infinity, 0, 0]);
  withOut('t5.bias', (out) => pe.t5.bias({ table: randomVector(64, 1), heads: 2, queries: 3, out }), Float32Array, 18);
  withOut('t5.bucket', (out) => pe.t5.bucket([-3, 0, 3], { out }), Int32Array, 3);
  withOut('kerple.bias', (out) => pe.kerple.bias({ heads: 1, queries: 3, r1: 1, r2: 0.5, out }), Float32Array, 9);
  withOut('learned.table', (out) => pe.learned.table({ maxPositions: 3, dim: 4, out }), Float32Array, 12);
  withOut('learned.lookup', (out) => pe.learned.lookup({ table: randomVector(12, 2), maxPositions: 3, dim: 4, positions: [2, 0], out }), Float32Array, 8);
  withOut('shaw.indices', (out) => pe.shaw.indices({ queries: 3, maxDistance: 1, out }), Int32Array, 9);
  withOut('attention', (out) => pe.attention({ q, k, v, shape: [4, 2, 4], position: 'alibi', causal: true, out }).output, Float32Array, 32);
  withOut('shaw.attention', (out) => pe.shaw.attention({ q: sq, k: sk, v: sv, tableK: tK, tableV: tV, queries: 3, dim: 4, maxDistance: 1, out }).output, Float32Array, 12);
  withOut('analysis.similarity', (out) => pe.analysis.similarity({ table: randomVector(20, 3), dim: 4, out }), Float32Array, 25);
  withOut('corpus.generate', (out) => pe.corpus.generate({ seed: 2, length: 50, out }), Int32Array, 50);
  assert.equal(pe.diagnostics().tensors, 0);
});

test('out and tensor arguments are checked: TypeError/RangeError naming the parameter', () => {
  const t = pe.tensor(x, { shape });
  const f64 = pe.tensor(new Float64Array(n));
  const other = base.tensor(x);
  const gone = pe.tensor(x);
  gone.dispose();
  const ints = pe.tensor(new Int32Array(n));
  const opts = { shape, frequencies: freqs };
  expectErrors((o) => pe.rope.apply(t, { ...opts, ...o }), 'posenc.rope.apply', [
    [{ out: new Float32Array(n - 1) }, RangeError, `out must have ${n} elements, got ${n - 1}`],
    [{ out: new Float64Array(n) }, TypeError, 'out must be a Float32Array or a float32 tensor, got a Float64Array'],
    [{ out: f64 }, TypeError, 'out must be a float32 tensor, got a float64 tensor'],
    [{ out: gone }, TypeError, 'out is a disposed tensor'],
    [{ out: other }, TypeError, 'out is a tensor of another posenc instance'],
    [{ out: [1, 2] }, TypeError, 'out must be a Float32Array or a float32 tensor, got an array'],
  ]);
  expectErrors((xx) => pe.rope.apply(xx, opts), 'posenc.rope.apply', [
    [gone, TypeError, 'x is a disposed tensor'],
    [other, TypeError, 'x is a tensor of another posenc instance'],
    [ints, TypeError, 'x must be a float32 tensor, got a int32 tensor'],
  ]);
  expectErrors((o) => pe.attention({ q, k, v, shape: [4, 2, 4], ...o }), 'posenc.attention', [
    [{ q: t }, RangeError, 'q must have 32 elements'],
  ]);
  const qt = pe.tensor(q);
  expectErrors((o) => pe.attention({ q: qt, k, v, shape: [4, 2, 4], out: qt, ...o }), 'posenc.attention', [
    [{}, RangeError, 'out must not be one of the inputs'],
  ]);
  // NaN in a tensor is found by the scan in the module and named.
  const bad = pe.tensor(x);
  bad.data[17] = NaN;
  expectErrors((xx) => pe.rope.apply(xx, { ...opts, out: xx }), 'posenc.rope.apply', [[bad, RangeError, 'x[17] must be finite, got NaN']]);
  const badQ = pe.tensor(sq);
  badQ.data[5] = -Infinity;
  expectErrors(() => pe.shaw.attention({ q: sq, k: badQ, v: sv, tableK: tK, tableV: tV, queries: 3, dim: 4, maxDistance: 1 }), 'posenc.shaw.attention',
    [[0, RangeError, 'k[5] must be finite, got -Infinity']]);
  // pe.tensor / pe.zeros / Tensor themselves.
  expectErrors((a) => pe.tensor(...a), 'posenc.tensor', [
    [['abc'], TypeError, 'values must be a Float32Array, Float64Array, Int32Array, Uint8Array or array of numbers, got "abc"'],
    [[[1, 'a']], TypeError, 'values[1] must be a number'],
    [[[1, 2, 3], { shape: [2, 2] }], RangeError, 'shape [2, 2] holds 4 values, but values has 3'],
    [[[1], { dtype: 'float16' }], RangeError, "dtype must be one of 'float32', 'float64', 'int32', 'uint8'"],
    [[[1], { size: 1 }], TypeError, 'unknown option "size"'],
  ]);
  expectErrors((a) => pe.zeros(...a), 'posenc.zeros', [
    [[[2, -1]], RangeError, 'shape[1] must be an integer >= 0'],
    [[3], TypeError, 'shape must be an array of 1 to 8 integers'],
    [[[2 ** 27]], RangeError, 'the tensor would exceed 256 MiB'],
  ]);
  assert.throws(() => new Tensor(), TypeError);
  // Objects that only claim to be tensors: recognised by the private brand alone (none of their
  // properties or prototype is consulted), so they are plain objects, refused by name.
  const fake = Object.create(Tensor.prototype);  // claims to be a tensor, holds no memory
  const lookalike = { dtype: 'float32', length: t.length, shape: t.shape, data: t.data, byteLength: t.byteLength };
  expectErrors((o) => pe.rope.apply(o.x ?? x, { ...opts, ...o.opts }), 'posenc.rope.apply', [
    [{ x: fake }, TypeError, 'x must be a Float32Array, Float64Array or array of numbers (or a tensor), got an object'],
    [{ x: lookalike }, TypeError, 'x must be a Float32Array, Float64Array or array of numbers (or a tensor), got an object'],
    [{ opts: { out: fake } }, TypeError, 'out must be a Float32Array or a float32 tensor, got an object'],
    [{ opts: { out: lookalike } }, TypeError, 'out must be a Float32Array or a float32 tensor, got an object'],
  ]);
  expectErrors(() => fake.data, 'posenc.tensor.data', [[0, TypeError, 'not a tensor made by pe.tensor() or pe.zeros()']]);
  for (const tt of [t, f64, other, ints, bad, badQ, qt]) tt.dispose();
  assert.equal(pe.diagnostics().tensors, 0);
  assert.equal(base.diagnostics().tensors, 0);
});

test('RoPE names the first NaN/infinity in memory order, in both builds, rotated dimensions or not', () => {
  // Partial rotary (4 of 8 dimensions): values 4..7 of each head are only checked.
  const f = { invFreq: [1, 0.1] };
  for (const inst of [pe, base]) {
    for (const [at, value, also] of [[0, NaN], [45, Infinity], [6, -Infinity], [7, NaN, 2], [41, NaN, 44], [n - 1, NaN]]) {
      const y = x.slice();
      y[at] = value;
      if (also !== undefined) y[also] = Infinity;
      const first = Math.min(at, also ?? at);
      const t = inst.tensor(y, { shape });
      expectErrors(() => inst.rope.apply(t, { shape, frequencies: f, out: t }), 'posenc.rope.apply',
        [[0, RangeError, `x[${first}] must be finite, got ${y[first]}`]]);
      t.dispose();
    }
    // The same pass refuses rotated values beyond float32 by name (the pair 3e38, -3e38 turned by
    // 45 degrees is 4.2e38) and zeroes x; a NaN read later in that row is named by its index instead.
    const huge = new Float32Array(8);
    huge[0] = 3e38;
    huge[2] = -3e38;
    const quarter = { invFreq: [Math.PI / 4, 0], headDim: 8 };
    const t = inst.tensor(huge, { shape: [1, 1, 8] });
    expectErrors(() => inst.rope.apply(t, { shape: [1, 1, 8], frequencies: quarter, positions: [1], out: t }), 'posenc.rope.apply',
      [[0, RangeError, 'x is too large: a rotated value overflows float32 (x is zeroed)']]);
    assert.deepEqual([...t.data], new Array(8).fill(0));
    t.data.set(huge);
    t.data[7] = NaN;
    expectErrors(() => inst.rope.apply(t, { shape: [1, 1, 8], frequencies: quarter, positions: [1], out: t }), 'posenc.rope.apply',
      [[0, RangeError, 'x[7] must be finite, got NaN']]);
    t.dispose();
  }
});

test('data stays right while memory grows; dispose twice is harmless; use after dispose is a named TypeError', () => {
  const t = pe.tensor(x, { shape });
  const before = t.data;
  const heap = pe.diagnostics().heapBytes;
  const big = pe.zeros([(heap >> 2) + 1024]);  // more than the whole current heap: memory must grow
  assert.ok(pe.diagnostics().heapBytes > heap, 'memory grew');
  assert.equal(before.length, 0, 'the old view was detached by the growth');
  assert.deepEqual(bits(t.data), bits(x), 'data is a fresh view of the same values');
  t.data[0] = 42;
  assert.equal(t.toArray()[0], 42);
  big.dispose();
  assert.equal(t.disposed, false);
  t.dispose();
  t.dispose();
  assert.equal(t.disposed, true);
  expectErrors(() => t.data, 'posenc.tensor.data', [[0, TypeError, 'the tensor has been disposed']]);
  expectErrors(() => t.toArray(), 'posenc.tensor.toArray', [[0, TypeError, 'the tensor has been disposed']]);
  // Symbol.dispose, the method `using` calls (Node 20 has the symbol but not the syntax).
  const u = pe.tensor([1, 2, 3]);
  assert.equal(typeof Symbol.dispose, 'symbol');
  u[Symbol.dispose]();
  assert.equal(u.disposed, true);
  assert.equal(pe.diagnostics().tensors, 0);
});

test('the heap stays flat over create/use/dispose cycles and repeated large calls (scratch is freed)', () => {
  const cycle = () => {
    const t = pe.tensor(randomVector(n, 1), { shape });
    const o = pe.zeros(shape);
    pe.rope.apply(t, { shape, frequencies: freqs, out: o });
    pe.rope.apply(t, { shape, frequencies: freqs, out: t });
    const qt = pe.tensor(q);
    pe.attention({ q: qt, k, v, shape: [4, 2, 4], out: pe.zeros([32]) }).output.dispose();
    for (const tt of [t, o, qt]) tt.dispose();
  };
  for (let i = 0; i < 5; i++) cycle();
  const start = pe.diagnostics();
  for (let i = 0; i < 300; i++) cycle();
  const end = pe.diagnostics();
  assert.deepEqual(end, start);
  // A large call on plain arrays: its scratch is freed, and repeating it does not grow the heap.
  const count = 4 * 1024 * 1024, big = new Float32Array(count), out = new Float32Array(count);
  const s = [4096, 8, 128], f = pe.rope.frequencies({ head_dim: 128 });
  const m0 = pe.diagnostics().mallocBytes;
  pe.rope.apply(big, { shape: s, frequencies: f, out });
  const after = pe.diagnostics();
  assert.equal(after.mallocBytes, m0);
  for (let i = 0; i < 5; i++) pe.rope.apply(big, { shape: s, frequencies: f, out });
  assert.equal(pe.diagnostics().heapBytes, after.heapBytes);
});

test('a tensor dropped without dispose() is freed once garbage-collected (FinalizationRegistry)', async () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  const start = pe.diagnostics();
  (() => { for (let i = 0; i < 20; i++) pe.zeros([1024]); })();
  assert.equal(pe.diagnostics().tensors, start.tensors + 20);
  for (let i = 0; i < 100 && pe.diagnostics().tensors > start.tensors; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.deepEqual(pe.diagnostics(), start);
});
