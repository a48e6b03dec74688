// SPDX-License-Identifier: MIT
// Node older than 20.16, simulated: no process.getBuiltinModule. init() must say what is wrong, and
// still work when the app reads the .wasm itself. Prints both outcomes.
import { readFile } from 'node:fs/promises';

delete process.getBuiltinModule;
const { init } = await import('posenc');
const out = {};
try {
  await init({ simd: false });
  out.plain = 'loaded';
} catch (e) {
  out.plain = `${e.constructor.name}: ${e.message}`;
}
const bytes = await readFile(new URL(import.meta.resolve('posenc/dist/posenc_base.wasm')));
const pe = await init({ simd: false, wasm: bytes });
out.withBytes = Array.from(pe.sinusoidal({ length: 4, dim: 8 }).subarray(24, 32));
console.log(JSON.stringify(out));
