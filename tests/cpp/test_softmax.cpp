// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "posenc/softmax.hpp"
#include "util.hpp"

using posenc::test::random_vector;

TEST_CASE("exp: the fast kernel is within 2e-7 relative of exp over softmax's range, 0 below -87.3") {
  std::vector<float> x;
  for (float v = -87.0f; v <= 10.0f; v += 0.0137f) x.push_back(v);
  for (float v : {0.0f, -0.0f, 1.0f, -1.0f, -0.34657f, 0.34657f, 88.0f}) x.push_back(v);
  std::vector<float> fast(x.size()), ref(x.size());
  posenc::exp_fast(x.data(), fast.data(), x.size());
  posenc::exp_reference(x.data(), ref.data(), x.size());
  double worst = 0;
  for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(double(fast[i]) / double(ref[i]) - 1.0));
  CHECK(worst <= 2e-7);
  const float tiny[] = {-88.0f, -1000.0f, -std::numeric_limits<float>::infinity(), -87.5f, -90.0f};
  float out[5];
  posenc::exp_fast(tiny, out, 5);
  for (float v : out) CHECK(v == 0.0f);
  const float one[] = {0.0f};
  posenc::exp_fast(one, out, 1);
  CHECK(out[0] == 1.0f);
}

TEST_CASE("softmax: hand-checked row with scale, bias, a masked key and a causal cut") {
  std::vector<float> s = {1.0f, 2.0f, 3.0f, 4.0f, 9.0f};
  const float bias[] = {0.0f, 0.0f, -std::numeric_limits<float>::infinity(), 1.0f, 0.0f};
  float m = 0;
  posenc::softmax_row_fast({s.data(), 5, 4, 0.5f, bias}, &m);  // z = 0.5, 1, -inf, 3; key 4 cut
  const double e0 = std::exp(0.5 - 3), e1 = std::exp(1.0 - 3), e3 = 1.0, sum = e0 + e1 + e3;
  CHECK(m == 3.0f);
  CHECK(s[0] == doctest::Approx(e0 / sum).epsilon(1e-6));
  CHECK(s[1] == doctest::Approx(e1 / sum).epsilon(1e-6));
  CHECK(s[2] == 0.0f);
  CHECK(s[3] == doctest::Approx(e3 / sum).epsilon(1e-6));
  CHECK(s[4] == 0.0f);
}

TEST_CASE("softmax: the fast row equals the float64 reference at awkward lengths") {
  for (std::size_t n : {1u, 3u, 4u, 5u, 63u, 64u, 65u, 1000u}) {
    for (std::size_t valid : {std::size_t{1}, n / 2 + 1, n}) {
      for (bool with_bias : {false, true}) {
        for (bool normalize : {true, false}) {
          auto a = random_vector(n, unsigned(n + valid), -30.0f, 30.0f), b = a;
          const auto bias = random_vector(n, 7, -5.0f, 5.0f);
          float ma = 0, mb = 0;
          const float sa = posenc::softmax_row_reference({a.data(), n, valid, 0.125f, with_bias ? bias.data() : nullptr, normalize}, &ma);
          const float sb = posenc::softmax_row_fast({b.data(), n, valid, 0.125f, with_bias ? bias.data() : nullptr, normalize}, &mb);
          CAPTURE(n);
          CAPTURE(valid);
          CHECK(ma == doctest::Approx(mb).epsilon(1e-6));
          CHECK(sa == doctest::Approx(sb).epsilon(1e-5));
          double err = 0, total = 0;
          for (std::size_t j = 0; j < n; ++j) {
            err = std::max(err, std::abs(double(a[j]) - double(b[j])));
            total += b[j];
          }
          CHECK(err <= 2e-6 * (normalize ? 1.0 : double(sa)));
          if (normalize) CHECK(total == doctest::Approx(1.0).epsilon(1e-5));
          for (std::size_t j = valid; j < n; ++j) CHECK(b[j] == 0.0f);
        }
      }
    }
  }
}

TEST_CASE("softmax: overflowed scores give a NaN maximum and a zeroed row; exp passes NaN through") {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  // exp of NaN at every lane position (the scalar tail converted NaN to int before: UBSan).
  for (std::size_t n : {1u, 5u, 7u}) {
    std::vector<float> x(n, 0.5f), y(n);
    x[n - 1] = nan;
    posenc::exp_fast(x.data(), y.data(), n);
    CHECK(std::isnan(y[n - 1]));
    if (n > 1) CHECK(y[0] == doctest::Approx(std::exp(0.5)).epsilon(1e-6));
  }
  for (std::size_t n : {3u, 9u}) {
    for (float bad : {inf, -inf, nan, 3e38f}) {
      CAPTURE(n);
      CAPTURE(bad);
      std::vector<float> s = random_vector(n, 5);
      s[n - 2] = bad;  // 3e38 * scale 10 overflows
      float m = 0.0f;
      const float sum = posenc::softmax_row_fast({s.data(), n, n, 10.0f, nullptr, true}, &m);
      CHECK(std::isnan(m));
      CHECK(sum == 0.0f);
      for (float x : s) CHECK(x == 0.0f);
    }
  }
  // A bias of -inf is still a mask, not an overflow.
  std::vector<float> s = {1.0f, 2.0f, 3.0f};
  const float bias[] = {0.0f, -inf, 0.0f};
  float m = 0.0f;
  posenc::softmax_row_fast({s.data(), 3, 3, 1.0f, bias, true}, &m);
  CHECK(m == 3.0f);
  CHECK(s[1] == 0.0f);
  CHECK(s[0] + s[2] == doctest::Approx(1.0f));
}
