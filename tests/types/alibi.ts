// SPDX-License-Identifier: MIT
// Compiled with tsc against the installed package (see sinusoidal.ts): pe.alibi as used, and misuses.
import { init, type AlibiBiasOptions, type AlibiDtype, type AlibiForm } from 'posenc';

async function main(): Promise<void> {
  const pe = await init();
  const s32: Float32Array = pe.alibi.slopes(8);
  const s32b: Float32Array = pe.alibi.slopes(8, { dtype: 'float32' });
  const s64: Float64Array = pe.alibi.slopes(12, { dtype: 'float64' });
  const dtype: AlibiDtype = Math.random() < 0.5 ? 'float32' : 'float64';
  const either: Float32Array | Float64Array = pe.alibi.slopes(5, { dtype });
  const form: AlibiForm = 'reference';
  const opts: AlibiBiasOptions = { heads: 8, queries: 1, keys: 64, queryOffset: 63, causal: true, form };
  const b: Float32Array = pe.alibi.bias(opts);
  const enc: Float32Array = pe.alibi.bias({ heads: 12, queries: 16, causal: false });

  // @ts-expect-error: heads is required
  pe.alibi.bias({ queries: 4 });
  // @ts-expect-error: form is 'relative' | 'reference'
  pe.alibi.bias({ heads: 8, queries: 4, form: 'paper' });
  // @ts-expect-error: float64 slopes are a Float64Array
  const wrong: Float32Array = pe.alibi.slopes(8, { dtype: 'float64' });
  // @ts-expect-error: heads is a number, not an options object
  pe.alibi.slopes({ heads: 8 });
  // @ts-expect-error: unknown option
  pe.alibi.bias({ heads: 8, queries: 4, slopes: [0.5] });
  // @ts-expect-error: the namespace is read-only
  pe.alibi = pe.alibi;

  console.log(s32, s32b, s64, either, b, enc, wrong);
}

void main();
