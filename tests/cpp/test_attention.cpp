// SPDX-License-Identifier: MIT
// The attention engine against a float64 reference written here, for every position method.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "posenc/attention.hpp"
#include "posenc/t5.hpp"
#include "util.hpp"

using posenc::AttentionParams;
using posenc::PositionMethod;
using posenc::RopeLayout;
using posenc::test::max_abs_diff;
using posenc::test::random_vector;

namespace {

struct Inputs {
  std::vector<float> q, k, v;
};

Inputs random_inputs(const AttentionParams& p, unsigned seed) {
  const std::size_t row = p.heads * p.head_dim;
  return {random_vector(p.queries * row, seed), random_vector(p.keys * row, seed + 1), random_vector(p.keys * row, seed + 2)};
}

// Rotate (and for xPos scale) one head vector in float64, from the formulas in rope.hpp.
std::vector<double> rotate(const float* x, std::size_t D, const AttentionParams& p, double pos, bool key, double center) {
  std::vector<double> y(x, x + D);
  const std::size_t h = p.inv_freq.size(), r = 2 * h;
  for (std::size_t i = 0; i < h; ++i) {
    const std::size_t a = p.layout == RopeLayout::half ? i : 2 * i, b = p.layout == RopeLayout::half ? i + h : 2 * i + 1;
    double k = p.attention_factor;
    if (p.method == PositionMethod::xpos) {
      const double zeta = (2.0 * i + p.xpos_gamma * r) / ((1 + p.xpos_gamma) * r);
      k *= std::pow(zeta, (key ? -1 : 1) * (pos - center) / p.xpos_scale_base);
    }
    const double c = std::cos(pos * p.inv_freq[i]), s = std::sin(pos * p.inv_freq[i]);
    y[a] = k * (x[a] * c - x[b] * s);
    y[b] = k * (x[a] * s + x[b] * c);
  }
  return y;
}

double bias_of(const AttentionParams& p, std::size_t h, std::int64_t pos, std::int64_t j) {
  const double d = std::abs(double(pos - j));
  switch (p.method) {
    case PositionMethod::alibi:
      return -std::pow(2.0, -8.0 * double(h + 1) / double(p.heads)) * d;  // heads a power of two
    case PositionMethod::t5:
      return p.t5_table[std::size_t(posenc::t5_bucket(j - pos, p.t5)) * p.heads + h];
    case PositionMethod::kerple:
      return -p.kerple_r1[h] * std::log(1.0 + p.kerple_r2[h] * d);
    default:
      return 0.0;
  }
}

// The whole computation, straight from the definition, in float64.
std::vector<double> reference(const AttentionParams& p, const Inputs& in, std::vector<double>* weights = nullptr) {
  const std::size_t D = p.head_dim, H = p.heads, Lq = p.queries, Lk = p.keys, row = H * D;
  const std::int64_t q0 = p.query_offset < 0 ? std::int64_t(Lk) - std::int64_t(Lq) : p.query_offset;
  const double scale = std::isnan(p.scale) ? 1.0 / std::sqrt(double(D)) : p.scale;
  const double center = double((std::max<std::int64_t>(q0 + Lq, Lk) + 1) / 2);
  const std::int64_t K = std::int64_t(p.shaw_max_distance);
  std::vector<double> out(Lq * row, 0.0);
  if (weights) weights->assign(H * Lq * Lk, 0.0);
  for (std::size_t h = 0; h < H; ++h) {
    // q, k or v vector of token t at `pos`, with its absolute position added or (q and k) rotated.
    auto vec = [&](const std::vector<float>& src, std::size_t t, std::int64_t pos, bool key, bool value = false) {
      const float* x = src.data() + t * row + h * D;
      if (!value && (p.method == PositionMethod::rope || p.method == PositionMethod::xpos))
        return rotate(x, D, p, double(pos), key, center);
      std::vector<double> y(x, x + D);
      if (p.method == PositionMethod::absolute)
        for (std::size_t d = 0; d < D; ++d) y[d] += p.table[std::size_t(pos) * D + d];
      return y;
    };
    for (std::size_t i = 0; i < Lq; ++i) {
      const std::int64_t pos = q0 + std::int64_t(i);
      const auto qi = vec(in.q, i, pos, false);
      std::vector<double> z(Lk, -std::numeric_limits<double>::infinity());
      double m = -std::numeric_limits<double>::infinity();
      for (std::size_t j = 0; j < Lk; ++j) {
        if (p.causal && std::int64_t(j) > pos) continue;
        const auto kj = vec(in.k, j, std::int64_t(j), true);
        double dot = 0;
        const std::int64_t c = std::clamp<std::int64_t>(std::int64_t(j) - pos, -K, K) + K;
        for (std::size_t d = 0; d < D; ++d)
          dot += qi[d] * (kj[d] + (p.method == PositionMethod::shaw ? p.shaw_k[c * D + d] : 0.0));
        z[j] = scale * dot + bias_of(p, h, pos, std::int64_t(j));
        m = std::max(m, z[j]);
      }
      double sum = 0;
      for (double& x : z) sum += (x = std::exp(x - m));
      for (std::size_t j = 0; j < Lk; ++j) {
        const double pj = z[j] / sum;
        if (weights) (*weights)[(h * Lq + i) * Lk + j] = pj;
        if (pj == 0) continue;
        const auto vj = vec(in.v, j, std::int64_t(j), false, true);
        const std::int64_t c = std::clamp<std::int64_t>(std::int64_t(j) - pos, -K, K) + K;
        for (std::size_t d = 0; d < D; ++d)
          out[i * row + h * D + d] += pj * (vj[d] + (p.method == PositionMethod::shaw ? p.shaw_v[c * D + d] : 0.0));
      }
    }
  }
  return out;
}

std::vector<float> run(const AttentionParams& p, const Inputs& in, std::vector<float>* weights = nullptr) {
  std::vector<float> out(p.queries * p.heads * p.head_dim, 123.0f);
  if (weights) weights->assign(p.heads * p.queries * p.keys, 5.0f);
  const posenc::Status s = posenc::attention(p, in.q, in.k, in.v, out, weights ? std::span<float>(*weights) : std::span<float>());
  REQUIRE_MESSAGE(s.ok(), s.param << ": " << s.message);
  return out;
}

// Fixtures for each method (tables sized for positions up to 64 and head_dim <= 16).
struct Method {
  const char* name;
  PositionMethod method;
};
const Method methods[] = {{"none", PositionMethod::none},   {"absolute", PositionMethod::absolute},
                          {"rope", PositionMethod::rope},   {"xpos", PositionMethod::xpos},
                          {"alibi", PositionMethod::alibi}, {"t5", PositionMethod::t5},
                          {"kerple", PositionMethod::kerple}, {"shaw", PositionMethod::shaw}};

struct Fixture {
  std::vector<float> table, t5_table, r1, r2, shaw_k, shaw_v;
  std::vector<double> inv_freq;
  AttentionParams params(PositionMethod m, std::size_t Lq, std::size_t Lk, std::size_t H, std::size_t D, bool causal) {
    AttentionParams p{.queries = Lq, .keys = Lk, .heads = H, .head_dim = D, .causal = causal, .method = m};
    const std::size_t rows = 700;
    table = random_vector(rows * D, 40, -0.5f, 0.5f);
    t5_table = random_vector(32 * H, 41, -2.0f, 2.0f);
    r1 = random_vector(H, 42, 0.1f, 2.0f);
    r2 = random_vector(H, 43, 0.1f, 2.0f);
    shaw_k = random_vector(7 * D, 44, -0.5f, 0.5f);
    shaw_v = random_vector(7 * D, 45, -0.5f, 0.5f);
    inv_freq.resize(D / 2);
    for (std::size_t i = 0; i < D / 2; ++i) inv_freq[i] = std::pow(100.0, -2.0 * double(i) / double(D));
    p.table = table;
    p.t5_table = t5_table;
    p.t5 = {.bidirectional = !causal, .num_buckets = 32, .max_distance = 20};
    p.kerple_r1 = r1;
    p.kerple_r2 = r2;
    p.shaw_k = shaw_k;
    p.shaw_v = shaw_v;
    p.shaw_max_distance = 3;
    p.inv_freq = inv_freq;
    p.attention_factor = m == PositionMethod::rope ? 1.1 : 1.0;
    p.layout = D % 4 == 0 ? RopeLayout::interleaved : RopeLayout::half;
    return p;
  }
};

}  // namespace

TEST_CASE("attention: every position method equals the float64 reference (odd sizes, causal or not)") {
  for (const Method& m : methods) {
    for (bool causal : {false, true}) {
      struct Size {
        std::size_t Lq, Lk, D;
      };
      for (const Size size : {Size{5, 9, 6}, Size{9, 9, 16}, Size{1, 37, 10}, Size{40, 70, 8}}) {
        const std::size_t Lq = size.Lq, Lk = size.Lk, D = size.D;
        Fixture f;
        const AttentionParams p = f.params(m.method, Lq, Lk, 4, D, causal);
        const Inputs in = random_inputs(p, 7);
        std::vector<double> wref;
        std::vector<float> w;
        const auto ref = reference(p, in, &wref);
        const auto got = run(p, in, &w);
        CAPTURE(std::string(m.name));
        CAPTURE(causal);
        CAPTURE(Lq);
        CAPTURE(Lk);
        CHECK(max_abs_diff(got, ref) <= 2e-5);
        CHECK(max_abs_diff(w, wref) <= 2e-6);
      }
    }
  }
}

TEST_CASE("attention: the streaming path equals the plain path across key blocks") {
  for (const Method& m : methods) {
    for (bool causal : {false, true}) {
      Fixture f;
      AttentionParams p = f.params(m.method, 130, 600, 2, 16, causal);
      const Inputs in = random_inputs(p, 11);
      const auto plain = run(p, in);
      p.streaming = true;
      const auto stream = run(p, in);
      CAPTURE(std::string(m.name));
      CAPTURE(causal);
      CHECK(max_abs_diff(plain, stream) <= 2e-6);
    }
  }
}

TEST_CASE("attention: Shaw with maxDistance from 0 to far past the keys, plain and streaming, equals the reference") {
  for (std::size_t K : {std::size_t{0}, std::size_t{1}, std::size_t{300}, std::size_t{5000}}) {
    for (bool causal : {false, true}) {
      Fixture f;
      AttentionParams p = f.params(PositionMethod::shaw, 70, 600, 2, 8, causal);
      const auto tk = random_vector((2 * K + 1) * 8, 50, -0.5f, 0.5f),
                 tv = random_vector((2 * K + 1) * 8, 51, -0.5f, 0.5f);
      p.shaw_k = tk;
      p.shaw_v = tv;
      p.shaw_max_distance = K;
      const Inputs in = random_inputs(p, 12);
      const auto ref = reference(p, in);
      CAPTURE(K);
      CAPTURE(causal);
      CHECK(max_abs_diff(run(p, in), ref) <= 2e-5);
      p.streaming = true;
      CHECK(max_abs_diff(run(p, in), ref) <= 2e-5);
    }
  }
}

TEST_CASE("attention: weights are rows of probabilities, zero after the query when causal") {
  Fixture f;
  const AttentionParams p = f.params(PositionMethod::alibi, 6, 6, 2, 8, true);
  std::vector<float> w;
  run(p, random_inputs(p, 3), &w);
  for (std::size_t h = 0; h < 2; ++h)
    for (std::size_t i = 0; i < 6; ++i) {
      double sum = 0;
      for (std::size_t j = 0; j < 6; ++j) {
        const float x = w[(h * 6 + i) * 6 + j];
        if (j > i) CHECK(x == 0.0f);
        sum += x;
      }
      CHECK(sum == doctest::Approx(1.0).epsilon(1e-6));
    }
}

TEST_CASE("attention: without positions, permuting the tokens permutes the outputs; with positions it does not") {
  const std::size_t L = 12, H = 2, D = 8, row = H * D;
  const std::size_t perm[L] = {3, 7, 0, 11, 5, 1, 9, 2, 10, 4, 8, 6};
  for (const Method& m : methods) {
    Fixture f;
    const AttentionParams p = f.params(m.method, L, L, H, D, false);
    const Inputs in = random_inputs(p, 21);
    Inputs shuffled = in;
    for (std::size_t i = 0; i < L; ++i)
      for (std::size_t c = 0; c < row; ++c) {
        shuffled.q[i * row + c] = in.q[perm[i] * row + c];
        shuffled.k[i * row + c] = in.k[perm[i] * row + c];
        shuffled.v[i * row + c] = in.v[perm[i] * row + c];
      }
    const auto a = run(p, in), b = run(p, shuffled);
    double worst = 0;
    for (std::size_t i = 0; i < L; ++i)
      for (std::size_t c = 0; c < row; ++c) worst = std::max(worst, double(std::abs(b[i * row + c] - a[perm[i] * row + c])));
    CAPTURE(std::string(m.name));
    if (m.method == PositionMethod::none) CHECK(worst <= 1e-6);
    else CHECK(worst >= 1e-3);
  }
}

TEST_CASE("attention: bad parameters are refused by name, nothing is written") {
  Fixture f;
  AttentionParams p = f.params(PositionMethod::absolute, 4, 4, 1, 8, true);
  const Inputs in = random_inputs(p, 1);
  std::vector<float> out(32, 9.0f), w;
  auto param = [&](const AttentionParams& pp, std::span<float> weights = {}) {
    const posenc::Status s = posenc::attention(pp, in.q, in.k, in.v, out, weights);
    CHECK_FALSE(s.ok());
    return std::string(s.param);
  };
  std::vector<float> short_table(3 * 8, 0.0f);
  AttentionParams a = p;
  a.table = short_table;  // 3 rows: position 3 has no row
  CHECK(param(a) == "table");
  a = p;
  a.queries = 5;
  CHECK(param(a) == "q");
  {
    a = f.params(PositionMethod::none, 8, 4, 1, 4, false);  // 8 queries after 4 keys: where do they sit?
    const Inputs in8 = random_inputs(a, 2);
    std::vector<float> out8(32, 9.0f);
    const posenc::Status s = posenc::attention(a, in8.q, in8.k, in8.v, out8, {});
    CHECK(std::string(s.param) == "queryOffset");
    for (float x : out8) CHECK(x == 9.0f);
    a.query_offset = 0;
    CHECK(posenc::attention(a, in8.q, in8.k, in8.v, out8, {}).ok());
    // Found by fuzz_attention (UBSan): an offset near INT64_MAX overflowed q0 + queries.
    for (const std::int64_t offset : {std::numeric_limits<std::int64_t>::max(), std::int64_t{1} << 24}) {
      a.query_offset = offset;
      CHECK(std::string(posenc::attention(a, in8.q, in8.k, in8.v, out8, {}).param) == "queryOffset");
    }
  }
  a = f.params(PositionMethod::none, 4, 4, 1, 8, false);
  a.streaming = true;
  std::vector<float> weights(16);
  CHECK(param(a, weights) == "returnWeights");
  a = f.params(PositionMethod::kerple, 4, 4, 1, 8, false);
  const float one_r[] = {1.0f, 2.0f};
  a.kerple_r1 = one_r;  // two values for one head
  CHECK(param(a) == "r1");
  a = f.params(PositionMethod::shaw, 4, 4, 1, 8, false);
  a.shaw_max_distance = 4;
  CHECK(param(a) == "tableK");
  a = f.params(PositionMethod::none, 4, 4, 1, 8, false);
  a.scale = -1;
  CHECK(param(a) == "scale");
  a.scale = std::nan("");
  a.method = PositionMethod(99);
  CHECK(param(a) == "position");
  // heads * headDim that wraps a 32-bit size_t (2^19 * 2^13 = 2^32), or just past it, or too many heads.
  a = f.params(PositionMethod::none, 4, 4, 1, 8, false);
  for (auto [heads, dim] : {std::pair<std::size_t, std::size_t>{std::size_t(1) << 19, 8192},
                            {(std::size_t(1) << 19) + 1, 8192}, {65537, 1}}) {
    a.heads = heads;
    a.head_dim = dim;
    CHECK(param(a) == "shape");
  }
  for (float x : out) CHECK(x == 9.0f);
}

TEST_CASE("attention: a caller's workspace gives the same result, and one too small is refused") {
  Fixture f;
  for (bool streaming : {false, true}) {
    AttentionParams p = f.params(PositionMethod::t5, 30, 300, 2, 8, true);
    p.streaming = streaming;
    const Inputs in = random_inputs(p, 4);
    const auto a = run(p, in);
    std::vector<float> ws(posenc::attention_workspace_floats(p), 0.0f), out(a.size(), 0.0f);
    REQUIRE(posenc::attention(p, in.q, in.k, in.v, out, {}, ws).ok());
    CHECK(out == a);
    ws.resize(ws.size() - 1);
    CHECK(std::string(posenc::attention(p, in.q, in.k, in.v, out, {}, ws).param) == "workspace");
  }
}

TEST_CASE("attention: logits beyond float32 are refused by name, never returned as NaN (plain and streaming)") {
  Fixture f;
  auto refused = [&](AttentionParams p, const Inputs& in) {
    std::vector<std::string> names;
    for (bool streaming : {false, true}) {
      p.streaming = streaming;
      std::vector<float> out(p.queries * p.heads * p.head_dim, 9.0f);
      std::vector<float> w(streaming ? 0 : p.heads * p.queries * p.keys, 9.0f);
      const posenc::Status s = posenc::attention(p, in.q, in.k, in.v, out, w);
      CHECK(s.code == posenc::Errc::range_error);
      for (float x : out) CHECK(x == 0.0f);  // zeroed, no NaN
      for (float x : w) CHECK(x == 0.0f);
      names.emplace_back(s.param);
    }
    CHECK(names[0] == names[1]);
    return names[0];
  };
  // q entries of 1e19: q.k ~ 8e38 for headDim 8 (the reported reproducer).
  AttentionParams p = f.params(PositionMethod::none, 3, 5, 2, 8, false);
  Inputs in = random_inputs(p, 7);
  for (float& x : in.q) x = x < 0 ? -1e19f : 1e19f;
  for (float& x : in.k) x = x < 0 ? -1e19f : 1e19f;
  CHECK(refused(p, in) == "q");
  for (PositionMethod m : {PositionMethod::rope, PositionMethod::alibi, PositionMethod::kerple, PositionMethod::shaw}) {
    CAPTURE(int(m));
    CHECK(refused(f.params(m, 3, 5, 2, 8, true), in) == "q");
  }
  // q and k of size 1e5 (fine with the default scale) and scale 1e30: logits ~1e40.
  p = f.params(PositionMethod::none, 3, 5, 2, 8, true);
  in = random_inputs(p, 8);
  for (float& x : in.q) x = 1e5f;
  for (float& x : in.k) x = 1e5f;
  p.scale = 1e30;
  CHECK(refused(p, in) == "scale");
  // A T5 table of -3.4e38 with q.k = -8e36: every logit leaves float32 below (it used to read as "all masked").
  p = f.params(PositionMethod::t5, 3, 5, 2, 8, false);
  for (float& x : f.t5_table) x = -3.4e38f;
  for (float& x : in.q) x = 1e18f;
  for (float& x : in.k) x = -1e18f;
  CHECK(refused(p, in) == "position.table");
  // The same table with ordinary q and k: every logit rounds to -3.4e38, uniform weights (float32's answer).
  in = random_inputs(p, 12);
  std::vector<float> uniform(p.queries * p.heads * p.head_dim);
  REQUIRE(posenc::attention(p, in.q, in.k, in.v, uniform, {}).ok());
  for (std::size_t d = 0; d < p.head_dim; ++d) {
    double mean = 0;
    for (std::size_t j = 0; j < p.keys; ++j) mean += in.v[j * p.heads * p.head_dim + d] / double(p.keys);
    CHECK(uniform[d] == doctest::Approx(mean).epsilon(1e-5));
  }
  // v so large that the weighted sum of v overflows (the logits are fine).
  p = f.params(PositionMethod::none, 3, 5, 2, 8, false);
  for (float& x : in.v) x = 3e38f;
  CHECK(refused(p, in) == "v");
  // Non-finite inputs from a native caller.
  in = random_inputs(p, 9);
  in.k[3] = std::numeric_limits<float>::quiet_NaN();
  CHECK(refused(p, in) == "k");
  // Large but representable logits still work: q.k ~ 1e37 gives a finite one-hot-like softmax.
  in = random_inputs(p, 10);
  for (float& x : in.q) x *= 1e18f;
  for (float& x : in.k) x *= 1e18f;
  std::vector<float> out(p.queries * p.heads * p.head_dim);
  REQUIRE(posenc::attention(p, in.q, in.k, in.v, out, {}).ok());
  for (float x : out) CHECK(std::isfinite(x));
}

TEST_CASE("attention: xPos positions beyond float32's scale range are refused (scaleBase), finite within it") {
  Fixture f;
  // One query at position 0 against 80001 keys: centre 40001, the query scale zeta_0^(-40001 / 512) =
  // (2/7)^-78 = 1e42 overflows float32.
  AttentionParams p = f.params(PositionMethod::xpos, 1, 80001, 1, 8, false);
  p.query_offset = 0;
  Inputs in = random_inputs(p, 11);
  std::vector<float> out(8, 9.0f);
  posenc::Status s = posenc::attention(p, in.q, in.k, in.v, out, {});
  CHECK(s.code == posenc::Errc::range_error);
  CHECK(std::string(s.param) == "scaleBase");
  for (float x : out) CHECK(x == 9.0f);
  // A larger scale base brings it back in range.
  p.xpos_scale_base = 2048;
  REQUIRE(posenc::attention(p, in.q, in.k, in.v, out, {}).ok());
  for (float x : out) CHECK(std::isfinite(x));
  // A query far after the centre shrinks instead (finite, as torchscale): one key, so the output is v.
  p = f.params(PositionMethod::xpos, 1, 1, 1, 8, true);
  p.query_offset = 80000;
  in = random_inputs(p, 13);
  REQUIRE(posenc::attention(p, in.q, in.k, in.v, out, {}).ok());
  for (std::size_t d = 0; d < 8; ++d) CHECK(out[d] == doctest::Approx(in.v[d]).epsilon(1e-6));
}
