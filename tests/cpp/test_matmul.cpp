// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "posenc/matmul.hpp"
#include "util.hpp"

using posenc::test::random_vector;

TEST_CASE("matmul: a 2 x 3 by 3 x 2 product by hand") {
  const float a[] = {1, 2, 3, 4, 5, 6}, b[] = {7, 8, 9, 10, 11, 12};
  float c[4] = {100, 100, 100, 100};
  posenc::matmul_fast({2, 2, 3, a, 3, b, 2, c, 2});
  CHECK(c[0] == 58.0f);   // 1*7 + 2*9 + 3*11
  CHECK(c[1] == 64.0f);   // 1*8 + 2*10 + 3*12
  CHECK(c[2] == 139.0f);  // 4*7 + 5*9 + 6*11
  CHECK(c[3] == 154.0f);
  posenc::matmul_fast({2, 2, 3, a, 3, b, 2, c, 2, true});  // accumulate: doubles it
  CHECK(c[3] == 308.0f);
}

TEST_CASE("matmul: the fast kernel equals the float64 reference at awkward sizes and strides") {
  for (std::size_t m : {1u, 3u, 4u, 5u, 9u, 33u}) {
    for (std::size_t n : {1u, 3u, 4u, 7u, 8u, 13u, 64u, 67u}) {
      for (std::size_t k : {1u, 2u, 6u, 62u, 64u, 130u}) {
        for (bool accumulate : {false, true}) {
          const std::size_t lda = k + 3, ldb = n + 5, ldc = n + 2;
          const auto a = random_vector(m * lda, 1), b = random_vector(k * ldb, 2);
          auto c_ref = random_vector(m * ldc, 3), c_fast = c_ref;
          posenc::matmul_reference({m, n, k, a.data(), lda, b.data(), ldb, c_ref.data(), ldc, accumulate});
          posenc::matmul_fast({m, n, k, a.data(), lda, b.data(), ldb, c_fast.data(), ldc, accumulate});
          double err = 0;
          for (std::size_t i = 0; i < m; ++i)
            for (std::size_t j = 0; j < ldc; ++j) {
              const double d = std::abs(double(c_ref[i * ldc + j]) - double(c_fast[i * ldc + j]));
              if (j >= n) CHECK(c_ref[i * ldc + j] == c_fast[i * ldc + j]);  // padding untouched
              err = std::max(err, d);
            }
          CAPTURE(m);
          CAPTURE(n);
          CAPTURE(k);
          CHECK(err <= 2e-6 * double(k + 1));  // float32 sums of k products of magnitude <= 1
        }
      }
    }
  }
}
