// SPDX-License-Identifier: MIT
// The Embind boundary itself, below the package's own argument checks: the C++ core validates again,
// returns an error value (never throws), and nothing leaks across many failing calls.
import assert from 'node:assert/strict';
import { test } from 'node:test';

const BUILDS = {
  simd: new URL('../../build/wasm-simd/bindings/posenc_simd.mjs', import.meta.url),
  base: new URL('../../build/wasm-base/bindings/posenc_base.mjs', import.meta.url),
};

for (const [name, url] of Object.entries(BUILDS)) {
  test(`${name}: core errors come back as status values, with no leak over 100000 failures`, async () => {
    const { default: create } = await import(url);
    const m = await create();
    const n = 8 * 16;
    const out = m._malloc(n * 4);
    try {
      // [arguments after (out, count), expected status, parameter named]
      const cases = [
        [[8, 16, 10000, 0, 0], 0, ''],
        [[0, 16, 10000, 0, 0], 2, 'length'],
        [[8, 0, 10000, 0, 0], 2, 'dim'],
        [[8, 16, -1, 0, 0], 2, 'base'],
        [[8, 16, NaN, 0, 0], 2, 'base'],
        [[8, 16, 10000, 9, 0], 1, 'layout'],
        [[8, 16, 10000, 0, -4], 2, 'offset'],
        [[8, 16, 10000, 0, 0.5], 2, 'offset'],
        [[8, 16, 10000, 0, 2 ** 24], 2, 'offset'],
        [[8, 2, 10000, 1, 0], 2, 'dim'],
        [[4, 16, 10000, 0, 0], 2, 'out'],
      ];
      for (const [args, status, param] of cases) {
        assert.equal(m.sinusoidal(out, n, ...args), status, `${args}`);
        if (status !== 0) {
          assert.equal(m.errorParam(), param);
          assert.ok(m.errorMessage().length > 5);
        }
      }
      const stack = m.stackPointer();
      const heap = m.heapInUse();
      for (let i = 0; i < 100000; i++) m.sinusoidal(out, n, 8, 16, -1, 0, 0);
      assert.equal(m.stackPointer(), stack, 'stack pointer unchanged');
      assert.equal(m.heapInUse(), heap, 'malloc use unchanged');
      assert.equal(m.sinusoidal(out, n, 8, 16, 10000, 0, 0), 0);
      const row1 = m.HEAPF32.subarray((out >> 2) + 16, (out >> 2) + 18);
      assert.ok(Math.abs(row1[0] - Math.sin(1)) < 6e-8 && Math.abs(row1[1] - Math.cos(1)) < 6e-8);
    } finally {
      m._free(out);
    }
  });
}
