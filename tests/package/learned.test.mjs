// SPDX-License-Identifier: MIT
// Package tests of pe.learned, against the packed tarball installed by name (see scripts/test.sh).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { init } from 'posenc';

import { expectErrors } from './helpers.mjs';

const pe = await init();
const base = await init({ simd: false });
const BERT = { maxPositions: 512, dim: 768 };

// ---- Independent implementations used as yardsticks -------------------------------------------

// The generator as specified (SplitMix64 -> polar method -> float32(std * z)), in BigInt and
// float64 with Math.log.
function* splitmix64(seed) {
  const M = (1n << 64n) - 1n;
  let s = BigInt(seed);
  for (;;) {
    s = (s + 0x9E3779B97F4A7C15n) & M;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & M;
    z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & M;
    yield z ^ (z >> 31n);
  }
}
function generate(seed, count, std = 0.02) {
  const g = splitmix64(seed);
  const uniform = () => Number(g.next().value >> 11n) * 2 ** -53;
  const out = new Float32Array(count);
  for (let n = 0; n < count; n += 2) {
    let u1, u2, s;
    do {
      u1 = 2 * uniform() - 1;
      u2 = 2 * uniform() - 1;
      s = u1 * u1 + u2 * u2;
    } while (!(s > 0 && s < 1));
    const f = Math.sqrt(-2 * Math.log(s) / s);
    out[n] = std * (u1 * f);
    if (n + 1 < count) out[n + 1] = std * (u2 * f);
  }
  return out;
}

// FNV-1a (32 bit) of the bytes of a typed array.
function fnv1a(array) {
  let h = 0x811c9dc5;
  for (const b of new Uint8Array(array.buffer, array.byteOffset, array.byteLength)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

// erfc, Numerical Recipes' Chebyshev fit (absolute error below 1.2e-7).
function erfc(x) {
  const z = Math.abs(x), t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

// ---- Tables ----------------------------------------------------------------------------------

test('learned: namespace, presets and result type', () => {
  assert.ok(Object.isFrozen(pe.learned) && Object.isFrozen(pe.learned.presets.bert));
  assert.deepEqual({ ...pe.learned.presets.bert }, { maxPositions: 512, dim: 768 });
  assert.deepEqual({ ...pe.learned.presets.gpt2 }, { maxPositions: 1024, dim: 768 });
  const t = pe.learned.table({ maxPositions: 3, dim: 5 });
  assert.ok(t instanceof Float32Array);
  assert.equal(t.length, 15);
  assert.equal(t.buffer.byteLength, t.byteLength, 'a copy, not a view of the WebAssembly heap');
});

test('learned: first values equal the independent generator (hand-transcribed and recomputed)', () => {
  // float32(0.02 z) of seed 0, from an independent Python implementation (also in test_learned.cpp).
  const seed0 = [0.0196905583, -0.00351738581, -0.0142413229, -0.0062468918, -0.0124476142, 0.0103642251, -0.011201215, 0.0282415301];
  const t = pe.learned.table({ maxPositions: 2, dim: 4 });
  assert.deepEqual(Array.from(t), Array.from(Float32Array.from(seed0)));
  // Whole tables: the BigInt/Math.log generator above. Math.log may differ from the core's log in
  // the last bit of a float64, which reaches a float32 value only rarely: all within 1 float32 ulp.
  for (const [seed, std] of [[0, 0.02], [9, 1], [2 ** 53 - 1, 0.5]]) {
    const got = pe.learned.table({ maxPositions: 64, dim: 97, seed, std });
    const want = generate(seed, 64 * 97, std);
    let exact = 0;
    for (let n = 0; n < got.length; n++) {
      assert.ok(Math.abs(got[n] - want[n]) <= 2 ** -23 * Math.abs(want[n]), `seed ${seed} [${n}]: ${got[n]} vs ${want[n]}`);
      exact += got[n] === want[n];
    }
    assert.ok(exact >= got.length - 3, `${exact} of ${got.length} bit-identical`);
  }
});

test('learned: bit-identical in the SIMD build, the baseline build and native code', () => {
  // The same FNV-1a hashes are checked by the doctest suite natively and in WebAssembly.
  for (const inst of [pe, base]) {
    assert.equal(fnv1a(inst.learned.table({ ...BERT, seed: 0 })), 0x201a02b2);
    assert.equal(fnv1a(inst.learned.table({ ...BERT, seed: 1 })), 0x6f8dd49a);
    assert.equal(fnv1a(inst.learned.table({ ...pe.learned.presets.gpt2 })), 0x59537ed2);
  }
  const a = pe.learned.table({ maxPositions: 33, dim: 7, seed: 5, std: 3 });
  assert.deepEqual(base.learned.table({ maxPositions: 33, dim: 7, seed: 5, std: 3 }), a);
});

test('learned: the initialisation is normal(0, 0.02)', () => {
  // n = 393216. Bounds: 5 standard errors (mean 0.02/sqrt(n), sd relative 1/sqrt(2n)); KS: the 0.1%
  // critical value 1.95/sqrt(n).
  assert.ok(Math.abs(erfc(1) - 0.157299207) < 2e-7 && Math.abs(erfc(-2) - 1.995322265) < 2e-7, 'erfc');
  for (const seed of [3, 77]) {
    const t = pe.learned.table({ ...BERT, seed });
    const n = t.length;
    let sum = 0, sq = 0;
    for (const x of t) sum += x;
    const mean = sum / n;
    for (const x of t) sq += (x - mean) ** 2;
    const sd = Math.sqrt(sq / n);
    assert.ok(Math.abs(mean) <= 5 * 0.02 / Math.sqrt(n), `seed ${seed}: mean ${mean}`);
    assert.ok(Math.abs(sd / 0.02 - 1) <= 5 / Math.sqrt(2 * n), `seed ${seed}: sd ${sd}`);
    const sorted = Float64Array.from(t).sort();
    let ks = 0;
    sorted.forEach((x, i) => {
      const cdf = 0.5 * erfc(-x / (0.02 * Math.SQRT2));
      ks = Math.max(ks, Math.abs((i + 1) / n - cdf), Math.abs(cdf - i / n));
    });
    assert.ok(ks <= 1.95 / Math.sqrt(n), `seed ${seed}: KS distance ${ks}`);
  }
});

test('learned: seeds, defaults and prefix rows', () => {
  const a = pe.learned.table({ ...BERT, seed: 11 });
  assert.deepEqual(pe.learned.table({ ...BERT, seed: 11 }), a, 'same seed, same bits');
  const b = pe.learned.table({ ...BERT, seed: 12 });
  let equal = 0;
  for (let i = 0; i < a.length; i++) equal += a[i] === b[i];
  assert.ok(equal < a.length / 1000, `seeds 11 and 12 share ${equal} values`);
  assert.deepEqual(pe.learned.table(BERT), pe.learned.table({ ...BERT, seed: 0, std: 0.02 }), 'defaults seed 0, std 0.02');
  const gpt2 = pe.learned.table({ maxPositions: 1024, dim: 768, seed: 11 });
  assert.deepEqual(gpt2.subarray(0, a.length), a, 'the first 512 rows of a 1024-row table');
  assert.ok(pe.learned.table({ maxPositions: 4, dim: 4, std: 0 }).every((x) => x === 0));
});

// ---- Lookup ----------------------------------------------------------------------------------

test('learned: lookup returns the rows, from Int32Array or number[] positions', () => {
  const table = pe.learned.table({ ...BERT, seed: 2 });
  const positions = [511, 0, 7, 7, 300];
  for (const p of [positions, Int32Array.from(positions)]) {
    const rows = pe.learned.lookup({ ...BERT, table, positions: p });
    assert.equal(rows.length, 5 * 768);
    positions.forEach((r, n) => assert.deepEqual(rows.subarray(n * 768, (n + 1) * 768), table.subarray(r * 768, (r + 1) * 768)));
  }
  // Caller data: a hand-made 3 x 2 table as a plain array and as Float64Array.
  for (const t of [[1, 2, 3, 4, 5, 6], new Float64Array([1, 2, 3, 4, 5, 6])]) {
    assert.deepEqual(pe.learned.lookup({ table: t, maxPositions: 3, dim: 2, positions: [2, 0] }), new Float32Array([5, 6, 1, 2]));
  }
  assert.deepEqual(base.learned.lookup({ ...BERT, table, positions }), pe.learned.lookup({ ...BERT, table, positions }));
  assert.deepEqual(pe.learned.lookup({ ...BERT, table, positions: [] }), new Float32Array(0));
});

test('learned: a position the table has no row for is a RangeError naming it', () => {
  const table = pe.learned.table(BERT);
  assert.throws(() => pe.learned.lookup({ ...BERT, table, positions: [0, 1, 2, 512] }), {
    name: 'RangeError',
    message: 'posenc.learned.lookup: positions[3] = 512 is beyond the table (maxPositions 512): a learned absolute table has no row for it',
  });
  assert.throws(() => pe.learned.lookup({ ...BERT, table, positions: new Int32Array([4, -1]) }), {
    name: 'RangeError',
    message: 'posenc.learned.lookup: positions[1] = -1 is negative: a learned absolute table has no row for it',
  });
  assert.throws(() => pe.learned.lookup({ ...BERT, table, positions: [2 ** 40] }), /positions\[0\] = 1099511627776 is beyond the table/);
  const gpt2 = pe.learned.table(pe.learned.presets.gpt2);
  assert.equal(pe.learned.lookup({ ...pe.learned.presets.gpt2, table: gpt2, positions: [1023] }).length, 768);
  assert.throws(() => pe.learned.lookup({ ...pe.learned.presets.gpt2, table: gpt2, positions: [1024] }), /maxPositions 1024/);
});

// ---- Bad arguments ---------------------------------------------------------------------------

const small = { maxPositions: 4, dim: 2 };
const tbl = new Float32Array(8);
const badTable = [
  [undefined, TypeError, 'options must be an object'],
  [{ dim: 8 }, TypeError, 'maxPositions must be a number'],
  [{ maxPositions: 8 }, TypeError, 'dim must be a number'],
  [{ maxPositions: 0, dim: 8 }, RangeError, 'maxPositions must be an integer >= 1'],
  [{ maxPositions: 2.5, dim: 8 }, RangeError, 'maxPositions must be an integer'],
  [{ maxPositions: NaN, dim: 8 }, RangeError, 'maxPositions must be an integer'],
  [{ maxPositions: 2 ** 24 + 2, dim: 1 }, RangeError, 'maxPositions must be an integer <= 16777217'],
  [{ maxPositions: 8, dim: -1 }, RangeError, 'dim must be an integer >= 1'],
  [{ maxPositions: 1 << 20, dim: 65 }, RangeError, 'exceeds the 256 MiB limit'],
  [{ ...small, seed: -1 }, RangeError, 'seed must be an integer >= 0'],
  [{ ...small, seed: 1.5 }, RangeError, 'seed must be an integer'],
  [{ ...small, seed: 2 ** 53 }, RangeError, 'seed must be an integer <= 9007199254740991'],
  [{ ...small, seed: 1n }, TypeError, 'seed must be a number'],
  [{ ...small, seed: '1' }, TypeError, 'seed must be a number'],
  [{ ...small, std: -0.1 }, RangeError, 'std must be >= 0'],
  [{ ...small, std: NaN }, RangeError, 'std must be a finite number'],
  [{ ...small, std: Infinity }, RangeError, 'std must be a finite number'],
  [{ ...small, std: 1e31 }, RangeError, 'std must be <= 1e+30'],
  [{ ...small, std: null }, TypeError, 'std must be a number'],
  [{ ...small, mean: 0 }, TypeError, 'unknown option "mean"'],
];
const badLookup = [
  [null, TypeError, 'options must be an object'],
  [{ ...small, positions: [0] }, TypeError, 'table must be a Float32Array'],
  [{ ...small, table: new Float32Array(7), positions: [0] }, RangeError, 'table must have 8 elements, got 7'],
  [{ ...small, table: 'abc', positions: [0] }, TypeError, 'table must be a Float32Array'],
  [{ ...small, table: [1, 2, 3, 4, 5, 6, 7, NaN], positions: [0] }, RangeError, 'table[7] must be finite'],
  [{ ...small, table: new Int32Array(8), positions: [0] }, TypeError, 'table must be a Float32Array'],
  [{ ...small, table: tbl }, TypeError, 'positions must be an Int32Array or array of integers'],
  [{ ...small, table: tbl, positions: new Float32Array([1]) }, TypeError, 'positions must be an Int32Array'],
  [{ ...small, table: tbl, positions: [1, '2'] }, TypeError, 'positions[1] must be a number'],
  [{ ...small, table: tbl, positions: [1, 2.5] }, RangeError, 'positions[1] must be an integer'],
  [{ ...small, table: tbl, positions: [NaN] }, RangeError, 'positions[0] must be an integer'],
  [{ ...small, table: tbl, positions: [4] }, RangeError, 'positions[0] = 4 is beyond the table (maxPositions 4)'],
  [{ ...small, table: tbl, positions: [3, -2] }, RangeError, 'positions[1] = -2 is negative'],
  [{ ...small, table: tbl, positions: [0], seed: 1 }, TypeError, 'unknown option "seed"'],
  [{ maxPositions: 4, table: tbl, positions: [0] }, TypeError, 'dim must be a number'],
];

test('learned: bad arguments give a TypeError/RangeError that names the parameter', () => {
  expectErrors(pe.learned.table, 'posenc.learned.table', badTable);
  expectErrors(pe.learned.lookup, 'posenc.learned.lookup', badLookup);
});

test('learned: many bad calls leave the module unchanged, and a good call still works', () => {
  for (const inst of [pe, base]) {
    const good = inst.learned.table({ maxPositions: 16, dim: 8, seed: 4 });
    const before = inst.diagnostics();
    for (let round = 0; round < 300; round++) {
      for (const [args] of badTable) assert.throws(() => inst.learned.table(args));
      for (const [args] of badLookup) assert.throws(() => inst.learned.lookup(args));
    }
    assert.deepEqual(inst.diagnostics(), before, 'heap size, malloc use and stack pointer unchanged');
    assert.deepEqual(inst.learned.table({ maxPositions: 16, dim: 8, seed: 4 }), good);
    assert.deepEqual(inst.learned.lookup({ table: good, maxPositions: 16, dim: 8, positions: [15] }), good.subarray(15 * 8));
  }
});
