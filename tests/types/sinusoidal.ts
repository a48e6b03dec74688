// SPDX-License-Identifier: MIT
// Compiled with tsc against the installed package: the hand-written index.d.ts must describe the API
// as it is used here, and reject the misuses marked @ts-expect-error (an unused marker fails too).
import { init, version, type PositionalEncodings, type SinusoidalOptions } from 'posenc';

async function main(): Promise<void> {
  const pe: PositionalEncodings = await init();
  const simd: boolean = pe.simd;
  const arch: string = pe.arch;
  const v: string = version;

  const opts: SinusoidalOptions = { length: 16, dim: 8, base: 10000, layout: 'fairseq', offset: 2, paddingIdx: 1 };
  const table: Float32Array = pe.sinusoidal(opts);
  const plain: Float32Array = pe.sinusoidal({ length: 4, dim: 4 });
  const d = pe.diagnostics();
  const sum: number = d.heapBytes + d.mallocBytes + d.stackPointer;
  await init({ simd: false });
  await init({ simd: 'auto' });

  // @ts-expect-error: layout is 'vaswani' | 'fairseq'
  pe.sinusoidal({ length: 4, dim: 4, layout: 'interleaved' });
  // @ts-expect-error: dim is required
  pe.sinusoidal({ length: 4 });
  // @ts-expect-error: length is a number
  pe.sinusoidal({ length: '4', dim: 4 });
  // @ts-expect-error: unknown option
  pe.sinusoidal({ length: 4, dim: 4, lenght: 4 });
  // @ts-expect-error: simd is boolean | 'auto'
  await init({ simd: 'yes' });
  // @ts-expect-error: the result is a Float32Array, not a number[]
  const wrong: number[] = pe.sinusoidal({ length: 4, dim: 4 });
  // @ts-expect-error: the API object is read-only
  pe.simd = false;

  console.log(simd, arch, v, table.length, plain.length, sum, wrong);
}

void main();
