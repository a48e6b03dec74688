// SPDX-License-Identifier: MIT
// Types of pe.analysis (lib/analysis.js).
import type { Float32Out, FloatData, IntData } from './tensor.js';
import type { Float32Result, Float64Result, Int32Result } from './arrays.js';
import type { AttentionPosition } from './attention.js';
import type { RopeFrequencyInput, RopeFrequencyOptions, RopeLayout, RopeModelConfig, RopeType } from './rope.js';

/** `'dot'`: x_i . x_j. `'cosine'`: x_i . x_j / (|x_i| |x_j|). */
export type SimilarityMetric = 'dot' | 'cosine';

export interface SimilarityOptions {
  /** An absolute position table [rows][dim], row-major (e.g. pe.sinusoidal() or a learned table). */
  table: FloatData;
  /** Entries per row. */
  dim: number;
  /** Rows; default table.length / dim. */
  rows?: number;
  /** Default 'dot'. */
  metric?: SimilarityMetric;
}

/** The distances d = m - n (query position minus key position; d > 0: the key comes first). */
export type RelativeDistances =
  /** Any integers, in any order. */
  | { distances: IntData; range?: never }
  /** Every integer from first to last, inclusive. */
  | { range: [number, number]; distances?: never };

/** RoPE's curve: one fixed query and key rotated to positions n + d and n. */
export interface RopeCurveOptions {
  /** From pe.rope.frequencies() (any scaling); its attentionFactor multiplies q and k. */
  frequencies: RopeFrequencyInput;
  /**
   * The query vector (headDim entries). Default: all ones of frequencies.headDim (else of the rotary
   * dimension), as RoFormer's long-term decay figure; pass-through coordinates add a constant.
   */
  q?: FloatData;
  /** The key vector (as many entries as q). Default: all ones. */
  k?: FloatData;
  /** Default 'half'. */
  layout?: RopeLayout;
}

export type RelativeScoreOptions = RelativeDistances & (
  | ({ method: 'rope' } & RopeCurveOptions)
  /** -m_h |d| with the slopes of `heads` heads. */
  | { method: 'alibi'; heads: number }
  /** table[bucket(-d)][h]; heads default table.length / numBuckets. */
  | { method: 't5'; table: FloatData; heads?: number; numBuckets?: number;
      maxDistance?: number; bidirectional?: boolean }
  /** -r1_h log(1 + r2_h |d|) or -r1_h |d|^r2_h; one value for every head or one per head. */
  | { method: 'kerple'; r1: number | FloatData;
      r2: number | FloatData; heads?: number; variant?: 'log' | 'power' }
);

export interface RelativeScores {
  method: 'rope' | 'alibi' | 't5' | 'kerple';
  /** Curves: 1 for rope, one per head otherwise. */
  heads: number;
  /** The distances, in the order given. */
  distances: Int32Result;
  /** [heads][distances.length]: the score (rope) or the bias added to the logit (the others). */
  scores: Float32Result;
}

export type RelativeCheckOptions = RelativeDistances & RopeCurveOptions & {
  /** Largest query position used. Default 1,000,000 (at most 2^24). */
  maxPosition?: number;
  /** Key positions tried, evenly spread from the first possible to the last (both included). Default 64. */
  samples?: number;
};

export interface RelativeCheck {
  /** max over the sampled key positions n and the distances d of |s_n(d) - s_first(d)|. */
  maxDeviation: number;
  /** af^2 |q_rot| |k_rot| + |q_pass| |k_pass|: no score exceeds it in magnitude. */
  bound: number;
  samples: number;
  maxPosition: number;
}

export type WavelengthOptions = RopeFrequencyOptions;

export interface ScalingWavelengths {
  ropeType: RopeType;
  /** 2 pi / w_i of default RoPE with the config's theta and rotary dimension (no scaling). */
  before: Float64Result;
  /** 2 pi / w_i with the config's scaling. */
  after: Float64Result;
  /** The scaling's attention factor (1 for most). */
  attentionFactor: number;
}

export interface PermutationOptions {
  /** [seq][heads][headDim], row-major; k and v alike. */
  q: FloatData;
  k: FloatData;
  v: FloatData;
  /** [seq, heads, headDim]: self-attention, token i at position i. */
  shape: [number, number, number];
  /** As pe.attention. Default 'none'. */
  position?: AttentionPosition;
  /** Default false. */
  causal?: boolean;
  /** Token permutation[i] moves to slot i. Give this or seed. */
  permutation?: IntData;
  /** Seed of a random permutation (never the identity when seq >= 2). Default 1. */
  seed?: number;
}

export interface PermutationResult {
  /** max |permutedOutput_i - output_permutation[i]|: float32 rounding (about 1e-7) when attention is equivariant. */
  equivarianceError: number;
  /** Attention of the tokens as given, [seq][heads][headDim]. */
  output: Float32Result;
  /** Attention of the permuted tokens. */
  permutedOutput: Float32Result;
  /** The permutation used. */
  permutation: Int32Result;
}

export interface AnalysisApi {
  readonly analysis: {
    /**
     * The [rows][rows] dot-product or cosine matrix of the rows of a table (exactly symmetric; cosine
     * clamped to [-1, 1], 1 on the diagonal). A zero row has cosine 0 with every row, itself included.
     * @example
     * const table = pe.sinusoidal({ length: 128, dim: 64 });
     * const sim = pe.analysis.similarity({ table, dim: 64, metric: 'cosine' }); // Float32Array(128 * 128)
     */
    similarity<O extends Float32Out>(options: SimilarityOptions & { out: O }): O;
    similarity(options: SimilarityOptions & { out?: undefined }): Float32Result;
    /**
     * Score (rope) or logit bias (alibi, t5, kerple) as a function of the distance d = m - n.
     * RoPE rotates q to position n + d and k to n with the core's kernel (n = max(0, -min d)).
     * @example
     * const f = pe.rope.frequencies({ head_dim: 128 });
     * const { scores } = pe.analysis.relativeScores({ method: 'rope', frequencies: f, range: [0, 4096] });
     * const alibi = pe.analysis.relativeScores({ method: 'alibi', heads: 8, range: [-64, 64] });
     */
    relativeScores(options: RelativeScoreOptions): RelativeScores;
    /**
     * RoPE's relative property, checked: the curve at many key positions up to maxPosition, compared
     * with the curve at the first; the largest difference is float32 rounding only.
     * @example
     * const { maxDeviation, bound } = pe.analysis.relativeCheck({ frequencies: f, range: [0, 256] });
     * // "depends only on m - n: max deviation 3e-6 of scores up to 128"
     */
    relativeCheck(options: RelativeCheckOptions): RelativeCheck;
    /**
     * Wavelengths 2 pi / w_i of a config's RoPE without its scaling (before) and with it (after).
     * A scaling that drives a frequency to 0 (or so close that 2 pi / w_i overflows) gives Infinity.
     * @example
     * const { before, after } = pe.analysis.wavelengths({ head_dim: 128, rope_theta: 500000,
     *   rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4,
     *   original_max_position_embeddings: 8192 } });
     */
    wavelengths(config: RopeModelConfig, options?: WavelengthOptions): ScalingWavelengths;
    /**
     * Attention of the tokens and of the tokens permuted (q, k and v rows together), and how far the
     * second is from the first permuted: about 1e-7 for position 'none' without a mask, large with
     * any position method or with the causal mask.
     * @example
     * const r = pe.analysis.permutation({ q, k, v, shape: [16, 4, 32], position: 'none', causal: true, seed: 7 });
     * r.equivarianceError; // large: the causal mask alone tells positions apart
     */
    permutation(options: PermutationOptions): PermutationResult;
    /** The metrics accepted. */
    readonly metrics: readonly SimilarityMetric[];
    /** The methods relativeScores accepts. */
    readonly methods: readonly ('rope' | 'alibi' | 't5' | 'kerple')[];
  };
}
