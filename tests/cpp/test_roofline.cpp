// SPDX-License-Identifier: MIT
#include "posenc/roofline.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

TEST_CASE("roofline: the stream copies every float, and the peak loop computes its recurrence") {
  for (std::size_t n : {0u, 1u, 15u, 16u, 17u, 1000u}) {
    std::vector<float> src(n), dst(n + 1, -1.0f);
    for (std::size_t i = 0; i < n; ++i) src[i] = float(i) * 0.5f;
    posenc::roofline_stream(src.data(), dst.data(), n);
    for (std::size_t i = 0; i < n; ++i) CHECK(dst[i] == src[i]);
    CHECK(dst[n] == -1.0f);
    posenc::roofline_scale(dst.data(), n, -2.0f);
    for (std::size_t i = 0; i < n; ++i) CHECK(dst[i] == -2.0f * src[i]);
    CHECK(dst[n] == -1.0f);
  }
  // Zero rounds return the sum of the 32 initial lanes; each round maps every lane a to a * b + c
  // (b = 0.999999f, c = 1e-7f), so n rounds give s0 b^n + 32 c (1 - b^n) / (1 - b).
  // (After 20000 rounds the sum has moved by 0.7% to 1.4% of s0 in either build; float32 rounding
  // over the rounds stays within 3e-3 relative.)
  const double b = 0.999999f, c = 1e-7f, n = 20000, bn = std::pow(b, n);
  const double s0 = posenc::roofline_peak_muladd(0), sn = posenc::roofline_peak_muladd(20000);
  CHECK(s0 > 1.0);
  CHECK(sn == doctest::Approx(s0 * bn + 32 * c * (1 - bn) / (1 - b)).epsilon(3e-3));
  CHECK(std::abs(sn - s0) > 5e-3 * s0);
}
