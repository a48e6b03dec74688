// SPDX-License-Identifier: MIT
#include "posenc/lm/train.hpp"

#include <doctest/doctest.h>

#include <cmath>
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
