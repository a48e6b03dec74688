// SPDX-License-Identifier: MIT
// Overflow reproducers from finite, documented-valid inputs: each either computes finite values or
// throws a RangeError naming the parameter, never returns NaN or Infinity.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { init } from 'posenc';

import { randomVector } from './helpers.mjs';

const builds = [['simd', await init()], ['baseline', await init({ simd: false })]];

const allFinite = (a) => Array.from(a).every(Number.isFinite);

/** fn() throws a RangeError "<where>: <param> ..." with param matched by `param` (a RegExp). */
function refused(fn, where, param) {
  assert.throws(fn, (e) => {
    assert.equal(e.constructor, RangeError, e.message);
    assert.match(e.message, new RegExp(`^${where.replaceAll('.', '\\.')}: ${param.source}`));
    return true;
  });
}

const shape = { queries: 4, keys: 6, heads: 2, headDim: 8 };
const n = (rows) => rows * shape.heads * shape.headDim;

for (const [name, pe] of builds) {
  test(`${name}: attention with q and k entries of 1e19 (logits beyond float32) is refused naming q`, () => {
    const q = randomVector(n(4), 1).map((x) => Math.sign(x) * 1e19);
    const k = randomVector(n(6), 2).map((x) => Math.sign(x) * 1e19);
    const v = randomVector(n(6), 3);
    for (const streaming of [false, true]) {
      for (const position of [undefined, 'alibi', 'sinusoidal']) {
        refused(() => pe.attention({ q, k, v, shape, streaming, position }), 'posenc.attention', /q /);
      }
    }
    // 1e18 stays within float32 (q.k ~ 8e36): finite weights and outputs.
    const r = pe.attention({ q: q.map((x) => x / 10), k: k.map((x) => x / 10), v, shape, returnWeights: true });
    assert.ok(allFinite(r.output) && allFinite(r.weights));
  });

  test(`${name}: attention with scale 1e30 overflowing the logits is refused naming scale; finite where it fits`, () => {
    const q = new Float32Array(n(4)).fill(1e5), k = new Float32Array(n(6)).fill(1e5), v = randomVector(n(6), 4);
    for (const streaming of [false, true]) refused(() => pe.attention({ q, k, v, shape, scale: 1e30, streaming }), 'posenc.attention', /scale /);
    // Ordinary q and k with scale 1e30: logits ~1e30 are representable; the softmax is one-hot, finite.
    const r = pe.attention({ q: randomVector(n(4), 5), k: randomVector(n(6), 6), v, shape, scale: 1e30, returnWeights: true });
    assert.ok(allFinite(r.output) && allFinite(r.weights));
  });

  test(`${name}: attention with a T5 table of -3.4e38 is refused naming position.table when the logits leave float32`, () => {
    const table = new Float32Array(32 * shape.heads).fill(-3.4e38);
    const position = { method: 't5', table };
    const q = new Float32Array(n(4)).fill(1e18), k = new Float32Array(n(6)).fill(-1e18), v = randomVector(n(6), 7);
    for (const streaming of [false, true]) refused(() => pe.attention({ q, k, v, shape, position, streaming }), 'posenc.attention', /position\.table /);
    // With ordinary q and k every logit rounds to -3.4e38: uniform weights, the mean of v (float32's answer).
    const r = pe.attention({ q: randomVector(n(4), 8), k: randomVector(n(6), 9), v, shape, position, returnWeights: true });
    assert.ok(allFinite(r.output));
    for (const w of r.weights) assert.ok(Math.abs(w - 1 / 6) < 1e-6, `weight ${w}`);
  });

  test(`${name}: xPos at position 40000 is finite with the default centre and refused (scaleBase) where zeta^(d/512) overflows`, () => {
    const x = randomVector(8, 10);
    const theta = 10000;
    for (const role of ['query', 'key']) {
      // Default centre ceil(40001 / 2): 19999 positions away, scale (2/7)^(-39) = 1.6e21 at most.
      const y = pe.xpos.apply(x, { shape: [1, 1, 8], positions: [40000], theta, role });
      assert.ok(allFinite(y), role);
    }
    // Centre 0: the key scale (2/7)^(-40000/512) = 1e42 exceeds float32; the query scale shrinks (finite).
    refused(() => pe.xpos.apply(x, { shape: [1, 1, 8], positions: [40000], theta, role: 'key', center: 0 }), 'posenc.xpos.apply', /scaleBase /);
    assert.ok(allFinite(pe.xpos.apply(x, { shape: [1, 1, 8], positions: [40000], theta, role: 'query', center: 0 })));
    assert.ok(allFinite(pe.xpos.apply(x, { shape: [1, 1, 8], positions: [40000], theta, role: 'key', center: 0, scaleBase: 4096 })));
  });

  test(`${name}: attention with xPos over 80001 keys is refused (scaleBase) or, with a larger scaleBase, finite`, () => {
    const big = { queries: 1, keys: 80001, heads: 1, headDim: 8 };
    const q = randomVector(8, 11), k = randomVector(80001 * 8, 12), v = randomVector(80001 * 8, 13);
    const position = { method: 'xpos', theta: 10000 };
    refused(() => pe.attention({ q, k, v, shape: big, queryOffset: 0, position }), 'posenc.attention', /scaleBase /);
    const r = pe.attention({ q, k, v, shape: big, queryOffset: 0, position: { ...position, scaleBase: 2048 } });
    assert.ok(allFinite(r.output));
  });

  test(`${name}: RoPE with extreme inverse frequencies is refused naming the frequencies`, () => {
    const x = randomVector(2 * 8, 14);
    for (const w of [1e301, 1.7e308]) {
      const frequencies = { invFreq: new Float64Array([1, w, 0.5, 0.25]), attentionFactor: 1 };
      refused(() => pe.rope.apply(x, { shape: [2, 1, 8], frequencies, offset: 2 ** 24 - 1 }), 'posenc.rope.apply', /(frequencies|invFreq)/);
    }
    // 1e300 keeps position * invFreq finite in float64: computed, finite.
    const frequencies = { invFreq: new Float64Array([1, 1e300, 0.5, 0.25]), attentionFactor: 1 };
    assert.ok(allFinite(pe.rope.apply(x, { shape: [2, 1, 8], frequencies, offset: 2 ** 24 - 1 })));
    // x near FLT_MAX rotated by 45 degrees leaves float32: refused naming x.
    const huge = new Float32Array(8).fill(3e38);
    huge[4] = -3e38;
    refused(() => pe.rope.apply(huge, { shape: [1, 1, 8], frequencies: { invFreq: new Float64Array([Math.PI / 4, 0, 0, 0]), attentionFactor: 1 }, positions: [1] }),
      'posenc.rope.apply', /x /);
  });
}
