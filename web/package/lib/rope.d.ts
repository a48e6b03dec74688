// SPDX-License-Identifier: MIT
// Types of pe.rope and pe.xpos (lib/rope.js).
import type { Float32Out, FloatData, IntData } from './tensor.js';
import type { Float32Result, Float64Result } from './arrays.js';

/** Hugging Face `rope_type` values posenc computes. */
export type RopeType = 'default' | 'linear' | 'ntk' | 'dynamic' | 'yarn' | 'longrope' | 'llama3';

/**
 * Which coordinates form a rotated pair. `'half'`: (x[i], x[i + r/2]), as GPT-NeoX and Hugging Face's
 * `rotate_half`. `'interleaved'`: (x[2i], x[2i + 1]), as GPT-J and Meta's Llama code.
 */
export type RopeLayout = 'half' | 'interleaved';

/** The RoPE section of a Hugging Face config (`rope_scaling` in v4, `rope_parameters` in v5). */
export interface RopeScaling {
  rope_type?: RopeType;
  /** The v4 spelling of rope_type. */
  type?: RopeType;
  /** v5 keeps rope_theta and partial_rotary_factor here. */
  rope_theta?: number;
  partial_rotary_factor?: number;
  factor?: number;
  attention_factor?: number | null;
  beta_fast?: number | null;
  beta_slow?: number | null;
  mscale?: number | null;
  mscale_all_dim?: number | null;
  truncate?: boolean;
  low_freq_factor?: number;
  high_freq_factor?: number;
  original_max_position_embeddings?: number;
  short_factor?: number[];
  long_factor?: number[];
}

/**
 * A model's config.json, as is. `model_type` selects the family whose transformers conventions apply
 * (see pe.models.describe): e.g. gpt_neox reads rotary_pct / rotary_emb_base, deepseek_v2/v3 rotate
 * qk_rope_head_dim, gemma3 gives sliding layers rope_local_base_freq. Without model_type posenc reads
 * head_dim (or hidden_size / num_attention_heads), rope_theta (default 10000), partial_rotary_factor,
 * max_position_embeddings, original_max_position_embeddings, and rope_scaling or rope_parameters
 * (possibly keyed by layer type). Keys not read are listed in the result's ignoredKeys; a key whose
 * name suggests positions and that posenc does not understand is a RangeError naming it.
 */
export interface RopeModelConfig {
  head_dim?: number | null;
  hidden_size?: number;
  num_attention_heads?: number;
  rope_theta?: number;
  partial_rotary_factor?: number;
  max_position_embeddings?: number;
  original_max_position_embeddings?: number;
  rope_scaling?: RopeScaling | null;
  rope_parameters?: RopeScaling | Record<string, RopeScaling> | null;
  model_type?: string;
  layer_types?: string[];
  [otherKey: string]: unknown;
}

/** A key of a config that was not read, and why it does not change positions. */
export interface IgnoredKey {
  /** The key, with its parent's name for nested objects (e.g. 'text_config.vocab_size'). */
  readonly key: string;
  readonly why: string;
}

export interface RopeFrequencyOptions {
  /**
   * The sequence length the frequencies are for. Read by `dynamic` (frequencies change once it passes
   * max_position_embeddings) and `longrope` (long_factor once it passes the original length).
   * Default 0 (not given: the behaviour at or below the original length).
   */
  seqLen?: number;
  /**
   * A layer type the config declares or implies (layer_types, or e.g. Gemma 3's
   * sliding_window_pattern: 'sliding_attention' / 'full_attention'). Required when the layer types
   * use different RoPE (Gemma 3, rope_parameters keyed by layer type).
   */
  layerType?: string;
}

/** Inverse frequencies and the attention factor of a config (pe.rope.frequencies()). */
export interface RopeFrequencies {
  readonly ropeType: RopeType;
  readonly headDim: number;
  /** int(headDim * partial_rotary_factor): coordinates that rotate. */
  readonly rotaryDim: number;
  readonly theta: number;
  readonly seqLen: number;
  /** w_i for i = 0 .. rotaryDim/2 - 1 (radians per position), in float64. */
  readonly invFreq: Float64Result;
  /** Multiplies cos and sin (yarn, longrope; 1 otherwise). */
  readonly attentionFactor: number;
  /** The pair layout the model's family uses (pass it to apply()). */
  readonly layout: RopeLayout;
  /**
   * Ministral 3 (rope_parameters.llama_4_scaling_beta): queries are also multiplied by
   * 1 + beta * ln(1 + floor(position / originalMaxPositionEmbeddings)). null otherwise.
   */
  readonly llama4Scaling: { readonly beta: number; readonly originalMaxPositionEmbeddings: number } | null;
  /** Keys of the config that were not read, each with the reason. */
  readonly ignoredKeys: readonly IgnoredKey[];
}

/** What apply/inverse/cache need: at least invFreq (attentionFactor defaults to 1). */
export interface RopeFrequencyInput {
  invFreq: FloatData;
  attentionFactor?: number;
  headDim?: number;
}

export interface RopeApplyOptions {
  /** [seq, heads, headDim] of x, row-major. */
  shape: [number, number, number];
  frequencies: RopeFrequencyInput;
  /** Position of each of the seq rows (integers in [0, 2^24]); or give offset. */
  positions?: IntData;
  /** Position of row 0 when positions are not given (e.g. the length of a KV cache). Default 0. */
  offset?: number;
  /** Default 'half'. */
  layout?: RopeLayout;
  /**
   * Write the result here: a Float32Array of x's length or a float32 tensor. `out: x` rotates x in
   * place (with a tensor: no copy at all). Default: a new Float32Array. If x holds a NaN or an
   * infinity the call throws a RangeError and `out` is left unspecified.
   */
  out?: Float32Out;
}

export interface RopeCacheOptions {
  frequencies: RopeFrequencyInput;
  /** Number of rows (positions offset .. offset + length - 1); or give positions. */
  length?: number;
  offset?: number;
  positions?: IntData;
}

export interface XposApplyOptions extends Omit<RopeApplyOptions, 'frequencies'> {
  /** Queries scale pair i by zeta_i^(n/scaleBase), keys by zeta_i^(-n/scaleBase). */
  role: 'query' | 'key';
  /** Default: the default RoPE frequencies of headDim with `theta`. */
  frequencies?: RopeFrequencyInput;
  /** Base of the default frequencies. Default 10000. */
  theta?: number;
  /** zeta_i = (2i + gamma r) / ((1 + gamma) r). Default 0.4. */
  gamma?: number;
  /** Default 512. */
  scaleBase?: number;
  /** n = position - center in the scale exponent. Default ceil(count / 2), as torchscale. */
  center?: number;
  /** Undo a previous apply with the same options. Default false. */
  inverse?: boolean;
}

export interface RopeApi {
  readonly rope: {
    /**
     * Inverse frequencies and attention factor of a model's RoPE, from its config.json as is
     * (Hugging Face keys; rope_scaling v4 or rope_parameters v5). Unknown or inconsistent RoPE
     * fields are errors that name them.
     * @example
     * const f = pe.rope.frequencies({ hidden_size: 4096, num_attention_heads: 32, rope_theta: 500000,
     *   rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4,
     *   original_max_position_embeddings: 8192 } });
     */
    frequencies(config: RopeModelConfig, options?: RopeFrequencyOptions): RopeFrequencies;
    /**
     * cos and sin tables, [rows][rotaryDim/2] each, times the attention factor. Hugging Face's cos row
     * for the half layout is cat(cos[t], cos[t]).
     * @example const { cos, sin } = pe.rope.cache({ frequencies: f, length: 4096 });
     */
    cache(options: RopeCacheOptions): { cos: Float32Result; sin: Float32Result };
    /**
     * Rotate queries or keys: returns a rotated copy of x ([seq, heads, headDim]); coordinates past
     * the rotary dimension pass through.
     * @example const qRot = pe.rope.apply(q, { shape: [seq, 32, 128], frequencies: f, offset: cacheLength });
     */
    apply<O extends Float32Out>(x: FloatData, options: RopeApplyOptions & { out: O }): O;
    apply(x: FloatData, options: RopeApplyOptions & { out?: undefined }): Float32Result;
    /**
     * Undo apply() with the same options (rotation by -angle, divided by the attention factor).
     * @example const q = pe.rope.inverse(qRot, { shape: [seq, 32, 128], frequencies: f });
     */
    inverse<O extends Float32Out>(x: FloatData, options: RopeApplyOptions & { out: O }): O;
    inverse(x: FloatData, options: RopeApplyOptions & { out?: undefined }): Float32Result;
    /**
     * Wavelength of each frequency, 2 pi / w_i, in positions. A frequency of 0 (a pair that never
     * turns), or one so small that 2 pi / w_i overflows, gives Infinity; negative ones are refused.
     * @example pe.rope.wavelengths(f)  // Float64Array(rotaryDim / 2)
     */
    wavelengths(frequencies: RopeFrequencyInput): Float64Result;
    /** The rope_type values accepted. */
    readonly types: readonly RopeType[];
    /** The layouts accepted. */
    readonly layouts: readonly RopeLayout[];
  };
  readonly xpos: {
    /**
     * xPos (Sun et al. 2022): RoPE (interleaved by default, as torchscale) with a per-pair scale that
     * makes q.k decay as zeta^((m - n)/scaleBase). Apply to queries with role 'query' and to keys
     * with role 'key'.
     * @example const k = pe.xpos.apply(keys, { shape: [seq, 8, 64], role: 'key' });
     */
    apply<O extends Float32Out>(x: FloatData, options: XposApplyOptions & { out: O }): O;
    apply(x: FloatData, options: XposApplyOptions & { out?: undefined }): Float32Result;
  };
}
