// SPDX-License-Identifier: MIT
// Reading a model's config.json the way Hugging Face transformers reads it: `model_type` selects the
// family, and each family's names, aliases and defaults are those of its transformers configuration
// class (file named in FAMILIES below, under src/transformers/models/). The result says how the model
// encodes positions and with which numbers; every key of the config is either read, known to be
// irrelevant to positions (with the reason), or, when its name suggests positions and posenc does not
// understand it, a RangeError naming it. Nothing here computes: pe.rope / pe.alibi do (lib/rope.js,
// lib/models.js).
import { describe as show, integer, number, own } from './args.js';

export const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------
// Keys that do not change how positions are encoded, grouped by the reason.

const WHY = {
  tokens: 'token ids and vocabulary: not positions',
  width: 'layer widths, activations and biases: not positions',
  norm: 'normalisation: not positions',
  training: 'training only (dropout, initialisation, losses)',
  runtime: 'runtime, generation and serialisation settings: not positions',
  window: 'attention window: a mask on which keys a query sees; positions are encoded the same',
  scale: 'position-independent scaling or capping of scores and logits',
  moe: 'mixture-of-experts routing: not positions',
  tower: "another modality's tower or projector: only the text model's positions are read",
  mla: 'latent-attention ranks (MLA): the rotary part is qk_rope_head_dim',
  kv: 'key/value head sharing (GQA/MQA): not positions',
};

const IRRELEVANT = {};
for (const [why, keys] of Object.entries({
  tokens: 'vocab_size bos_token_id eos_token_id pad_token_id unk_token_id sep_token_id cls_token_id mask_token_id ' +
    'decoder_start_token_id forced_bos_token_id forced_eos_token_id image_token_index image_token_id ' +
    'boi_token_index eoi_token_index video_token_id vision_start_token_id vision_end_token_id vision_token_id ' +
    'tie_word_embeddings tie_encoder_decoder type_vocab_size scale_embedding padded_vocab_size',
  width: 'intermediate_size ffn_dim d_ff n_inner hidden_act hidden_activation activation_function feed_forward_proj ' +
    'mlp_bias attention_bias bias use_bias use_qkv_bias add_bias_linear add_qkv_bias no_bias parallel_attn ' +
    'use_parallel_residual new_decoder_architecture dense_act_fn is_gated_act embd_pdrop_scale ffn_hidden_size ' +
    'encoder_ffn_dim decoder_ffn_dim word_embed_proj_dim project_in project_out enable_bias ' +
    'qkv_bias swiglu_limit emb_dim embedding_size',
  norm: 'rms_norm_eps layer_norm_eps layer_norm_epsilon norm_eps use_qk_norm qk_layernorm qk_norm qk_ln ' +
    'apply_residual_connection_post_layernorm do_layer_norm_before normalize_before layernorm_epsilon ' +
    'rmsnorm post_layer_norm apply_query_key_layer_scaling fp32_residual_connection apply_layernorm_1p ' +
    'normalization layernorm_embedding norm_type',
  training: 'initializer_range initializer_factor init_std attention_dropout hidden_dropout dropout attn_pdrop ' +
    'resid_pdrop embd_pdrop embedding_dropout classifier_dropout hidden_dropout_prob attention_probs_dropout_prob ' +
    'activation_dropout layerdrop encoder_layerdrop decoder_layerdrop dropout_rate router_aux_loss_coef ' +
    'output_router_logits aux_loss_alpha seq_aux router_z_loss_coef summary_type summary_use_proj ' +
    'summary_activation summary_proj_to_labels summary_first_dropout ffn_dropout emb_pdrop ' +
    'gradient_checkpointing seq_dropout attention_softmax_in_fp32 bias_dropout_fusion masked_softmax_fusion ' +
    'skip_bias_add skip_bias_add_qkv slow_but_exact init_device z_loss',
  runtime: 'architectures torch_dtype dtype transformers_version _name_or_path auto_map use_cache ' +
    'quantization_config pretraining_tp attn_implementation _attn_implementation cache_implementation ' +
    'is_decoder task_specific_params id2label label2id return_dict output_attentions output_hidden_states ' +
    'torchscript use_return_dict problem_type tokenizer_class prefix finetuning_task bad_words_ids max_length ' +
    'min_length num_beams do_sample temperature top_k top_p early_stopping length_penalty ' +
    'no_repeat_ngram_size num_return_sequences diversity_penalty repetition_penalty chunk_size_feed_forward ' +
    'add_cross_attention cross_attention_hidden_size pruned_heads is_encoder_decoder use_flash_attn ' +
    'gradient_checkpointing_kwargs ' +
    'verbose classifier_activation _commit_hash base_model_tp_plan ' +
    'base_model_pp_plan keys_to_ignore_at_inference generation_config',
  window: 'sliding_window use_sliding_window max_window_layers attention_window sliding_window_size',
  scale: 'query_pre_attn_scalar attn_logit_softcapping final_logit_softcapping logit_scale attention_multiplier ' +
    'embedding_multiplier residual_multiplier logits_scaling scale_attn_weights scale_attn_by_inverse_layer_idx ' +
    'reorder_and_upcast_attn clip_qkv scale_emb dim_model_base scale_depth',
  moe: 'num_experts num_local_experts num_experts_per_tok moe_intermediate_size shared_expert_intermediate_size ' +
    'n_routed_experts n_shared_experts routed_scaling_factor topk_method n_group topk_group norm_topk_prob ' +
    'scoring_func first_k_dense_replace moe_layer_freq decoder_sparse_step mlp_only_layers router_jitter_noise ' +
    'ep_size num_nextn_predict_layers moe_num_experts moe_top_k',
  tower: 'vision_config audio_config mm_tokens_per_image vision_feature_layer projector_hidden_act ' +
    'multimodal_projector_bias spatial_merge_size vision_feature_select_strategy image_seq_length ' +
    'image_token_ids vision_feature_layers',
  mla: 'kv_lora_rank q_lora_rank qk_nope_head_dim v_head_dim',
  kv: 'num_key_value_heads multi_query num_kv_heads n_head_kv multi_query_group_num multi_query_attention ' +
    'num_key_value_groups',
})) {
  for (const key of keys.split(' ')) IRRELEVANT[key] = WHY[why];
}

// A key whose name suggests it changes positions: if posenc does not read it, it is an error.
const POSITIONAL = /rope|rotary|posit|pos_|_pos$|alibi|theta|bucket|relative|nope|ntk|logn|seq_len|seq_length|max_seq|max_len|context_len|layer_types|window_pattern|base_freq|interleave|yarn|mscale|n_ctx|n_positions|scaling/i;

// ---------------------------------------------------------------------------------------------
// Reading keys and accounting for every one of them.

class Reader {
  constructor(where, config, path) {
    this.where = where;
    this.c = config;
    this.path = path;  // 'config' or 'config.text_config'
    this.read = new Set();
    this.ignored = [];
  }

  name(key) { return `${this.path}.${key}`; }

  has(key) { return this.c[key] !== undefined && this.c[key] !== null; }

  /** The value of the first of `keys` given (all given must agree); marks them read. */
  pick(keys) {
    let value, from;
    for (const k of keys) {
      this.read.add(k);
      if (!this.has(k)) continue;
      if (from !== undefined && JSON.stringify(this.c[k]) !== JSON.stringify(value)) {
        throw new RangeError(`${this.where}: ${this.name(from)} (${show(value)}) and ${this.name(k)} (${show(this.c[k])}) disagree`);
      }
      if (from === undefined) [value, from] = [this.c[k], k];
    }
    return { value, key: from };
  }

  int(keys, limits) {
    const { min = 1, max = 2 ** 40, fallback = null } = own(limits);
    const { value, key } = this.pick(keys);
    return value === undefined ? fallback : integer(this.where, this.name(key), value, { min, max });
  }

  num(keys, bounds, fallback) {
    const { value, key } = this.pick(keys);
    return value === undefined ? fallback : number(this.where, this.name(key), value, bounds);
  }

  bool(key, fallback) {
    this.read.add(key);
    if (!this.has(key)) return fallback;
    if (typeof this.c[key] !== 'boolean') throw new TypeError(`${this.where}: ${this.name(key)} must be true or false, got ${show(this.c[key])}`);
    return this.c[key];
  }

  ignore(key, why) {
    this.read.add(key);
    if (this.c[key] !== undefined) this.ignored.push({ key, why });
  }

  /** Every key not read: irrelevant (reported with the reason) or, if it looks positional, an error. */
  finish(family, prefix = '') {
    for (const key of Object.keys(this.c)) {
      if (this.read.has(key)) continue;
      const why = IRRELEVANT[key];
      if (why !== undefined) this.ignored.push({ key, why });
      else if (/_(dropout|pdrop)$/.test(key)) this.ignored.push({ key, why: WHY.training });
      else if (POSITIONAL.test(key)) {
        throw new RangeError(`${this.where}: ${this.name(key)} is not understood by posenc for the '${family}' family and may change positions`);
      } else {
        this.ignored.push({ key, why: `not a key posenc knows for the '${family}' family; its name does not suggest positions` });
      }
    }
    // Keys are named from the config's top level (e.g. 'text_config.vocab_size').
    return this.ignored.map((e) => ({ key: prefix + e.key, why: e.why }));
  }
}

// ---------------------------------------------------------------------------------------------
// Families. `source`: the transformers file (src/transformers/models/...) whose conventions apply,
// or the model repository's own modeling file for families transformers does not carry.

const LLAMA = { method: 'rope', layout: 'half' };
// Keys of configs written before transformers 4.x split BART, Marian and Pegasus into their own
// classes; today's modeling files fix the position table by family and do not read them.
const OLD_BART_KEYS = Object.fromEntries(['extra_pos_embeddings', 'static_position_embeddings'].map((k) =>
  [k, "read by no current transformers class: this family's position table is fixed by its modeling file"]));
const FAMILIES = {
  llama: { ...LLAMA, source: 'llama/configuration_llama.py' },
  mistral: { ...LLAMA, source: 'mistral/configuration_mistral.py' },
  // Ministral-8B: layer_types of sliding/full attention, one RoPE for both.
  ministral: { ...LLAMA, source: 'ministral/configuration_ministral.py', layerTypes: ministralLayerTypes },
  // Ministral 3: rope_parameters may carry llama_4_scaling_beta and max_position_embeddings
  // (Ministral3Config.ignore_keys_at_rope_validation); the beta scales queries by position
  // (modeling_ministral3.py, _get_llama_4_attn_scale).
  ministral3: { ...LLAMA, source: 'ministral3/configuration_ministral3.py', ropeExtraKeys: ['llama_4_scaling_beta', 'max_position_embeddings'] },
  mixtral: { ...LLAMA, source: 'mixtral/configuration_mixtral.py', theta: 1e6 },
  qwen2: { ...LLAMA, source: 'qwen2/configuration_qwen2.py', layerTypes: qwenLayerTypes },
  qwen2_moe: { ...LLAMA, source: 'qwen2_moe/configuration_qwen2_moe.py', layerTypes: qwenLayerTypes },
  qwen3: { ...LLAMA, source: 'qwen3/configuration_qwen3.py', layerTypes: qwenLayerTypes },
  qwen3_moe: { ...LLAMA, source: 'qwen3_moe/configuration_qwen3_moe.py', layerTypes: qwenLayerTypes },
  gemma: { ...LLAMA, source: 'gemma/configuration_gemma.py', headDimDefault: 256 },
  // Gemma 2: sliding and full attention alternate, sliding first ((i + 1) % 2); one RoPE.
  gemma2: { ...LLAMA, source: 'gemma2/configuration_gemma2.py', headDimDefault: 256, layerTypes: (r, n) => patternLayerTypes(r, n, 2, null) },
  // Gemma 3: sliding layers ((i + 1) % sliding_window_pattern != 0) use default RoPE with
  // rope_local_base_freq; full layers use rope_theta and rope_scaling (modeling_gemma3.py).
  gemma3_text: {
    ...LLAMA, source: 'gemma3/configuration_gemma3.py (Gemma3TextConfig)', theta: 1e6, headDimDefault: 256,
    defaults: { num_hidden_layers: 26, num_attention_heads: 8, hidden_size: 2304, max_position_embeddings: 131072 },
    layerTypes: (r, n) => patternLayerTypes(r, n, 6, 'sliding_window_pattern'), local: { key: 'rope_local_base_freq', fallback: 10000, type: 'sliding_attention' },
  },
  phi: { ...LLAMA, source: 'phi/configuration_phi.py', partial: 0.5 },
  phi3: { ...LLAMA, source: 'phi3/configuration_phi3.py' },
  // GPT-NeoX / Pythia: rotary_pct (default 0.25) and rotary_emb_base name the partial factor and theta
  // (GPTNeoXConfig.convert_rope_params_to_dict).
  gpt_neox: { ...LLAMA, source: 'gpt_neox/configuration_gpt_neox.py', partial: 0.25, partialKeys: ['rotary_pct'], thetaKeys: ['rotary_emb_base'] },
  // GPT-J and CodeGen: rotary_dim coordinates of each head, pairs (2i, 2i + 1) (rotate_every_two),
  // base 10000 fixed in create_sinusoidal_positions; context n_positions.
  gptj: { method: 'rope', layout: 'interleaved', source: 'gptj/configuration_gptj.py', rotaryDimKey: 'rotary_dim', fixedTheta: true },
  codegen: { method: 'rope', layout: 'interleaved', source: 'codegen/configuration_codegen.py', rotaryDimKey: 'rotary_dim', fixedTheta: true },
  // Falcon: alibi: true selects ALiBi (bloom's build_alibi_tensor), else RoPE (modeling_falcon.py).
  falcon: { ...LLAMA, source: 'falcon/configuration_falcon.py', alibiKey: 'alibi', defaults: { max_position_embeddings: 2048 } },
  stablelm: { ...LLAMA, source: 'stablelm/configuration_stablelm.py', partial: 0.25 },
  persimmon: { ...LLAMA, source: 'persimmon/configuration_persimmon.py', partial: 0.5 },
  // DeepSeek V2/V3 (MLA): RoPE on the qk_rope_head_dim part of each head only, pairs interleaved
  // (V2: complex multiplication; V3: rope_interleave, default true, apply_rotary_pos_emb_interleave).
  deepseek_v2: { method: 'rope', layout: 'interleaved', source: 'deepseek_v2/configuration_deepseek_v2.py', ropeHeadDimKey: 'qk_rope_head_dim' },
  deepseek_v3: { method: 'rope', layout: 'interleaved', source: 'deepseek_v3/configuration_deepseek_v3.py', ropeHeadDimKey: 'qk_rope_head_dim', interleaveKey: 'rope_interleave' },
  olmo: { ...LLAMA, source: 'olmo/configuration_olmo.py' },
  olmo2: { ...LLAMA, source: 'olmo2/configuration_olmo2.py' },
  // Cohere: rotate_half pairs (x[2i], x[2i + 1]) (modeling_cohere.py).
  cohere: { method: 'rope', layout: 'interleaved', source: 'cohere/configuration_cohere.py' },
  // Cohere 2: sliding layers use RoPE, full-attention layers none (modeling_cohere2.py).
  cohere2: {
    method: 'rope', layout: 'interleaved', source: 'cohere2/configuration_cohere2.py',
    layerTypes: (r, n) => patternLayerTypes(r, n, 4, 'sliding_window_pattern'), noRopeTypes: ['full_attention'],
  },
  starcoder2: { ...LLAMA, source: 'starcoder2/configuration_starcoder2.py' },
  granite: { ...LLAMA, source: 'granite/configuration_granite.py' },
  // SmolLM3: no_rope_layers[i] = 1 uses RoPE, 0 skips it; default every no_rope_layer_interval-th
  // layer (4) skips (configuration_smollm3.py).
  smollm3: { ...LLAMA, source: 'smollm3/configuration_smollm3.py', noRope: smolNoRope },
  // GLM (transformers' glm): half of each head rotates (partial_rotary_factor 0.5), pairs interleaved.
  glm: { method: 'rope', layout: 'interleaved', source: 'glm/configuration_glm.py', partial: 0.5 },
  // Models whose modeling code lives in their own repository (trust_remote_code) and applies
  // Llama's RoPE (rotate_half over the whole head) with Llama's config keys.
  internlm: { ...LLAMA, source: 'the model repository (modeling_internlm.py; Llama RoPE)' },
  internlm2: { ...LLAMA, source: 'the model repository (modeling_internlm2.py; Llama RoPE)' },
  internlm3: { ...LLAMA, source: 'the model repository (modeling_internlm3.py; Llama RoPE)' },
  minicpm: { ...LLAMA, source: 'the model repository (modeling_minicpm.py; Llama RoPE)' },
  // ChatGLM2/3, GLM-4 (remote code, modeling_chatglm.py): RotaryEmbedding(kv_channels // 2), base
  // 10000 * rope_ratio, applied to the first half of each head with pairs (2i, 2i + 1); seq_length.
  chatglm: {
    method: 'rope', layout: 'interleaved', source: 'the model repository (modeling_chatglm.py)', chatglm: true,
    known: {
      pre_seq_len: 'P-tuning v2 prefix length: learned prefix keys and values, token positions unchanged',
      prefix_projection: 'P-tuning v2 prefix encoder option: not positions',
      quantization_bit: 'weight quantisation: not positions',
    },
  },
  // ALiBi.
  bloom: { method: 'alibi', source: 'bloom/configuration_bloom.py (build_alibi_tensor)' },
  mpt: { method: 'alibi', source: 'mpt/configuration_mpt.py (build_mpt_alibi_tensor)', mpt: true },
  // Baichuan (remote code): the 13B models (hidden_size 5120) use ALiBi (_get_interleave, the
  // paper's slopes), the 7B models (hidden_size 4096) RoPE; the config has no other flag.
  baichuan: { ...LLAMA, source: 'the model repository (modeling_baichuan.py)', baichuan: true },
  // Learned absolute tables.
  gpt2: { method: 'learned', source: 'gpt2/configuration_gpt2.py', offset: 0 },
  gpt_bigcode: { method: 'learned', source: 'gpt_bigcode/configuration_gpt_bigcode.py', offset: 0 },
  gpt_neo: { method: 'learned', source: 'gpt_neo/configuration_gpt_neo.py', offset: 0 },
  bert: { method: 'learned', source: 'bert/configuration_bert.py', offset: 0, absoluteKey: true },
  // RoBERTa-style: position ids count from padding_idx + 1 (create_position_ids_from_input_ids).
  roberta: { method: 'learned', source: 'roberta/modeling_roberta.py', offset: 'padding', absoluteKey: true },
  'xlm-roberta': { method: 'learned', source: 'xlm_roberta/modeling_xlm_roberta.py', offset: 'padding', absoluteKey: true },
  camembert: { method: 'learned', source: 'camembert/modeling_camembert.py', offset: 'padding', absoluteKey: true },
  // OPT, BART, mBART: the learned table has 2 extra rows and positions are shifted by 2
  // (OPTLearnedPositionalEmbedding, BartLearnedPositionalEmbedding: offset = 2).
  opt: { method: 'learned', source: 'opt/modeling_opt.py', offset: 2 },
  bart: { method: 'learned', source: 'bart/modeling_bart.py', offset: 2, known: OLD_BART_KEYS },
  mbart: { method: 'learned', source: 'mbart/modeling_mbart.py', offset: 2, known: OLD_BART_KEYS },
  // DistilBERT: learned, or a frozen Vaswani table when sinusoidal_pos_embds is true.
  distilbert: { method: 'learned', source: 'distilbert/modeling_distilbert.py', offset: 0, distil: true, known: { hidden_dim: WHY.width } },
  // T5 family: bucketed relative bias, bidirectional in the encoder, causal in the decoder.
  t5: { method: 't5', source: 't5/configuration_t5.py' },
  mt5: { method: 't5', source: 'mt5/configuration_mt5.py' },
  umt5: { method: 't5', source: 'umt5/configuration_umt5.py' },
  switch_transformers: { method: 't5', source: 'switch_transformers/configuration_switch_transformers.py' },
  // Sinusoidal tables. fairseq's layout with padding_idx = pad_token_id (M2M100/NLLB, FSMT,
  // Speech2Text: SinusoidalPositionalEmbedding, positions from padding_idx + 1).
  m2m_100: { method: 'sinusoidal', source: 'm2m_100/modeling_m2m_100.py', layout: 'fairseq', padded: true },
  fsmt: { method: 'sinusoidal', source: 'fsmt/modeling_fsmt.py', layout: 'fairseq', padded: true },
  speech_to_text: { method: 'sinusoidal', source: 'speech_to_text/modeling_speech_to_text.py', layout: 'fairseq', padded: true },
  // Marian and Pegasus: Vaswani's frequencies base^(-2i/d), all sines then all cosines, positions from 0
  // (MarianSinusoidalPositionalEmbedding, PegasusSinusoidalPositionalEmbedding).
  marian: { method: 'sinusoidal', source: 'marian/modeling_marian.py', layout: 'marian', padded: false, known: OLD_BART_KEYS },
  pegasus: { method: 'sinusoidal', source: 'pegasus/modeling_pegasus.py', layout: 'marian', padded: false, known: OLD_BART_KEYS },
};
// model_type aliases: the multimodal Gemma 3 wraps gemma3_text; Mistral 3 wraps ministral3 or mistral.
FAMILIES.gemma3 = FAMILIES.gemma3_text;
const WRAPPERS = ['gemma3', 'mistral3', 'llava'];

/** The model_type values posenc reads, each with the convention it applies. */
export const KNOWN_MODEL_TYPES = Object.keys(FAMILIES);

// Family name reported for a model_type (gemma3 and gemma3_text share one convention).
const familyName = (modelType) => (modelType === 'gemma3_text' ? 'gemma3' : modelType);

// ---------------------------------------------------------------------------------------------
// Layer types.

function explicitLayerTypes(r, layers) {
  const { value } = r.pick(['layer_types']);
  if (value === undefined) return null;
  if (!Array.isArray(value) || value.some((t) => typeof t !== 'string' || t.length === 0)) {
    throw new TypeError(`${r.where}: ${r.name('layer_types')} must be an array of strings, got ${show(value)}`);
  }
  if (layers !== null && value.length !== layers) {
    throw new RangeError(`${r.where}: ${r.name('layer_types')} has ${value.length} entries for ${layers} layers`);
  }
  return value.slice();
}

// Layer i is 'sliding_attention' when (i + 1) % pattern != 0, else 'full_attention' (Gemma 2, 3,
// Cohere 2). An explicit layer_types wins and must agree with a given pattern.
function patternLayerTypes(r, layers, fallback, patternKey) {
  const explicit = explicitLayerTypes(r, layers);
  // transformers >= 4.55 saves Gemma 3's pattern as _sliding_window_pattern (beside layer_types).
  const keys = patternKey ? [patternKey, `_${patternKey}`] : [];
  const givenKey = keys.find((k) => r.has(k)) ?? patternKey;
  const given = patternKey ? r.int(keys, { min: 1, fallback: null }) : null;
  if (layers === null) return explicit;
  const pattern = given ?? fallback;
  const implied = Array.from({ length: layers }, (_, i) => ((i + 1) % pattern ? 'sliding_attention' : 'full_attention'));
  if (explicit && given !== null && JSON.stringify(explicit) !== JSON.stringify(implied)) {
    throw new RangeError(`${r.where}: ${r.name('layer_types')} and ${r.name(givenKey)} (${given}) disagree`);
  }
  return explicit ?? implied;
}

// Qwen2/Qwen3: layer i slides when use_sliding_window and i >= max_window_layers.
function qwenLayerTypes(r, layers) {
  const explicit = explicitLayerTypes(r, layers);
  if (explicit || layers === null) return explicit;
  // sliding_window absent means the class default (4096), null means none.
  const sliding = r.bool('use_sliding_window', false) && r.c.sliding_window !== null;
  const from = r.int(['max_window_layers'], { min: 0, fallback: 28 });
  return Array.from({ length: layers }, (_, i) => (sliding && i >= from ? 'sliding_attention' : 'full_attention'));
}

// Ministral: every layer slides when sliding_window is set (absent: the default 4096), else none.
function ministralLayerTypes(r, layers) {
  const explicit = explicitLayerTypes(r, layers);
  if (explicit || layers === null) return explicit;
  return Array(layers).fill(r.c.sliding_window === null ? 'full_attention' : 'sliding_attention');
}

function smolNoRope(r, layers) {
  const { value } = r.pick(['no_rope_layers']);
  const interval = r.int(['no_rope_layer_interval'], { min: 1, fallback: 4 });
  let uses;
  if (value !== undefined) {
    if (!Array.isArray(value) || value.some((v) => v !== 0 && v !== 1 && typeof v !== 'boolean')) {
      throw new TypeError(`${r.where}: ${r.name('no_rope_layers')} must be an array of 0/1, got ${show(value)}`);
    }
    if (layers !== null && value.length !== layers) {
      throw new RangeError(`${r.where}: ${r.name('no_rope_layers')} has ${value.length} entries for ${layers} layers`);
    }
    uses = value.map(Boolean);
  } else if (layers !== null) {
    uses = Array.from({ length: layers }, (_, i) => (i + 1) % interval !== 0);
  } else {
    uses = [];
  }
  return uses.flatMap((u, i) => (u ? [] : [i]));
}

// ---------------------------------------------------------------------------------------------
// RoPE sections: one canonical rope_parameters object per layer type (or 'default').

/**
 * The RoPE sections of a config after the family's conventions: Map of layer type (or 'default') to
 * { name, section } where section is a fresh object with rope_type, rope_theta and
 * partial_rotary_factor filled in as transformers does (v4 top-level keys and family aliases moved in).
 */
function ropeSections(r, spec, layerTypes) {
  const where = r.where;
  const present = ['rope_parameters', 'rope_scaling'].filter((k) => r.has(k));
  r.read.add('rope_parameters').add('rope_scaling');
  for (const k of present) {
    if (!isObject(r.c[k])) throw new TypeError(`${where}: ${r.name(k)} must be an object, got ${show(r.c[k])}`);
  }
  if (present.length === 2 && JSON.stringify(r.c.rope_parameters) !== JSON.stringify(r.c.rope_scaling)) {
    throw new RangeError(`${where}: ${r.name('rope_parameters')} and ${r.name('rope_scaling')} disagree; give one of them`);
  }
  const sectionName = present[0] ? r.name(present[0]) : r.path;
  const raw = present[0] ? r.c[present[0]] : {};
  const nestedKeys = Object.keys(raw).filter((k) => isObject(raw[k]));
  const nested = nestedKeys.length > 0 && nestedKeys.length === Object.keys(raw).length;

  // Family aliases at the top level (v4) for theta and the partial factor.
  const theta = spec.fixedTheta ? { value: 10000, key: undefined } : r.pick(['rope_theta', ...(spec.thetaKeys ?? [])]);
  const partial = r.pick(['partial_rotary_factor', ...(spec.partialKeys ?? [])]);
  const originalTop = r.pick(['original_max_position_embeddings']);
  let originalUsed = false;
  const fill = (name, section, thetaFallback) => {
    const s = own(section);  // a key absent here reads as undefined whatever Object.prototype holds
    if (s.type !== undefined && s.rope_type === undefined) s.rope_type = s.type;
    delete s.type;
    if (section.type !== undefined && section.rope_type !== undefined && section.type !== section.rope_type) {
      throw new RangeError(`${where}: ${name}.rope_type and ${name}.type disagree`);
    }
    s.rope_type ??= 'default';
    // v5 moves a top-level original_max_position_embeddings (Phi-3) into the types that read it.
    const readsOriginal = ORIGINAL_READERS.includes(s.rope_type);
    if (readsOriginal && originalTop.value !== undefined) originalUsed = true;
    for (const [key, top, fallback] of [['rope_theta', theta, thetaFallback], ['partial_rotary_factor', partial, spec.partial ?? 1],
      ['original_max_position_embeddings', readsOriginal ? originalTop : {}, undefined]]) {
      const inner = s[key];
      if (top.value !== undefined && inner !== undefined && inner !== null && top.value !== inner) {
        throw new RangeError(`${where}: ${r.name(top.key)} (${show(top.value)}) and ${name}.${key} (${show(inner)}) disagree`);
      }
      const v = inner ?? top.value ?? fallback;
      if (v === undefined) delete s[key];
      else s[key] = v;
    }
    return { name, section: s, thetaName: section.rope_theta !== undefined ? `${name}.rope_theta` : r.name(theta.key ?? 'rope_theta'),
      partialName: section.partial_rotary_factor !== undefined ? `${name}.partial_rotary_factor` : r.name(partial.key ?? 'partial_rotary_factor') };
  };

  const sections = new Map();
  if (nested) {
    if (layerTypes) {
      const missing = [...new Set(layerTypes)].filter((t) => !nestedKeys.includes(t));
      const extra = nestedKeys.filter((t) => !layerTypes.includes(t));
      if (extra.length > 0) throw new RangeError(`${where}: ${sectionName}.${extra[0]} is not a layer type of ${r.name('layer_types')}`);
      if (missing.length > 0) throw new RangeError(`${where}: ${sectionName} has no entry for layer type '${missing[0]}'`);
    }
    for (const k of nestedKeys) sections.set(k, fill(`${sectionName}.${k}`, raw[k], spec.theta ?? 10000));
    if (spec.local) {
      const local = r.num([spec.local.key], { above: 0 }, undefined);
      const s = sections.get(spec.local.type);
      if (local !== undefined && s && s.section.rope_theta !== local) {
        throw new RangeError(`${where}: ${r.name(spec.local.key)} (${local}) and ${s.name}.rope_theta (${show(s.section.rope_theta)}) disagree`);
      }
    }
  } else {
    const main = fill(sectionName, raw, spec.theta ?? 10000);
    if (spec.local) {
      // Gemma 3 (v4 form): full layers take the main section, sliding layers default RoPE with the local base.
      const local = r.num([spec.local.key], { above: 0 }, spec.local.fallback);
      sections.set('full_attention', main);
      sections.set(spec.local.type, {
        name: r.name(spec.local.key),
        section: { rope_type: 'default', rope_theta: local, partial_rotary_factor: main.section.partial_rotary_factor },
        thetaName: r.name(spec.local.key), partialName: main.partialName,
      });
    } else {
      sections.set('default', main);
    }
  }
  if (originalTop.value !== undefined && !originalUsed) {
    r.ignored.push({ key: 'original_max_position_embeddings', why: `read only by rope_type ${ORIGINAL_READERS.join(', ')}; this config's RoPE is of another type` });
  }
  return { sections, nested: nested || Boolean(spec.local) };
}
// The rope types transformers v5 moves original_max_position_embeddings into (standardize_rope_params).
const ORIGINAL_READERS = ['yarn', 'longrope', 'llama3'];

// ---------------------------------------------------------------------------------------------
// The entry point.

/**
 * Read a config.json. Returns { modelType, family, source, method, contextLength, layers, heads,
 * headDim, layerTypes, rope?, alibi?, learned?, t5?, sinusoidal?, ignoredKeys }, where rope is
 * { layout, headDim, maxPositionEmbeddings, sections, nested, noRopeLayers, extraKeys } (sections as
 * ropeSections returns them, not yet checked against their rope_type).
 */
export function readConfig(where, config) {
  if (!isObject(config)) throw new TypeError(`${where}: config must be an object (a model's config.json), got ${show(config)}`);
  const outerType = config.model_type;
  if (outerType !== undefined && outerType !== null && typeof outerType !== 'string') {
    throw new TypeError(`${where}: config.model_type must be a string, got ${show(outerType)}`);
  }
  // Multimodal wrappers keep the language model's config in text_config.
  let r = new Reader(where, config, 'config');
  let outer = null;
  if (isObject(config.text_config)) {
    outer = r;
    outer.read.add('model_type').add('text_config');
    r = new Reader(where, config.text_config, 'config.text_config');
  }
  const modelType = outerType ?? null;
  let innerType = r.c.model_type ?? null;
  if (outer) {
    if (innerType === null) innerType = modelType === 'gemma3' ? 'gemma3_text' : null;
    if (innerType !== null && typeof innerType !== 'string') {
      throw new TypeError(`${where}: config.text_config.model_type must be a string, got ${show(innerType)}`);
    }
  }
  r.read.add('model_type');
  const key = innerType ?? modelType;
  let spec = key === null || !Object.hasOwn(FAMILIES, key) ? undefined : own(FAMILIES[key]);
  const family = key === null ? 'generic' : spec ? familyName(key) : 'generic';
  const notes = [];
  if (key !== null && !spec) {
    if (outer === null || !WRAPPERS.includes(modelType)) {
      notes.push({ key: outer && innerType !== null ? 'text_config.model_type' : 'model_type',
        why: `'${key}' is not a family posenc knows: read with the generic (Llama) conventions of transformers' modeling_rope_utils.py` });
    }
  }
  spec ??= own({ ...LLAMA, source: 'modeling_rope_utils.py (generic)' });
  const defaults = own(spec.defaults);

  // Layer lists are built per layer: the count is bounded far above any model's.
  const layers = r.int(['num_hidden_layers', 'n_layer', 'n_layers', 'num_layers'], { max: 100000, fallback: defaults.num_hidden_layers ?? null });
  const heads = r.int(['num_attention_heads', 'n_head', 'n_heads', 'num_heads'], { fallback: defaults.num_attention_heads ?? null });
  const hidden = r.int(spec.distil ? ['dim'] : ['hidden_size', 'n_embd', 'd_model'], { fallback: defaults.hidden_size ?? null });
  const info = { modelType, family, source: spec.source, method: spec.method, contextLength: null, layers, heads, headDim: null, layerTypes: null };

  let method = spec.method;
  if (spec.alibiKey && r.bool(spec.alibiKey, false)) method = 'alibi';
  if (spec.baichuan) {
    if (hidden === 5120) method = 'alibi';
    else if (hidden !== 4096) {
      throw new RangeError(`${where}: ${r.name('hidden_size')} ${show(hidden)}: Baichuan's config does not say whether it uses ALiBi (13B, 5120) or RoPE (7B, 4096)`);
    }
  }
  info.method = method;

  if (method === 'rope') readRope(r, spec, info, hidden);
  else if (method === 'alibi') readAlibi(r, spec, info, hidden);
  else if (method === 'learned') readLearned(r, spec, info, hidden);
  else if (method === 't5') readT5(r, info);
  else readSinusoidal(r, spec, info, hidden);

  for (const [k, why] of Object.entries(spec.known ?? {})) r.ignore(k, why);
  const inner = r.finish(family, outer ? 'text_config.' : '');
  info.ignoredKeys = [...notes, ...(outer ? outer.finish(family) : []), ...inner];
  return info;
}

function headDimOf(r, spec, hidden, heads) {
  // Gemma's configuration classes default head_dim to 256 whatever hidden_size / heads is.
  const given = r.int(['head_dim'], { min: 2, max: 8192, fallback: spec.headDimDefault ?? null });
  if (given !== null) return given;
  if (hidden !== null && heads !== null) {
    const d = Math.floor(hidden / heads);
    if (d > 8192) throw new RangeError(`${r.where}: hidden_size / num_attention_heads gives a head dimension of ${d}; it must be at most 8192 (or give head_dim)`);
    return d;
  }
  throw new RangeError(`${r.where}: config needs head_dim, or hidden_size and num_attention_heads`);
}

function readRope(r, spec, info, hidden) {
  const where = r.where;
  info.contextLength = r.int(spec.chatglm ? ['seq_length', 'max_position_embeddings'] : spec.rotaryDimKey ? ['n_positions', 'max_position_embeddings'] : ['max_position_embeddings'],
    { fallback: spec.defaults?.max_position_embeddings ?? null });
  if (spec.baichuan) info.contextLength = r.int(['model_max_length', 'max_position_embeddings'], { fallback: null });
  let headDim, ropeHeadDim, layout = spec.layout;
  const extraSection = {};
  if (spec.chatglm) {
    headDim = r.int(['kv_channels'], { min: 2, max: 8192, fallback: null }) ?? headDimOf(r, spec, hidden, info.heads);
    ropeHeadDim = headDim;
    const ratio = r.num(['rope_ratio'], { above: 0 }, 1);
    extraSection.rope_theta = 10000 * ratio;
    extraSection.partial_rotary_factor = 0.5;
    r.ignore('original_rope', 'ChatGLM2+ apply the interleaved rotation whatever its value (apply_rotary_pos_emb)');
  } else if (spec.ropeHeadDimKey) {
    const ropeDim = r.int([spec.ropeHeadDimKey], { min: 2, max: 8192, fallback: 64 });
    const given = r.int(['head_dim'], { min: 2, max: 8192, fallback: null });
    if (given !== null && given !== ropeDim) {
      throw new RangeError(`${where}: ${r.name('head_dim')} (${given}) and ${r.name(spec.ropeHeadDimKey)} (${ropeDim}) disagree (transformers sets head_dim = qk_rope_head_dim)`);
    }
    const nope = r.int(['qk_nope_head_dim'], { min: 0, fallback: null });
    headDim = nope !== null ? nope + ropeDim : ropeDim;
    ropeHeadDim = ropeDim;
    if (spec.interleaveKey && r.bool(spec.interleaveKey, true) === false) layout = 'half';
  } else {
    headDim = headDimOf(r, spec, hidden, info.heads);
    ropeHeadDim = headDim;
    if (spec.rotaryDimKey) {
      const rotary = r.int([spec.rotaryDimKey], { min: 2, max: headDim, fallback: null });
      if (rotary !== null) extraSection.partial_rotary_factor = rotary / headDim;
      r.ignore('rotary', "GPT-J and CodeGen always rotate (modeling_gptj.py); transformers does not read this flag");
    }
  }
  info.headDim = headDim;
  const layerTypes = spec.layerTypes ? spec.layerTypes(r, info.layers) : explicitLayerTypes(r, info.layers);
  info.layerTypes = layerTypes;
  const { sections, nested } = ropeSections(r, spec, layerTypes);
  for (const s of sections.values()) {
    for (const [k, v] of Object.entries(extraSection)) {
      if (k === 'rope_theta' && s.section.rope_theta !== 10000 && s.section.rope_theta !== v) {
        throw new RangeError(`${where}: ${s.thetaName} (${s.section.rope_theta}) and ${r.name('rope_ratio')} disagree`);
      }
      s.section[k] = v;
    }
  }
  let noRopeLayers = spec.noRope ? spec.noRope(r, info.layers) : [];
  if (spec.noRopeTypes && layerTypes) {
    noRopeLayers = layerTypes.flatMap((t, i) => (spec.noRopeTypes.includes(t) ? [i] : []));
  }
  info.rope = { layout, headDim: ropeHeadDim, maxPositionEmbeddings: info.contextLength ?? 0, sections, nested, noRopeLayers,
    noRopeTypes: spec.noRopeTypes ?? [], extraKeys: spec.ropeExtraKeys ?? [], family: info.family };
}

function readAlibi(r, spec, info, hidden) {
  const where = r.where;
  if (info.heads === null) throw new RangeError(`${where}: config needs num_attention_heads (or n_head / n_heads) for ALiBi`);
  let biasMax = 8;
  if (spec.mpt) {
    // MPT keeps its attention options in attn_config; transformers' MptModel always builds ALiBi
    // (build_mpt_alibi_tensor with alibi_bias_max).
    const a = r.c.attn_config;
    r.read.add('attn_config');
    if (a !== undefined && !isObject(a)) throw new TypeError(`${where}: ${r.name('attn_config')} must be an object, got ${show(a)}`);
    const ar = new Reader(where, a ?? {}, r.name('attn_config'));
    if (ar.bool('alibi', true) === false) throw new RangeError(`${where}: ${ar.name('alibi')} is false: transformers' MptModel supports ALiBi only`);
    biasMax = ar.num(['alibi_bias_max'], { above: 0 }, 8);
    for (const k of ['attn_type', 'attn_impl', 'attn_pdrop', 'attn_uses_sequence_id', 'clip_qkv', 'qk_ln', 'softmax_scale', 'prefix_lm']) {
      ar.ignore(k, k === 'prefix_lm' || k === 'attn_uses_sequence_id' ? 'mask options (MptModel does not read them)' : 'attention settings other than positions');
    }
    for (const e of ar.finish(info.family, 'attn_config.')) r.ignored.push(e);
    r.ignore('learned_pos_emb', "transformers' MptModel has no learned position table (modeling_mpt.py builds ALiBi only)");
    info.contextLength = r.int(['max_seq_len'], { fallback: 2048 });
  } else if (spec.baichuan) {
    info.contextLength = r.int(['model_max_length', 'max_position_embeddings'], { fallback: null });
  } else {
    info.contextLength = r.int(['max_position_embeddings', 'seq_length'], { fallback: spec.defaults?.max_position_embeddings ?? null });
    if (info.family === 'falcon') {
      for (const k of ['rope_theta', 'rope_scaling', 'rope_parameters']) r.ignore(k, 'Falcon with alibi: true applies no RoPE (modeling_falcon.py)');
    }
    if (info.family === 'bloom') r.ignore('offset_alibi', 'Megatron-DeepSpeed setting that transformers\' BloomModel does not read');
  }
  if (hidden !== null) info.headDim = Math.floor(hidden / info.heads);
  info.alibi = { heads: info.heads, biasMax, form: spec.mpt ? 'mpt' : 'press' };
}

function readLearned(r, spec, info, hidden) {
  const where = r.where;
  if (spec.absoluteKey) {
    const t = r.pick(['position_embedding_type']);
    if (t.value !== undefined && t.value !== 'absolute') {
      throw new RangeError(`${where}: ${r.name('position_embedding_type')} ${show(t.value)} is not supported (only 'absolute')`);
    }
  }
  const rows = r.int(['max_position_embeddings', 'n_positions', 'n_ctx'], { fallback: null });
  if (rows === null) throw new RangeError(`${where}: config needs max_position_embeddings (or n_positions) for a learned table`);
  if (hidden !== null && info.heads !== null) info.headDim = Math.floor(hidden / info.heads);
  if (spec.distil && r.bool('sinusoidal_pos_embds', false)) {
    info.method = 'sinusoidal';
    info.contextLength = rows;
    info.sinusoidal = { layout: 'vaswani', paddingIdx: null, dim: hidden, maxPositions: rows, offset: 0 };
    return;
  }
  let offset = spec.offset, tableRows = rows, maxPositions = rows;
  if (offset === 'padding') {
    const pad = r.int(['pad_token_id'], { min: 0, fallback: 1 });
    offset = pad + 1;
    maxPositions = rows - offset;
    if (maxPositions < 1) throw new RangeError(`${where}: max_position_embeddings (${rows}) leaves no position after padding_idx + 1 (${offset})`);
  } else if (offset > 0) {
    tableRows = rows + offset;
  }
  info.contextLength = maxPositions;
  info.learned = { maxPositions, offset, tableRows, dim: hidden };
}

function readT5(r, info) {
  const numBuckets = r.int(['relative_attention_num_buckets'], { fallback: 32 });
  const maxDistance = r.int(['relative_attention_max_distance'], { fallback: 128 });
  info.headDim = r.int(['d_kv'], { fallback: null });
  info.layers = info.layers ?? null;
  r.read.add('num_decoder_layers');
  r.ignore('n_positions', 'T5 has no position limit; n_positions is a documentation default');
  info.t5 = { numBuckets, maxDistance, bidirectional: true, decoderBidirectional: false };
}

function readSinusoidal(r, spec, info, hidden) {
  const rows = r.int(['max_position_embeddings', 'max_source_positions'], { fallback: null });
  r.read.add('max_target_positions');
  const pad = spec.padded ? r.int(['pad_token_id'], { min: 0, fallback: 1 }) : null;
  if (hidden !== null && info.heads !== null) info.headDim = Math.floor(hidden / info.heads);
  for (const k of ['encoder_attention_heads', 'decoder_attention_heads', 'encoder_layers', 'decoder_layers']) r.read.add(k);
  info.heads ??= r.c.encoder_attention_heads ?? null;
  info.layers ??= r.c.encoder_layers ?? null;
  if (info.headDim === null && hidden !== null && info.heads !== null) info.headDim = Math.floor(hidden / info.heads);
  info.contextLength = rows;
  info.sinusoidal = { layout: spec.layout, paddingIdx: pad, dim: hidden, maxPositions: rows, offset: pad === null ? 0 : pad + 1 };
}
