// SPDX-License-Identifier: MIT
// Types of pe.t5 (lib/t5.js).
import type { Float32Out, FloatData, Int32Out, IntData } from './tensor.js';
import type { Float32Result, Int32Result } from './arrays.js';
import type { AttentionShapeOptions } from './nope.js';

export interface T5BucketOptions {
  /**
   * true (default; T5's encoder): separate buckets for keys before and after the query.
   * false (T5's decoder): keys after the query all fall in bucket 0.
   */
  bidirectional?: boolean;
  /**
   * Number of buckets, an integer in [4, 65536] when bidirectional, [2, 65536] when not. Default 32.
   * An odd count is floored as Hugging Face does (the last bucket then stays unused).
   */
  numBuckets?: number;
  /**
   * Distance at which the logarithmic buckets end, an integer greater than max_exact
   * (numBuckets / 4 when bidirectional, numBuckets / 2 when not; rounded down). Default 128.
   */
  maxDistance?: number;
}

export interface T5BiasOptions extends AttentionShapeOptions, T5BucketOptions {
  /** Number of heads, an integer in [1, 65536]. */
  heads: number;
  /**
   * The learned bias table, `[numBuckets][heads]` row-major (Hugging Face's
   * `relative_attention_bias.weight`), `numBuckets * heads` finite values.
   */
  table: FloatData;
}

export interface T5Namespace {
  /**
   * T5 relative position buckets (Raffel et al. 2020), exactly as Hugging Face's
   * `T5Attention._relative_position_bucket` computes them, float32 logarithm included. A relative
   * position is key position - query position (negative: the key comes first).
   * @example
   * pe.t5.bucket([-1, 0, 1, 16, -200])                          // Int32Array [1, 0, 17, 26, 15]
   * pe.t5.bucket(new Int32Array([-3, 3]), { bidirectional: false })  // Int32Array [3, 0]
   */
  bucket<O extends Int32Out>(relativePositions: IntData, options: T5BucketOptions & { out: O }): O;
  bucket(relativePositions: IntData, options?: T5BucketOptions & { out?: undefined }): Int32Result;

  /**
   * T5 attention bias, row-major `[heads][queries][keys]`:
   * `table[bucket(j - (queryOffset + i))][h]`, as Hugging Face's `T5Attention.compute_bias`. No
   * mask is included: for a decoder, add `pe.nope.bias(...)`.
   * @example
   * const table = new Float32Array(32 * 8);                    // relative_attention_bias.weight
   * pe.t5.bias({ table, heads: 8, queries: 16 })                // Float32Array(8 * 16 * 16)
   * pe.t5.bias({ table, heads: 8, queries: 1, keys: 50, bidirectional: false })
   */
  bias<O extends Float32Out>(options: T5BiasOptions & { out: O }): O;
  bias(options: T5BiasOptions & { out?: undefined }): Float32Result;
}

export interface T5Api {
  /**
   * T5 relative position buckets and bias (`pe.t5.bucket`, `pe.t5.bias`).
   * @example
   * const buckets = pe.t5.bucket([-5, 0, 5]);  // Int32Array [5, 0, 21]
   */
  readonly t5: Readonly<T5Namespace>;
}
