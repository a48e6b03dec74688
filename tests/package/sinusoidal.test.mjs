// SPDX-License-Identifier: MIT
// Package tests: run against the packed tarball installed by name (scripts/test.sh installs it into
// build/consumer and runs these files from there), as a user of `posenc` would.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { init, version } from 'posenc';

import { crossPrecisionAtol, golden } from './helpers.mjs';

const pe = await init();
const base = await init({ simd: false });

test('init loads the SIMD build in Node 20, and the baseline on request', async () => {
  assert.equal(pe.simd, true);
  assert.equal(pe.arch, 'wasm-simd128');
  assert.equal(base.simd, false);
  assert.equal(base.arch, 'scalar');
  assert.equal(await init(), pe, 'each build is instantiated once');
  assert.equal(await init({ simd: 'auto' }), pe);
  assert.equal(pe.version, version);
  assert.match(version, /^\d+\.\d+\.\d+/);
  await assert.rejects(init({ simd: 'yes' }), TypeError);
  await assert.rejects(init({ gpu: true }), /unknown option "gpu"/);
  await assert.rejects(init(42), TypeError);
});

test('sinusoidal: shape, type and ownership of the result', () => {
  const t = pe.sinusoidal({ length: 5, dim: 6 });
  assert.ok(t instanceof Float32Array);
  assert.equal(t.length, 30);
  assert.equal(t.buffer.byteLength, t.byteLength, 'a copy, not a view of the WebAssembly heap');
  t.fill(9);
  assert.equal(pe.sinusoidal({ length: 5, dim: 6 })[0], 0, 'later calls are unaffected');
  // Row 1 of d = 2 is (sin 1, cos 1), whatever the layout rule for d >= 4.
  const u = pe.sinusoidal({ length: 2, dim: 2 });
  assert.ok(Math.abs(u[2] - Math.sin(1)) < 6e-8 && Math.abs(u[3] - Math.cos(1)) < 6e-8);
});

for (const [name, inst] of [['simd', pe], ['baseline', base]]) {
  test(`golden parity (${name} build): both layouts and fairseq's padding offset`, () => {
    const g = golden('sinusoidal.json');
    let compared = 0;
    for (const t of g.tables) {
      const dim = t.d_model;
      const cases = [
        { layout: 'vaswani', rows: t.positions, ref: t.vaswani_interleaved, opts: {} },
        { layout: 'fairseq', rows: t.positions, ref: t.fairseq_concatenated_table, opts: {} },
        { layout: 'fairseq', rows: t.fairseq_forward_padding_idx_1.token_indices, ref: t.fairseq_forward_padding_idx_1, opts: { paddingIdx: 1 } },
      ];
      for (const c of cases) {
        const length = Math.max(...c.rows) + 1;
        const table = inst.sinusoidal({ length, dim, layout: c.layout, ...c.opts });
        const shift = c.opts.paddingIdx === undefined ? 0 : c.opts.paddingIdx + 1;
        c.rows.forEach((r, k) => {
          for (let j = 0; j < dim; j++) {
            const got = table[r * dim + j];
            const d32 = Math.abs(got - c.ref.values_float32[k][j]);
            assert.ok(d32 <= crossPrecisionAtol(r + shift), `${c.layout} d=${dim} row ${r} col ${j}: ${got} vs float32 ${c.ref.values_float32[k][j]}`);
            if (c.ref.values_float64) {
              const d64 = Math.abs(got - c.ref.values_float64[k][j]);
              assert.ok(d64 <= 6e-8, `${c.layout} d=${dim} row ${r} col ${j}: ${got} vs float64 ${c.ref.values_float64[k][j]}`);
            }
            compared++;
          }
        });
      }
    }
    assert.equal(compared, 6 * 16 * 3 + 5 * 512 * 3);
  });
}

test('SIMD and baseline builds agree at awkward sizes', () => {
  for (const layout of ['vaswani', 'fairseq']) {
    for (const dim of [4, 5, 7, 62, 130, 131, 1025]) {
      for (const length of [1, 3, 255, 257, 1001]) {
        const a = pe.sinusoidal({ length, dim, layout, offset: 13 });
        const b = base.sinusoidal({ length, dim, layout, offset: 13 });
        let m = 0;
        for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        assert.ok(m <= 6e-8, `${layout} ${length}x${dim}: max diff ${m}`);
      }
    }
  }
});

test('offset and paddingIdx shift the rows', () => {
  // fairseq numbers unpadded tokens from paddingIdx + 1: offset 5 with paddingIdx 1 starts at 7.
  const full = pe.sinusoidal({ length: 40, dim: 8, layout: 'fairseq' });
  const padded = pe.sinusoidal({ length: 10, dim: 8, layout: 'fairseq', paddingIdx: 1, offset: 5 });
  const rows7 = full.subarray(7 * 8, 17 * 8);
  for (let i = 0; i < padded.length; i++) assert.ok(Math.abs(padded[i] - rows7[i]) <= 6e-8, `element ${i}`);
  const rows5 = full.subarray(5 * 8, 15 * 8);
  assert.ok(padded.some((x, i) => Math.abs(x - rows5[i]) > 1e-3), 'the padding shift is applied');
});

const bad = [
  // [arguments, error class, text the message must contain]
  [undefined, TypeError, 'options must be an object'],
  [null, TypeError, 'options must be an object'],
  [[8, 8], TypeError, 'options must be an object'],
  [{ dim: 8 }, TypeError, 'length must be a number'],
  [{ length: '8', dim: 8 }, TypeError, 'length must be a number'],
  [{ length: 8n, dim: 8 }, TypeError, 'length must be a number'],
  [{ length: NaN, dim: 8 }, RangeError, 'length must be an integer'],
  [{ length: 2.5, dim: 8 }, RangeError, 'length must be an integer'],
  [{ length: 0, dim: 8 }, RangeError, 'length must be an integer >= 1'],
  [{ length: -3, dim: 8 }, RangeError, 'length must be an integer >= 1'],
  [{ length: Infinity, dim: 8 }, RangeError, 'length must be an integer'],
  [{ length: 8, dim: 0 }, RangeError, 'dim must be an integer >= 1'],
  [{ length: 8, dim: {} }, TypeError, 'dim must be a number'],
  [{ length: 8, dim: 3, layout: 'fairseq' }, RangeError, 'dim must be at least 4'],
  [{ length: 1 << 20, dim: 65 }, RangeError, 'exceeds the 256 MiB output limit'],
  [{ length: 2 ** 30, dim: 2 ** 30 }, RangeError, 'length must be an integer <='],
  [{ length: 8, dim: 8, base: 0 }, RangeError, 'base must be > 0'],
  [{ length: 8, dim: 8, base: -10 }, RangeError, 'base must be > 0'],
  [{ length: 8, dim: 8, base: NaN }, RangeError, 'base must be a finite number'],
  [{ length: 8, dim: 8, base: '10000' }, TypeError, 'base must be a number'],
  [{ length: 8, dim: 8, layout: 'Vaswani' }, RangeError, "layout must be one of 'vaswani', 'fairseq'"],
  [{ length: 8, dim: 8, layout: 1 }, TypeError, 'layout must be a string'],
  [{ length: 8, dim: 8, offset: -1 }, RangeError, 'offset must be an integer >= 0'],
  [{ length: 8, dim: 8, offset: 2 ** 24 }, RangeError, 'exceeds 2^24'],
  [{ length: 8, dim: 8, paddingIdx: 1 }, RangeError, "paddingIdx applies to the 'fairseq' layout only"],
  [{ length: 8, dim: 8, layout: 'fairseq', paddingIdx: -2 }, RangeError, 'paddingIdx must be an integer >= 0'],
  [{ length: 8, dim: 8, lenght: 9 }, TypeError, 'unknown option "lenght"'],
];

test('bad arguments give a TypeError/RangeError that names the parameter', () => {
  for (const [args, cls, text] of bad) {
    assert.throws(() => pe.sinusoidal(args), (e) => {
      assert.equal(e.constructor, cls, `${JSON.stringify(args, (k, v) => (typeof v === 'bigint' ? `${v}n` : v))}: ${e.message}`);
      assert.ok(e.message.startsWith('posenc.sinusoidal: '), e.message);
      assert.ok(e.message.includes(text), `"${e.message}" should contain "${text}"`);
      return true;
    });
  }
});

test('the module keeps working and does not grow across many bad calls', () => {
  for (const inst of [pe, base]) {
    const good = inst.sinusoidal({ length: 64, dim: 32 });
    const before = inst.diagnostics();
    for (let round = 0; round < 400; round++) {
      for (const [args] of bad) {
        try {
          inst.sinusoidal(args);
          assert.fail('should have thrown');
        } catch (e) {
          assert.ok(e instanceof TypeError || e instanceof RangeError);
        }
      }
    }
    const after = inst.diagnostics();
    assert.deepEqual(after, before, 'heap size, malloc use and stack pointer unchanged');
    assert.deepEqual(inst.sinusoidal({ length: 64, dim: 32 }), good);
  }
});

test('a large table (64 MiB) is computed and freed', () => {
  const before = pe.diagnostics();
  const t = pe.sinusoidal({ length: 16384, dim: 1024 });
  assert.equal(t.length, 16384 * 1024);
  const r = 16383, i = 100;  // spot check one element against the formula in float64
  const w = Math.exp(2 * i * -(Math.log(10000) / 1024));
  assert.ok(Math.abs(t[r * 1024 + 2 * i] - Math.sin(r * w)) <= 6e-8);
  assert.ok(Math.abs(t[r * 1024 + 2 * i + 1] - Math.cos(r * w)) <= 6e-8);
  const after = pe.diagnostics();
  assert.equal(after.mallocBytes, before.mallocBytes, 'the buffer was freed');
  assert.equal(after.stackPointer, before.stackPointer);
});
