// SPDX-License-Identifier: MIT
// pe.tensor / pe.zeros and `out` against lib/tensor.d.ts (compiled with tsc; @ts-expect-error lines must fail).
import { Tensor, init, type Float32Out, type TensorDtype } from 'posenc';

async function main(): Promise<void> {
  const pe = await init();
  const x: Tensor<'float32'> = pe.tensor(new Float32Array(2 * 4 * 8), { shape: [2, 4, 8] });
  const d64: Tensor<'float64'> = pe.tensor(new Float64Array(3));
  const i32: Tensor<'int32'> = pe.zeros([3], { dtype: 'int32' });
  const u8: Tensor<'uint8'> = pe.tensor([1, 2], { dtype: 'uint8' });
  const view: Float32Array = x.data;
  const copy: Int32Array = i32.toArray();
  const shape: readonly number[] = x.shape;
  const dtype: TensorDtype = d64.dtype;
  const f = pe.rope.frequencies({ head_dim: 8 });

  // Tensors in, results into a tensor (same object back), into an array, in place, or a new array.
  const inPlace: Tensor<'float32'> = pe.rope.apply(x, { shape: [2, 4, 8], frequencies: f, out: x });
  const into: Float32Array = pe.rope.inverse(x, { shape: [2, 4, 8], frequencies: f, out: new Float32Array(64) });
  const fresh: Float32Array = pe.xpos.apply(x, { shape: [2, 4, 8], role: 'query' });
  const table: Tensor<'float32'> = pe.sinusoidal({ length: 8, dim: 8, out: pe.zeros([64]) });
  const buckets: Tensor<'int32'> = pe.t5.bucket(i32, { out: pe.zeros([3], { dtype: 'int32' }) });
  const o = pe.zeros([64]);
  const att = pe.attention({ q: x, k: x, v: x, shape: [2, 4, 8], position: 'alibi', out: o });
  const attOut: Tensor<'float32'> = att.output;
  const plain: Float32Array = pe.attention({ q: x, k: x, v: x, shape: [2, 4, 8] }).output;
  const target: Float32Out = o;
  const { tensors, tensorBytes } = pe.diagnostics();

  x[Symbol.dispose]();
  d64.dispose();
  const gone: boolean = x.disposed;

  // @ts-expect-error: out must be float32 (a float64 tensor is not)
  pe.rope.apply(x, { shape: [2, 4, 8], frequencies: f, out: d64 });
  // @ts-expect-error: an int32 result cannot go into a Float32Array
  pe.t5.bucket([1, 2], { out: new Float32Array(2) });
  // @ts-expect-error: dtype is one of the four
  pe.zeros([2], { dtype: 'float16' });
  // @ts-expect-error: tensors are made by pe.tensor / pe.zeros
  new Tensor();
  // @ts-expect-error: data is read-only
  x.data = new Float32Array(1);

  console.log(view.length, copy.length, shape, dtype, u8.length, inPlace, into.length, fresh.length, table, buckets,
    attOut, plain.length, target, tensors, tensorBytes, gone);
}

void main();
