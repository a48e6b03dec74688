// SPDX-License-Identifier: MIT
// Package tests of pe.kerple, against the packed tarball installed by name (see sinusoidal.test.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { init } from 'posenc';

import { bits } from './helpers.mjs';

const pe = await init();
const base = await init({ simd: false });
const builds = [['simd', pe], ['baseline', base]];

// The kernels in float64, from the float32 parameters.
const kernels = {
  log: (r1, r2, d) => -r1 * Math.log1p(r2 * d),
  power: (r1, r2, d) => -r1 * d ** r2,
};

test('hand-computed values', () => {
  // log, r1 = 2, r2 = 1: the last row of 3 is (-2 ln 3, -2 ln 2, 0).
  const l = pe.kerple.bias({ heads: 1, queries: 3, r1: 2, r2: 1, causal: true });
  assert.deepEqual(Array.from(l.subarray(0, 3)), [0, -Infinity, -Infinity]);
  const near = (x, y) => Math.abs(x - y) <= 2.4e-7;  // one float32 ulp at magnitude 2
  assert.ok(near(l[6], -2 * 1.0986122886681098) && near(l[7], -2 * 0.6931471805599453) && l[8] === 0, `${l.subarray(6)}`);
  assert.ok(near(l[3], -2 * 0.6931471805599453) && l[4] === 0 && l[5] === -Infinity, `${l.subarray(3, 6)}`);
  // power, r1 = 0.5, r2 = 2, one query at position 1, no mask: -0.5 d^2 for d = 1, 0, 1, 2.
  const p = pe.kerple.bias({ heads: 1, queries: 1, keys: 4, queryOffset: 1, r1: 0.5, r2: 2, variant: 'power', causal: false });
  assert.deepEqual(Array.from(p), [-0.5, 0, -0.5, -2]);
  assert.ok(Object.is(p[1], 0), 'zeros are +0');
});

for (const [name, inst] of builds) {
  test(`every value is the float64 formula rounded once to float32 (${name} build)`, () => {
    const heads = 4;
    const r1 = Float32Array.from([0.01, 0.7, 1.3, 1.99]);
    for (const variant of ['log', 'power']) {
      const r2 = Float32Array.from(variant === 'log' ? [0.01, 0.3, 0.6, 0.99] : [0.01, 0.5, 1.5, 2]);
      for (const causal of [true, false]) {
        const [queries, keys, queryOffset] = [6, 400, 150];
        const b = inst.kerple.bias({ heads, queries, keys, queryOffset, r1, r2, variant, causal });
        for (let h = 0; h < heads; h++) {
          for (let i = 0; i < queries; i++) {
            for (let j = 0; j < keys; j++) {
              const got = b[(h * queries + i) * keys + j];
              const p = queryOffset + i;
              if (causal && j > p) {
                assert.equal(got, -Infinity);
                continue;
              }
              const exact = kernels[variant](r1[h], r2[h], Math.abs(p - j));
              assert.ok(Math.abs(got - exact) <= Math.abs(exact) * 2 ** -24 * 1.01, `${variant} [${h}][${i}][${j}]: ${got} vs ${exact}`);
            }
          }
        }
      }
    }
  });
}

test('a number applies to every head, and float64 parameters are rounded to float32', () => {
  const one = pe.kerple.bias({ heads: 3, queries: 20, r1: 0.3, r2: 0.7 });
  const each = pe.kerple.bias({ heads: 3, queries: 20, r1: [0.3, 0.3, 0.3], r2: new Float64Array([0.7, 0.7, 0.7]) });
  assert.deepEqual(bits(one), bits(each));
  const f32 = pe.kerple.bias({ heads: 3, queries: 20, r1: Math.fround(0.3), r2: Math.fround(0.7) });
  assert.deepEqual(bits(one), bits(f32));
});

test('the power variant with r2 = 1 and r1 = the ALiBi slopes is ALiBi', () => {
  for (const causal of [true, false]) {
    const shape = { heads: 12, queries: 5, keys: 77 };
    const k = pe.kerple.bias({ ...shape, r1: pe.alibi.slopes(12), r2: 1, variant: 'power', causal });
    assert.deepEqual(bits(k), bits(pe.alibi.bias({ ...shape, causal })));
  }
});

test('properties: decreasing with distance, symmetric without the mask, mask exactly above the diagonal', () => {
  for (const variant of ['log', 'power']) {
    const b = pe.kerple.bias({ heads: 2, queries: 1, keys: 301, queryOffset: 150, r1: [0.2, 1.5], r2: [0.1, 1.8], variant, causal: false });
    for (let h = 0; h < 2; h++) {
      const row = b.subarray(h * 301, h * 301 + 301);
      for (let d = 1; d <= 150; d++) {
        assert.equal(row[150 - d], row[150 + d]);
        assert.ok(row[150 + d] < row[150 + d - 1]);
      }
    }
    const c = pe.kerple.bias({ heads: 2, queries: 9, keys: 12, r1: 1, r2: 1, variant, causal: true });
    for (let i = 0; i < 9; i++) {
      for (let j = 0; j < 12; j++) assert.equal(c[i * 12 + j] === -Infinity, j > 3 + i);
    }
  }
});

test('SIMD and baseline builds agree bit for bit at awkward sizes', () => {
  for (const variant of ['log', 'power']) {
    for (const heads of [1, 3, 5]) {
      const r1 = Array.from({ length: heads }, (_, h) => 0.1 + h);
      const r2 = Array.from({ length: heads }, (_, h) => 0.3 + h / 4);
      for (const queries of [1, 2, 5, 17]) {
        for (const keys of [1, 3, 4, 9, 33, 130]) {
          const o = { heads, queries, keys, r1, r2, variant, causal: keys % 2 === 0, queryOffset: keys >= queries ? undefined : 7 };
          assert.deepEqual(bits(pe.kerple.bias(o)), bits(base.kerple.bias(o)));
        }
      }
    }
  }
});

const ok = { heads: 2, queries: 3, r1: 1, r2: 1 };
const bad = [
  [undefined, TypeError, 'options must be an object'],
  [{ ...ok, r1: undefined }, TypeError, 'r1 must be a number or one number per head'],
  [{ ...ok, r1: '1' }, TypeError, 'r1 must be a number or one number per head'],
  [{ ...ok, r2: { 0: 1, 1: 1 } }, TypeError, 'r2 must be a number or one number per head'],
  [{ ...ok, r1: 0 }, RangeError, 'r1 must be finite and > 0'],
  [{ ...ok, r1: -1 }, RangeError, 'r1 must be finite and > 0'],
  [{ ...ok, r1: NaN }, RangeError, 'r1 must be finite and > 0'],
  [{ ...ok, r1: 1e-50 }, RangeError, 'r1 must be finite and > 0 (as a float32), got 1e-50'],
  [{ ...ok, r1: 1e39 }, RangeError, 'r1 must be finite and > 0'],
  [{ ...ok, r1: [1, 1, 1] }, RangeError, 'r1 must have one value per head (2), got 3'],
  [{ ...ok, r1: [1, 'a'] }, TypeError, 'r1[1] must be a number, got "a"'],
  [{ ...ok, r2: [1, 0] }, RangeError, 'r2[1] must be finite and > 0'],
  [{ ...ok, r2: new Float32Array([1, Infinity]) }, RangeError, 'r2[1] must be finite and > 0'],
  [{ ...ok, r2: 2.5, variant: 'power' }, RangeError, "r2 must be <= 2 for the 'power' variant"],
  [{ ...ok, r2: [1, 2.0000002], variant: 'power' }, RangeError, "r2[1] must be <= 2 for the 'power' variant"],
  [{ ...ok, r1: 3e38, keys: 100, queries: 1 }, RangeError, 'r1 is so large that the bias exceeds the float32 range'],
  [{ ...ok, variant: 'linear' }, RangeError, "variant must be one of 'log', 'power'"],
  [{ ...ok, causal: 'yes' }, TypeError, 'causal must be true or false'],
  [{ ...ok, heads: undefined }, TypeError, 'heads must be a number'],
  [{ ...ok, queries: -3 }, RangeError, 'queries must be an integer >= 1'],
  [{ ...ok, keys: 1 }, RangeError, 'queryOffset defaults to keys - queries'],
  [{ ...ok, bias_p: 1 }, TypeError, 'unknown option "bias_p"'],
];

test('bad arguments give a TypeError/RangeError that names the parameter', () => {
  for (const [args, cls, text] of bad) {
    assert.throws(() => pe.kerple.bias(args), (e) => {
      assert.equal(e.constructor, cls, e.message);
      assert.ok(e.message.startsWith('posenc.kerple.bias: '), e.message);
      assert.ok(e.message.includes(text), `"${e.message}" should contain "${text}"`);
      return true;
    });
  }
  // The bounds themselves are accepted.
  assert.equal(pe.kerple.bias({ ...ok, r2: 2, variant: 'power' }).length, 18);
});

test('many bad calls leave the module unchanged, and a good call still works', () => {
  for (const [, inst] of builds) {
    const good = inst.kerple.bias({ heads: 4, queries: 30, r1: [1, 2, 3, 4], r2: 0.5 });
    const before = inst.diagnostics();
    for (let round = 0; round < 300; round++) {
      for (const [args] of bad) assert.throws(() => inst.kerple.bias(args));
    }
    assert.deepEqual(inst.diagnostics(), before);
    assert.deepEqual(inst.kerple.bias({ heads: 4, queries: 30, r1: [1, 2, 3, 4], r2: 0.5 }), good);
  }
});
