// SPDX-License-Identifier: MIT
// Input and result array types shared by every method (lib/arrays.d.ts), compiled with tsc; the lines
// marked to expect an error must fail.
import { init, type Float32Result, type FloatInput, type IntInput } from 'posenc';

async function main(): Promise<void> {
  const pe = await init();
  const f = pe.rope.frequencies({ head_dim: 8 });
  const frozen: readonly number[] = Object.freeze([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  const wide = new Float64Array(16);
  // Everything the runtime converts is accepted: readonly number arrays and Float64Array.
  const a: Float32Result = pe.rope.apply(frozen, { shape: [2, 1, 8], frequencies: f, positions: [3, 4] as const });
  const b = pe.rope.inverse(wide, { shape: [2, 1, 8], frequencies: { invFreq: frozen.slice(0, 4) } });
  const c = pe.xpos.apply(wide, { shape: [2, 1, 8], role: 'query' });
  const d = pe.xpos.apply(frozen, { shape: [2, 1, 8], role: 'key' });
  const input: FloatInput = frozen;
  const ids: IntInput = [1, 2] as const;
  const out = pe.attention({ q: input, k: wide, v: frozen, shape: [2, 1, 8], position: { method: 'rope', frequencies: f } }).output;
  // Results are backed by an ArrayBuffer: BlobParts (TypeScript >= 5.7 with the DOM library) and transferable.
  const blob = new Blob([a, b, c, d, out, pe.t5.bucket(ids), f.invFreq, pe.alibi.slopes(4), pe.sinusoidal({ length: 2, dim: 4 })]);
  const buffer: ArrayBuffer = pe.kerple.bias({ heads: 1, queries: 2, r1: 1, r2: 1 }).buffer;

  // @ts-expect-error: an Int32Array is not float data
  pe.rope.apply(new Int32Array(16), { shape: [2, 1, 8], frequencies: f });
  // @ts-expect-error: strings are not numbers
  pe.xpos.apply(['1'], { shape: [1, 1, 1], role: 'key' });
  // @ts-expect-error: a Float32Array is not integer data
  pe.t5.bucket(new Float32Array(2));
  // @ts-expect-error: a view over a SharedArrayBuffer is not a BlobPart (which is why results are typed over ArrayBuffer)
  void new Blob([new Float32Array(new SharedArrayBuffer(8))]);

  console.log(blob.size, buffer.byteLength);
}

void main();
