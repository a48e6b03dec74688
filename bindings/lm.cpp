// SPDX-License-Identifier: MIT
// Embind: the tiny language model's trainer (src/posenc/lm/train.hpp). Trainers live in the module
// and are named by small integer handles (no Embind object crosses to JavaScript); the package
// wraps a handle in an object with dispose().
#include <emscripten/bind.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <span>

#include "common.hpp"
#include "posenc/lm/corpus.hpp"
#include "posenc/lm/train.hpp"

namespace {

using namespace posenc;
using namespace posenc::bind;
using namespace posenc::lm;

constexpr int max_trainers = 64;
Trainer* g_trainers[max_trainers] = {};

// Settings order (web/package/lib/lm.js mirrors it).
enum Slot : std::size_t {
  vocab, d_model, layers, heads, mlp, context, batch, position, tied, rope_theta, t5_buckets, t5_max_distance, seed,
  steps, lr, warmup, final_lr_ratio, weight_decay, clip, position_lr_mult, data_seed, slot_count
};

Trainer* lookup(int id) { return id >= 0 && id < max_trainers ? g_trainers[id] : nullptr; }

// RoPE scaling at evaluation / fine-tuning: type (0 none, 1 linear, 2 ntk, 4 yarn), factor, original context.
RopeConfig scaling(double type, double factor, double original) {
  RopeConfig r;
  r.rope_type = static_cast<RopeType>(int(type));
  r.factor = factor;
  r.original_max_position_embeddings = static_cast<std::int64_t>(original);
  r.max_position_embeddings = static_cast<std::int64_t>(original);
  return r;
}

// A trainer on `text` (the training stream), stored in the first free slot; its id to *id_out.
int create(std::uintptr_t settings, std::uint32_t n_settings, std::span<const std::int32_t> text,
           std::uintptr_t id_out) {
  if (n_settings != slot_count) return report(Status::range("settings", "wrong number of settings"));
  const double* s = reinterpret_cast<const double*>(settings);
  for (std::size_t i : {vocab, d_model, layers, heads, mlp, context, batch, steps})
    if (!whole(s[i], 1, 1 << 24)) return report(Status::range("settings", "sizes must be integers >= 1"));
  if (!whole(s[position], 0, 6)) return report(Status::type("position", "unknown position method"));
  if (!whole(s[t5_buckets], 2, 1 << 20) || !whole(s[t5_max_distance], 1, 1 << 30))
    return report(Status::range("t5Buckets", "t5Buckets and t5MaxDistance must be integers"));
  if (!is_seed(s[seed]) || !is_seed(s[data_seed]))
    return report(Status::range("seed", "must be an integer in [0, 2^53)"));
  int id = 0;
  while (id < max_trainers && g_trainers[id]) ++id;
  if (id == max_trainers) return report(Status::range("trainer", "too many live trainers (dispose some)"));
  const TrainerConfig c{
      .model = {.vocab = std::size_t(s[vocab]), .d_model = std::size_t(s[d_model]), .layers = std::size_t(s[layers]),
                .heads = std::size_t(s[heads]), .mlp = std::size_t(s[mlp]), .context = std::size_t(s[context]),
                .batch = std::size_t(s[batch]), .position = static_cast<Position>(int(s[position])),
                .tied = s[tied] != 0, .rope_theta = s[rope_theta], .t5_buckets = std::int32_t(s[t5_buckets]),
                .t5_max_distance = std::int32_t(s[t5_max_distance]), .seed = std::uint64_t(s[seed])},
      .steps = std::size_t(s[steps]),
      .lr = s[lr],
      .warmup_fraction = s[warmup],
      .final_lr_ratio = s[final_lr_ratio],
      .optimizer = {.weight_decay = s[weight_decay], .clip = s[clip], .position_lr_mult = s[position_lr_mult]},
      .data_seed = std::uint64_t(s[data_seed])};
  Trainer* t = nullptr;
  if (Status st = trainer_create(c, text, &t); !st.ok()) return report(st);
  g_trainers[id] = t;
  *reinterpret_cast<std::int32_t*>(id_out) = id;
  return 0;
}

int lm_create(std::uintptr_t settings, std::uint32_t n_settings, std::uintptr_t text, std::uint32_t n_text,
              std::uintptr_t id_out) {
  return create(settings, n_settings, buffer<const std::int32_t>(text, n_text), id_out);
}

// The same, training on the first `length` ids of the generated corpus's training stream: made here,
// so the stream is never copied through JavaScript (a 2M-token stream costs one call, not three).
int lm_create_corpus(std::uintptr_t settings, std::uint32_t n_settings, double corpus_seed, std::uint32_t length,
                     std::uintptr_t id_out) {
  if (!is_seed(corpus_seed)) return report(Status::range("corpus.seed", "must be an integer in [0, 2^53)"));
  if (length == 0 || length > (1u << 26)) return report(Status::range("corpus.length", "must be in [1, 2^26]"));
  std::unique_ptr<std::int32_t, decltype(&std::free)> ids(
      static_cast<std::int32_t*>(std::malloc(std::size_t(length) * sizeof(std::int32_t))), &std::free);
  if (!ids) return report(Status::range("corpus.length", "out of memory for the training stream"));
  const std::span<std::int32_t> stream(ids.get(), length);
  if (Status st = corpus_generate_ids(std::uint64_t(corpus_seed), CorpusStream::train, stream); !st.ok())
    return report(st);
  return create(settings, n_settings, stream, id_out);
}

int lm_train(int id, std::uint32_t steps, std::uintptr_t out) {
  Trainer* t = lookup(id);
  if (!t) return report(Status::range("trainer", "has been disposed"));
  double loss = 0;
  std::size_t done = 0;
  if (Status s = trainer_step(t, steps, &loss, &done); !s.ok()) return report(s);
  double* o = reinterpret_cast<double*>(out);
  o[0] = loss;
  o[1] = double(done);
  o[2] = double(trainer_steps_done(t));
  return 0;
}

// Data-parallel steps (train.hpp): a node's partial sum of the drawn batch's gradients, then the step.
int lm_gradients(int id, std::uint32_t lo, std::uint32_t hi, std::uintptr_t sum, std::uint32_t n_sum,
                 std::uintptr_t losses, std::uint32_t n_losses, std::uintptr_t out) {
  Trainer* t = lookup(id);
  if (!t) return report(Status::range("trainer", "has been disposed"));
  if (Status s = trainer_tree_gradient(t, lo, hi, buffer<float>(sum, n_sum), buffer<double>(losses, n_losses)); !s.ok())
    return report(s);
  *reinterpret_cast<double*>(out) = double(trainer_steps_done(t));
  return 0;
}

int lm_apply_gradient(int id, std::uintptr_t gradient, std::uint32_t n, std::uintptr_t out) {
  Trainer* t = lookup(id);
  if (!t) return report(Status::range("trainer", "has been disposed"));
  if (Status s = trainer_apply_gradient(t, buffer<const float>(gradient, n)); !s.ok()) return report(s);
  *reinterpret_cast<double*>(out) = double(trainer_steps_done(t));
  return 0;
}

int lm_finetune(int id, std::uint32_t context, double rope_type, double factor, double original, std::uint32_t steps,
                double lr, std::uintptr_t out) {
  Trainer* t = lookup(id);
  if (!t) return report(Status::range("trainer", "has been disposed"));
  double loss = 0;
  if (Status s = trainer_finetune(t, context, scaling(rope_type, factor, original), steps, lr, &loss); !s.ok())
    return report(s);
  *reinterpret_cast<double*>(out) = loss;
  return 0;
}

int lm_evaluate(int id, std::uintptr_t tokens, std::uint32_t n, std::uint32_t length, std::uint32_t max_scored,
                double rope_type, double factor, double original, bool streaming, std::uint32_t window,
                std::uintptr_t out) {
  Trainer* t = lookup(id);
  if (!t) return report(Status::range("trainer", "has been disposed"));
  EvalOptions opt{.rope = scaling(rope_type, factor, original), .streaming = streaming, .window = window};
  double ppl = 0;
  std::size_t scored = 0;
  if (Status s = evaluate_perplexity(trainer_model(t), buffer<const std::int32_t>(tokens, n), length, max_scored, opt,
                                     &ppl, &scored);
      !s.ok())
    return report(s);
  double* o = reinterpret_cast<double*>(out);
  o[0] = ppl;
  o[1] = double(scored);
  return 0;
}

// The attention share beyond each of `n_distances` distances (Int32Array, each >= 0) into
// share [layers][heads][n_distances]; queries averaged and the windows' perplexity into out[0..1].
int lm_profile(int id, std::uintptr_t tokens, std::uint32_t n, std::uint32_t length, std::uint32_t max_scored,
               double rope_type, double factor, double original, std::uintptr_t distances, std::uint32_t n_distances,
               std::uintptr_t share, std::uint32_t n_share, std::uintptr_t out) {
  Trainer* t = lookup(id);
  if (!t) return report(Status::range("trainer", "has been disposed"));
  if (n_distances < 1 || n_distances > 64) return report(Status::range("distances", "must hold 1 to 64 distances"));
  std::size_t ds[64];
  const std::int32_t* di = reinterpret_cast<const std::int32_t*>(distances);
  for (std::uint32_t k = 0; k < n_distances; ++k) {
    if (di[k] < 0) return report(Status::range("distances", "must be integers >= 0"), k);
    ds[k] = std::size_t(di[k]);
  }
  const EvalOptions opt{.rope = scaling(rope_type, factor, original)};
  std::size_t queries = 0;
  double ppl = 0;
  if (Status s = attention_profile(trainer_model(t), buffer<const std::int32_t>(tokens, n), length, max_scored, opt,
                                   {ds, n_distances}, buffer<double>(share, n_share), &queries, &ppl);
      !s.ok())
    return report(s);
  double* o = reinterpret_cast<double*>(out);
  o[0] = double(queries);
  o[1] = ppl;
  return 0;
}

// Bytes: parameters, optimiser state, gradients, training activations (model_memory).
int lm_memory(int id, std::uintptr_t out) {
  Trainer* t = lookup(id);
  if (!t) return report(Status::range("trainer", "has been disposed"));
  const MemoryUse u = model_memory(trainer_model(t));
  double* o = reinterpret_cast<double*>(out);
  o[0] = double(u.parameter_bytes);
  o[1] = double(u.optimizer_bytes);
  o[2] = double(u.gradient_bytes);
  o[3] = double(u.activation_bytes);
  return 0;
}

double lm_parameter_count(int id) {
  Trainer* t = lookup(id);
  return t ? double(model_parameter_count(trainer_model(t))) : -1.0;
}

void lm_destroy(int id) {
  if (Trainer* t = lookup(id)) {
    trainer_destroy(t);
    g_trainers[id] = nullptr;
  }
}

int lm_live() {
  int n = 0;
  for (Trainer* t : g_trainers) n += t != nullptr;
  return n;
}

}  // namespace

EMSCRIPTEN_BINDINGS(posenc_lm) {
  emscripten::function("lmCreate", &lm_create);
  emscripten::function("lmCreateCorpus", &lm_create_corpus);
  emscripten::function("lmTrain", &lm_train);
  emscripten::function("lmFinetune", &lm_finetune);
  emscripten::function("lmGradients", &lm_gradients);
  emscripten::function("lmApplyGradient", &lm_apply_gradient);
  emscripten::function("lmEvaluate", &lm_evaluate);
  emscripten::function("lmProfile", &lm_profile);
  emscripten::function("lmMemory", &lm_memory);
  emscripten::function("lmParameterCount", &lm_parameter_count);
  emscripten::function("lmDestroy", &lm_destroy);
  emscripten::function("lmLive", &lm_live);
}
