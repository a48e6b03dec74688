// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "posenc/simd.hpp"
#include "posenc/sinusoidal.hpp"
#include "util.hpp"

using posenc::Errc;
using posenc::SinusoidalLayout;
using posenc::SinusoidalParams;
using posenc::test::max_abs_diff;

namespace {

std::vector<float> table(const SinusoidalParams& p) {
  std::vector<float> out(p.length * p.dim, -7.0f);
  const posenc::Status s = posenc::sinusoidal_table(p, out);
  REQUIRE_MESSAGE(s.ok(), s.param << ": " << s.message);
  return out;
}

// The formula written out independently of the library, per element, in long double.
double formula(SinusoidalLayout layout, std::size_t dim, double base, double pos, std::size_t col) {
  const long double lb = std::log(static_cast<long double>(base));
  if (layout == SinusoidalLayout::vaswani) {
    const std::size_t i = col / 2;
    const long double w = std::exp(-static_cast<long double>(2 * i) / dim * lb);
    return double(col % 2 == 0 ? std::sin(pos * w) : std::cos(pos * w));
  }
  const std::size_t h = dim / 2;
  if (col >= 2 * h) return 0.0;
  const std::size_t k = col < h ? col : col - h;
  const long double w = std::exp(-static_cast<long double>(k) / (h - 1) * lb);
  return double(col < h ? std::sin(pos * w) : std::cos(pos * w));
}

}  // namespace

TEST_CASE("sinusoidal: hand-checked values") {
  // d = 2, vaswani: one frequency w0 = 1: row p = (sin p, cos p).
  const auto t = table({.length = 3, .dim = 2});
  CHECK(t[0] == 0.0f);
  CHECK(t[1] == 1.0f);
  CHECK(t[2] == doctest::Approx(0.8414709848).epsilon(1e-7));
  CHECK(t[3] == doctest::Approx(0.5403023059).epsilon(1e-7));
  CHECK(t[4] == doctest::Approx(0.9092974268).epsilon(1e-7));
  CHECK(t[5] == doctest::Approx(-0.4161468365).epsilon(1e-7));

  // d = 4, base 100: frequencies 1 and 100^(-1/2) = 0.1. Row 1 = (sin 1, cos 1, sin .1, cos .1).
  const auto u = table({.length = 2, .dim = 4, .base = 100.0});
  CHECK(u[4] == doctest::Approx(0.8414709848).epsilon(1e-7));
  CHECK(u[6] == doctest::Approx(0.0998334166).epsilon(1e-7));
  CHECK(u[7] == doctest::Approx(0.9950041653).epsilon(1e-7));

  // fairseq d = 4: h = 2, w = (1, 1/base); row 1 = (sin 1, sin 1e-4, cos 1, cos 1e-4).
  const auto f = table({.length = 2, .dim = 4, .layout = SinusoidalLayout::fairseq});
  CHECK(f[4] == doctest::Approx(0.8414709848).epsilon(1e-7));
  CHECK(f[5] == doctest::Approx(1e-4).epsilon(1e-7));
  CHECK(f[6] == doctest::Approx(0.5403023059).epsilon(1e-7));
  CHECK(f[7] == doctest::Approx(0.999999995).epsilon(1e-7));
}

TEST_CASE("sinusoidal: frequencies of the two layouts") {
  SinusoidalParams v{.length = 1, .dim = 8};
  CHECK(posenc::sinusoidal_frequency_count(v) == 4);
  CHECK(posenc::sinusoidal_frequency(v, 0) == 1.0);
  CHECK(posenc::sinusoidal_frequency(v, 3) == doctest::Approx(std::pow(10000.0, -6.0 / 8.0)).epsilon(1e-14));
  SinusoidalParams f{.length = 1, .dim = 8, .layout = SinusoidalLayout::fairseq};
  CHECK(posenc::sinusoidal_frequency(f, 3) == doctest::Approx(1e-4).epsilon(1e-14));  // w_{h-1} = 1/base
  v.dim = 7;
  CHECK(posenc::sinusoidal_frequency_count(v) == 4);
  f.dim = 7;
  CHECK(posenc::sinusoidal_frequency_count(f) == 3);
}

TEST_CASE("sinusoidal: every element equals the formula (long double), both layouts, odd dims") {
  for (auto layout : {SinusoidalLayout::vaswani, SinusoidalLayout::fairseq}) {
    for (std::size_t dim : {4u, 5u, 7u, 16u, 33u, 130u}) {
      for (double base : {10000.0, 500000.0, 2.0}) {
        const SinusoidalParams p{.length = 517, .dim = dim, .base = base, .layout = layout, .offset = 3};
        const auto t = table(p);
        double err = 0.0;
        for (std::size_t r = 0; r < p.length; ++r)
          for (std::size_t c = 0; c < dim; ++c)
            err = std::max(err, std::abs(t[r * dim + c] - formula(layout, dim, base, double(r + 3), c)));
        CAPTURE(dim);
        CAPTURE(base);
        CAPTURE(int(layout));
        CHECK(err <= 6.0e-8);  // one float32 rounding at magnitude 1 (2^-24)
      }
    }
  }
}

TEST_CASE("sinusoidal: odd dim conventions") {
  // vaswani d = 5: the last column is the sine of the third frequency, base^(-4/5).
  const auto v = table({.length = 4, .dim = 5});
  CHECK(v[3 * 5 + 4] == doctest::Approx(std::sin(3.0 * std::pow(10000.0, -0.8))).epsilon(1e-7));
  // fairseq d = 5: two sines, two cosines, then a zero column.
  const auto f = table({.length = 4, .dim = 5, .layout = SinusoidalLayout::fairseq});
  for (std::size_t r = 0; r < 4; ++r) CHECK(f[r * 5 + 4] == 0.0f);
  CHECK(f[2 * 5 + 2] == doctest::Approx(std::cos(2.0)).epsilon(1e-7));
}

TEST_CASE("sinusoidal: offset shifts rows (fairseq padding_idx P is offset P + 1)") {
  for (auto layout : {SinusoidalLayout::vaswani, SinusoidalLayout::fairseq}) {
    const auto full = table({.length = 700, .dim = 12, .layout = layout});
    const auto tail = table({.length = 300, .dim = 12, .layout = layout, .offset = 400});
    const std::vector<float> expect(full.begin() + 400 * 12, full.end());
    CHECK(max_abs_diff(tail, expect) <= 6.0e-8);
  }
}

TEST_CASE("sinusoidal: the fast (xsimd) kernel equals the scalar reference at awkward sizes") {
  INFO("fast kernels: " << posenc::simd::arch_name());
  for (auto layout : {SinusoidalLayout::vaswani, SinusoidalLayout::fairseq}) {
    for (std::size_t dim : {4u, 5u, 6u, 9u, 10u, 62u, 127u, 128u, 130u, 131u, 257u, 1024u}) {
      for (std::size_t length : {1u, 3u, 255u, 256u, 257u, 1000u}) {
        const SinusoidalParams p{.length = length, .dim = dim, .layout = layout, .offset = 11};
        std::vector<float> ref(length * dim, -7.0f), fast(length * dim, 7.0f);
        posenc::sinusoidal_table_reference(p, ref);
        posenc::sinusoidal_table_fast(p, fast);
        CAPTURE(dim);
        CAPTURE(length);
        CAPTURE(int(layout));
        CHECK(max_abs_diff(ref, fast) <= 6.0e-8);
      }
    }
  }
}

TEST_CASE("sinusoidal: the fast kernel stays accurate over long tables") {
  // 4096 rows cross 16 re-anchoring points; the second table ends at the largest position, 2^24.
  for (std::int64_t offset : {std::int64_t{0}, posenc::max_position - 4095}) {
    const SinusoidalParams p{.length = 4096, .dim = 64, .offset = offset};
    std::vector<float> ref(p.length * p.dim), fast(p.length * p.dim);
    posenc::sinusoidal_table_reference(p, ref);
    posenc::sinusoidal_table_fast(p, fast);
    CAPTURE(offset);
    CHECK(max_abs_diff(ref, fast) <= 6.0e-8);
  }
}

TEST_CASE("sinusoidal: bad parameters are refused, and nothing is written") {
  struct Case {
    SinusoidalParams p;
    std::size_t out;
    Errc code;
    const char* param;
  };
  const Case cases[] = {
      {{.length = 0, .dim = 8}, 0, Errc::range_error, "length"},
      {{.length = 4, .dim = 0}, 0, Errc::range_error, "dim"},
      {{.length = 4, .dim = 3, .layout = SinusoidalLayout::fairseq}, 12, Errc::range_error, "dim"},
      {{.length = 1u << 20, .dim = 65}, 0, Errc::range_error, "length"},  // 260 MiB
      {{.length = 4, .dim = 8, .base = -1.0}, 32, Errc::range_error, "base"},
      {{.length = 4, .dim = 8, .base = 0.0}, 32, Errc::range_error, "base"},
      {{.length = 4, .dim = 8, .base = std::nan("")}, 32, Errc::range_error, "base"},
      {{.length = 4, .dim = 8, .base = INFINITY}, 32, Errc::range_error, "base"},
      {{.length = 4, .dim = 8, .base = 4.9406564584124654e-324}, 32, Errc::range_error, "base"},  // fuzz_bias: NaN rows
      {{.length = 4, .dim = 8, .layout = SinusoidalLayout(7)}, 32, Errc::type_error, "layout"},
      {{.length = 4, .dim = 8, .offset = -1}, 32, Errc::range_error, "offset"},
      {{.length = 4, .dim = 8, .offset = posenc::max_position - 2}, 32, Errc::range_error, "offset"},
      {{.length = 4, .dim = 8}, 31, Errc::range_error, "out"},
  };
  for (const Case& c : cases) {
    std::vector<float> out(c.out, 5.0f);
    const posenc::Status s = posenc::sinusoidal_table(c.p, out);
    CAPTURE(c.param);
    CHECK(s.code == c.code);
    CHECK(std::string(s.param) == c.param);
    CHECK(std::string(s.message).size() > 5);
    for (float x : out) CHECK(x == 5.0f);
  }
  // The largest position is accepted.
  std::vector<float> out(8);
  CHECK(posenc::sinusoidal_table({.length = 1, .dim = 8, .offset = posenc::max_position}, out).ok());
}
