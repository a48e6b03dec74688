// SPDX-License-Identifier: MIT
// The analyses against values computed by hand or by independent formulas written here.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "posenc/analysis.hpp"
#include "posenc/sinusoidal.hpp"
#include "util.hpp"

using posenc::AttentionParams;
using posenc::PositionMethod;
using posenc::RelativeMethod;
using posenc::RelativeScoreParams;
using posenc::RopeLayout;
using posenc::SimilarityMetric;
using posenc::Status;
using posenc::test::random_vector;

namespace {

void require_ok(const Status& s) { REQUIRE_MESSAGE(s.ok(), s.param << ": " << s.message); }

// The failure a call reports: "param: message".
void check_error(const Status& s, posenc::Errc code, const std::string& param) {
  CHECK_MESSAGE(s.code == code, s.param << ": " << s.message);
  CHECK(std::string(s.param) == param);
}

std::vector<float> similarity(const std::vector<float>& table, std::size_t rows, std::size_t dim, SimilarityMetric m) {
  std::vector<float> out(rows * rows, -7.0f);
  require_ok(posenc::similarity(table, rows, dim, m, out));
  return out;
}

std::vector<float> scores(const RelativeScoreParams& p, const std::vector<std::int32_t>& d) {
  std::vector<float> out(posenc::relative_heads(p) * d.size(), -7.0f);
  require_ok(posenc::relative_scores(p, d, out));
  return out;
}

std::vector<std::int32_t> iota(std::int32_t first, std::int32_t last) {
  std::vector<std::int32_t> d;
  for (std::int32_t x = first; x <= last; ++x) d.push_back(x);
  return d;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Similarity.

TEST_CASE("similarity: a 3 x 2 table by hand") {
  const std::vector<float> x = {1, 0, 0, 2, 3, 4};  // rows (1,0), (0,2), (3,4); norms 1, 2, 5
  CHECK(similarity(x, 3, 2, SimilarityMetric::dot) == std::vector<float>{1, 0, 3, 0, 4, 8, 3, 8, 25});
  const auto c = similarity(x, 3, 2, SimilarityMetric::cosine);
  const std::vector<double> expected = {1, 0, 0.6, 0, 1, 0.8, 0.6, 0.8, 1};
  for (std::size_t i = 0; i < 9; ++i) CHECK(c[i] == doctest::Approx(expected[i]).epsilon(1e-7));
}

TEST_CASE("similarity: a zero row has cosine 0 with every row, itself included") {
  const std::vector<float> x = {0, 0, 1, 1, -2, 0};
  CHECK(similarity(x, 3, 2, SimilarityMetric::dot) == std::vector<float>{0, 0, 0, 0, 2, -2, 0, -2, 4});
  const auto c = similarity(x, 3, 2, SimilarityMetric::cosine);
  CHECK(c[0] == 0.0f);
  CHECK(c[1] == 0.0f);
  CHECK(c[3] == 0.0f);
  CHECK(c[4] == 1.0f);
  CHECK(c[5] == doctest::Approx(-std::sqrt(0.5)).epsilon(1e-7));
  // Tiny (subnormal) rows are not zero: their norm is taken in float64.
  const auto t = similarity({1e-40f, 0, 0, 1e-40f}, 2, 2, SimilarityMetric::cosine);
  CHECK(t == std::vector<float>{1, 0, 0, 1});
}

TEST_CASE("similarity: float64 reference at sizes that are not multiples of the tiles; exact symmetry") {
  for (auto [rows, dim] : {std::pair{1, 1}, std::pair{5, 3}, std::pair{13, 7}, std::pair{37, 65}, std::pair{70, 16}}) {
    const auto x = random_vector(std::size_t(rows) * dim, unsigned(rows * 100 + dim), -3.0f, 3.0f);
    const auto dot = similarity(x, rows, dim, SimilarityMetric::dot);
    const auto cos = similarity(x, rows, dim, SimilarityMetric::cosine);
    for (int i = 0; i < rows; ++i) {
      for (int j = 0; j < rows; ++j) {
        double g = 0, ni = 0, nj = 0;
        for (int c = 0; c < dim; ++c) {
          g += double(x[i * dim + c]) * x[j * dim + c];
          ni += double(x[i * dim + c]) * x[i * dim + c];
          nj += double(x[j * dim + c]) * x[j * dim + c];
        }
        CHECK(std::abs(dot[i * rows + j] - g) <= 1e-6 * dim * std::sqrt(ni * nj) + 1e-30);
        CHECK(std::abs(cos[i * rows + j] - g / std::sqrt(ni * nj)) <= 1e-6 * dim);
        CHECK(dot[i * rows + j] == dot[j * rows + i]);
        CHECK(cos[i * rows + j] == cos[j * rows + i]);
        CHECK(std::abs(cos[i * rows + j]) <= 1.0f);
      }
      CHECK(cos[i * rows + i] == 1.0f);
    }
  }
}

TEST_CASE("similarity: sinusoidal rows have dot products sum_i cos((p - q) w_i)") {
  const posenc::SinusoidalParams sp{.length = 50, .dim = 16};
  std::vector<float> table(50 * 16);
  require_ok(posenc::sinusoidal_table(sp, table));
  const auto dot = similarity(table, 50, 16, SimilarityMetric::dot);
  for (int p = 0; p < 50; ++p) {
    for (int q = 0; q < 50; ++q) {
      double e = 0;
      for (int i = 0; i < 8; ++i) e += std::cos((p - q) * std::pow(10000.0, -2.0 * i / 16));
      CHECK(dot[p * 50 + q] == doctest::Approx(e).epsilon(1e-5).scale(8));
    }
  }
}

TEST_CASE("similarity: bad arguments name the parameter and leave the output alone") {
  using posenc::Errc;
  const std::vector<float> x = {1, 2, 3, 4, 5, 6};
  std::vector<float> out(9, -7.0f);
  check_error(posenc::similarity(x, 3, 2, SimilarityMetric(2), out), Errc::type_error, "metric");
  check_error(posenc::similarity(x, 0, 2, SimilarityMetric::dot, out), Errc::range_error, "rows");
  check_error(posenc::similarity(x, 3, 0, SimilarityMetric::dot, out), Errc::range_error, "dim");
  check_error(posenc::similarity(x, 2, 2, SimilarityMetric::dot, out), Errc::range_error, "table");
  check_error(posenc::similarity(x, 3, 2, SimilarityMetric::dot, std::span(out).first(8)), Errc::range_error, "out");
  check_error(posenc::similarity(std::vector<float>{1, NAN, 3, 4, 5, 6}, 3, 2, SimilarityMetric::dot, out),
              Errc::range_error, "table");
  // 2e19^2 = 4e38 > FLT_MAX: the dot product would overflow, the cosine is fine.
  const std::vector<float> big = {2e19f, 0, 0, 1};
  check_error(posenc::similarity(big, 2, 2, SimilarityMetric::dot, std::span(out).first(4)), Errc::range_error,
              "table");
  CHECK(std::all_of(out.begin(), out.end(), [](float v) { return v == -7.0f; }));
  CHECK(similarity(big, 2, 2, SimilarityMetric::cosine) == std::vector<float>{1, 0, 0, 1});
}

// ---------------------------------------------------------------------------------------------
// Relative score curves.

TEST_CASE("relative scores, rope: all-ones q and k in 2 dimensions give 2 af^2 cos(d w)") {
  const std::vector<double> w = {0.3};
  const std::vector<float> ones = {1, 1};
  const auto d = iota(-20, 40);
  for (double af : {1.0, 1.5}) {
    for (RopeLayout layout : {RopeLayout::half, RopeLayout::interleaved}) {
      const auto s = scores({.inv_freq = w, .attention_factor = af, .layout = layout, .q = ones, .k = ones}, d);
      for (std::size_t t = 0; t < d.size(); ++t)
        CHECK(s[t] == doctest::Approx(2 * af * af * std::cos(0.3 * d[t])).epsilon(1e-6).scale(1));
    }
  }
}

TEST_CASE("relative scores, rope: RoFormer's all-ones curve 2 sum_i cos(d w_i), and |q|^2 af^2 at distance 0") {
  const std::size_t D = 64;
  std::vector<double> w(D / 2);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = std::pow(10000.0, -2.0 * double(i) / D);
  const std::vector<float> ones(D, 1.0f);
  const auto d = iota(-30, 600);
  const auto s = scores({.inv_freq = w, .q = ones, .k = ones}, d);
  for (std::size_t t = 0; t < d.size(); ++t) {
    double e = 0;
    for (double wi : w) e += 2 * std::cos(d[t] * wi);
    CHECK(s[t] == doctest::Approx(e).epsilon(1e-6).scale(64));
  }
  const auto q = random_vector(D, 3);
  double q2 = 0;
  for (float x : q) q2 += double(x) * x;
  const double af = 1.2;
  const auto s0 = scores({.inv_freq = w, .attention_factor = af, .q = q, .k = q}, {0, 5, 0});
  CHECK(s0[0] == doctest::Approx(af * af * q2).epsilon(1e-6));
  CHECK(s0[2] == s0[0]);
}

TEST_CASE("relative scores, rope: partial rotary, random q and k, both layouts, against the pair formula") {
  // <R(m) q, R(n) k> = sum over pairs (a, b) of (q_a k_a + q_b k_b) cos(d w) + (q_a k_b - q_b k_a) sin(d w),
  // times af^2, plus q . k over the pass-through coordinates.
  const std::size_t D = 10;
  const std::vector<double> w = {0.9, 0.07, 0.002};  // rotary dimension 6
  const auto q = random_vector(D, 11), k = random_vector(D, 12);
  const double af = 0.8;
  const std::vector<std::int32_t> d = {7, -3, 0, 1000, -1000, 123456, 2};
  for (RopeLayout layout : {RopeLayout::half, RopeLayout::interleaved}) {
    const auto s = scores({.inv_freq = w, .attention_factor = af, .layout = layout, .q = q, .k = k}, d);
    for (std::size_t t = 0; t < d.size(); ++t) {
      double e = 0;
      for (std::size_t i = 0; i < 3; ++i) {
        const std::size_t a = layout == RopeLayout::half ? i : 2 * i,
                          b = layout == RopeLayout::half ? i + 3 : 2 * i + 1;
        const double c = std::cos(d[t] * w[i]), sn = std::sin(d[t] * w[i]);
        e += af * af *
             ((double(q[a]) * k[a] + double(q[b]) * k[b]) * c + (double(q[a]) * k[b] - double(q[b]) * k[a]) * sn);
      }
      for (std::size_t c = 6; c < D; ++c) e += double(q[c]) * k[c];
      CHECK(s[t] == doctest::Approx(e).epsilon(1e-6).scale(1));
    }
  }
}

TEST_CASE("relative scores, alibi: -m_h |d| with the slopes written out") {
  const auto d = iota(-7, 9);
  const auto s4 = scores({.method = RelativeMethod::alibi, .heads = 4}, d);
  const double m4[] = {0.25, 0.0625, 0.015625, 0.00390625};  // 2^(-8(h+1)/4)
  for (std::size_t h = 0; h < 4; ++h)
    for (std::size_t t = 0; t < d.size(); ++t) CHECK(s4[h * d.size() + t] == float(-m4[h] * std::abs(d[t])));
  // 3 heads: 2^-4, 2^-8 (two heads), then every other slope of 4 heads: 2^-2.
  const auto s3 = scores({.method = RelativeMethod::alibi, .heads = 3}, {5, -2, 0});
  CHECK(s3 == std::vector<float>{-0.3125f, -0.125f, 0.0f, -5.0f / 256, -2.0f / 256, 0.0f, -1.25f, -0.5f, 0.0f});
}

TEST_CASE("relative scores, t5: the table at the bucket of each distance") {
  // table[b][h] = 10 b + h, 2 heads.
  std::vector<float> table(16);
  for (int b = 0; b < 8; ++b)
    for (int h = 0; h < 2; ++h) table[b * 2 + h] = float(10 * b + h);
  // Bidirectional, 8 buckets, maxDistance 16: 4 per direction, exact below 2, then
  // 2 + trunc(log(r/2) / log(8) * 2): r = 2..5 -> 2, r >= 6 -> 3; keys after the query (d < 0) add 4.
  const std::map<int, int> bi = {{-100, 7}, {-6, 7}, {-5, 6}, {-2, 6}, {-1, 5}, {0, 0},
                                 {1, 1},    {2, 2},  {5, 2},  {6, 3},  {9, 3},  {40, 3}};
  // Causal, 8 buckets, maxDistance 16: d < 0 -> 0, exact below 4, then 4 + trunc(log(d/4) / log(4) * 4):
  // d = 4, 5 -> 4; 6, 7 -> 5; 12 -> 7; 100 -> 7 (capped).
  const std::map<int, int> causal = {{-5, 0}, {-1, 0}, {0, 0}, {3, 3},  {4, 4},
                                     {5, 4},  {6, 5},  {7, 5}, {12, 7}, {100, 7}};
  for (auto [bidirectional, expected] : {std::pair{true, bi}, std::pair{false, causal}}) {
    std::vector<std::int32_t> d;
    for (auto [dist, bucket] : expected) d.push_back(dist);
    const RelativeScoreParams p{.method = RelativeMethod::t5,
                                .heads = 2,
                                .t5 = {.bidirectional = bidirectional, .num_buckets = 8, .max_distance = 16},
                                .t5_table = table};
    const auto s = scores(p, d);
    for (std::size_t t = 0; t < d.size(); ++t) {
      CAPTURE(d[t]);
      for (int h = 0; h < 2; ++h) CHECK(s[h * d.size() + t] == float(10 * expected.at(d[t]) + h));
    }
  }
}

TEST_CASE("relative scores, kerple: -r1 log(1 + r2 |d|) and -r1 |d|^r2 per head") {
  const std::vector<float> r1 = {0.5f, 2.0f}, r2 = {0.25f, 1.5f};
  const std::vector<std::int32_t> d = {0, 1, -1, 17, -300, 4096};
  for (auto v : {posenc::KerpleVariant::log, posenc::KerpleVariant::power}) {
    const auto s = scores(
        {.method = RelativeMethod::kerple, .heads = 2, .kerple_variant = v, .kerple_r1 = r1, .kerple_r2 = r2}, d);
    for (std::size_t h = 0; h < 2; ++h) {
      for (std::size_t t = 0; t < d.size(); ++t) {
        const double a = std::abs(double(d[t]));
        const double e =
            v == posenc::KerpleVariant::log ? -r1[h] * std::log(1 + r2[h] * a) : -r1[h] * std::pow(a, double(r2[h]));
        CHECK(s[h * d.size() + t] == doctest::Approx(e).epsilon(1e-7));
      }
    }
  }
}

TEST_CASE("relative scores: bad arguments name the parameter and leave the output alone") {
  using posenc::Errc;
  const std::vector<double> w = {0.5};
  const std::vector<float> q2 = {1, 1}, q3 = {1, 1, 1}, nanq = {1, NAN};
  const std::vector<float> t5_table(64, 0.0f);
  const std::vector<std::int32_t> d = {0, 1};
  std::vector<float> out(8, -7.0f);
  const auto run = [&](const RelativeScoreParams& p, std::span<const std::int32_t> dist = {}) {
    return posenc::relative_scores(p, dist.empty() ? std::span<const std::int32_t>(d) : dist,
                                   std::span(out).first(posenc::relative_heads(p) * (dist.empty() ? 2 : dist.size())));
  };
  check_error(run({.method = RelativeMethod(9)}), Errc::type_error, "method");
  check_error(run({.inv_freq = w, .q = q2, .k = q3}), Errc::range_error, "k");
  check_error(run({.inv_freq = w, .q = nanq, .k = q2}), Errc::range_error, "q");
  check_error(run({.inv_freq = {}, .q = q2, .k = q2}), Errc::range_error, "frequencies");
  check_error(run({.inv_freq = std::vector<double>{1, 2}, .q = q2, .k = q2}), Errc::range_error, "frequencies");
  check_error(run({.inv_freq = std::vector<double>{NAN}, .q = q2, .k = q2}), Errc::range_error, "frequencies");
  check_error(run({.inv_freq = w, .attention_factor = 0, .q = q2, .k = q2}), Errc::range_error, "frequencies");
  check_error(run({.inv_freq = w, .layout = RopeLayout(5), .q = q2, .k = q2}), Errc::type_error, "layout");
  check_error(run({.method = RelativeMethod::alibi, .heads = 0}), Errc::range_error, "heads");
  const std::vector<std::int32_t> far = {-(1 << 23), (1 << 23) + 1};
  check_error(run({.method = RelativeMethod::alibi, .heads = 1}, far), Errc::range_error, "distances");
  const std::vector<std::int32_t> none;
  check_error(posenc::relative_scores({.method = RelativeMethod::alibi}, none, {}), Errc::range_error, "distances");
  check_error(run({.method = RelativeMethod::t5, .heads = 1, .t5_table = t5_table}), Errc::range_error, "table");
  check_error(run({.method = RelativeMethod::t5,
                   .heads = 2,
                   .t5 = {.num_buckets = 8, .max_distance = 2},
                   .t5_table = std::span(t5_table).first(16)}),
              Errc::range_error, "maxDistance");
  const std::vector<float> one = {1.0f}, three = {3.0f};
  check_error(run({.method = RelativeMethod::kerple,
                   .heads = 1,
                   .kerple_variant = posenc::KerpleVariant::power,
                   .kerple_r1 = one,
                   .kerple_r2 = three}),
              Errc::range_error, "r2");
  check_error(run({.method = RelativeMethod::kerple, .heads = 2, .kerple_r1 = one, .kerple_r2 = one}),
              Errc::range_error, "r1");
  CHECK(std::all_of(out.begin(), out.end(), [](float v) { return v == -7.0f; }));
}

// ---------------------------------------------------------------------------------------------
// RoPE's relative check.

TEST_CASE("rope relative check: q_m . k_n depends on m - n only, up to float32 rounding, up to position 1e6") {
  const std::size_t D = 64;
  std::vector<double> w(D / 2);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = std::pow(10000.0, -2.0 * double(i) / D);
  const std::vector<float> ones(D, 1.0f);
  const auto d = iota(-64, 256);
  posenc::RelativeCheck c;
  require_ok(posenc::rope_relative_check({.inv_freq = w, .q = ones, .k = ones}, d, 1000000, 64, c));
  CHECK(c.bound == doctest::Approx(64.0).epsilon(1e-15));
  CHECK(c.deviation < 64 * 4e-7);  // a few float32 ulps of the bound
  // Random q and k, interleaved, an attention factor and partial rotary: bound af^2 |q_r||k_r| + |q_p||k_p|.
  const auto q = random_vector(D + 6, 21), k = random_vector(D + 6, 22);
  double qr = 0, kr = 0, qp = 0, kp = 0;
  for (std::size_t i = 0; i < D + 6; ++i) {
    (i < D ? qr : qp) += double(q[i]) * q[i];
    (i < D ? kr : kp) += double(k[i]) * k[i];
  }
  require_ok(posenc::rope_relative_check(
      {.inv_freq = w, .attention_factor = 1.3, .layout = RopeLayout::interleaved, .q = q, .k = k}, d, 1 << 24, 33, c));
  CHECK(c.bound == doctest::Approx(1.69 * std::sqrt(qr * kr) + std::sqrt(qp * kp)).epsilon(1e-12));
  CHECK(c.deviation < c.bound * 4e-7);
}

TEST_CASE("rope relative check: the documented key positions and deviation, recomputed with rope_apply here") {
  // n_s = n_0 + round(s (last - n_0) / (samples - 1)), n_0 = max(0, -min d), last = maxPosition - max(0, max d).
  const std::vector<double> w = {1.0, 0.1, 0.01, 0.001};
  const auto q = random_vector(8, 41), k = random_vector(8, 42);
  const std::vector<std::int32_t> d = {-3, 0, 2, 17};
  const std::int64_t max_pos = 1000003, n0 = 3, last = max_pos - 17;
  const std::size_t samples = 7;
  const auto score = [&](std::int64_t m, std::int64_t n) {
    std::vector<float> qm = q, kn = k;
    const std::int32_t pm[] = {std::int32_t(m)}, pn[] = {std::int32_t(n)};
    require_ok(posenc::rope_apply(qm, {.seq = 1, .head_dim = 8}, w, 1.0, pm));
    require_ok(posenc::rope_apply(kn, {.seq = 1, .head_dim = 8}, w, 1.0, pn));
    double s = 0;
    for (std::size_t c = 0; c < 8; ++c) s += double(qm[c]) * kn[c];
    return s;
  };
  double expected = 0;
  for (std::size_t s = 1; s < samples; ++s) {
    const std::int64_t n = n0 + std::llround(double(s) * double(last - n0) / double(samples - 1));
    for (std::int32_t dt : d) expected = std::max(expected, std::abs(score(n + dt, n) - score(n0 + dt, n0)));
  }
  posenc::RelativeCheck c;
  require_ok(posenc::rope_relative_check({.inv_freq = w, .q = q, .k = k}, d, max_pos, samples, c));
  CHECK(expected > 0.0);  // float32 rounding at positions near 1e6 is visible
  CHECK(c.deviation == doctest::Approx(expected).epsilon(1e-9));
}

TEST_CASE("rope relative check: bad arguments") {
  using posenc::Errc;
  const std::vector<double> w = {0.5};
  const std::vector<float> q = {1, 1};
  const RelativeScoreParams p{.inv_freq = w, .q = q, .k = q};
  const std::vector<std::int32_t> d = {-10, 0, 10};
  posenc::RelativeCheck c{-1, -1};
  check_error(posenc::rope_relative_check(p, d, 1000, 1, c), Errc::range_error, "samples");
  check_error(posenc::rope_relative_check(p, d, 1000, 5000, c), Errc::range_error, "samples");
  check_error(posenc::rope_relative_check(p, d, 19, 8, c), Errc::range_error, "maxPosition");
  check_error(posenc::rope_relative_check(p, d, -1, 8, c), Errc::range_error, "maxPosition");
  check_error(posenc::rope_relative_check(p, d, (1 << 24) + 1, 8, c), Errc::range_error, "maxPosition");
  check_error(posenc::rope_relative_check({.method = RelativeMethod::alibi}, d, 1000, 8, c), Errc::type_error,
              "method");
  const std::vector<float> big(8192, 1.0f);
  const std::vector<std::int32_t> many(4096, 1);
  check_error(posenc::rope_relative_check({.inv_freq = w, .q = big, .k = big}, many, 1000, 64, c), Errc::range_error,
              "samples");
  CHECK(c.deviation == -1);
  require_ok(posenc::rope_relative_check(p, d, 20, 8, c));  // the smallest room: every sample at n = 10
  CHECK(c.deviation == 0.0);
}

// ---------------------------------------------------------------------------------------------
// Permutations.

TEST_CASE("random_permutation: a permutation, seeded, never the identity, uniform over the others") {
  std::vector<std::int32_t> a(10), b(10);
  require_ok(posenc::random_permutation(42, a));
  require_ok(posenc::random_permutation(42, b));
  CHECK(a == b);
  std::vector<std::int32_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == iota(0, 9));
  std::vector<std::int32_t> one(1);
  require_ok(posenc::random_permutation(7, one));
  CHECK(one[0] == 0);
  // n = 3: the five non-identity permutations, each about 1/5 of the time.
  std::map<std::vector<std::int32_t>, int> count;
  std::vector<std::int32_t> p(3);
  for (std::uint64_t seed = 0; seed < 5000; ++seed) {
    require_ok(posenc::random_permutation(seed, p));
    ++count[p];
  }
  CHECK(count.size() == 5);
  CHECK(count.count({0, 1, 2}) == 0);
  for (const auto& [perm, n] : count) CHECK(std::abs(n - 1000) < 150);  // 5 sigma is about 140
  check_error(posenc::random_permutation(1, {}), posenc::Errc::range_error, "shape");
}

TEST_CASE("permute_rows and equivariance_error by hand") {
  const std::vector<float> x = {1, 2, 3, 4, 5, 6};  // rows (1,2) (3,4) (5,6)
  const std::vector<std::int32_t> perm = {2, 0, 1};
  std::vector<float> y(6);
  require_ok(posenc::permute_rows(x, 2, perm, y));
  CHECK(y == std::vector<float>{5, 6, 1, 2, 3, 4});
  double e = -1;
  require_ok(posenc::equivariance_error(x, y, 2, perm, e));
  CHECK(e == 0.0);
  y[5] = 4.5f;
  require_ok(posenc::equivariance_error(x, y, 2, perm, e));
  CHECK(e == 0.5);
  y[0] = NAN;
  require_ok(posenc::equivariance_error(x, y, 2, perm, e));
  CHECK(std::isnan(e));

  using posenc::Errc;
  check_error(posenc::permute_rows(x, 2, std::vector<std::int32_t>{0, 0, 1}, y), Errc::range_error, "permutation");
  check_error(posenc::permute_rows(x, 2, std::vector<std::int32_t>{0, 1, 3}, y), Errc::range_error, "permutation");
  check_error(posenc::permute_rows(x, 2, std::vector<std::int32_t>{0, -1, 1}, y), Errc::range_error, "permutation");
  check_error(posenc::permute_rows(x, 2, std::vector<std::int32_t>{0, 1}, y), Errc::range_error, "x");
  check_error(posenc::permute_rows(x, 0, perm, y), Errc::range_error, "rowSize");
  check_error(posenc::equivariance_error(x, std::span(y).first(4), 2, perm, e), Errc::range_error, "permutedOutput");
}

TEST_CASE("permutation test: equivariant without positions and mask; not with any method, nor with the mask") {
  const std::size_t L = 9, H = 4, D = 8, n = L * H * D;
  const auto q = random_vector(n, 31), k = random_vector(n, 32), v = random_vector(n, 33);
  const auto table = random_vector(L * D, 34), t5 = random_vector(32 * H, 35);
  const auto shaw_k = random_vector(5 * D, 36), shaw_v = random_vector(5 * D, 37);
  const std::vector<float> r1 = {0.5f, 1.0f, 1.5f, 2.0f}, r2 = {0.5f, 0.5f, 1.0f, 1.0f};
  std::vector<double> w(D / 2);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = std::pow(10000.0, -2.0 * double(i) / D);
  std::vector<std::int32_t> perm(L);
  require_ok(posenc::random_permutation(5, perm));

  const AttentionParams base{.queries = L, .keys = L, .heads = H, .head_dim = D};
  std::vector<AttentionParams> methods;
  for (PositionMethod m : {PositionMethod::absolute, PositionMethod::rope, PositionMethod::xpos, PositionMethod::alibi,
                           PositionMethod::t5, PositionMethod::kerple, PositionMethod::shaw}) {
    AttentionParams p = base;
    p.method = m;
    p.table = table;
    p.inv_freq = w;
    p.t5_table = t5;
    p.kerple_r1 = r1;
    p.kerple_r2 = r2;
    p.shaw_k = shaw_k;
    p.shaw_v = shaw_v;
    p.shaw_max_distance = 2;
    methods.push_back(p);
  }
  AttentionParams causal_none = base;
  causal_none.causal = true;
  methods.push_back(causal_none);

  for (bool streaming : {false, true}) {
    CAPTURE(streaming);
    std::vector<float> out(n), pout(n), direct(n), permuted(n);
    double error = -1;
    AttentionParams none = base;
    none.streaming = streaming;
    require_ok(posenc::permutation_test(none, q, k, v, perm, out, pout, error));
    CHECK(error < 1e-6);
    // out is the attention of the inputs; permuted_out that of the tokens moved by a loop written here.
    require_ok(posenc::attention(none, q, k, v, direct, {}));
    CHECK(out == direct);
    std::vector<float> qy(n), ky(n), vy(n);
    for (std::size_t i = 0; i < L; ++i)
      for (std::size_t c = 0; c < H * D; ++c) {
        qy[i * H * D + c] = q[perm[i] * H * D + c];
        ky[i * H * D + c] = k[perm[i] * H * D + c];
        vy[i * H * D + c] = v[perm[i] * H * D + c];
      }
    require_ok(posenc::attention(none, qy, ky, vy, permuted, {}));
    CHECK(pout == permuted);

    for (AttentionParams p : methods) {
      CAPTURE(int(p.method));
      CAPTURE(p.causal);
      p.streaming = streaming;
      require_ok(posenc::permutation_test(p, q, k, v, perm, out, pout, error));
      CHECK(error > 1e-3);
    }
  }
}

TEST_CASE("permutation test: bad arguments") {
  using posenc::Errc;
  const std::size_t L = 3, D = 2;
  const std::vector<float> x(L * D, 0.5f);
  std::vector<float> out(L * D), pout(L * D);
  double e = -1;
  const AttentionParams p{.queries = L, .keys = L, .heads = 1, .head_dim = D};
  const std::vector<std::int32_t> perm = {1, 2, 0};
  AttentionParams cross = p;
  cross.keys = 2;
  check_error(posenc::permutation_test(cross, x, x, x, perm, out, pout, e), Errc::range_error, "shape");
  AttentionParams offset = p;
  offset.query_offset = 2;
  check_error(posenc::permutation_test(offset, x, x, x, perm, out, pout, e), Errc::range_error, "queryOffset");
  check_error(posenc::permutation_test(p, x, x, x, std::vector<std::int32_t>{1, 1, 0}, out, pout, e), Errc::range_error,
              "permutation");
  check_error(posenc::permutation_test(p, x, x, x, std::vector<std::int32_t>{1, 0}, out, pout, e), Errc::range_error,
              "permutation");
  check_error(posenc::permutation_test(p, std::span(x).first(4), x, x, perm, out, pout, e), Errc::range_error, "q");
  CHECK(e == -1);
}
