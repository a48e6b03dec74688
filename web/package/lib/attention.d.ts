// SPDX-License-Identifier: MIT
// Types of pe.attention() (lib/attention.js).
import type { Float32Out, FloatData } from './tensor.js';
import type { Float32Result } from './arrays.js';
import type { RopeFrequencyInput, RopeLayout } from './rope.js';
import type { SinusoidalLayout } from './sinusoidal.js';

/** Where and how positions enter attention. A string is shorthand for `{ method }`. */
export type AttentionPosition =
  | 'none' | 'alibi' | 'sinusoidal' | 'xpos'
  /** No positions (NoPE): with `causal`, the mask is the only position signal. */
  | { method: 'none' }
  /** Sinusoidal table (vaswani layout by default) added to q, k and v at their positions. */
  | { method: 'sinusoidal'; base?: number; layout?: SinusoidalLayout }
  /** Learned absolute table [rows][headDim] added to q, k and v; every position needs a row. */
  | { method: 'learned'; table: FloatData }
  /** q and k rotated (frequencies from pe.rope.frequencies(), any scaling). */
  | { method: 'rope'; frequencies: RopeFrequencyInput; layout?: RopeLayout }
  /** xPos: q and k rotated and scaled; default frequencies: RoPE of headDim with `theta`. */
  | { method: 'xpos'; frequencies?: RopeFrequencyInput; theta?: number; gamma?: number; scaleBase?: number; layout?: RopeLayout }
  /** ALiBi: -m_h |p_i - j| added to the logits, slopes from the head count. */
  | { method: 'alibi' }
  /** T5: a learned scalar per (bucket of j - p_i, head); table [numBuckets][heads]. */
  | { method: 't5'; table: FloatData; numBuckets?: number; maxDistance?: number; bidirectional?: boolean }
  /** KERPLE: -r1 log(1 + r2 |p_i - j|) (or -r1 |p_i - j|^r2), one r1/r2 per head or one for all. */
  | { method: 'kerple'; r1: number | FloatData; r2: number | FloatData; variant?: 'log' | 'power' }
  /** Shaw et al.: relative tables [2 maxDistance + 1][headDim] in the logits and the output. */
  | { method: 'shaw'; tableK: FloatData; tableV: FloatData; maxDistance: number };

/** [seq, heads, headDim] for self-attention, or separate query and key lengths. */
export type AttentionShape = [number, number, number] | { queries: number; keys?: number; heads: number; headDim: number };

export interface AttentionOptions {
  /** [queries][heads][headDim], row-major. */
  q: FloatData;
  /** [keys][heads][headDim]. */
  k: FloatData;
  /** [keys][heads][headDim]. */
  v: FloatData;
  shape: AttentionShape;
  /** Default 'none'. */
  position?: AttentionPosition;
  /** Mask keys after each query's position. Default false, as for every `causal` option of posenc. */
  causal?: boolean;
  /** Also return the attention weights [heads][queries][keys] (plain path only). Default false. */
  returnWeights?: boolean;
  /**
   * Online-softmax path, memory O(sequence): true, false, or 'auto' (default: streaming from 2048
   * keys unless weights are asked for). Both paths agree to float32 rounding.
   */
  streaming?: boolean | 'auto';
  /** Position of query 0 (keys sit at 0 .. keys-1). Default keys - queries. */
  queryOffset?: number;
  /** Logit scale. Default 1 / sqrt(headDim). */
  scale?: number;
  /**
   * Write the output here: a Float32Array of queries * heads * headDim values, or a float32 tensor
   * (not one of q, k, v). Default: a new Float32Array.
   */
  out?: Float32Out;
}

export interface AttentionResult<O extends Float32Out = Float32Result> {
  /** [queries][heads][headDim]: a new Float32Array, or `out` when given. */
  output: O;
  /** [heads][queries][keys], when returnWeights was true. */
  weights?: Float32Result;
}

export interface AttentionApi {
  /**
   * Multi-head scaled dot-product attention with the position method applied where it belongs:
   * added to the inputs (sinusoidal, learned), rotating q and k (rope, xpos), added to the logits
   * (alibi, t5, kerple), or inside the product (shaw).
   * @example
   * const { output, weights } = pe.attention({ q, k, v, shape: [128, 8, 64], position: 'alibi',
   *   causal: true, returnWeights: true });
   */
  attention<O extends Float32Out>(options: AttentionOptions & { returnWeights: true; out: O }): Required<AttentionResult<O>>;
  attention<O extends Float32Out>(options: AttentionOptions & { out: O }): AttentionResult<O>;
  attention(options: AttentionOptions & { returnWeights: true; out?: undefined }): Required<AttentionResult>;
  attention(options: AttentionOptions & { out?: undefined }): AttentionResult;
}
