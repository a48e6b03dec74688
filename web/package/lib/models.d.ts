// SPDX-License-Identifier: MIT
// Types of pe.models (lib/models.js, lib/families.js, lib/gallery.js).
import type { IgnoredKey, RopeFrequencies, RopeLayout, RopeModelConfig } from './rope.js';

/** How a model encodes positions. */
export type PositionMethod = 'rope' | 'alibi' | 'learned' | 't5' | 'sinusoidal' | 'none';

export interface ModelDescribeOptions {
  /** Sequence length for the RoPE frequencies (dynamic, longrope). Default 0. */
  seqLen?: number;
}

/** RoPE of a model: one frequencies object per layer type. */
export interface ModelRope {
  /** 'half' (rotate_half: pairs (i, i + r/2)) or 'interleaved' (pairs (2i, 2i + 1)). */
  readonly layout: RopeLayout;
  /**
   * Each distinct layer type of layerTypes that uses RoPE (or 'default' when the config declares no
   * layer types) -> what pe.rope.frequencies(config, { seqLen, layerType }) returns.
   */
  readonly byLayerType: Readonly<Record<string, RopeFrequencies>>;
  /** Layer indices that apply no RoPE (SmolLM3 no_rope_layers, Cohere 2's full-attention layers). */
  readonly noRopeLayers: readonly number[];
}

export interface ModelAlibi {
  readonly heads: number;
  /** Slope of each head, in float64. */
  readonly slopes: Float64Array;
  /**
   * 'press': the paper's slopes (BLOOM, Falcon, Baichuan); 'mpt': transformers'
   * build_mpt_alibi_tensor with alibiBiasMax (the paper's slopes for 8 and a power-of-two head count).
   */
  readonly form: 'press' | 'mpt';
  readonly alibiBiasMax: number;
}

export interface ModelLearned {
  /** Positions the model can take (table rows minus the offset). */
  readonly maxPositions: number;
  /** Added to a position to find its row: OPT/BART 2; RoBERTa padding_idx + 1. */
  readonly offset: number;
  /** Rows of the table. */
  readonly tableRows: number;
  /** Width of a row (hidden size), when the config gives it. */
  readonly dim: number | null;
}

export interface ModelT5 {
  readonly numBuckets: number;
  readonly maxDistance: number;
  /** The encoder's buckets (T5 encoders are bidirectional). */
  readonly bidirectional: boolean;
  /** The decoder's buckets (causal: false). */
  readonly decoderBidirectional: boolean;
}

export interface ModelSinusoidal {
  /**
   * 'vaswani': sin/cos interleaved, base^(-2i/d) (DistilBERT's frozen table). 'fairseq': all sines
   * then all cosines, base^(-k/(d/2 - 1)) (M2M100/NLLB, FSMT, Speech2Text). 'marian': all sines then
   * all cosines with Vaswani's frequencies base^(-2i/d) (Marian, Pegasus; not a pe.sinusoidal layout).
   */
  readonly layout: 'vaswani' | 'fairseq' | 'marian';
  /** fairseq's padding index (positions start at paddingIdx + 1), or null. */
  readonly paddingIdx: number | null;
  readonly dim: number | null;
  readonly maxPositions: number | null;
  /** The first token's position (paddingIdx + 1, or 0). */
  readonly offset: number;
}

/** What pe.models.describe returns. */
export interface ModelDescription {
  /** config.model_type as given (the outer one for multimodal configs). */
  readonly modelType: string | null;
  /** The convention applied ('llama', 'gpt_neox', 'gemma3', ...; 'generic' without model_type). */
  readonly family: string;
  /** Where the family's convention comes from (a transformers file or the model repository). */
  readonly source: string;
  readonly method: PositionMethod;
  /** max_position_embeddings / n_positions / max_seq_len / seq_length ... as the family names it. */
  readonly contextLength: number | null;
  readonly layers: number | null;
  readonly heads: number | null;
  /** Dimension of a query head (DeepSeek: qk_nope_head_dim + qk_rope_head_dim). */
  readonly headDim: number | null;
  /** One entry per layer when the config declares or implies layer types. */
  readonly layerTypes: readonly string[] | null;
  readonly rope?: ModelRope;
  readonly alibi?: ModelAlibi;
  readonly learned?: ModelLearned;
  readonly t5?: ModelT5;
  readonly sinusoidal?: ModelSinusoidal;
  /** Every key of the config that was not read, with the reason. */
  readonly ignoredKeys: readonly IgnoredKey[];
}

/** A public model's config.json as published. */
export interface GalleryEntry {
  readonly id: string;
  readonly name: string;
  readonly modelType: string;
  /** Where the config.json is published (Hugging Face repository and file). */
  readonly source: string;
  readonly config: Readonly<RopeModelConfig>;
}

export interface ModelsApi {
  readonly models: {
    /**
     * How a model encodes positions, with the numbers, from its config.json as published (v4) or as
     * transformers v5 saves it. `model_type` selects the family's conventions. Unknown keys whose
     * names suggest positions are RangeErrors naming them; every other key not read is in ignoredKeys.
     * @example
     * const d = pe.models.describe(JSON.parse(configJson), { seqLen: 8192 });
     * d.rope?.byLayerType.sliding_attention.invFreq
     */
    describe(config: RopeModelConfig, options?: ModelDescribeOptions): ModelDescription;
    /** Public models' config.json files. */
    readonly gallery: readonly GalleryEntry[];
    /** The model_type values whose conventions posenc applies (others read as 'generic', reported). */
    readonly modelTypes: readonly string[];
  };
}
