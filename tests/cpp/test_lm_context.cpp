// SPDX-License-Identifier: MIT
// Does the language model use its long context? The cut-context evaluation (EvalOptions::window,
// a band of keys in every layer) and the attention profile (share of attention beyond a distance),
// on constructed cases whose answers are known, and against an independent float64 forward.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <numbers>
#include <vector>

#include "lm_util.hpp"
#include "posenc/lm/model.hpp"
#include "posenc/lm/train.hpp"

using posenc::lm::AttentionProfile;
using posenc::lm::Config;
using posenc::lm::EvalOptions;
using posenc::lm::Model;
using posenc::lm::Position;

using posenc::test::make_model;
using posenc::test::ModelPtr;

namespace {

// Parameters away from their initial values (attention far from uniform): + a * sin(1.7 i).
void perturb(Model* m, float a) {
  auto p = posenc::lm::model_parameters(m);
  for (std::size_t i = 0; i < p.size(); ++i) p[i] += a * float(std::sin(double(i) * 1.7));
}

std::vector<std::int32_t> stream(std::size_t n, std::size_t vocab, unsigned seed) {
  std::vector<std::int32_t> t(n);
  std::uint32_t s = seed;
  for (auto& x : t) {
    s = s * 1664525u + 1013904223u;
    x = std::int32_t((s >> 16) % vocab);
  }
  return t;
}

// Sum of -log p over the positions of one window of T tokens (tokens: T + 1 ids).
double nll(Model* m, const std::int32_t* tokens, std::size_t T, std::size_t window = 0) {
  double sum = 0;
  std::size_t count = 0;
  EvalOptions opt;
  opt.window = window;
  const posenc::Status s = posenc::lm::model_evaluate(m, {tokens, T + 1}, 1, T, opt, &sum, &count);
  REQUIRE_MESSAGE(s.ok(), s.param << ": " << s.message);
  CHECK(count == T);
  return sum;
}

// Offset of the first parameter after the embedding and the layers (the layout in model.hpp, tied
// output, no learned table): the T5 table or the KERPLE parameters.
std::size_t after_layers(const Config& c) {
  const std::size_t d = c.d_model, mm = c.mlp;
  return c.vocab * d + c.layers * (4 * d + 4 * d * d + 2 * d * mm + mm + d);
}

const Position all_relative[] = {Position::none, Position::rope, Position::alibi, Position::t5, Position::kerple};

}  // namespace

TEST_CASE("lm window: C >= length is exactly the full attention; a shorter band changes the predictions") {
  for (Position pos : {Position::none, Position::rope, Position::alibi, Position::t5, Position::kerple}) {
    const Config c{.vocab = 11, .d_model = 8, .layers = 2, .heads = 2, .mlp = 16, .context = 8, .position = pos,
                   .t5_buckets = 8, .t5_max_distance = 16, .seed = 4};
    ModelPtr m = make_model(c);
    perturb(m.get(), 0.4f);
    const auto t = stream(41, 11, 9);
    const double full = nll(m.get(), t.data(), 40);
    CHECK(nll(m.get(), t.data(), 40, 40) == full);
    CHECK(nll(m.get(), t.data(), 40, 1000) == full);
    CHECK(nll(m.get(), t.data(), 40, 8) != full);
  }
}

TEST_CASE("lm window: one layer with band C scores token i as a fresh sequence of its last C tokens would") {
  // With one layer and a position method that depends on j - i only (or none), position i under the
  // band sees keys i - C + 1 .. i, the same logits as the last query of a window holding just those
  // C tokens. The reference runs the full (uncut) evaluation on each such window: the nll of its
  // last position is nll(prefix of n tokens) - nll(prefix of n - 1), since earlier positions of a
  // causal model do not change.
  // The band is computed from the engine's weights over a wider key range, renormalised; T5 "far"
  // gives the keys beyond the band 90 nats more logit than the band (a band weight near 1e-39 of
  // the row), the case where a row is recomputed on its own keys instead.
  for (int variant = 0; variant < 6; ++variant) {
    const Position pos = variant == 5 ? Position::t5 : all_relative[variant];
    const Config c{.vocab = 9, .d_model = 8, .layers = 1, .heads = 2, .mlp = 12, .context = 8, .position = pos,
                   .t5_buckets = 8, .t5_max_distance = 16, .seed = 6};
    ModelPtr m = make_model(c);
    perturb(m.get(), 0.5f);
    const std::size_t T = 80, C = 5;
    if (variant == 5) {  // causal buckets 0 .. 3 exact (distances 0 .. 3), 4 .. 7 logarithmic
      auto p = posenc::lm::model_parameters(m.get());
      for (std::size_t b = 0; b < 8; ++b)
        for (std::size_t h = 0; h < 2; ++h) p[after_layers(c) + b * 2 + h] = b >= 5 ? 90.0f : 0.0f;
    }
    const auto t = stream(T + 1, 9, 3);
    double reference = 0;
    for (std::size_t i = 0; i < T; ++i) {
      const std::size_t start = i + 1 > C ? i + 1 - C : 0, n = i + 1 - start;
      const double with = nll(m.get(), t.data() + start, n);
      reference += n > 1 ? with - nll(m.get(), t.data() + start, n - 1) : with;
    }
    const double cut = nll(m.get(), t.data(), T, C);
    CAPTURE(variant);
    CHECK(std::abs(cut - reference) <= 1e-4 * std::abs(reference));
    CHECK(std::abs(nll(m.get(), t.data(), T) - cut) > 1e-3);  // the band matters for this model
  }
}

TEST_CASE("lm window: a model whose attention cannot reach past C gains exactly nothing from more context") {
  // T5 with causal buckets: distances 0 .. 7 have buckets 0 .. 7 of their own (exact buckets below
  // num_buckets / 2 = 8... here 16 buckets: exact below 8). A table of -1e4 for every bucket from 8
  // on makes exp(bias + logit) underflow to 0 for every key at distance >= 8, in every layer: the
  // model cannot see past its last 8 keys, so cutting the context to them changes nothing, with one
  // layer or two. The gain is 0 up to float32 summation order; a band of 7 is a real cut.
  for (std::size_t layers : {1, 2}) {
    const Config c{.vocab = 13, .d_model = 8, .layers = layers, .heads = 2, .mlp = 16, .context = 16,
                   .position = Position::t5, .t5_buckets = 16, .t5_max_distance = 32, .seed = 8};
    ModelPtr m = make_model(c);
    perturb(m.get(), 0.4f);
    auto p = posenc::lm::model_parameters(m.get());
    const std::size_t t5 = after_layers(c);
    for (std::size_t b = 0; b < 16; ++b)
      for (std::size_t h = 0; h < 2; ++h) p[t5 + b * 2 + h] = b >= 8 ? -1e4f : 0.7f * float(h) - 0.3f * float(b);
    const auto t = stream(65, 13, 5);
    const double full = nll(m.get(), t.data(), 64);
    const double cut = nll(m.get(), t.data(), 64, 8);
    CAPTURE(layers);
    CHECK(std::abs(cut - full) <= 1e-5 * full);
    CHECK(std::abs(nll(m.get(), t.data(), 64, 7) - full) > 1e-3);
    // Its attention profile: nothing beyond distance 7.
    const std::size_t ds[] = {6, 7, 8, 20};
    std::vector<double> share(layers * 2 * 4);
    std::size_t queries = 0;
    double ppl = 0;
    REQUIRE(posenc::lm::attention_profile(m.get(), t, 64, 64, {}, ds, share, &queries, &ppl).ok());
    CHECK(queries == 64);
    CHECK(std::abs(std::log(ppl) - full / 64) <= 1e-5);
    for (std::size_t i = 0; i < layers * 2; ++i) {
      CHECK(share[i * 4 + 0] > 0);
      CHECK(share[i * 4 + 1] == 0);
      CHECK(share[i * 4 + 2] == 0);
      CHECK(share[i * 4 + 3] == 0);
    }
  }
}

namespace {

// The layer-0 attention weights of a one-layer model, in float64, from its parameters (the layout
// of model.hpp): x = E[tok] (NoPE, ALiBi, RoPE: no added table), LayerNorm (eps 1e-5), q = h Wq,
// k = h Wk, RoPE rotation (half layout, theta 10000) or ALiBi bias -m_h (i - j) with the paper's
// slopes m_h = 2^(-8 (h + 1) / H), softmax over j <= i. Returns share beyond each distance, summed
// over queries, [head][k].
std::vector<double> reference_beyond(const Config& c, const float* p, const std::int32_t* tok, std::size_t T,
                                     const std::vector<std::size_t>& ds) {
  const std::size_t d = c.d_model, H = c.heads, dh = d / H;
  const float* E = p;
  const float* g = p + c.vocab * d;
  const float* b = g + d;
  const float* wq = b + d;
  const float* wk = wq + d * d;
  std::vector<double> q(T * d), k(T * d);
  for (std::size_t t = 0; t < T; ++t) {
    const float* x = E + std::size_t(tok[t]) * d;
    double mu = 0, var = 0;
    for (std::size_t j = 0; j < d; ++j) mu += x[j];
    mu /= double(d);
    for (std::size_t j = 0; j < d; ++j) var += (x[j] - mu) * (x[j] - mu);
    var /= double(d);
    std::vector<double> h(d);
    for (std::size_t j = 0; j < d; ++j) h[j] = (x[j] - mu) / std::sqrt(var + 1e-5) * g[j] + b[j];
    for (std::size_t o = 0; o < d; ++o) {
      double sq = 0, sk = 0;
      for (std::size_t j = 0; j < d; ++j) sq += h[j] * wq[j * d + o], sk += h[j] * wk[j * d + o];
      q[t * d + o] = sq, k[t * d + o] = sk;
    }
    if (c.position == Position::rope)
      for (double* v : {&q[t * d], &k[t * d]})
        for (std::size_t hd = 0; hd < H; ++hd)
          for (std::size_t i = 0; i < dh / 2; ++i) {
            const double angle = double(t) * std::pow(10000.0, -2.0 * double(i) / double(dh));
            double& x0 = v[hd * dh + i];
            double& x1 = v[hd * dh + i + dh / 2];
            const double a = x0, bb = x1;
            x0 = a * std::cos(angle) - bb * std::sin(angle);
            x1 = bb * std::cos(angle) + a * std::sin(angle);
          }
  }
  std::vector<double> beyond(H * ds.size(), 0.0);
  for (std::size_t h = 0; h < H; ++h) {
    const double slope = std::pow(2.0, -8.0 * double(h + 1) / double(H));
    for (std::size_t i = 0; i < T; ++i) {
      std::vector<double> w(i + 1);
      double mx = -1e300, sum = 0;
      for (std::size_t j = 0; j <= i; ++j) {
        double s = 0;
        for (std::size_t e = 0; e < dh; ++e) s += q[i * d + h * dh + e] * k[j * d + h * dh + e];
        s /= std::sqrt(double(dh));
        if (c.position == Position::alibi) s -= slope * double(i - j);
        w[j] = s;
        mx = std::max(mx, s);
      }
      for (double& v : w) sum += (v = std::exp(v - mx));
      for (std::size_t kk = 0; kk < ds.size(); ++kk)
        for (std::size_t j = 0; j + ds[kk] < i; ++j) beyond[h * ds.size() + kk] += w[j] / sum;
    }
  }
  return beyond;
}

}  // namespace

TEST_CASE("lm attention profile: equals an independent float64 forward of a one-layer model") {
  for (Position pos : {Position::none, Position::alibi, Position::rope}) {
    const Config c{.vocab = 10, .d_model = 8, .layers = 1, .heads = 2, .mlp = 12, .context = 8, .position = pos,
                   .seed = 12};
    ModelPtr m = make_model(c);
    perturb(m.get(), 0.6f);
    const std::size_t T = 70;  // more than two blocks of 32 queries
    const auto t = stream(2 * (T + 1), 10, 21);
    const std::vector<std::size_t> ds = {0, 1, 3, 10, 31, 32, 33, 68, 69, 100};
    std::vector<double> beyond(2 * ds.size(), 0.0);
    AttentionProfile prof{.distances = ds, .beyond = beyond};
    double sum = 0;
    std::size_t count = 0;
    REQUIRE(posenc::lm::model_evaluate(m.get(), t, 2, T, {}, &sum, &count, &prof).ok());
    CHECK(prof.queries == 2 * T);
    std::vector<double> ref(2 * ds.size(), 0.0);
    const float* params = posenc::lm::model_parameters(m.get()).data();
    for (std::size_t s = 0; s < 2; ++s) {
      const auto r = reference_beyond(c, params, t.data() + s * (T + 1), T, ds);
      for (std::size_t i = 0; i < r.size(); ++i) ref[i] += r[i];
    }
    CAPTURE(int(pos));
    for (std::size_t h = 0; h < 2; ++h) {
      for (std::size_t k = 0; k < ds.size(); ++k) {
        const double got = beyond[h * ds.size() + k] / double(2 * T), want = ref[h * ds.size() + k] / double(2 * T);
        CAPTURE(h);
        CAPTURE(ds[k]);
        CHECK(std::abs(got - want) <= 2e-6);
        if (k > 0) CHECK(got <= beyond[h * ds.size() + k - 1] / double(2 * T) + 1e-12);
        if (ds[k] >= T - 1) CHECK(got == 0);
      }
      // d = 0: one minus the mean weight each query keeps on itself; the softmax rows sum to 1, so
      // beyond(0) < 1 - 1/T * (weight of query 0 on itself = 1).
      CHECK(beyond[h * ds.size()] / double(2 * T) <= 1.0 - 1.0 / double(T) + 1e-6);
      CHECK(beyond[h * ds.size()] > 0);
    }
    // The profile's forward is the evaluation's forward: the same perplexity.
    double plain = 0;
    REQUIRE(posenc::lm::model_evaluate(m.get(), t, 2, T, {}, &plain, &count).ok());
    CHECK(std::abs(plain - sum) <= 1e-5 * plain);
  }
}

TEST_CASE("lm attention profile and window: arguments") {
  const Config c{.vocab = 10, .d_model = 8, .layers = 2, .heads = 2, .mlp = 12, .context = 8,
                 .position = Position::alibi};
  ModelPtr m = make_model(c);
  const auto t = stream(200, 10, 1);
  const std::size_t ds[] = {1, 2};
  std::vector<double> share(8);
  std::size_t q = 0;
  double ppl = 0;
  CHECK(posenc::lm::attention_profile(m.get(), t, 20, 100, {}, ds, share, &q, &ppl).ok());
  CHECK(q == 100);
  std::vector<double> small(7);
  CHECK(std::string(posenc::lm::attention_profile(m.get(), t, 20, 100, {}, ds, small, &q, &ppl).param) == "distances");
  CHECK(std::string(posenc::lm::attention_profile(m.get(), t, 20, 100, {}, {}, {}, &q, &ppl).param) == "distances");
  CHECK(std::string(posenc::lm::attention_profile(m.get(), t, 500, 100, {}, ds, share, &q, &ppl).param) == "length");
  std::vector<double> beyond(8);
  AttentionProfile prof{.distances = ds, .beyond = beyond};
  EvalOptions cut;
  cut.window = 4;
  double sum = 0;
  std::size_t count = 0;
  CHECK(std::string(posenc::lm::model_evaluate(m.get(), {t.data(), 21}, 1, 20, cut, &sum, &count, &prof).param) ==
        "window");
}

TEST_CASE("lm memory: the bytes of the blocks allocated; the training activations grow with the context") {
  const Config c{.vocab = 10, .d_model = 8, .layers = 2, .heads = 2, .mlp = 12, .context = 16, .batch = 3,
                 .position = Position::rope};
  ModelPtr m = make_model(c);
  const auto u = posenc::lm::model_memory(m.get());
  const std::uint64_t n = posenc::lm::model_parameter_count(m.get());
  CHECK(u.parameter_bytes == 4 * n);
  CHECK(u.gradient_bytes == 4 * n);
  CHECK(u.optimizer_bytes == 8 * n);
  // At least: per layer the attention weights [batch][heads][T][T] and nine [batch * T][d] arrays.
  const auto least = [&](std::uint64_t T) { return 4 * 2 * (3 * 2 * T * T + 9 * 3 * T * 8); };
  CHECK(u.activation_bytes >= least(16));
  REQUIRE(posenc::lm::model_reserve_context(m.get(), 64).ok());
  const auto v = posenc::lm::model_memory(m.get());
  CHECK(v.activation_bytes >= least(64));
  CHECK(v.activation_bytes - u.activation_bytes >= least(64) - least(16));
  CHECK(v.parameter_bytes == u.parameter_bytes);
}

TEST_CASE("lm memory: equal tokens per step, twice the context: the attention weights double, the rest stays") {
  // The equal-compute comparison: batch B at context L against batch B / 2 at 2L (B L tokens per
  // step each). Per-token arrays are the same size; the attention weights [batch][heads][T][T] of
  // each layer go from B H L^2 to (B / 2) H (2L)^2 = 2 B H L^2 floats.
  const std::size_t L = 32, B = 4, H = 2, layers = 2;
  const Config at_l{.vocab = 10, .d_model = 8, .layers = layers, .heads = H, .mlp = 12, .context = L, .batch = B,
                    .position = Position::alibi};
  Config at_2l = at_l;
  at_2l.context = 2 * L, at_2l.batch = B / 2, at_2l.position = Position::sinusoidal;
  ModelPtr a = make_model(at_l), s = make_model(at_2l);
  const auto ua = posenc::lm::model_memory(a.get()), us = posenc::lm::model_memory(s.get());
  CHECK(ua.parameter_bytes == us.parameter_bytes);  // no position parameters in either
  const std::uint64_t weights = 4 * layers * B * H * L * L;  // bytes of ALiBi's attention weights
  const double extra = double(us.activation_bytes) - double(ua.activation_bytes);
  // The difference is the extra weights plus the per-context scratch (a few [T][T] and [2T] arrays).
  CHECK(extra >= double(weights));
  CHECK(extra <= double(weights) + 4.0 * (4 * (2 * L) * (2 * L) + 64 * 2 * L));
}
