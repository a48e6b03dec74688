// SPDX-License-Identifier: MIT
// Package tests of pe.nope, against the packed tarball installed by name (see sinusoidal.test.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { init } from 'posenc';

import { bits } from './helpers.mjs';

const pe = await init();
const base = await init({ simd: false });
const builds = [['simd', pe], ['baseline', base]];

test('the causal mask, written out', () => {
  assert.deepEqual(Array.from(pe.nope.bias({ queries: 3, causal: true })), [0, -Infinity, -Infinity, 0, 0, -Infinity, 0, 0, 0]);
  // Two queries after three cached keys (positions 3 and 4), and the same queries placed at 0 and 1.
  assert.deepEqual(Array.from(pe.nope.bias({ queries: 2, keys: 5, causal: true })), [0, 0, 0, 0, -Infinity, 0, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(pe.nope.bias({ queries: 2, keys: 5, queryOffset: 0, causal: true })),
    [0, -Infinity, -Infinity, -Infinity, -Infinity, 0, 0, -Infinity, -Infinity, -Infinity]);
});

for (const [name, inst] of builds) {
  test(`every element is 0 exactly where key <= query position (${name} build)`, () => {
    for (const [heads, queries, keys, queryOffset] of [[1, 1, 1, undefined], [3, 7, 130, undefined], [2, 17, 33, 4], [5, 5, 9, 100]]) {
      const m = inst.nope.bias({ heads, queries, keys, queryOffset, causal: true });
      const p0 = queryOffset ?? keys - queries;
      assert.equal(m.length, heads * queries * keys);
      m.forEach((x, k) => {
        const i = Math.floor(k / keys) % queries;
        const j = k % keys;
        assert.ok(Object.is(x, j <= p0 + i ? 0 : -Infinity), `[${Math.floor(k / keys / queries)}][${i}][${j}] = ${x}`);
      });
    }
  });
}

test('without the causal mask every value is +0: no position information at all', () => {
  const m = pe.nope.bias({ heads: 4, queries: 6, keys: 10, causal: false });
  assert.equal(m.length, 240);
  assert.ok(m.every((x) => Object.is(x, 0)));
});

test('under softmax the mask gives query i a uniform weight 1 / (p + 1) over the keys it sees', () => {
  // Equal scores: the weights themselves carry the position (Kazemnejad et al. 2023, Theorem 1).
  const m = pe.nope.bias({ queries: 8, causal: true });
  for (let i = 0; i < 8; i++) {
    const row = Array.from(m.subarray(i * 8, i * 8 + 8), Math.exp);
    const sum = row.reduce((a, b) => a + b, 0);
    row.forEach((w, j) => assert.equal(w / sum, j <= i ? 1 / (i + 1) : 0));
  }
});

test('SIMD and baseline builds agree bit for bit at awkward sizes', () => {
  for (const causal of [true, false]) {
    for (const heads of [1, 3]) {
      for (const queries of [1, 2, 5, 17]) {
        for (const keys of [1, 3, 4, 5, 9, 33, 130]) {
          const o = { heads, queries, keys, causal, queryOffset: keys >= queries ? undefined : 2 };
          assert.deepEqual(bits(pe.nope.bias(o)), bits(base.nope.bias(o)));
        }
      }
    }
  }
});

const bad = [
  [undefined, TypeError, 'options must be an object'],
  [[3], TypeError, 'options must be an object'],
  [{}, TypeError, 'queries must be a number'],
  [{ queries: 0 }, RangeError, 'queries must be an integer >= 1'],
  [{ queries: 2 ** 24 + 2 }, RangeError, 'queries must be an integer <='],
  [{ queries: 3, heads: 0 }, RangeError, 'heads must be an integer >= 1'],
  [{ queries: 3, heads: 1.5 }, RangeError, 'heads must be an integer'],
  [{ queries: 3, keys: 2 }, RangeError, 'queryOffset defaults to keys - queries = -1'],
  [{ queries: 3, keys: '4' }, TypeError, 'keys must be a number'],
  [{ queries: 3, queryOffset: 2 ** 24 - 1 }, RangeError, 'queryOffset + queries - 1 = 16777217 exceeds the largest position'],
  [{ queries: 3, queryOffset: Infinity }, RangeError, 'queryOffset must be an integer'],
  [{ queries: 8192, keys: 8193 }, RangeError, 'exceeds the 256 MiB output limit'],
  [{ queries: 3, causal: 0 }, TypeError, 'causal must be true or false'],
  [{ queries: 3, mask: true }, TypeError, 'unknown option "mask"'],
];

test('bad arguments give a TypeError/RangeError that names the parameter', () => {
  for (const [args, cls, text] of bad) {
    assert.throws(() => pe.nope.bias(args), (e) => {
      assert.equal(e.constructor, cls, e.message);
      assert.ok(e.message.startsWith('posenc.nope.bias: '), e.message);
      assert.ok(e.message.includes(text), `"${e.message}" should contain "${text}"`);
      return true;
    });
  }
});

test('many bad calls leave the module unchanged, and a good call still works', () => {
  for (const [, inst] of builds) {
    const good = inst.nope.bias({ heads: 2, queries: 50, causal: true });
    const before = inst.diagnostics();
    for (let round = 0; round < 300; round++) {
      for (const [args] of bad) assert.throws(() => inst.nope.bias(args));
    }
    assert.deepEqual(inst.diagnostics(), before);
    assert.deepEqual(inst.nope.bias({ heads: 2, queries: 50, causal: true }), good);
  }
});
