// SPDX-License-Identifier: MIT
// Small model configs in Hugging Face's config.json format, one per RoPE scaling, for the scaling
// widget. They follow the shapes of well-known models but are written for this page: the LongRoPE
// factors in particular are illustrative, not any released model's.
export const PRESETS = Object.freeze({
  linear: {
    _comment: 'Llama-2-7B-style with position interpolation (linear, factor 4)',
    hidden_size: 4096, num_attention_heads: 32, max_position_embeddings: 4096, rope_theta: 10000,
    rope_scaling: { rope_type: 'linear', factor: 4 },
  },
  ntk: {
    _comment: 'Llama-2-7B-style with NTK-aware scaling of the base (factor 4)',
    hidden_size: 4096, num_attention_heads: 32, max_position_embeddings: 4096, rope_theta: 10000,
    rope_scaling: { rope_type: 'ntk', factor: 4 },
  },
  dynamic: {
    _comment: 'Llama-2-7B-style with dynamic NTK scaling (factor 4): changes only past max_position_embeddings',
    hidden_size: 4096, num_attention_heads: 32, max_position_embeddings: 4096, rope_theta: 10000,
    rope_scaling: { rope_type: 'dynamic', factor: 4 },
  },
  yarn: {
    _comment: 'YaRN, factor 8 from 4096 positions',
    hidden_size: 4096, num_attention_heads: 32, max_position_embeddings: 32768, rope_theta: 10000,
    rope_scaling: { rope_type: 'yarn', factor: 8, original_max_position_embeddings: 4096, beta_fast: 32, beta_slow: 1 },
  },
  llama3: {
    _comment: 'Llama-3.1-8B-style',
    hidden_size: 4096, num_attention_heads: 32, max_position_embeddings: 131072, rope_theta: 500000,
    rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
  },
  longrope: {
    _comment: 'Phi-3-style LongRoPE (head_dim 96); the factors are illustrative',
    hidden_size: 3072, num_attention_heads: 32, max_position_embeddings: 131072, original_max_position_embeddings: 4096,
    rope_theta: 10000,
    rope_scaling: {
      rope_type: 'longrope',
      short_factor: [1.0, 1.0, 1.0, 1.0, 1.0, 1.001, 1.001, 1.001, 1.001, 1.002, 1.002, 1.003, 1.003, 1.004, 1.004, 1.005,
        1.006, 1.007, 1.007, 1.008, 1.009, 1.01, 1.011, 1.012, 1.013, 1.014, 1.015, 1.017, 1.018, 1.019, 1.02, 1.022,
        1.023, 1.025, 1.026, 1.028, 1.029, 1.031, 1.033, 1.034, 1.036, 1.038, 1.04, 1.042, 1.044, 1.046, 1.048, 1.05],
      long_factor: [1.0, 1.08, 1.25, 1.48, 1.76, 2.08, 2.45, 2.85, 3.29, 3.77, 4.28, 4.82, 5.39, 5.99, 6.62, 7.27,
        7.96, 8.66, 9.4, 10.16, 10.94, 11.75, 12.58, 13.43, 14.31, 15.2, 16.12, 17.07, 18.03, 19.01, 20.02, 21.04,
        22.08, 23.15, 24.23, 25.33, 26.46, 27.6, 28.76, 29.93, 31.13, 32.34, 33.58, 34.83, 36.09, 37.38, 38.68, 40.0],
    },
  },
});

/** The preset as the text a user would paste (without the comment key). */
export function presetText(name) {
  const { _comment: _, ...config } = PRESETS[name];
  return JSON.stringify(config, null, 2);
}
