// SPDX-License-Identifier: MIT
// Types of pe.nope (lib/nope.js), and the attention-bias geometry shared by alibi, t5 and kerple.
import type { Float32Out } from './tensor.js';
import type { Float32Result } from './arrays.js';

/**
 * The geometry of an attention bias: a Float32Array of `heads * queries * keys` values, row-major
 * `[heads][queries][keys]`. Query i sits at position `queryOffset + i`, key j at position j.
 */
export interface AttentionShapeOptions {
  /** Number of query rows, an integer in [1, 2^24 + 1]. */
  queries: number;
  /** Number of key columns, an integer in [1, 2^24 + 1]. Default: `queries`. */
  keys?: number;
  /**
   * Position of the first query, an integer >= 0 with queryOffset + queries - 1 <= 2^24.
   * Default `keys - queries`: the queries are the last positions, as when decoding with a
   * key-value cache (a RangeError when keys < queries and no queryOffset is given).
   */
  queryOffset?: number;
}

export interface NopeBiasOptions extends AttentionShapeOptions {
  /** Number of heads, an integer in [1, 65536]; every head is the same. Default 1. */
  heads?: number;
  /** Apply the causal mask (decoders). Default false (as everywhere in posenc), which gives all zeros. */
  causal?: boolean;
}

export interface NopeNamespace {
  /**
   * NoPE (no positional encoding; Haviv et al. 2022, Kazemnejad et al. 2023): nothing is added to
   * the scores, so the only position signal is the causal mask, returned here: 0 where query i may
   * attend key j (j <= queryOffset + i), -Infinity elsewhere. The mask is what lets a decoder infer
   * positions (query i sees exactly queryOffset + i + 1 keys); an encoder without it sees a bag of
   * tokens. With `causal: false` every value is 0.
   * @example
   * pe.nope.bias({ queries: 3, causal: true })
   * // Float32Array [0, -Inf, -Inf,  0, 0, -Inf,  0, 0, 0]
   */
  bias<O extends Float32Out>(options: NopeBiasOptions & { out: O }): O;
  bias(options: NopeBiasOptions & { out?: undefined }): Float32Result;
}

export interface NopeApi {
  /**
   * NoPE: the causal mask alone (`pe.nope.bias`).
   * @example
   * const mask = pe.nope.bias({ queries: 128, causal: true });  // add to the scores of every head
   */
  readonly nope: Readonly<NopeNamespace>;
}
