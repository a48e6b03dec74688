// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "posenc/alibi.hpp"
#include "posenc/simd.hpp"
#include "util.hpp"

using posenc::AlibiBiasParams;
using posenc::AlibiForm;
using posenc::Errc;
using posenc::test::same_bits;

namespace {

constexpr float inf = std::numeric_limits<float>::infinity();

std::vector<float> bias(const AlibiBiasParams& p) {
  std::vector<float> out(p.shape.heads * p.shape.queries * p.shape.keys, 7.0f);
  const posenc::Status s = posenc::alibi_bias(p, out);
  REQUIRE_MESSAGE(s.ok(), s.param << ": " << s.message);
  return out;
}

std::vector<double> slopes(std::size_t n) {
  std::vector<double> out(n);
  REQUIRE(posenc::alibi_slopes(std::span<double>(out)).ok());
  return out;
}

// Softmax of one row in long double (masked entries contribute 0).
std::vector<long double> softmax(const float* row, std::size_t n) {
  long double top = -INFINITY, sum = 0;
  for (std::size_t j = 0; j < n; ++j) top = std::max(top, static_cast<long double>(row[j]));
  std::vector<long double> w(n);
  for (std::size_t j = 0; j < n; ++j) sum += w[j] = std::exp(static_cast<long double>(row[j]) - top);
  for (auto& x : w) x /= sum;
  return w;
}

}  // namespace

TEST_CASE("alibi: slopes of power-of-two head counts are 2^(-8(i+1)/n)") {
  // Exact powers of two where 8(i+1)/n is an integer.
  CHECK(slopes(1) == std::vector<double>{0x1p-8});
  CHECK(slopes(2) == std::vector<double>{0x1p-4, 0x1p-8});
  CHECK(slopes(8) == std::vector<double>{0x1p-1, 0x1p-2, 0x1p-3, 0x1p-4, 0x1p-5, 0x1p-6, 0x1p-7, 0x1p-8});
  // Otherwise within a few ulp of the formula (the reference rounds twice: start * start^i).
  for (std::size_t n : {16u, 32u, 64u, 256u}) {
    const auto s = slopes(n);
    for (std::size_t i = 0; i < n; ++i) CHECK(s[i] == doctest::Approx(std::exp2(-8.0L * (i + 1) / n)).epsilon(1e-15));
  }
}

TEST_CASE("alibi: other head counts take every other slope of the next power of two, unsorted") {
  // n = 3: c = 2 gives (2^-4, 2^-8); then slopes(4)[0] = 2^-2.
  CHECK(slopes(3) == std::vector<double>{0x1p-4, 0x1p-8, 0x1p-2});
  // n = 6: slopes(4) then slopes(8)[0], slopes(8)[2].
  CHECK(slopes(6) == std::vector<double>{0x1p-2, 0x1p-4, 0x1p-6, 0x1p-8, 0x1p-1, 0x1p-3});
  for (std::size_t n = 1; n <= 300; ++n) {
    const auto s = slopes(n);
    std::size_t c = 1;
    while (2 * c <= n) c *= 2;
    for (std::size_t h = 0; h < n; ++h) {
      // 2^(-8(h+1)/c) for the first c heads, then 2^(-8(2k+1)/(2c)) for k = h - c.
      const long double e = h < c ? -8.0L * (h + 1) / c : -8.0L * (2 * (h - c) + 1) / (2 * c);
      CAPTURE(n);
      CAPTURE(h);
      CHECK(s[h] == doctest::Approx(std::exp2(e)).epsilon(1e-15));
      CHECK(posenc::alibi_slope(n, h) == s[h]);
    }
    std::vector<float> f(n);
    REQUIRE(posenc::alibi_slopes(std::span<float>(f)).ok());
    for (std::size_t h = 0; h < n; ++h) CHECK(f[h] == static_cast<float>(s[h]));
  }
}

TEST_CASE("alibi: the three forms, written out (2 heads: slopes 1/16 and 1/256)") {
  const float a = 1.0f / 16, b = 1.0f / 256;
  const auto rel = bias({.shape = {.heads = 2, .queries = 3, .keys = 3}});
  CHECK(rel == std::vector<float>{0, -inf, -inf, -a, 0, -inf, -2 * a, -a, 0,  //
                                  0, -inf, -inf, -b, 0, -inf, -2 * b, -b, 0});
  const auto ref = bias({.shape = {.heads = 2, .queries = 3, .keys = 3}, .form = AlibiForm::reference});
  CHECK(ref == std::vector<float>{0, -inf, -inf, 0, a, -inf, 0, a, 2 * a,  //
                                  0, -inf, -inf, 0, b, -inf, 0, b, 2 * b});
  const auto sym = bias({.shape = {.heads = 2, .queries = 3, .keys = 3}, .causal = false});
  CHECK(sym == std::vector<float>{0, -a, -2 * a, -a, 0, -a, -2 * a, -a, 0,  //
                                  0, -b, -2 * b, -b, 0, -b, -2 * b, -b, 0});
  for (const auto* m : {&rel, &ref, &sym})
    for (float x : *m) CHECK_FALSE((x == 0.0f && std::signbit(x)));  // zeros are +0
  // One query at position 4 (the last of 5 keys), and the same query placed at position 1.
  const auto last = bias({.shape = {.heads = 1, .queries = 1, .keys = 5}});
  const float m = 1.0f / 256;
  CHECK(last == std::vector<float>{-4 * m, -3 * m, -2 * m, -m, 0});
  const auto early = bias({.shape = {.heads = 1, .queries = 1, .keys = 5, .query_offset = 1}, .causal = false});
  CHECK(early == std::vector<float>{-m, 0, -m, -2 * m, -3 * m});
}

TEST_CASE("alibi: values are the float32 product of the float32 slope and the distance") {
  const std::size_t heads = 12, keys = 700;
  const auto rel = bias({.shape = {.heads = heads, .queries = 3, .keys = keys, .query_offset = 600}});
  for (std::size_t h = 0; h < heads; ++h) {
    const float m = static_cast<float>(posenc::alibi_slope(heads, h));
    for (std::size_t i = 0; i < 3; ++i)
      for (std::size_t j = 0; j < keys; ++j) {
        const double d = double(600 + i) - double(j);
        const float expect = d < 0 ? -inf : static_cast<float>(-(double(m) * d));  // exact product, one rounding
        CHECK(rel[(h * 3 + i) * keys + j] == expect);
      }
  }
}

TEST_CASE("alibi: the paper's and the reference code's forms give the same softmax rows") {
  for (std::size_t heads : {8u, 12u}) {
    const AlibiBiasParams p{.shape = {.heads = heads, .queries = 9, .keys = 40, .query_offset = 5}};
    AlibiBiasParams q = p;
    q.form = AlibiForm::reference;
    const auto rel = bias(p), ref = bias(q);
    CHECK_FALSE(rel == ref);
    double worst = 0;
    for (std::size_t r = 0; r < heads * 9; ++r) {
      const auto a = softmax(rel.data() + r * 40, 40), b = softmax(ref.data() + r * 40, 40);
      for (std::size_t j = 0; j < 40; ++j) worst = std::max(worst, double(std::abs(a[j] - b[j])));
    }
    CAPTURE(heads);
    // 8 heads: slopes are powers of two, both forms are exact. 12 heads: each value is rounded once,
    // by at most 2^-24 * 13 * 0.71 = 5.5e-7 here, which moves a weight by about as much.
    CHECK(worst <= (heads == 8 ? 1e-15 : 2e-6));
  }
}

TEST_CASE("alibi: the fast (xsimd) kernel equals the scalar reference at awkward sizes") {
  INFO("fast kernels: " << posenc::simd::arch_name());
  const struct {
    bool causal;
    AlibiForm form;
  } kinds[] = {{true, AlibiForm::relative}, {true, AlibiForm::reference}, {false, AlibiForm::relative}};
  for (const auto& k : kinds)
    for (std::size_t heads : {1u, 3u, 5u, 7u, 12u})
      for (std::size_t queries : {1u, 2u, 3u, 5u, 17u})
        for (std::size_t keys : {1u, 2u, 3u, 4u, 5u, 7u, 9u, 31u, 33u, 130u})
          for (std::int64_t offset : {std::int64_t{-1}, std::int64_t{0}, std::int64_t{3}, std::int64_t{100}}) {
            AlibiBiasParams p{
                .shape = {.heads = heads, .queries = queries, .keys = keys}, .causal = k.causal, .form = k.form};
            if (offset >= 0)
              p.shape.query_offset = offset;
            else if (keys < queries)
              continue;
            std::vector<float> ref(heads * queries * keys, 1.0f), fast(ref.size(), 2.0f);
            REQUIRE(posenc::alibi_bias_check(p, ref.size()).ok());
            posenc::alibi_bias_reference(p, ref);
            posenc::alibi_bias_fast(p, fast);
            CAPTURE(heads);
            CAPTURE(queries);
            CAPTURE(keys);
            CAPTURE(offset);
            CAPTURE(int(k.form));
            CAPTURE(k.causal);
            CHECK(same_bits(ref, fast));
          }
}

TEST_CASE("alibi: far positions stay exact, and no NaN appears") {
  const std::size_t keys = 1000;
  const std::int64_t offset = posenc::max_position - 1;  // queries at 2^24 - 1 and 2^24
  for (bool causal : {true, false}) {
    const auto b = bias({.shape = {.heads = 3, .queries = 2, .keys = keys, .query_offset = offset}, .causal = causal});
    for (float x : b) CHECK_FALSE(std::isnan(x));
    // Head 2 of 3 has slope 1/4: the bias to key 0 from position 2^24 is -2^22.
    CHECK(b[(2 * 2 + 1) * keys] == -0x1p22f);
  }
  const auto r =
      bias({.shape = {.heads = 1, .queries = 1, .keys = keys, .query_offset = 2}, .form = AlibiForm::reference});
  for (std::size_t j = 0; j < keys; ++j) CHECK(r[j] == (j <= 2 ? float(j) / 256 : -inf));
}

TEST_CASE("alibi: bad parameters are refused, and nothing is written") {
  struct Case {
    AlibiBiasParams p;
    std::size_t out;
    Errc code;
    const char* param;
  };
  const Case cases[] = {
      {{.shape = {.heads = 2, .queries = 2, .keys = 2}, .form = AlibiForm(2)}, 8, Errc::type_error, "form"},
      {{.shape = {.heads = 2, .queries = 2, .keys = 2}, .causal = false, .form = AlibiForm::reference},
       8,
       Errc::range_error,
       "form"},
      {{.shape = {.heads = 0, .queries = 2, .keys = 2}}, 0, Errc::range_error, "heads"},
      {{.shape = {.heads = 2, .queries = 3, .keys = 2}}, 12, Errc::range_error, "queryOffset"},
      {{.shape = {.heads = 2, .queries = 2, .keys = 2}}, 7, Errc::range_error, "out"},
  };
  for (const Case& c : cases) {
    std::vector<float> out(c.out, 5.0f);
    const posenc::Status s = posenc::alibi_bias(c.p, out);
    CAPTURE(c.param);
    CHECK(s.code == c.code);
    CHECK(std::string(s.param) == c.param);
    for (float x : out) CHECK(x == 5.0f);
  }
  std::vector<double> none, too_many(65537, 5.0);
  std::vector<float> none_f;
  CHECK(std::string(posenc::alibi_slopes(std::span<double>(none)).param) == "heads");
  CHECK(std::string(posenc::alibi_slopes(std::span<float>(none_f)).param) == "heads");
  CHECK(posenc::alibi_slopes(std::span<double>(too_many)).code == Errc::range_error);
  CHECK(too_many[0] == 5.0);
}
