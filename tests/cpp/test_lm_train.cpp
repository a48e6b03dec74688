// SPDX-License-Identifier: MIT
#include "posenc/lm/train.hpp"
#include "posenc/learned.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

using namespace posenc::lm;

TEST_CASE("lm train: warm-up then cosine decay to the final ratio") {
  const TrainerConfig c{.steps = 100, .lr = 1e-2, .warmup_fraction = 0.05, .final_lr_ratio = 0.1};
  CHECK(learning_rate(c, 0) == doctest::Approx(1e-2 / 5));
  CHECK(learning_rate(c, 4) == doctest::Approx(1e-2));
  CHECK(learning_rate(c, 5) == doctest::Approx(1e-2));  // start of the decay
  // halfway through the decay: 0.1 + 0.9 * 0.5 * (1 + cos(pi/2)) = 0.55 of the peak
  CHECK(learning_rate(c, 5 + 95 / 2) == doctest::Approx(1e-2 * (0.1 + 0.45 * (1 + std::cos(std::numbers::pi * 47.0 / 95.0)))));
  CHECK(learning_rate(c, 99) == doctest::Approx(1e-2 * (0.1 + 0.45 * (1 + std::cos(std::numbers::pi * 94.0 / 95.0)))));
  CHECK(learning_rate(c, 1000) == doctest::Approx(1e-3));
}

namespace {
// A stream with local structure: each token is (previous * 3 + 1) mod 7, restarted at random.
std::vector<std::int32_t> stream(std::size_t n, unsigned seed) {
  std::vector<std::int32_t> s(n);
  std::uint32_t r = seed;
  std::int32_t x = 0;
  for (auto& v : s) {
    r = r * 1664525u + 1013904223u;
    x = (r >> 28) == 0 ? std::int32_t((r >> 8) % 7) : (x * 3 + 1) % 7;
    v = x;
  }
  return s;
}
}  // namespace

TEST_CASE("lm train: training on a predictable stream lowers perplexity; runs are deterministic") {
  const auto train = stream(20000, 1), eval = stream(4000, 2);
  auto run = [&](std::size_t steps) {
    TrainerConfig c{.model = {.vocab = 7, .d_model = 16, .layers = 1, .heads = 2, .mlp = 32, .context = 16,
                              .batch = 8, .position = Position::alibi, .seed = 4},
                    .steps = steps, .lr = 1e-2, .data_seed = 9};
    Trainer* t = nullptr;
    REQUIRE(trainer_create(c, train, &t).ok());
    double loss = 0;
    std::size_t done = 0;
    REQUIRE(trainer_step(t, steps + 10, &loss, &done).ok());
    CHECK(done == steps);
    double ppl = 0;
    std::size_t scored = 0;
    REQUIRE(evaluate_perplexity(trainer_model(t), eval, 32, 2048, {}, &ppl, &scored).ok());
    CHECK(scored == 64 * 32);
    trainer_destroy(t);
    return ppl;
  };
  const double untrained = run(1), trained = run(150);
  CHECK(untrained > 5.0);  // about 7 (uniform over 7 tokens)
  CHECK(trained < 1.6);    // nearly deterministic transitions
  CHECK(run(150) == trained);
}

TEST_CASE("lm train: bad settings are refused by name") {
  Trainer* t = nullptr;
  const std::vector<std::int32_t> tiny(10, 1);
  CHECK(std::string(trainer_create({.steps = 0}, tiny, &t).param) == "steps");
  CHECK(std::string(trainer_create({.lr = -1}, tiny, &t).param) == "lr");
  CHECK(std::string(trainer_create({}, tiny, &t).param) == "text");  // shorter than context + 2
  const std::vector<std::int32_t> wrong(100, 99);
  CHECK(std::string(trainer_create({.model = {.vocab = 64, .context = 8}}, wrong, &t).param) == "text");
  // AdamW settings: NaN (which every comparison rejects) or out of range, refused before any allocation.
  const double nan = std::nan("");
  const std::vector<std::int32_t> ok(100, 1);
  const Config small{.vocab = 4, .d_model = 8, .layers = 1, .heads = 2, .mlp = 8, .context = 8, .batch = 2};
  const std::pair<Optimizer, const char*> bad[] = {
      {{.weight_decay = nan}, "weightDecay"}, {{.clip = nan}, "clip"},       {{.clip = -1}, "clip"},
      {{.beta1 = 1.0}, "beta1"},             {{.beta2 = nan}, "beta2"},     {{.eps = 0}, "eps"},
      {{.position_lr_mult = nan}, "positionLrMult"}, {{.weight_decay = 2}, "weightDecay"}};
  for (const auto& [o, name] : bad) {
    CHECK(std::string(trainer_create({.model = small, .optimizer = o}, ok, &t).param) == name);
    CHECK(t == nullptr);
  }
  REQUIRE(trainer_create({.model = small}, ok, &t).ok());
  double loss = 0;
  CHECK(std::string(trainer_finetune(t, 8, {}, 1, nan, &loss).param) == "lr");
  trainer_destroy(t);
}

namespace {
// The reduction tree of train.hpp written out again: the nodes that cover [first, end) exactly, and
// S(lo, hi) made from given node sums by the same rule (mid = lo + (hi - lo) / 2).
void cover(std::size_t lo, std::size_t hi, std::size_t first, std::size_t end, std::vector<std::pair<std::size_t, std::size_t>>& out) {
  if (hi <= first || lo >= end) return;
  if (first <= lo && hi <= end) {
    out.emplace_back(lo, hi);
    return;
  }
  const std::size_t mid = lo + (hi - lo) / 2;
  cover(lo, mid, first, end, out);
  cover(mid, hi, first, end, out);
}

using Sums = std::map<std::pair<std::size_t, std::size_t>, std::vector<float>>;
std::vector<float> combine(std::size_t lo, std::size_t hi, const Sums& have) {
  if (auto it = have.find({lo, hi}); it != have.end()) return it->second;
  REQUIRE(hi - lo > 1);
  const std::size_t mid = lo + (hi - lo) / 2;
  std::vector<float> a = combine(lo, mid, have);
  const std::vector<float> b = combine(mid, hi, have);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] += b[i];
  return a;
}
}  // namespace

TEST_CASE("lm train: data-parallel steps (tree sums of per-sequence gradients) are exactly trainer_step's") {
  const auto train = stream(6000, 3);
  for (Position position : {Position::alibi, Position::rope, Position::t5, Position::learned, Position::kerple}) {
    CAPTURE(int(position));
    const TrainerConfig c{.model = {.vocab = 7, .d_model = 16, .layers = 2, .heads = 2, .mlp = 24, .context = 12,
                                    .batch = 7, .position = position, .seed = 5},
                          .steps = 6, .lr = 2e-2, .data_seed = 11};
    Trainer* whole = nullptr;
    Trainer* parts[3] = {};
    REQUIRE(trainer_create(c, train, &whole).ok());
    for (Trainer*& p : parts) REQUIRE(trainer_create(c, train, &p).ok());
    const std::size_t P = model_parameter_count(trainer_model(whole)), B = c.model.batch;
    // Three "workers" own sequences [0, 2), [2, 5), [5, 7) and are asked in the reverse order.
    const std::size_t first[3] = {0, 2, 5}, end[3] = {2, 5, 7};
    for (std::size_t step = 0; step < c.steps; ++step) {
      double loss = 0;
      std::size_t done = 0;
      REQUIRE(trainer_step(whole, 1, &loss, &done).ok());
      Sums sums;
      std::vector<double> losses(B);
      for (int w = 2; w >= 0; --w) {
        std::vector<std::pair<std::size_t, std::size_t>> nodes;
        cover(0, B, first[w], end[w], nodes);
        CHECK(nodes.size() <= 2);
        for (auto [lo, hi] : nodes) {
          std::vector<float> sum(P);
          REQUIRE(trainer_tree_gradient(parts[w], lo, hi, sum, {losses.data() + lo, hi - lo}).ok());
          sums[{lo, hi}] = sum;
        }
      }
      double part_loss = 0;
      for (double l : losses) part_loss += l;
      CHECK(part_loss == loss);
      const std::vector<float> gradient = combine(0, B, sums);
      for (Trainer* p : parts) REQUIRE(trainer_apply_gradient(p, gradient).ok());
    }
    const auto a = model_parameters(trainer_model(whole));
    for (Trainer* p : parts) {
      const auto b = model_parameters(trainer_model(p));
      CHECK(std::memcmp(a.data(), b.data(), P * sizeof(float)) == 0);
      CHECK(trainer_steps_done(p) == c.steps);
    }
    // The schedule is over: both calls say so, by the trainer.
    std::vector<float> g1(P);
    double l1 = 0;
    CHECK(std::string(trainer_tree_gradient(parts[0], 0, 1, g1, {&l1, 1}).param) == "trainer");
    CHECK(std::string(trainer_apply_gradient(parts[0], g1).param) == "trainer");
    trainer_destroy(whole);
    for (Trainer* p : parts) trainer_destroy(p);
  }
}

TEST_CASE("lm train: the tree sum is the batch's gradient; bad ranges are refused by name") {
  const auto train = stream(3000, 4);
  const TrainerConfig c{.model = {.vocab = 7, .d_model = 16, .layers = 1, .heads = 2, .mlp = 16, .context = 10, .batch = 5,
                                  .position = Position::rope, .seed = 2},
                        .steps = 3, .data_seed = 5};
  Trainer* t = nullptr;
  REQUIRE(trainer_create(c, train, &t).ok());
  const std::size_t P = model_parameter_count(trainer_model(t)), B = c.model.batch, T = c.model.context;
  std::vector<float> sum(P);
  std::vector<double> losses(B);
  REQUIRE(trainer_tree_gradient(t, 0, B, sum, losses).ok());
  // The same batch in one pass through the model: the windows are drawn by SplitMix64(data_seed) at
  // offsets modulo the number of windows the stream holds (train.cpp).
  std::vector<std::int32_t> batch;
  posenc::SplitMix64 rng{c.data_seed};
  const std::size_t w = T + 1, range = train.size() - w + 1;
  for (std::size_t b = 0; b < B; ++b) {
    const std::size_t start = std::size_t(rng.next() % range);
    batch.insert(batch.end(), train.begin() + std::ptrdiff_t(start), train.begin() + std::ptrdiff_t(start + w));
  }
  Model* m = trainer_model(t);
  double loss = 0;
  REQUIRE(model_loss_and_gradients(m, batch, B, T, nullptr, &loss).ok());
  double parts = 0;
  for (double l : losses) parts += l;
  CHECK(parts == doctest::Approx(loss).epsilon(1e-12));
  const auto full = model_gradients(m);
  double err = 0, scale = 0;
  for (std::size_t i = 0; i < P; ++i) {
    err = std::max(err, double(std::abs(sum[i] - full[i])));
    scale = std::max(scale, double(std::abs(full[i])));
  }
  CHECK(scale > 0);
  CHECK(err <= 1e-5 * scale);  // float32 sums in another order
  CHECK(std::string(trainer_tree_gradient(t, B, B + 1, sum, {losses.data(), 1}).param) == "lo");
  CHECK(std::string(trainer_tree_gradient(t, 1, 1, sum, {}).param) == "hi");
  CHECK(std::string(trainer_tree_gradient(t, 1, B + 1, sum, losses).param) == "hi");
  CHECK(std::string(trainer_tree_gradient(t, 0, 1, {sum.data(), P - 1}, {losses.data(), 1}).param) == "sum");
  CHECK(std::string(trainer_tree_gradient(t, 0, 2, sum, {losses.data(), 1}).param) == "losses");
  CHECK(std::string(trainer_apply_gradient(t, {sum.data(), P - 1}).param) == "gradient");
  sum[3] = std::nanf("");
  CHECK(std::string(trainer_apply_gradient(t, sum).param) == "gradient");
  trainer_destroy(t);
}
