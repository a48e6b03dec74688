// SPDX-License-Identifier: MIT
// Compiled with tsc against the installed package (see sinusoidal.ts): pe.t5 as used, and misuses.
import { init, type T5BiasOptions, type T5BucketOptions } from 'posenc';

async function main(): Promise<void> {
  const pe = await init();
  const buckets: Int32Array = pe.t5.bucket([-3, 0, 3]);
  const o: T5BucketOptions = { bidirectional: false, numBuckets: 32, maxDistance: 128 };
  const causal: Int32Array = pe.t5.bucket(new Int32Array([-200, 5]), o);
  const opts: T5BiasOptions = { table: new Float32Array(32 * 8), heads: 8, queries: 4, keys: 10, queryOffset: 6 };
  const b: Float32Array = pe.t5.bias(opts);
  const fromArray: Float32Array = pe.t5.bias({ table: [0.5, 1.5, 2.5, 3.5], heads: 1, queries: 2, numBuckets: 4, maxDistance: 3 });
  const fromF64: Float32Array = pe.t5.bias({ table: new Float64Array(64), heads: 2, queries: 3, bidirectional: false });

  // @ts-expect-error: relative positions are integers in an Int32Array or number[]
  pe.t5.bucket(new Float32Array([1, 2]));
  // @ts-expect-error: the table is required
  pe.t5.bias({ heads: 8, queries: 4 });
  // @ts-expect-error: bidirectional is a boolean
  pe.t5.bucket([1], { bidirectional: 'yes' });
  // @ts-expect-error: T5's bias has no causal option (add pe.nope.bias for the mask)
  pe.t5.bias({ table: new Float32Array(32), heads: 1, queries: 2, causal: true });
  // @ts-expect-error: buckets are an Int32Array
  const wrong: Float32Array = pe.t5.bucket([1]);

  console.log(buckets, causal, b, fromArray, fromF64, wrong);
}

void main();
