// SPDX-License-Identifier: MIT
// The language model's hand-written backward pass against central finite differences, for every
// position method; consistency of training and evaluation forwards; determinism; learning.
#include "posenc/lm/model.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "lm_util.hpp"

using posenc::lm::Config;
using posenc::lm::Model;
using posenc::lm::Position;

using posenc::test::make_model;
using posenc::test::ModelPtr;

namespace {

std::vector<std::int32_t> tokens_for(std::size_t batch, std::size_t context, std::size_t vocab, unsigned seed) {
  std::vector<std::int32_t> t(batch * (context + 1));
  std::uint32_t s = seed;
  for (auto& x : t) {
    s = s * 1664525u + 1013904223u;
    x = std::int32_t((s >> 16) % vocab);
  }
  return t;
}

double loss_of(Model* m, const std::vector<std::int32_t>& t, std::size_t batch, std::size_t context) {
  double loss = 0;
  const posenc::Status s = posenc::lm::model_loss_and_gradients(m, t, batch, context, nullptr, &loss);
  REQUIRE_MESSAGE(s.ok(), s.param << ": " << s.message);
  return loss;
}

const Position all_positions[] = {Position::none, Position::learned, Position::sinusoidal, Position::rope,
                                  Position::alibi, Position::t5, Position::kerple};
const char* names[] = {"none", "learned", "sinusoidal", "rope", "alibi", "t5", "kerple"};

}  // namespace

TEST_CASE("lm: gradients equal central finite differences for every parameter and position method") {
  for (Position pos : all_positions) {
    for (bool tied : {true, false}) {
      const Config c{.vocab = 7, .d_model = 8, .layers = 2, .heads = 2, .mlp = 12, .context = 6, .batch = 2,
                     .position = pos, .tied = tied, .t5_buckets = 8, .t5_max_distance = 5, .seed = 3};
      ModelPtr m = make_model(c);
      auto params = posenc::lm::model_parameters(m.get());
      // Large, varied parameters (activations of order 1: GELU, LayerNorm and softmax away from
      // their linear regimes), and T5 / KERPLE parameters away from their initial values.
      for (std::size_t i = 0; i < params.size(); ++i) params[i] += 0.3f * float(std::sin(double(i) * 1.7));
      const auto tokens = tokens_for(2, 6, 7, 7);
      loss_of(m.get(), tokens, 2, 6);
      const auto g = posenc::lm::model_gradients(m.get());
      const std::vector<float> grad(g.begin(), g.end());
      // Every parameter: |finite difference - gradient| <= 2% of it + 3e-4 (float32 forward noise).
      std::size_t bad = 0, nonzero = 0;
      double worst = 0;
      for (std::size_t i = 0; i < params.size(); ++i) {
        const float keep = params[i];
        const double eps = 5e-3 * std::max(0.2, double(std::abs(keep)));
        params[i] = float(keep + eps);
        const double up = loss_of(m.get(), tokens, 2, 6);
        params[i] = float(keep - eps);
        const double down = loss_of(m.get(), tokens, 2, 6);
        params[i] = keep;
        const double fd = (up - down) / (double(float(keep + eps)) - double(float(keep - eps)));
        const double err = std::abs(fd - grad[i]);
        if (err > 2e-2 * std::abs(fd) + 3e-4) ++bad;
        if (std::abs(fd) > 1e-3) ++nonzero;
        worst = std::max(worst, err / (std::abs(fd) + 1e-2));
      }
      CAPTURE(std::string(names[int(pos)]));
      CAPTURE(tied);
      CAPTURE(worst);
      CHECK(bad == 0);
      CHECK(nonzero > params.size() / 2);
    }
  }
}

TEST_CASE("lm: the evaluation forward (attention engine, no weights) gives the training loss") {
  for (Position pos : all_positions) {
    const Config c{.vocab = 13, .d_model = 16, .layers = 2, .heads = 4, .mlp = 20, .context = 9, .batch = 3,
                   .position = pos, .t5_buckets = 8, .t5_max_distance = 6, .seed = 5};
    ModelPtr m = make_model(c);
    const auto tokens = tokens_for(3, 9, 13, 11);
    const double loss = loss_of(m.get(), tokens, 3, 9);
    for (bool streaming : {false, true}) {
      double nll = 0;
      std::size_t count = 0;
      REQUIRE(posenc::lm::model_evaluate(m.get(), tokens, 3, 9, {.streaming = streaming}, &nll, &count).ok());
      CAPTURE(std::string(names[int(pos)]));
      CHECK(count == 27);
      CHECK(nll / double(count) == doctest::Approx(loss).epsilon(1e-5));
    }
  }
}

TEST_CASE("lm: learned positions cannot read past the table; the others can") {
  for (Position pos : all_positions) {
    const Config c{.vocab = 13, .d_model = 8, .layers = 1, .heads = 2, .mlp = 8, .context = 8, .batch = 1, .position = pos};
    ModelPtr m = make_model(c);
    const auto tokens = tokens_for(2, 32, 13, 3);
    double nll = 0;
    std::size_t count = 0;
    const posenc::Status s = posenc::lm::model_evaluate(m.get(), tokens, 2, 32, {}, &nll, &count);
    CAPTURE(std::string(names[int(pos)]));
    if (pos == Position::learned) {
      CHECK_FALSE(s.ok());
      CHECK(std::string(s.param) == "length");
    } else {
      CHECK(s.ok());
      CHECK(std::isfinite(nll));
    }
  }
}

TEST_CASE("lm: training lowers the loss, deterministically for a seed") {
  const Config c{.vocab = 8, .d_model = 16, .layers = 2, .heads = 2, .mlp = 32, .context = 16, .batch = 4,
                 .position = Position::alibi, .seed = 9};
  auto train = [&](int steps) {
    ModelPtr m = make_model(c);
    double first = 0, last = 0;
    // A periodic sequence: predictable from the previous tokens.
    std::vector<std::int32_t> tokens(4 * 17);
    for (std::size_t b = 0; b < 4; ++b)
      for (std::size_t t = 0; t < 17; ++t) tokens[b * 17 + t] = std::int32_t((t * 3 + b) % 5);
    for (int s = 0; s < steps; ++s) {
      last = loss_of(m.get(), tokens, 4, 16);
      if (s == 0) first = last;
      posenc::lm::model_adamw_step(m.get(), {}, 3e-3);
    }
    const auto p = posenc::lm::model_parameters(m.get());
    return std::tuple{first, last, std::vector<float>(p.begin(), p.end())};
  };
  const auto [first, last, params] = train(60);
  CHECK(last < 0.5 * first);
  const auto [first2, last2, params2] = train(60);
  CHECK(last2 == last);
  CHECK(params2 == params);
}

TEST_CASE("lm: bad configurations are refused by name") {
  Model* m = nullptr;
  CHECK(std::string(posenc::lm::model_create({.heads = 3}, &m).param) == "heads");
  CHECK(std::string(posenc::lm::model_create({.layers = 0}, &m).param) == "layers");
  CHECK(std::string(posenc::lm::model_create({.context = 1}, &m).param) == "context");
  CHECK(std::string(posenc::lm::model_create({.position = Position(9)}, &m).param) == "position");
  CHECK(m == nullptr);
}

TEST_CASE("lm: parameter counts are taken in 64 bits and limited before anything is allocated") {
  // Hardening reproducer: vocab 2, 16 layers, dModel 4096, mlp 24571 (each inside its range) give
  // 2^32 + 81,840 parameters, which wrapped a 32-bit size_t (WebAssembly) to 81,840 floats, so
  // initialisation wrote far past the blocks.
  Model* m = nullptr;
  const Config wraps{.vocab = 2, .d_model = 4096, .layers = 16, .heads = 32, .mlp = 24571, .context = 64, .batch = 1};
  const std::uint64_t d = 4096, mm = 24571;
  CHECK(2 * d + 16 * (4 * d + 4 * d * d + 2 * d * mm + mm + d) + 2 * d == (std::uint64_t(1) << 32) + 81840);
  posenc::Status s = posenc::lm::model_create(wraps, &m);
  CHECK(!s.ok());
  CHECK(std::string(s.param) == "dModel");
  CHECK(std::string(s.message).find("2^26 parameters") != std::string::npos);
  CHECK(m == nullptr);
  // Just past the limit (2^26 floats = 256 MiB a block), and the largest vocab untied at dModel 512.
  s = posenc::lm::model_create({.vocab = 65536, .d_model = 512, .layers = 1, .heads = 8, .tied = false}, &m);
  CHECK(std::string(s.param) == "dModel");
  CHECK(m == nullptr);
  // A T5 setting the core refuses is named by its JavaScript name.
  s = posenc::lm::model_create({.position = Position::t5, .t5_buckets = 32, .t5_max_distance = 16}, &m);
  CHECK(std::string(s.param) == "t5MaxDistance");
  CHECK(std::string(posenc::lm::model_create({.position = Position::rope, .rope_theta = std::nan("")}, &m).param) ==
        "ropeTheta");
  // Within the limit, a model is made and its count is the layout's.
  const Config ok{.vocab = 64, .d_model = 32, .layers = 2, .heads = 4, .mlp = 128, .context = 16, .batch = 2};
  REQUIRE(posenc::lm::model_create(ok, &m).ok());
  CHECK(posenc::lm::model_parameter_count(m) == 64 * 32 + 2 * (4 * 32 + 4 * 32 * 32 + 2 * 32 * 128 + 128 + 32) + 2 * 32);
  posenc::lm::model_destroy(m);
}

TEST_CASE("lm: a context or length too large for memory is refused, and the model keeps working") {
  const Config c{.vocab = 8, .d_model = 16, .layers = 2, .heads = 4, .mlp = 32, .context = 16, .batch = 8,
                 .position = Position::rope, .seed = 3};
  ModelPtr m = make_model(c);
  const auto tokens = tokens_for(8, 16, 8, 5);
  const double before = loss_of(m.get(), tokens, 8, 16);
  // 8 x 4 x 8192^2 attention weights per layer: 2^31 floats, more than one block may hold (and a
  // product that overflows a 32-bit size_t).
  const posenc::Status s = posenc::lm::model_reserve_context(m.get(), 8192);
  CHECK(!s.ok());
  CHECK(std::string(s.param) == "context");
  CHECK(loss_of(m.get(), tokens, 8, 16) == before);  // the old activations are still in place
  REQUIRE(posenc::lm::model_reserve_context(m.get(), 32).ok());
  const auto longer = tokens_for(8, 32, 8, 6);
  CHECK(std::isfinite(loss_of(m.get(), longer, 8, 32)));
  CHECK(loss_of(m.get(), tokens, 8, 16) == before);
}
