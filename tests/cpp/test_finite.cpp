// SPDX-License-Identifier: MIT
#include "posenc/finite.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

TEST_CASE("finite: the first NaN or infinity is found at every offset, or none") {
  const float bad[] = {std::nanf(""), std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()};
  for (std::size_t n : {0u, 1u, 15u, 16u, 17u, 100u}) {
    std::vector<float> v(n, 1.5f);
    CHECK(posenc::first_non_finite(v) == n);
    for (std::size_t at = 0; at < n; at += 3) {
      for (float b : bad) {
        std::vector<float> w = v;
        w[at] = b;
        if (at + 2 < n) w[at + 2] = b;  // a later one does not change the answer
        CHECK(posenc::first_non_finite(w) == at);
      }
    }
  }
  const std::vector<float> big(1000, std::numeric_limits<float>::max());  // large but finite
  CHECK(posenc::first_non_finite(big) == 1000);
  const double d[] = {1.0, 2.0, std::nan(""), 3.0};
  CHECK(posenc::first_non_finite(std::span<const double>(d)) == 2);
}
