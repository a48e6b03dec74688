// SPDX-License-Identifier: MIT
// Types of pe.alibi (lib/alibi.js).
import type { Float32Out } from './tensor.js';
import type { Float32Result, Float64Result } from './arrays.js';
import type { AttentionShapeOptions } from './nope.js';

/**
 * Which causal ALiBi matrix: `'relative'`, the paper's m * (j - p), or `'reference'`, the reference
 * code's m * j (fairseq `buffered_future_mask`). They differ by a constant per row, so softmax gives
 * the same attention for both. In float32, though, the reference form's values near the diagonal are
 * about m * p, so their rounding error grows with the position p. Prefer `'relative'` for long contexts.
 */
export type AlibiForm = 'relative' | 'reference';

/** Element type of the slopes. */
export type AlibiDtype = 'float32' | 'float64';

export interface AlibiSlopesOptions {
  /**
   * `'float32'` (default): the slopes the model uses (`torch.Tensor(get_slopes(n))`).
   * `'float64'`: get_slopes' own Python floats.
   */
  dtype?: AlibiDtype;
}

export interface AlibiBiasOptions extends AttentionShapeOptions {
  /** Number of heads, an integer in [1, 65536]; head h uses slope h of `slopes(heads)`. */
  heads: number;
  /**
   * true: the decoder's bias, -Infinity for keys after the query. false (default, as everywhere in
   * posenc: no mask unless asked for): the symmetric encoder bias -m * |j - p|
   * (attention_with_linear_biases issue #5).
   */
  causal?: boolean;
  /** The causal matrix: `'relative'` (default) or `'reference'` (needs `causal: true`). */
  form?: AlibiForm;
}

export interface AlibiNamespace {
  /**
   * ALiBi head slopes (Press et al. 2022), as the reference `get_slopes` computes them: for a power
   * of two n, 2^(-8(i+1)/n). For another n, the slopes of c = 2^floor(log2 n) are followed by every
   * other slope of 2c (not sorted). `heads` is an integer in [1, 65536].
   * @example
   * pe.alibi.slopes(3)  // Float32Array [0.0625, 0.00390625, 0.25]
   */
  slopes(heads: number, options?: { dtype?: 'float32' }): Float32Result;
  /**
   * The slopes as get_slopes' float64 values.
   * @example
   * pe.alibi.slopes(16, { dtype: 'float64' })[1]  // 0.5000000000000001, as in Python
   */
  slopes(heads: number, options: { dtype: 'float64' }): Float64Result;
  /**
   * The slopes in the requested element type.
   * @example
   * const s = pe.alibi.slopes(8, { dtype: wide ? 'float64' : 'float32' });
   */
  slopes(heads: number, options?: AlibiSlopesOptions): Float32Result | Float64Result;

  /**
   * ALiBi attention bias, row-major `[heads][queries][keys]`, for query position p = queryOffset + i
   * and key j: m_h * (j - p) (`'relative'`) or m_h * j (`'reference'`) where j <= p and -Infinity
   * where j > p. With `causal: false` the value is -m_h * |j - p| everywhere. Each value is the
   * float32 product of the float32 slope and the distance, rounded once. The zeros are +0.
   * @example
   * pe.alibi.bias({ heads: 8, queries: 6, causal: true })           // Float32Array(288)
   * pe.alibi.bias({ heads: 8, queries: 1, keys: 100, causal: true }) // one decoding step, cached keys
   * pe.alibi.bias({ heads: 12, queries: 64 })                        // encoder (causal: false)
   */
  bias<O extends Float32Out>(options: AlibiBiasOptions & { out: O }): O;
  bias(options: AlibiBiasOptions & { out?: undefined }): Float32Result;
}

export interface AlibiApi {
  /**
   * ALiBi, attention with linear biases (`pe.alibi.slopes`, `pe.alibi.bias`).
   * @example
   * const bias = pe.alibi.bias({ heads: pe.alibi.slopes(8).length, queries: 128 });
   */
  readonly alibi: Readonly<AlibiNamespace>;
}
