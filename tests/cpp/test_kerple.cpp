// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "posenc/alibi.hpp"
#include "posenc/kerple.hpp"
#include "util.hpp"

using posenc::Errc;
using posenc::KerpleBiasParams;
using posenc::KerpleVariant;
using posenc::test::same_bits;

namespace {

constexpr float inf = std::numeric_limits<float>::infinity();

std::vector<float> bias(const KerpleBiasParams& p, const std::vector<float>& r1, const std::vector<float>& r2) {
  std::vector<float> out(p.shape.heads * p.shape.queries * p.shape.keys, 7.0f);
  const posenc::Status s = posenc::kerple_bias(p, r1, r2, out);
  REQUIRE_MESSAGE(s.ok(), s.param << ": " << s.message);
  return out;
}

// Per-head parameters in the reference code's initial ranges: p in (0, 2), a in (0, 1).
std::vector<float> spread(std::size_t heads, float lo, float hi) {
  std::vector<float> v(heads);
  for (std::size_t h = 0; h < heads; ++h) v[h] = lo + (hi - lo) * float(h + 1) / float(heads + 1);
  return v;
}

}  // namespace

TEST_CASE("kerple: hand-computed values of both variants") {
  // log, r1 = 2, r2 = 1: row of the query at position 2 is (-2 ln 3, -2 ln 2, 0).
  const auto l = bias({.shape = {.heads = 1, .queries = 3, .keys = 3}}, {2.0f}, {1.0f});
  CHECK(l[0] == 0.0f);
  CHECK(l[1] == -inf);
  CHECK(l[3] == doctest::Approx(-2 * 0.6931471805599453).epsilon(1e-7));
  CHECK(l[6] == doctest::Approx(-2 * 1.0986122886681098).epsilon(1e-7));
  CHECK(l[7] == doctest::Approx(-2 * 0.6931471805599453).epsilon(1e-7));
  CHECK(l[8] == 0.0f);
  // power, r1 = 0.5, r2 = 2, no mask, query at position 1 of 4 keys: -0.5 d^2 for d = 1, 0, 1, 2.
  const auto p = bias({.shape = {.heads = 1, .queries = 1, .keys = 4, .query_offset = 1},
                       .causal = false,
                       .variant = KerpleVariant::power},
                      {0.5f}, {2.0f});
  CHECK(p == std::vector<float>{-0.5f, 0.0f, -0.5f, -2.0f});
  for (float x : p) CHECK_FALSE((x == 0.0f && std::signbit(x)));  // zeros are +0
}

TEST_CASE("kerple: every element is the formula (long double) rounded once to float32") {
  for (auto variant : {KerpleVariant::log, KerpleVariant::power})
    for (bool causal : {true, false}) {
      const std::size_t heads = 5, queries = 7, keys = 300;
      const auto r1 = spread(heads, 0.01f, 2.0f),
                 r2 = spread(heads, 0.01f, variant == KerpleVariant::power ? 2.0f : 1.0f);
      const KerpleBiasParams p{.shape = {.heads = heads, .queries = queries, .keys = keys, .query_offset = 150},
                               .causal = causal,
                               .variant = variant};
      const auto b = bias(p, r1, r2);
      double worst = 0;
      for (std::size_t h = 0; h < heads; ++h)
        for (std::size_t i = 0; i < queries; ++i)
          for (std::size_t j = 0; j < keys; ++j) {
            const long double d = std::abs(150.0L + i - j);
            const float got = b[(h * queries + i) * keys + j];
            if (causal && j > 150 + i) {
              CHECK(got == -inf);
              continue;
            }
            const long double k =
                variant == KerpleVariant::log ? std::log1p(r2[h] * d) : std::pow(d, (long double)r2[h]);
            const long double exact = -r1[h] * k;
            worst = std::max(worst, double(std::abs(got - exact) / std::max(std::abs(exact), 1e-30L)));
          }
      CAPTURE(int(variant));
      CAPTURE(causal);
      CHECK(worst <= 0x1p-24 * 1.001);  // half an ulp, relative
    }
}

TEST_CASE("kerple: properties: decreasing with distance, symmetric without the mask, linear in r1") {
  const auto r1 = spread(3, 0.1f, 1.9f), r2 = spread(3, 0.05f, 0.95f);
  for (auto variant : {KerpleVariant::log, KerpleVariant::power}) {
    const KerpleBiasParams p{
        .shape = {.heads = 3, .queries = 1, .keys = 401, .query_offset = 200}, .causal = false, .variant = variant};
    const auto b = bias(p, r1, r2);
    for (std::size_t h = 0; h < 3; ++h) {
      const float* row = b.data() + h * 401;
      for (std::size_t d = 1; d <= 200; ++d) {
        CHECK(row[200 - d] == row[200 + d]);
        CHECK(row[200 + d] < row[200 + d - 1]);
      }
    }
    std::vector<float> twice(r1);
    for (float& x : twice) x *= 2;
    const auto b2 = bias(p, twice, r2);
    for (std::size_t k = 0; k < b.size(); ++k) CHECK(b2[k] == 2 * b[k]);  // one rounding, scaled by 2 exactly
  }
}

TEST_CASE("kerple: the power variant with r2 = 1 and r1 = the ALiBi slopes is ALiBi") {
  const std::size_t heads = 12;
  std::vector<float> slopes(heads);
  REQUIRE(posenc::alibi_slopes(std::span<float>(slopes)).ok());
  for (bool causal : {true, false}) {
    const posenc::AttentionShape s{.heads = heads, .queries = 5, .keys = 77};
    const auto k =
        bias({.shape = s, .causal = causal, .variant = KerpleVariant::power}, slopes, std::vector<float>(heads, 1.0f));
    std::vector<float> a(k.size());
    REQUIRE(posenc::alibi_bias({.shape = s, .causal = causal}, a).ok());
    CAPTURE(causal);
    CHECK(same_bits(k, a));
  }
}

TEST_CASE("kerple: the row-shift kernel equals the per-element reference at awkward sizes") {
  for (auto variant : {KerpleVariant::log, KerpleVariant::power})
    for (bool causal : {true, false})
      for (std::size_t heads : {1u, 3u, 5u})
        for (std::size_t queries : {1u, 2u, 3u, 5u, 17u})
          for (std::size_t keys : {1u, 2u, 3u, 7u, 9u, 33u, 130u})
            for (std::int64_t offset : {std::int64_t{-1}, std::int64_t{0}, std::int64_t{3}, std::int64_t{200}}) {
              KerpleBiasParams p{
                  .shape = {.heads = heads, .queries = queries, .keys = keys}, .causal = causal, .variant = variant};
              if (offset >= 0)
                p.shape.query_offset = offset;
              else if (keys < queries)
                continue;
              const auto r1 = spread(heads, 0.2f, 1.7f), r2 = spread(heads, 0.3f, 1.9f);
              std::vector<float> ref(heads * queries * keys, 1.0f), fast(ref.size(), 2.0f);
              REQUIRE(posenc::kerple_bias_check(p, r1, r2, ref.size()).ok());
              posenc::kerple_bias_reference(p, r1, r2, ref);
              posenc::kerple_bias_fast(p, r1, r2, fast);
              CAPTURE(heads);
              CAPTURE(queries);
              CAPTURE(keys);
              CAPTURE(offset);
              CHECK(same_bits(ref, fast));
            }
}

TEST_CASE("kerple: bad parameters are refused, and nothing is written") {
  const posenc::AttentionShape s{.heads = 2, .queries = 2, .keys = 2};
  const KerpleBiasParams log_params{.shape = s}, power_params{.shape = s, .variant = KerpleVariant::power};
  const KerpleBiasParams long_log{.shape = {.heads = 2, .queries = 1, .keys = 100}};
  const KerpleBiasParams far_power{.shape = {.heads = 1, .queries = 1, .keys = 1, .query_offset = posenc::max_position},
                                   .causal = false,
                                   .variant = KerpleVariant::power};
  const float nan = std::numeric_limits<float>::quiet_NaN();
  struct Case {
    KerpleBiasParams p;
    std::vector<float> r1, r2;
    std::size_t out;
    Errc code;
    const char* param;
  };
  const Case cases[] = {
      {{.shape = s, .variant = KerpleVariant(2)}, {1, 1}, {1, 1}, 8, Errc::type_error, "variant"},
      {log_params, {1}, {1, 1}, 8, Errc::range_error, "r1"},
      {log_params, {1, 0}, {1, 1}, 8, Errc::range_error, "r1"},
      {log_params, {1, -1}, {1, 1}, 8, Errc::range_error, "r1"},
      {log_params, {1, nan}, {1, 1}, 8, Errc::range_error, "r1"},
      {log_params, {1, inf}, {1, 1}, 8, Errc::range_error, "r1"},
      {log_params, {1, 1}, {1, 1, 1}, 8, Errc::range_error, "r2"},
      {log_params, {1, 1}, {0, 1}, 8, Errc::range_error, "r2"},
      {power_params, {1, 1}, {1, 2.01f}, 8, Errc::range_error, "r2"},
      {long_log, {1, 3e38f}, {1, 1}, 200, Errc::range_error, "r1"},  // 3e38 * log(100) > FLT_MAX
      {far_power, {1e25f}, {2}, 1, Errc::range_error, "r1"},       // 1e25 * (2^24)^2 > FLT_MAX
      {log_params, {1, 1}, {1, 1}, 7, Errc::range_error, "out"},
      {{.shape = {.heads = 2, .queries = 3, .keys = 2}}, {1, 1}, {1, 1}, 12, Errc::range_error, "queryOffset"},
  };
  for (const Case& c : cases) {
    std::vector<float> out(c.out, 5.0f);
    const posenc::Status st = posenc::kerple_bias(c.p, c.r1, c.r2, out);
    CAPTURE(c.param);
    CHECK(st.code == c.code);
    CHECK(std::string(st.param) == c.param);
    for (float x : out) CHECK(x == 5.0f);
  }
  // The bounds themselves are accepted: r2 = 2 for power, and a bias just inside float32.
  std::vector<float> out(8), ones(2, 1.0f), twos(2, 2.0f);
  CHECK(posenc::kerple_bias(power_params, ones, twos, out).ok());
  std::vector<float> one(1);
  CHECK(posenc::kerple_bias(far_power, std::vector<float>{1e24f}, std::vector<float>{2}, one).ok());
}
