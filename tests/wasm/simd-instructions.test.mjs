// SPDX-License-Identifier: MIT
// The SIMD build really contains SIMD128 instructions (from the xsimd kernels) and the baseline build
// none at all, read from the binaries' text form (wabt's wasm2wat).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const wat = (rel) => execFileSync('wasm2wat', ['--enable-all', fileURLToPath(new URL(rel, import.meta.url))],
  { encoding: 'utf8', maxBuffer: 64 << 20 });
const simdOps = (text) => text.match(/\b(v128|[if](8x16|16x8|32x4|64x2))\.[a-z_0-9]+/g) ?? [];

test('the SIMD module uses f64x2/f32x4 instructions', () => {
  const ops = simdOps(wat('../../web/package/dist/posenc_simd.wasm'));
  for (const op of ['f64x2.mul', 'f64x2.add', 'f32x4.demote_f64x2_zero', 'v128.store']) {
    assert.ok(ops.includes(op), `${op} missing; found ${[...new Set(ops)].join(' ')}`);
  }
});

test('the baseline module has no SIMD instruction', () => {
  assert.deepEqual(simdOps(wat('../../web/package/dist/posenc_base.wasm')), []);
});
