// SPDX-License-Identifier: MIT
// posenc: a tiny decoder-only transformer language model, to train short and test long.
//
//     x_0   = E[tok] * s + PE            (s = sqrt(d) for sinusoidal, as fairseq; 1 otherwise;
//                                         PE: learned or sinusoidal table, 0 for the others)
//     x'    = x + Attn(LN1(x)) W_o       causal multi-head attention; the position method acts
//                                        inside it (rope rotates q and k; alibi, t5, kerple add a
//                                        bias to the logits; none adds nothing)
//     x''   = x' + GELU(LN2(x') W_1 + b_1) W_2 + b_2
//     logits = LN_f(x_L) E^T             (tied output layer; untied: W_out)
//     loss  = mean over positions of -log softmax(logits)[next token]
//
// GELU is the tanh form (GPT-2). LayerNorm has eps 1e-5. The attention is the library's engine
// (attention.hpp, plain path with its weights returned for the backward pass; streaming for long
// evaluation windows), so every position method runs the same code as pe.attention(). The backward
// pass is written by hand; tests check it against central finite differences in float64.
//
// Parameters (one contiguous float32 block):
//   tok_emb [V][d] | pos_emb [context][d] (learned) | per layer: ln1 g,b [d] | Wq Wk Wv Wo [d][d] |
//   ln2 g,b [d] | W1 [d][m] b1 [m] | W2 [m][d] b2 [d] | t5 table [buckets][heads] (shared by the
//   layers) or kerple log r1, log r2 [layers][heads] | lnf g,b [d] | W_out [d][V] (untied)
// Initialisation (GPT-2 style): matrices N(0, 0.02), residual projections (Wo, W2) scaled by
// 1/sqrt(2 layers); sinusoidal token embeddings N(0, 1/d); LayerNorm gains 1; T5 table 0;
// KERPLE r1 = r2 = 1. Deterministic for a seed (SplitMix64, learned.hpp's normal sampler).
//
// Optimiser: AdamW (Loshchilov & Hutter) with decoupled weight decay on the matrices and
// embeddings (not on LayerNorm, biases or position parameters), global-norm gradient clipping, a
// per-group learning-rate multiplier (T5's table learns faster), and the caller's learning rate
// (lm/train.hpp gives the warm-up + cosine schedule). No allocation inside a step: every buffer is
// sized when the model is created (or when a longer training context is reserved).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "posenc/rope.hpp"
#include "posenc/status.hpp"

namespace posenc::lm {

enum class Position : std::int32_t { none = 0, learned = 1, sinusoidal = 2, rope = 3, alibi = 4, t5 = 5, kerple = 6 };

struct Config {
  std::size_t vocab = 64;
  std::size_t d_model = 32;
  std::size_t layers = 2;
  std::size_t heads = 4;
  std::size_t mlp = 128;         // hidden units of the MLP
  std::size_t context = 64;      // training context length L
  std::size_t batch = 16;        // sequences per training step
  Position position = Position::rope;
  bool tied = true;              // output layer = token embedding^T
  double rope_theta = 10000.0;
  std::int32_t t5_buckets = 32;
  std::int32_t t5_max_distance = 64;
  std::uint64_t seed = 1;
};

struct Optimizer {
  double beta1 = 0.9;
  double beta2 = 0.98;
  double eps = 1e-8;
  double weight_decay = 0.01;
  double clip = 1.0;              // global gradient norm (0: no clipping)
  double position_lr_mult = 10.0; // T5 / KERPLE parameters (LAB.md: T5 learns at 10x)
};

// RoPE frequencies used at evaluation (position interpolation, NTK, YaRN...): a rope.hpp config
// whose scaling is applied to the model's head dimension and theta (its head_dim and rope_theta are
// ignored; set original_max_position_embeddings to the training context for yarn). rope_type
// default: the training frequencies.
//
// window: 0 (default) is full causal attention. C >= 1 cuts every layer's attention to a band:
// query i sees keys j with i - C < j <= i (positions stay where they are). With one layer the
// prediction then depends on the last C tokens only; with n layers on at most the last n (C - 1) + 1,
// since each layer reaches C - 1 further back. C >= length is exactly the full attention (the same
// code path, the same numbers).
struct EvalOptions {
  RopeConfig rope;
  bool streaming = false;  // the engine's online-softmax path (long windows)
  std::size_t window = 0;
};

// Accumulates, for every layer and head, the attention weight each query puts on keys farther than
// each distance: beyond[(layer * heads + head) * distances.size() + k] += sum of w_ij over keys j with
// i - j > distances[k], once per query i (so mean = beyond / queries). Filled by model_evaluate from
// the weights its own attention computed (full attention only: window must be 0).
struct AttentionProfile {
  std::span<const std::size_t> distances;
  std::span<double> beyond;
  std::size_t queries = 0;  // queries added so far (per layer and head)
};

// Bytes of the model's allocations: parameters; the AdamW moments (2 x parameters); the gradients
// (1 x parameters); the activation block of a training step (forward activations kept for the
// backward pass, attention weights [batch][heads][context][context] per layer, activation gradients
// and scratch) for the largest context reserved so far. A training step touches gradients +
// activations: that is the step's memory beyond the parameters and optimiser state.
struct MemoryUse {
  std::uint64_t parameter_bytes = 0;
  std::uint64_t optimizer_bytes = 0;
  std::uint64_t gradient_bytes = 0;
  std::uint64_t activation_bytes = 0;
};

struct Model;

// Create a model (all buffers allocated here). Errors name the Config field.
Status model_create(const Config& config, Model** out);
void model_destroy(Model* model);

const Config& model_config(const Model* model);
std::size_t model_parameter_count(const Model* model);
std::span<float> model_parameters(Model* model);
std::span<float> model_gradients(Model* model);
MemoryUse model_memory(const Model* model);

// Training windows longer than Config::context (fine-tuning at 2x or 4x L, e.g. with scaled RoPE):
// allocates the activations for `context` tokens; learned positions cannot (their table is fixed).
Status model_reserve_context(Model* model, std::size_t context);

// Loss and gradients (in model_gradients) of tokens [batch][context + 1] (inputs and next-token
// targets), without updating. `rope` as in EvalOptions (training frequencies when unset).
// `normalizer`: the loss is the sum of -log p over the positions divided by it (0: batch * context,
// the mean). Part of a larger batch passes the whole batch's position count, so the parts'
// gradients add up to the whole batch's (lm/train.hpp's data-parallel steps).
Status model_loss_and_gradients(Model* model, std::span<const std::int32_t> tokens, std::size_t batch,
                                std::size_t context, const RopeConfig* rope, double* loss, std::size_t normalizer = 0);

// One AdamW step with the gradients in model_gradients(); returns the gradient norm before clipping.
double model_adamw_step(Model* model, const Optimizer& opt, double lr);

// Sum of -log p(next token) over every position of `sequences` windows of `length` tokens each
// (tokens [sequences][length + 1]) and the number of positions scored. `length` may exceed the
// training context except with learned positions (a RangeError naming "length": the table has no
// row for those positions). With `profile`, the attention weights of every layer are accumulated
// into it (options.window must then be 0).
Status model_evaluate(Model* model, std::span<const std::int32_t> tokens, std::size_t sequences, std::size_t length,
                      const EvalOptions& options, double* nll_sum, std::size_t* count,
                      AttentionProfile* profile = nullptr);

}  // namespace posenc::lm
