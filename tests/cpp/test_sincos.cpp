// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "posenc/sincos.hpp"
#include "posenc/status.hpp"
#include "util.hpp"

using posenc::SincosLayout;
using posenc::SincosOut;
using posenc::test::max_abs_diff;

namespace {

// Frequencies spread like RoPE's: 1 down to about 1e-4, and one above 1.
std::vector<double> frequencies(std::size_t m) {
  std::vector<double> w(m);
  for (std::size_t i = 0; i < m; ++i) w[i] = std::pow(10000.0, -double(i) / double(m)) * (i == 1 ? 3.7 : 1.0);
  return w;
}

struct Table {
  std::vector<float> a, b;  // interleaved: a only; planar: a = sin, b = cos
  SincosOut out;
};

Table make(SincosLayout layout, std::size_t m, std::size_t rows, std::size_t pad) {
  Table t;
  if (layout == SincosLayout::interleaved) {
    t.a.assign(rows * (2 * m + pad), -9.0f);
    t.out = {layout, t.a.data(), nullptr, 2 * m + pad};
  } else {
    t.a.assign(rows * (m + pad), -9.0f);
    t.b.assign(rows * (m + pad), -9.0f);
    t.out = {layout, t.a.data(), t.b.data(), m + pad};
  }
  return t;
}

}  // namespace

TEST_CASE("sincos: the reference equals the formula in long double, both layouts, with scale") {
  const auto w = frequencies(5);
  for (auto layout : {SincosLayout::interleaved, SincosLayout::planar}) {
    Table t = make(layout, 5, 40, 3);
    posenc::sincos_rows_reference(w, 1000, 40, 1.25, t.out);
    double err = 0.0;
    for (std::size_t r = 0; r < 40; ++r) {
      for (std::size_t i = 0; i < 5; ++i) {
        const long double angle = (1000.0L + r) * static_cast<long double>(w[i]);
        const double s = double(1.25L * std::sin(angle)), c = double(1.25L * std::cos(angle));
        const float gs = layout == SincosLayout::interleaved ? t.a[r * 13 + 2 * i] : t.a[r * 8 + i];
        const float gc = layout == SincosLayout::interleaved ? t.a[r * 13 + 2 * i + 1] : t.b[r * 8 + i];
        err = std::max({err, std::abs(double(gs) - s), std::abs(double(gc) - c)});
      }
    }
    CHECK(err <= 1.25 * 6e-8);
    // padding columns are untouched
    if (layout == SincosLayout::planar) CHECK(t.a[5] == -9.0f);
  }
}

TEST_CASE("sincos: fast kernel equals the reference at awkward sizes and offsets") {
  for (auto layout : {SincosLayout::interleaved, SincosLayout::planar}) {
    for (std::size_t m : {1u, 2u, 3u, 5u, 31u, 64u, 65u, 131u}) {
      for (std::size_t rows : {1u, 7u, 255u, 256u, 257u, 600u}) {
        for (std::int64_t first : {std::int64_t{0}, std::int64_t{4093}, posenc::max_position - 600}) {
          const auto w = frequencies(m);
          Table ref = make(layout, m, rows, 1), fast = make(layout, m, rows, 1);
          posenc::sincos_rows_reference(w, first, rows, 0.75, ref.out);
          posenc::sincos_rows_fast(w, first, rows, 0.75, fast.out);
          CAPTURE(m);
          CAPTURE(rows);
          CAPTURE(first);
          CHECK(max_abs_diff(ref.a, fast.a) <= 6e-8);
          CHECK(max_abs_diff(ref.b, fast.b) <= 6e-8);
        }
      }
    }
  }
}
