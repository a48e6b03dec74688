// SPDX-License-Identifier: MIT
// Types of pe.shaw (lib/shaw.js).
import type { Float32Out, FloatData, Int32Out } from './tensor.js';
import type { Float32Result, Int32Result } from './arrays.js';

/** Float32 data: a `Float32Array` is used as is, a `Float64Array` or number array is converted. */
export type ShawFloats = FloatData;

export interface ShawIndexOptions {
  /**
   * Number of queries, an integer in [1, 2^24 + 1]. Query i sits at position queryOffset + i.
   * @example 8
   */
  queries: number;
  /**
   * Number of keys, an integer in [1, 2^24 + 1]; key j sits at position j. Default `queries`.
   * @example 12
   */
  keys?: number;
  /**
   * k: relative distances are clipped to [-k, k], so the tables have 2k + 1 rows. An integer in
   * [0, 2^24].
   * @example 16
   */
  maxDistance: number;
  /**
   * Position of query 0, an integer >= 0. Default `keys - queries` (the queries are the last
   * positions, as in tensor2tensor and when decoding with a cache); with more queries than keys it
   * must be given.
   * @example 4
   */
  queryOffset?: number;
}

export interface ShawAttentionOptions extends ShawIndexOptions {
  /**
   * Queries, row-major `[queries][dim]`, finite.
   * @example new Float32Array(8 * 64)
   */
  q: ShawFloats;
  /**
   * Keys, row-major `[keys][dim]`, finite.
   * @example new Float32Array(12 * 64)
   */
  k: ShawFloats;
  /**
   * Values, row-major `[keys][dim]`, finite.
   * @example new Float32Array(12 * 64)
   */
  v: ShawFloats;
  /**
   * a^K: `[(2 * maxDistance + 1)][dim]`; row r is added to the keys at relative distance r - k
   * (row 0: k or more positions before the query, row 2k: k or more after).
   * @example new Float32Array(33 * 64)
   */
  tableK: ShawFloats;
  /**
   * a^V: `[(2 * maxDistance + 1)][dim]`, added to the values like tableK to the keys.
   * @example new Float32Array(33 * 64)
   */
  tableV: ShawFloats;
  /**
   * Head dimension d (columns of q, k, v and the tables), an integer >= 1; logits are divided by sqrt(d).
   * @example 64
   */
  dim: number;
  /**
   * Mask keys after the query's position (logit -Infinity, weight 0). Default false.
   * @example { causal: true }
   */
  causal?: boolean;
}

/** The result of `pe.shaw.attention`. */
export interface ShawAttention {
  /**
   * e_ij = q_i . (k_j + a^K_idx(i,j)) / sqrt(dim), `[queries][keys]`; -Infinity where masked.
   * @example result.logits[i * keys + j]
   */
  logits: Float32Result;
  /**
   * softmax over j of the logits, `[queries][keys]`: rows sum to 1, 0 where masked.
   * @example result.weights[i * keys + j]
   */
  weights: Float32Result;
  /**
   * z_i = sum_j weight_ij (v_j + a^V_idx(i,j)), `[queries][dim]`.
   * @example result.output.subarray(i * dim, (i + 1) * dim)
   */
  /** A new Float32Array, or `out` when given. */
  output: Float32Result | Float32Out;
}

/** The `pe.shaw` namespace. */
export interface Shaw {
  /**
   * The relative index matrix idx(i, j) = clip(j - (queryOffset + i), -k, k) + k, `[queries][keys]`:
   * the row of a^K / a^V that query i uses for key j.
   * @example pe.shaw.indices({ queries: 3, maxDistance: 1 }) // Int32Array [1,2,2, 0,1,2, 0,0,1]
   */
  indices<O extends Int32Out>(options: ShawIndexOptions & { out: O }): O;
  indices(options: ShawIndexOptions & { out?: undefined }): Int32Result;
  /**
   * One attention head with relative position representations (Shaw, Uszkoreit, Vaswani 2018):
   * logits, softmax weights and output. Logits are float32 dot products (within (dim + 4) float32
   * roundings of |q|(|k| + |a^K|) / sqrt(dim) of the exact value); softmax is taken in float64.
   * @example
   * const { weights, output } = pe.shaw.attention({ q, k, v, tableK, tableV, queries: 8, dim: 64, maxDistance: 16, causal: true });
   */
  attention(options: ShawAttentionOptions & { out?: Float32Out }): ShawAttention;
}

export interface ShawApi {
  /**
   * Shaw et al. 2018 relative position representations: index matrix and single-head attention.
   * @example pe.shaw.indices({ queries: 4, keys: 4, maxDistance: 2 })
   */
  readonly shaw: Shaw;
}
