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
Status trainer_step(Trainer* trainer, std::size_t n, double* mean_loss, std::size_t* done);

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
