// SPDX-License-Identifier: MIT
// posenc: training and evaluating the tiny language model on a token stream (the train-short,
// test-long experiment of Press et al. 2022 at toy scale; settings from the project's LAB study).
//
//   train      `steps` AdamW steps; each step draws `batch` windows of context + 1 tokens at
//              uniformly random offsets of the training stream (SplitMix64, seeded);
//              learning rate: linear warm-up over warmup_fraction of the steps, then cosine decay
//              to final_lr_ratio of the peak.
//   fine-tune  more steps at a longer context with scaled RoPE frequencies (position interpolation
//              needs this: Chen et al. 2023 fine-tune briefly), at a constant learning rate.
//   evaluate   perplexity exp(mean -log p) over non-overlapping windows of `length` tokens from the
//              start of the evaluation stream, every position of a window scored (as the paper's
//              non-overlapping evaluation), up to `max_scored` positions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "posenc/lm/model.hpp"

namespace posenc::lm {

struct TrainerConfig {
  Config model;
  std::size_t steps = 1000;
  double lr = 1e-2;
  double warmup_fraction = 0.05;
  double final_lr_ratio = 0.1;
  Optimizer optimizer;
  std::uint64_t data_seed = 1;
};

// The learning rate at `step` (0-based) of `steps`.
double learning_rate(const TrainerConfig& c, std::size_t step);

struct Trainer;

// Copies the training stream (token ids < vocab; at least context + 2 of them).
Status trainer_create(const TrainerConfig& config, std::span<const std::int32_t> train_stream, Trainer** out);
void trainer_destroy(Trainer* trainer);
Model* trainer_model(Trainer* trainer);
std::size_t trainer_steps_done(const Trainer* trainer);

// Run up to `n` more scheduled steps (fewer when the schedule ends); mean loss of those steps.
//
// A step's gradient is defined per sequence, so that it can be computed by any number of workers
// with the same result bit for bit: g_b is the gradient of sequence b's summed -log p divided by
// B * context, and the step's gradient is the float32 sum of the g_b over a fixed binary tree,
//     S(b, b + 1) = g_b,   S(lo, hi) = S(lo, mid) + S(mid, hi),   mid = lo + (hi - lo) / 2,
// g = S(0, B). (It is the gradient of the batch's mean loss, up to float32 rounding.) The step's loss
// is the sum, in double and in sequence order, of each sequence's loss over B * context.
Status trainer_step(Trainer* trainer, std::size_t n, double* mean_loss, std::size_t* done);

// Data-parallel steps, for replicas of one trainer (same settings and stream) on separate workers.
// trainer_tree_gradient draws the next step's batch if it is not drawn yet (every replica draws the
// same), then writes S(lo, hi) (the rule above applied to [lo, hi)) to `sum` (P floats, P =
// model_parameter_count) and the losses of sequences lo .. hi - 1 to `losses`. For a node of the tree
// over [0, B), that is exactly the partial sum trainer_step forms; the nodes of several workers
// combine into S(0, B) by the same rule. Ranges may be asked for in any order, several times, until
// trainer_apply_gradient takes the step: one AdamW step with `gradient` (S(0, B)) at the schedule's
// learning rate. Errors: "trainer" when the schedule is finished, "lo"/"hi" out of range, "sum",
// "losses" or "gradient" of the wrong length, or a gradient that is not finite.
Status trainer_tree_gradient(Trainer* trainer, std::size_t lo, std::size_t hi, std::span<float> sum,
                             std::span<double> losses);
Status trainer_apply_gradient(Trainer* trainer, std::span<const float> gradient);

// `steps` steps at `context` tokens with `rope` (scaled) frequencies at a constant learning rate.
Status trainer_finetune(Trainer* trainer, std::size_t context, const RopeConfig& rope, std::size_t steps, double lr,
                        double* mean_loss);

// Perplexity over windows of `length` tokens of `eval_stream`; `scored` positions used.
// options.window cuts the attention to a band (model.hpp): the same windows and scored tokens, so
// perplexity(window C) - perplexity(full) is the gain from the context beyond C.
Status evaluate_perplexity(Model* model, std::span<const std::int32_t> eval_stream, std::size_t length,
                           std::size_t max_scored, const EvalOptions& options, double* perplexity, std::size_t* scored);

// The attention share beyond each distance, read from the attention weights of the forward pass
// over the same windows as evaluate_perplexity (full attention, options.window ignored):
//     share[(layer * heads + head) * D + k] = (1 / Q) sum over queries i of sum over keys j with
//                                             i - j > distances[k] of w_ij
// Q = `queries` = every position of every window (windows * length); query i is the position within
// its window (0-based), so queries with i <= d contribute 0 to distance d. Each value lies in [0, 1],
// is non-increasing in d, and is 0 for d >= length - 1. `perplexity` of those windows as a by-product.
Status attention_profile(Model* model, std::span<const std::int32_t> eval_stream, std::size_t length,
                         std::size_t max_scored, const EvalOptions& options, std::span<const std::size_t> distances,
                         std::span<double> share, std::size_t* queries, double* perplexity);

}  // namespace posenc::lm
