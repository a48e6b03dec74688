// SPDX-License-Identifier: MIT
// pe.attention through the installed package, against a float64 reference written here.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { init } from 'posenc';

import { maxDiff, randomVector } from './helpers.mjs';

const pe = await init();
const base = await init({ simd: false });

// Float64 attention from the definition. vec(t, h, which, pos) gives the (possibly position-transformed)
// vector; bias(h, p, j) the logit bias.
function reference({ q, k, v, queries, keys, heads, headDim, causal, queryOffset = keys - queries, vec, bias }) {
  const row = heads * headDim, scale = 1 / Math.sqrt(headDim);
  const out = new Float64Array(queries * row);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < queries; i++) {
      const p = queryOffset + i;
      const qi = vec(q, i, h, 'q', p);
      const z = [];
      for (let j = 0; j < keys; j++) {
        if (causal && j > p) { z.push(-Infinity); continue; }
        const kj = vec(k, j, h, 'k', j);
        z.push(scale * qi.reduce((s, x, d) => s + x * kj[d], 0) + bias(h, p, j));
      }
      const m = Math.max(...z);
      const e = z.map((x) => Math.exp(x - m));
      const sum = e.reduce((a, b) => a + b, 0);
      for (let j = 0; j < keys; j++) {
        const vj = vec(v, j, h, 'v', j);
        for (let d = 0; d < headDim; d++) out[i * row + h * headDim + d] += (e[j] / sum) * vj[d];
      }
    }
  }
  return out;
}

const plainVec = (x, t, h, _which, _p, heads, headDim) => Array.from(x.subarray((t * heads + h) * headDim, (t * heads + h + 1) * headDim));

test('none, alibi and sinusoidal against the float64 reference; causal and not; more keys than queries', () => {
  for (const causal of [false, true]) {
    for (const [queries, keys, heads, headDim] of [[5, 5, 4, 8], [3, 11, 2, 6], [17, 17, 4, 16]]) {
      const q = randomVector(queries * heads * headDim, 1), k = randomVector(keys * heads * headDim, 2), v = randomVector(keys * heads * headDim, 3);
      const vec = (x, t, h, w, p) => plainVec(x, t, h, w, p, heads, headDim);
      const shape = { queries, keys, heads, headDim };
      const none = pe.attention({ q, k, v, shape, causal }).output;
      assert.ok(maxDiff(none, reference({ q, k, v, queries, keys, heads, headDim, causal, vec, bias: () => 0 })) < 2e-5);
      // ALiBi slopes for a power-of-two head count: 2^(-8(h+1)/H)
      const alibi = pe.attention({ q, k, v, shape, causal, position: 'alibi' }).output;
      const slope = (h) => 2 ** (-8 * (h + 1) / heads);
      assert.ok(maxDiff(alibi, reference({ q, k, v, queries, keys, heads, headDim, causal, vec, bias: (h, p, j) => -slope(h) * Math.abs(p - j) })) < 2e-5);
      // sinusoidal: table rows (vaswani) added to q, k and v at their positions
      const table = pe.sinusoidal({ length: keys, dim: headDim });
      const sinVec = (x, t, h, w, p) => vec(x, t, h, w, p).map((val, d) => val + table[p * headDim + d]);
      const sin = pe.attention({ q, k, v, shape, causal, position: 'sinusoidal' }).output;
      assert.ok(maxDiff(sin, reference({ q, k, v, queries, keys, heads, headDim, causal, vec: sinVec, bias: () => 0 })) < 2e-5);
    }
  }
});

test('rope against a float64 rotation written here (half layout, linear scaling)', () => {
  const [L, heads, headDim] = [9, 2, 8];
  const f = pe.rope.frequencies({ head_dim: headDim, rope_scaling: { rope_type: 'linear', factor: 2 } });
  const q = randomVector(L * heads * headDim, 4), k = randomVector(L * heads * headDim, 5), v = randomVector(L * heads * headDim, 6);
  const rot = (x, t, h, which, p) => {
    const y = plainVec(x, t, h, which, p, heads, headDim);
    if (which === 'v') return y;
    const half = headDim / 2, out = [...y];
    for (let i = 0; i < half; i++) {
      const w = 10000 ** (-2 * i / headDim) / 2, c = Math.cos(p * w), s = Math.sin(p * w);
      out[i] = y[i] * c - y[i + half] * s;
      out[i + half] = y[i] * s + y[i + half] * c;
    }
    return out;
  };
  const got = pe.attention({ q, k, v, shape: [L, heads, headDim], causal: true, position: { method: 'rope', frequencies: f } }).output;
  assert.ok(maxDiff(got, reference({ q, k, v, queries: L, keys: L, heads, headDim, causal: true, vec: rot, bias: () => 0 })) < 2e-5);
});

test('streaming equals plain, SIMD equals baseline, for every method', () => {
  const [L, heads, headDim] = [300, 2, 16];
  const q = randomVector(L * heads * headDim, 7), k = randomVector(L * heads * headDim, 8), v = randomVector(L * heads * headDim, 9);
  const positions = [
    'none', 'alibi', 'sinusoidal', 'xpos',
    { method: 'learned', table: randomVector(L * headDim, 10) },
    { method: 'rope', frequencies: pe.rope.frequencies({ head_dim: headDim }) },
    { method: 't5', table: randomVector(32 * heads, 11), bidirectional: false },
    { method: 'kerple', r1: 0.5, r2: [0.3, 1.2] },
    { method: 'shaw', tableK: randomVector(9 * headDim, 12), tableV: randomVector(9 * headDim, 13), maxDistance: 4 },
  ];
  for (const position of positions) {
    for (const causal of [false, true]) {
      const opts = { q, k, v, shape: [L, heads, headDim], position, causal };
      const plain = pe.attention({ ...opts, streaming: false }).output;
      const name = typeof position === 'string' ? position : position.method;
      assert.ok(maxDiff(plain, pe.attention({ ...opts, streaming: true }).output) < 2e-6, `${name} streaming`);
      assert.ok(maxDiff(plain, base.attention({ ...opts, streaming: false }).output) < 2e-5, `${name} baseline`);
    }
  }
});

test('weights: probability rows, zero after the query when causal', () => {
  const [L, heads, headDim] = [7, 3, 4];
  const q = randomVector(L * heads * headDim, 14);
  const { output, weights } = pe.attention({ q, k: q, v: q, shape: [L, heads, headDim], causal: true, returnWeights: true });
  assert.equal(output.length, L * heads * headDim);
  assert.equal(weights.length, heads * L * L);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < L; i++) {
      const row = weights.subarray((h * L + i) * L, (h * L + i + 1) * L);
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-6);
      for (let j = i + 1; j < L; j++) assert.equal(row[j], 0);
    }
  }
  assert.equal(pe.attention({ q, k: q, v: q, shape: [L, heads, headDim] }).weights, undefined);
});

const q4 = new Float32Array(2 * 1 * 4);
const bad = [
  [{ q: q4, k: q4, v: q4, shape: [2, 1, 4], position: 'warp' }, RangeError, "position.method must be one of"],
  [{ q: q4, k: q4, v: q4, shape: [2, 1, 4], position: { method: 'alibi', slope: 1 } }, TypeError, 'unknown option "slope"'],
  [{ q: q4, k: q4, v: q4, shape: [2, 1, 4], position: 42 }, TypeError, 'position must be'],
  [{ q: q4, k: q4, v: q4, shape: [2, 1, 4], position: { method: 'learned', table: new Float32Array(4) } }, RangeError, 'a learned table has a hard length'],
  [{ q: q4, k: q4, v: q4, shape: [2, 1, 4], position: { method: 'rope' } }, TypeError, "position 'rope' needs frequencies: pass position: { method: 'rope', frequencies } (frequencies: pe.rope.frequencies(config))"],
  [{ q: q4, k: q4, v: q4, shape: [2, 1, 4], position: 'rope' }, TypeError, "position 'rope' needs frequencies: pass position: { method: 'rope', frequencies }"],
  [{ q: q4, k: q4, v: q4, shape: [2, 1, 4], position: { method: 'rope', frequencies: 3 } }, TypeError, 'frequencies must be the object'],
  [{ q: q4, k: q4, v: q4, shape: [2, 1, 4], position: 'shaw' }, TypeError, "position 'shaw' needs tableK, tableV, maxDistance"],
  [{ q: q4, k: q4, v: q4, shape: [2, 1, 4], position: { method: 'kerple', r1: 1 } }, TypeError, "position 'kerple' needs r2"],
  [{ q: q4, k: q4, v: q4, shape: [2, 1, 4], position: { method: 't5', table: [1, 2] } }, RangeError, 'position.table must have 32 elements'],
  [{ q: q4, k: q4, v: q4, shape: [2, 1, 4], position: { method: 'kerple', r1: -1, r2: 1 } }, RangeError, 'position.r1 must be > 0'],
  [{ q: q4, k: q4, v: q4, shape: [2, 1, 4], position: { method: 'shaw', tableK: [], tableV: [], maxDistance: 1 } }, RangeError, 'position.tableK must have 12 elements'],
  [{ q: q4, k: q4, v: new Float32Array(7), shape: [2, 1, 4] }, RangeError, 'v must have 8 elements'],
  [{ q: q4, k: q4, v: q4, shape: [2, 1] }, TypeError, 'shape must be'],
  [{ q: q4, k: q4, v: q4, shape: { queries: 2, heads: 1, headDim: 4, keys: 0 } }, RangeError, 'shape.keys must be an integer >= 1'],
  [{ q: new Float32Array(16), k: q4, v: q4, shape: { queries: 4, keys: 2, heads: 1, headDim: 4 } }, RangeError, 'queryOffset is required'],
  [{ q: q4, k: q4, v: q4, shape: [2, 1, 4], returnWeights: true, streaming: true }, RangeError, 'returnWeights needs streaming: false'],
  [{ q: q4, k: q4, v: q4, shape: [2, 1, 4], causal: 'yes' }, TypeError, 'causal must be true or false'],
  [{ q: q4, k: q4, v: q4, shape: [2, 1, 4], scale: 0 }, RangeError, 'scale must be > 0'],
  [{ q: [NaN, 0, 0, 0, 0, 0, 0, 0], k: q4, v: q4, shape: [2, 1, 4] }, RangeError, 'q[0] must be finite'],
  [{ q: q4, k: q4, v: q4, shape: [2, 1, 4], mask: true }, TypeError, 'unknown option "mask"'],
];

test('bad arguments: TypeError/RangeError naming the parameter, the module unchanged', () => {
  const before = pe.diagnostics();
  for (let round = 0; round < 30; round++) {
    for (const [opts, cls, text] of bad) {
      assert.throws(() => pe.attention(opts), (e) => {
        assert.equal(e.constructor, cls, e.message);
        assert.ok(e.message.startsWith('posenc.attention: '), e.message);
        assert.ok(e.message.includes(text), `"${e.message}" should contain "${text}"`);
        return true;
      });
    }
  }
  assert.deepEqual(pe.diagnostics(), before);
  assert.equal(pe.attention({ q: q4, k: q4, v: q4, shape: [2, 1, 4] }).output.length, 8);
});

test('shaw through the engine equals pe.shaw.attention (one head), maxDistance 0 included', () => {
  const [L, dim] = [23, 8];
  const q = randomVector(L * dim, 31), k = randomVector(L * dim, 32), v = randomVector(L * dim, 33);
  for (const maxDistance of [0, 2, 40]) {
    const rows = 2 * maxDistance + 1;
    const tableK = randomVector(rows * dim, 34), tableV = randomVector(rows * dim, 35);
    for (const causal of [false, true]) {
      const ref = pe.shaw.attention({ q, k, v, tableK, tableV, queries: L, dim, maxDistance, causal }).output;
      for (const streaming of [false, true]) {
        const got = pe.attention({ q, k, v, shape: [L, 1, dim], causal, streaming,
          position: { method: 'shaw', tableK, tableV, maxDistance } }).output;
        assert.ok(maxDiff(ref, got) < 2e-6, `maxDistance ${maxDistance}, causal ${causal}, streaming ${streaming}: ${maxDiff(ref, got)}`);
      }
    }
  }
  assert.throws(() => pe.attention({ q, k, v, shape: [L, 1, dim],
    position: { method: 'shaw', tableK: [], tableV: [], maxDistance: -1 } }), RangeError);
});

test('causal defaults to false everywhere: attention and the alibi, kerple and nope biases are unmasked', () => {
  const [L, H, D] = [6, 2, 4];
  const q = randomVector(L * H * D, 41), k = randomVector(L * H * D, 42), v = randomVector(L * H * D, 43);
  for (const position of ['none', 'alibi']) {
    const unmasked = pe.attention({ q, k, v, shape: [L, H, D], position, causal: false }).output;
    assert.deepEqual(pe.attention({ q, k, v, shape: [L, H, D], position }).output, unmasked, position);
    assert.notDeepEqual(pe.attention({ q, k, v, shape: [L, H, D], position, causal: true }).output, unmasked, position);
  }
  // One head: slope 2^-8; query 0 sees key 3 at distance 3 (no -Infinity anywhere).
  const alibi = pe.alibi.bias({ heads: 1, queries: 4 });
  assert.equal(alibi[3], -3 / 256);
  assert.ok(alibi.every(Number.isFinite));
  const kerple = pe.kerple.bias({ heads: 1, queries: 4, r1: 1, r2: 1, variant: 'power' });
  assert.equal(kerple[3], -3);
  assert.ok(pe.nope.bias({ queries: 4 }).every((x) => Object.is(x, 0)));
});
