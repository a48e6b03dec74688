// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "posenc/rope.hpp"
#include "util.hpp"

using posenc::RopeApplyParams;
using posenc::RopeConfig;
using posenc::RopeLayout;
using posenc::RopeType;
using posenc::test::random_vector;

namespace {

std::vector<double> freqs(const RopeConfig& c, std::int64_t seq_len = 0, double* af_out = nullptr) {
  std::vector<double> inv(posenc::rope_rotary_dim(c) / 2);
  double af = 0;
  const posenc::Status s = posenc::rope_frequencies(c, seq_len, inv, af);
  REQUIRE_MESSAGE(s.ok(), s.param << ": " << s.message);
  if (af_out) *af_out = af;
  return inv;
}

// Rotate a single vector of length head_dim at `pos`.
std::vector<float> rotated(std::vector<float> v, std::int32_t pos, const std::vector<double>& inv, RopeLayout layout,
                           double af = 1.0, bool inverse = false) {
  RopeApplyParams p{.seq = 1, .heads = 1, .head_dim = v.size(), .layout = layout, .inverse = inverse};
  const std::int32_t one[] = {pos};
  const posenc::Status s = posenc::rope_apply(v, p, inv, af, one);
  REQUIRE_MESSAGE(s.ok(), s.param << ": " << s.message);
  return v;
}

double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += double(a[i]) * double(b[i]);
  return s;
}

double pow_freq(double theta, std::size_t i, std::size_t r) { return 1.0 / std::pow(theta, 2.0 * double(i) / double(r)); }

}  // namespace

TEST_CASE("rope: frequencies of each scaling, computed by hand") {
  RopeConfig c{.head_dim = 8, .rope_theta = 100.0};
  // default: 100^(-2i/8) = 1, 0.316.., 0.1, 0.0316..
  auto w = freqs(c);
  CHECK(w[0] == 1.0);
  CHECK(w[2] == doctest::Approx(0.1).epsilon(1e-15));

  c.rope_type = RopeType::linear;
  c.factor = 4.0;
  w = freqs(c);
  CHECK(w[2] == doctest::Approx(0.025).epsilon(1e-15));

  c.rope_type = RopeType::ntk;  // theta' = 100 * 4^(8/6)
  w = freqs(c);
  CHECK(w[2] == doctest::Approx(std::pow(100.0 * std::pow(4.0, 8.0 / 6.0), -0.5)).epsilon(1e-14));

  c.rope_type = RopeType::dynamic;
  c.max_position_embeddings = 1000;
  CHECK(freqs(c, 0) == freqs({.head_dim = 8, .rope_theta = 100.0}));    // no length: default
  CHECK(freqs(c, 999) == freqs({.head_dim = 8, .rope_theta = 100.0}));  // within the original length
  w = freqs(c, 2000);  // ratio 4 * 2 - 3 = 5
  CHECK(w[1] == doctest::Approx(pow_freq(100.0 * std::pow(5.0, 8.0 / 6.0), 1, 8)).epsilon(1e-14));

  // llama3, original 8192, factor 8, low 1, high 4: wavelengths > 8192 divided by 8, < 2048 kept.
  RopeConfig l{.head_dim = 128, .rope_theta = 500000.0, .rope_type = RopeType::llama3, .factor = 8.0,
               .original_max_position_embeddings = 8192};
  w = freqs(l);
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double base = pow_freq(500000.0, i, 128), wavelen = 2 * std::numbers::pi / base;
    if (wavelen < 2048) CHECK(w[i] == doctest::Approx(base).epsilon(1e-14));
    if (wavelen > 8192) CHECK(w[i] == doctest::Approx(base / 8).epsilon(1e-14));
    if (wavelen >= 2048 && wavelen <= 8192) {
      const double s = (8192 / wavelen - 1.0) / 3.0;
      CHECK(w[i] == doctest::Approx((1 - s) * base / 8 + s * base).epsilon(1e-14));
    }
  }
}

TEST_CASE("rope: yarn keeps fast dimensions, interpolates slow ones, and sets the attention factor") {
  RopeConfig y{.head_dim = 64, .rope_theta = 10000.0, .max_position_embeddings = 4096, .rope_type = RopeType::yarn,
               .factor = 4.0};
  double af = 0;
  auto w = freqs(y, 0, &af);
  CHECK(af == doctest::Approx(0.1 * std::log(4.0) + 1.0).epsilon(1e-15));
  CHECK(w.front() == doctest::Approx(1.0).epsilon(1e-15));
  CHECK(w.back() == doctest::Approx(pow_freq(10000.0, 31, 64) / 4.0).epsilon(1e-14));
  for (std::size_t i = 1; i < w.size(); ++i) CHECK(w[i] < w[i - 1]);  // still decreasing
  // mscale / mscale_all_dim (DeepSeek style): ratio of the two mscales.
  y.mscale = 0.707;
  y.mscale_all_dim = 0.707;
  freqs(y, 0, &af);
  CHECK(af == doctest::Approx(1.0).epsilon(1e-15));
  y.mscale_all_dim = 1.0;
  freqs(y, 0, &af);
  CHECK(af == doctest::Approx((0.0707 * std::log(4.0) + 1) / (0.1 * std::log(4.0) + 1)).epsilon(1e-14));
  y.attention_factor = 1.5;
  freqs(y, 0, &af);
  CHECK(af == 1.5);
  // factor may come from max_position_embeddings / original_max_position_embeddings.
  RopeConfig d{.head_dim = 64, .max_position_embeddings = 16384, .rope_type = RopeType::yarn,
               .original_max_position_embeddings = 4096};
  CHECK(freqs(d) == freqs({.head_dim = 64, .max_position_embeddings = 4096, .rope_type = RopeType::yarn, .factor = 4.0}));
}

TEST_CASE("rope: longrope picks short or long factors by sequence length") {
  std::vector<double> shortf(4, 1.0), longf = {1.0, 2.0, 4.0, 8.0};
  RopeConfig c{.head_dim = 8, .rope_theta = 10000.0, .max_position_embeddings = 131072, .rope_type = RopeType::longrope,
               .original_max_position_embeddings = 4096, .short_factor = shortf, .long_factor = longf};
  double af = 0;
  const auto s = freqs(c, 4096, &af);
  CHECK(af == doctest::Approx(std::sqrt(1 + std::log(32.0) / std::log(4096.0))).epsilon(1e-15));
  const auto l = freqs(c, 4097);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(s[i] == doctest::Approx(pow_freq(10000, i, 8)).epsilon(1e-14));
    CHECK(l[i] == doctest::Approx(pow_freq(10000, i, 8) / longf[i]).epsilon(1e-14));
  }
}

TEST_CASE("rope: partial rotary rotates the first int(head_dim * factor) coordinates only") {
  RopeConfig c{.head_dim = 80, .partial_rotary_factor = 0.4};  // 32 rotary coordinates (Phi-2 style)
  CHECK(posenc::rope_rotary_dim(c) == 32);
  const auto w = freqs(c);
  CHECK(w.size() == 16);
  for (auto layout : {RopeLayout::half, RopeLayout::interleaved}) {
    const auto v = random_vector(80, 3);
    const auto r = rotated(v, 77, w, layout);
    for (std::size_t j = 32; j < 80; ++j) CHECK(r[j] == v[j]);
    CHECK(std::abs(dot(r, r) - dot(v, v)) <= 1e-5 * dot(v, v));
  }
}

TEST_CASE("rope: rotation keeps norms, and q.k depends only on m - n") {
  for (auto layout : {RopeLayout::half, RopeLayout::interleaved}) {
    for (std::size_t d : {2u, 6u, 64u, 130u}) {
      const auto w = freqs({.head_dim = d});
      const auto q = random_vector(d, 1), k = random_vector(d, 2);
      const double base = dot(rotated(q, 40, w, layout), rotated(k, 13, w, layout));
      double worst = 0;
      for (std::int32_t shift : {-13, 1, 7, 100, 1000, 4096, 65536, 1 << 20}) {
        const auto qs = rotated(q, 40 + shift, w, layout), ks = rotated(k, 13 + shift, w, layout);
        worst = std::max(worst, std::abs(dot(qs, ks) - base));
        CHECK(std::abs(dot(qs, qs) - dot(q, q)) <= 1e-5 * dot(q, q));
      }
      CAPTURE(d);
      CHECK(worst <= 2e-5 * d);
    }
  }
}

TEST_CASE("rope: half and interleaved are the same rotation up to a permutation") {
  const std::size_t d = 16;
  const auto w = freqs({.head_dim = d});
  const auto v = random_vector(d, 9);
  std::vector<float> inter(d);  // interleaved order: pair i at (2i, 2i+1) <- half order (i, i + d/2)
  for (std::size_t i = 0; i < d / 2; ++i) {
    inter[2 * i] = v[i];
    inter[2 * i + 1] = v[i + d / 2];
  }
  const auto a = rotated(v, 123, w, RopeLayout::half), b = rotated(inter, 123, w, RopeLayout::interleaved);
  for (std::size_t i = 0; i < d / 2; ++i) {
    CHECK(a[i] == b[2 * i]);
    CHECK(a[i + d / 2] == b[2 * i + 1]);
  }
}

TEST_CASE("rope: the inverse undoes the rotation, attention factor and xPos scale included") {
  RopeConfig y{.head_dim = 64, .max_position_embeddings = 4096, .rope_type = RopeType::yarn, .factor = 8.0};
  double af = 0;
  const auto w = freqs(y, 0, &af);
  for (auto layout : {RopeLayout::half, RopeLayout::interleaved}) {
    for (bool xpos : {false, true}) {
      const std::size_t seq = 37, heads = 3;
      const auto x = random_vector(seq * heads * 64, 5);
      auto y2 = x;
      RopeApplyParams p{.seq = seq, .heads = heads, .head_dim = 64, .layout = layout, .offset = 500, .xpos = xpos};
      REQUIRE(posenc::rope_apply(y2, p, w, af, {}).ok());
      p.inverse = true;
      REQUIRE(posenc::rope_apply(y2, p, w, af, {}).ok());
      double err = 0;
      for (std::size_t i = 0; i < x.size(); ++i) err = std::max(err, double(std::abs(x[i] - y2[i])));
      CHECK(err <= 2e-6);
    }
  }
}

TEST_CASE("rope: the checked apply (first_non_finite) rotates as the unchecked one and stops at the first NaN/infinity") {
  const auto w = freqs({.head_dim = 20, .partial_rotary_factor = 0.5});
  // 70 rows: more than one block of cos/sin rows; head_dim 20 with 10 rotary dimensions: SIMD and
  // scalar parts in both layouts, and values that are only checked, not rotated.
  const std::size_t seq = 70, heads = 3, row = heads * 20;
  const auto x = random_vector(seq * row, 9);
  for (auto layout : {RopeLayout::half, RopeLayout::interleaved}) {
    for (bool xpos : {false, true}) {
      RopeApplyParams p{.seq = seq, .heads = heads, .head_dim = 20, .layout = layout, .offset = 3, .xpos = xpos};
      auto plain = x, checked = x;
      REQUIRE(posenc::rope_apply(plain, p, w, 1.0, {}).ok());
      std::size_t bad = 12345;
      p.first_non_finite = &bad;
      REQUIRE(posenc::rope_apply(checked, p, w, 1.0, {}).ok());
      CHECK(bad == 12345);  // untouched when every value is finite
      CHECK(checked == plain);
      for (auto [poison, at] : {std::pair{std::nanf(""), 66 * row + 7}, std::pair{-INFINITY, 66 * row + 15},
                                std::pair{INFINITY, 66 * row + 29}, std::pair{std::nanf(""), 66 * row + 44}}) {
        auto y = x;
        y[at] = poison;
        const posenc::Status s = posenc::rope_apply(y, p, w, 1.0, {});
        CHECK(std::string(s.param) == "x");
        CHECK(bad == at);
        // Rows before the bad one are rotated, the rows after it untouched; in its row each value is
        // either rotated or as given (the stop is at the pair or row holding the bad value).
        CHECK(std::equal(y.begin(), y.begin() + 66 * row, plain.begin()));
        CHECK(std::equal(y.begin() + 67 * row, y.end(), x.begin() + 67 * row));
        for (std::size_t i = 66 * row; i < 67 * row; ++i) {
          if (i != at) CHECK((y[i] == x[i] || y[i] == plain[i]));
        }
        CHECK(std::isnan(y[at]) == std::isnan(poison));
      }
      // Two bad values: the first in memory order is named, even when its pair comes later (half
      // layout: index 4 is pair 4, a scalar tail; index 6 is pair 1's second half).
      auto y = x;
      y[66 * row + 6] = INFINITY;
      y[66 * row + 4] = std::nanf("");
      CHECK(!posenc::rope_apply(y, p, w, 1.0, {}).ok());
      CHECK(bad == 66 * row + 4);
    }
  }
}

TEST_CASE("rope: xPos scales q.k by zeta^((m - n) / scale_base)") {
  const std::size_t d = 8;
  const auto w = freqs({.head_dim = d});
  for (std::size_t i = 0; i < d / 2; ++i) {
    // a pair-i basis vector for q and k (interleaved layout, as torchscale)
    std::vector<float> e(d, 0.0f);
    e[2 * i] = 1.0f;
    auto run = [&](std::int32_t pos, bool key) {
      auto v = e;
      RopeApplyParams p{.seq = 1, .heads = 1, .head_dim = d, .layout = RopeLayout::interleaved, .xpos = true,
                        .xpos_key = key, .xpos_center = 100.0};
      const std::int32_t one[] = {pos};
      REQUIRE(posenc::rope_apply(v, p, w, 1.0, one).ok());
      return v;
    };
    const double zeta = (2.0 * i + 0.4 * d) / (1.4 * d);
    for (auto [m, n] : {std::pair{300, 20}, std::pair{1000, 1000}, std::pair{50, 700}}) {
      const double expect = std::pow(zeta, double(m - n) / 512.0) * std::cos(double(m - n) * w[i]);
      CHECK(dot(run(m, false), run(n, true)) == doctest::Approx(expect).epsilon(2e-6));
    }
  }
}

TEST_CASE("rope: the xsimd rotation equals the scalar reference at awkward sizes") {
  for (auto layout : {RopeLayout::half, RopeLayout::interleaved}) {
    for (std::size_t d : {2u, 6u, 62u, 64u, 130u}) {
      for (std::size_t r : {d, d - (d >= 6 ? 4 : 0)}) {
        for (std::size_t seq : {1u, 3u, 17u}) {
          for (bool inverse : {false, true}) {
            const std::size_t heads = 3, h = r / 2;
            const auto c = random_vector(seq * h, 11), s = random_vector(seq * h, 12);
            auto a = random_vector(seq * heads * d, 13), b = a;
            const posenc::RopeRotateArgs args{seq, heads, d, r, layout, inverse, c.data(), s.data(), h};
            posenc::rope_rotate_reference(a.data(), args);
            CHECK(posenc::rope_rotate_fast(b.data(), args));  // finite outputs reported as such
            CAPTURE(d);
            CAPTURE(r);
            CAPTURE(seq);
            CHECK(a == b);  // same float32 operations in the same order: bit-identical
          }
        }
      }
    }
  }
}

TEST_CASE("rope: a row count near 2^63 is refused without signed overflow (found by fuzz_rope)") {
  const auto w = freqs({.head_dim = 16});
  std::vector<float> c(8), s(8);
  const std::size_t huge = std::numeric_limits<std::size_t>::max() / 2 + 2;
  CHECK(std::string(posenc::rope_cache(w, 1.0, {}, 0, huge, c, s).param) == "offset");
  CHECK(std::string(posenc::rope_cache(w, 1.0, {}, 0, (std::size_t(1) << 24) + 2, c, s).param) == "offset");
}

TEST_CASE("rope: cache rows equal attention_factor * cos/sin(p w), for runs and scattered positions") {
  const auto w = freqs({.head_dim = 16});
  const std::int32_t pos[] = {5, 6, 7, 8, 1000, 3, 3, 16777216};
  std::vector<float> c(8 * 8), s(8 * 8);
  REQUIRE(posenc::rope_cache(w, 1.25, pos, 0, 8, c, s).ok());
  for (std::size_t t = 0; t < 8; ++t)
    for (std::size_t i = 0; i < 8; ++i) {
      CHECK(c[t * 8 + i] == doctest::Approx(1.25 * std::cos(double(pos[t]) * w[i])).epsilon(1e-7).scale(1));
      CHECK(s[t * 8 + i] == doctest::Approx(1.25 * std::sin(double(pos[t]) * w[i])).epsilon(1e-7).scale(1));
    }
}

TEST_CASE("rope: bad parameters are refused by name, and nothing is written") {
  std::vector<double> inv(4);
  double af = 0;
  struct Case {
    RopeConfig c;
    const char* param;
  };
  std::vector<double> two(2, 1.0);
  const Case cases[] = {
      {{.head_dim = 0}, "head_dim"},
      {{.head_dim = 8, .rope_theta = 1.0}, "rope_theta"},
      {{.head_dim = 8, .rope_theta = std::nan("")}, "rope_theta"},
      {{.head_dim = 8, .partial_rotary_factor = 1.5}, "partial_rotary_factor"},
      {{.head_dim = 10, .partial_rotary_factor = 0.5}, "partial_rotary_factor"},  // 5: odd
      {{.head_dim = 8, .rope_type = RopeType::linear}, "factor"},
      {{.head_dim = 8, .rope_type = RopeType::linear, .factor = 0.5}, "factor"},
      {{.head_dim = 8, .rope_type = RopeType::linear, .factor = 2.0, .attention_factor = 2.0}, "attention_factor"},
      {{.head_dim = 8, .rope_type = RopeType::dynamic, .factor = 2.0}, "max_position_embeddings"},
      {{.head_dim = 8, .rope_type = RopeType::yarn, .factor = 2.0}, "original_max_position_embeddings"},
      {{.head_dim = 8, .max_position_embeddings = 64, .rope_type = RopeType::yarn, .factor = 2.0, .beta_fast = 1.0,
        .beta_slow = 2.0},
       "beta_fast"},
      {{.head_dim = 8, .rope_type = RopeType::llama3, .factor = 8.0}, "original_max_position_embeddings"},
      {{.head_dim = 8, .rope_type = RopeType::llama3, .factor = 8.0, .low_freq_factor = 4.0, .high_freq_factor = 1.0,
        .original_max_position_embeddings = 64},
       "high_freq_factor"},
      {{.head_dim = 8, .max_position_embeddings = 64, .rope_type = RopeType::longrope, .short_factor = two,
        .long_factor = two},
       "short_factor"},
      {{.head_dim = 8, .rope_type = RopeType(42)}, "rope_type"},
  };
  for (const Case& k : cases) {
    std::fill(inv.begin(), inv.end(), -1.0);
    const posenc::Status s = posenc::rope_frequencies(k.c, 0, inv, af);
    CAPTURE(k.param);
    CHECK_FALSE(s.ok());
    CHECK(std::string(s.param) == k.param);
    for (double v : inv) CHECK(v == -1.0);
  }

  const auto w = freqs({.head_dim = 8});
  std::vector<float> x(2 * 8, 0.5f);
  const std::int32_t bad_pos[] = {0, -1};
  CHECK(std::string(posenc::rope_apply(x, {.seq = 2, .heads = 1, .head_dim = 8}, w, 1.0, bad_pos).param) == "positions");
  CHECK(std::string(posenc::rope_apply(x, {.seq = 2, .heads = 1, .head_dim = 6}, w, 1.0, {}).param) == "frequencies");
  CHECK(std::string(posenc::rope_apply(x, {.seq = 3, .heads = 1, .head_dim = 8}, w, 1.0, {}).param) == "x");
  CHECK(std::string(posenc::rope_apply(x, {.seq = 2, .heads = 1, .head_dim = 8}, w, 0.0, {}).param) == "frequencies");
  CHECK(std::string(posenc::rope_apply(x, {.seq = 2, .heads = 1, .head_dim = 8, .offset = posenc::max_position}, w, 1.0, {}).param) == "offset");
  CHECK(std::string(posenc::rope_apply(x, {.seq = 2, .heads = 1, .head_dim = 8, .layout = RopeLayout(3)}, w, 1.0, {}).param) == "layout");
  for (float v : x) CHECK(v == 0.5f);
}

TEST_CASE("rope: xPos far from the centre is refused by name, never infinite (torchscale's numbers where finite)") {
  const std::size_t d = 8;
  const auto w = freqs({.head_dim = d});
  std::vector<float> e(d, 0.0f);
  e[0] = 1.0f;  // pair 0, zeta_0 = 0.4 d / 1.4 d = 2/7
  for (bool key : {false, true}) {
    CAPTURE(key);
    // The reported case: position 40000 with the centre at 0 (queries: zeta^(40000/512) underflows, fine;
    // keys: zeta^(-78) = 1e42 > FLT_MAX).
    auto v = e;
    const std::int32_t far[] = {40000};
    RopeApplyParams p{.seq = 1, .heads = 1, .head_dim = d, .layout = RopeLayout::interleaved, .xpos = true,
                      .xpos_key = key, .xpos_center = 0.0};
    const posenc::Status s = posenc::rope_apply(v, p, w, 1.0, far);
    if (key) {
      CHECK(std::string(s.param) == "scaleBase");
      CHECK(v == e);  // nothing written
    } else {
      REQUIRE(s.ok());
      for (float x : v) CHECK(std::isfinite(x));
    }
    // Default centre (ceil(count / 2) = 20001): 19999 positions from it, scale 2/7^(-39) = 1.6e21, finite.
    v = e;
    p.xpos_center = posenc::rope_unset;
    REQUIRE(posenc::rope_apply(v, p, w, 1.0, far).ok());
    const double pos = 40000.0, expect = std::pow(2.0 / 7.0, (key ? -1 : 1) * (pos - 20001.0) / 512.0);
    CHECK(std::hypot(double(v[0]), double(v[1])) == doctest::Approx(expect).epsilon(1e-6));
    // A sequence of 80000 rows from 0: the far end is 40000 positions from the centre on both sides.
    std::vector<float> x(80000 * d, 0.5f);
    RopeApplyParams q{.seq = 80000, .heads = 1, .head_dim = d, .xpos = true, .xpos_key = key};
    CHECK(std::string(posenc::rope_apply(x, q, w, 1.0, {}).param) == "scaleBase");
    q.xpos_scale_base = 1024;
    REQUIRE(posenc::rope_apply(x, q, w, 1.0, {}).ok());
    for (float y : x) REQUIRE(std::isfinite(y));
  }
}

TEST_CASE("rope: extreme inverse frequencies and attention factors are refused, not turned into NaN") {
  const std::size_t d = 8;
  std::vector<float> x(2 * d, 1.0f);
  const std::vector<float> before = x;
  const RopeApplyParams p{.seq = 2, .heads = 1, .head_dim = d, .offset = 1 << 24};
  for (double big : {1e301, std::numeric_limits<double>::max()}) {
    const std::vector<double> w = {1.0, big, 0.5, 0.25};
    CHECK(std::string(posenc::rope_apply(x, {.seq = 2, .heads = 1, .head_dim = d, .offset = (1 << 24) - 1}, w, 1.0, {}).param) ==
          "frequencies");
  }
  const std::vector<double> w = {1.0, 1e300, 0.5, 0.25};  // the largest accepted: angles stay finite
  RopeApplyParams q = p;
  q.offset = (1 << 24) - 1;
  REQUIRE(posenc::rope_apply(x, q, w, 1.0, {}).ok());
  for (float y : x) CHECK(std::isfinite(y));
  x = before;
  CHECK(std::string(posenc::rope_apply(x, q, {w.data(), 1}, 1e39, {}).param) == "frequencies");
  CHECK(x == before);
  std::vector<float> c(4), s(4);
  CHECK(std::string(posenc::rope_cache(w, 1e39, {}, 0, 1, c, s).param) == "frequencies");
}

TEST_CASE("rope: rotary_dim of huge head_dim * factor, and the xPos centre of the largest offset, are defined") {
  // head_dim * factor >= 2^64 (and >= 2^32): not convertible, reported as 0 and refused by rope_frequencies.
  CHECK(posenc::rope_rotary_dim({.head_dim = std::size_t(-1), .partial_rotary_factor = 2.0}) == 0);
  CHECK(posenc::rope_rotary_dim({.head_dim = 8, .partial_rotary_factor = 1e300}) == 0);
  CHECK(posenc::rope_rotary_dim({.head_dim = 8, .partial_rotary_factor = 0.75}) == 6);
  std::vector<double> inv(4);
  double af = 0;
  CHECK(std::string(posenc::rope_frequencies({.head_dim = 8, .partial_rotary_factor = 1e300}, 0, inv, af).param) ==
        "partial_rotary_factor");
  // offset INT64_MAX: the centre saturates instead of overflowing (rope_apply_check refuses the offset).
  const RopeApplyParams p{.seq = 3, .heads = 1, .head_dim = 8, .offset = std::numeric_limits<std::int64_t>::max(), .xpos = true};
  CHECK(posenc::rope_xpos_center(p, {}) == doctest::Approx(std::ldexp(1.0, 62)));
  CHECK(posenc::rope_xpos_center({.seq = 5, .offset = 0}, {}) == 3.0);  // ceil(5 / 2)
  std::vector<float> x(24, 1.0f);
  CHECK(std::string(posenc::rope_apply(x, p, std::vector<double>(4, 0.1), 1.0, {}).param) == "offset");
}

TEST_CASE("rope: rotated values beyond float32 are refused naming x (zeroed), at every layout and slice") {
  const std::size_t d = 16;
  for (RopeLayout layout : {RopeLayout::half, RopeLayout::interleaved}) {
    for (std::size_t seq : {1u, 5u, 70u}) {
      CAPTURE(seq);
      // The pair (3e38, -3e38) of the last row (position seq), rotated by 45 degrees: 4.2e38.
      std::vector<float> x = random_vector(seq * 2 * d, 20);
      const std::size_t last = (seq - 1) * 2 * d + d;  // head 1 of the last row
      const std::size_t a = layout == RopeLayout::half ? 3 : 6, b = layout == RopeLayout::half ? 3 + d / 2 : 7;
      x[last + a] = 3e38f;
      x[last + b] = -3e38f;
      const std::vector<double> w(d / 2, std::numbers::pi / (4.0 * double(seq)));  // 45 degrees at the last row
      const RopeApplyParams p{.seq = seq, .heads = 2, .head_dim = d, .layout = layout, .offset = 1};
      const posenc::Status s = posenc::rope_apply(x, p, w, 1.0, {});
      CHECK(std::string(s.param) == "x");
      for (float y : x) CHECK(y == 0.0f);
      // Without the huge pair: finite, accepted.
      x = random_vector(seq * 2 * d, 20);
      for (float& y : x) y *= 1e38f;  // |x| < 1e38: rotated values stay below 1.5e38
      REQUIRE(posenc::rope_apply(x, p, w, 1.0, {}).ok());
      for (float y : x) CHECK(std::isfinite(y));
    }
  }
}

TEST_CASE("rope: the checked apply finds, in its one pass, NaN/infinity in x by index and rotated values beyond float32 by name") {
  const std::size_t d = 16, seq = 5;
  for (RopeLayout layout : {RopeLayout::half, RopeLayout::interleaved}) {
    CAPTURE(layout == RopeLayout::half);
    // As above: the pair (3e38, -3e38) of the last row, rotated by 45 degrees, gives 4.2e38.
    std::vector<float> x = random_vector(seq * 2 * d, 21);
    const std::size_t last = (seq - 1) * 2 * d + d;
    const std::size_t a = layout == RopeLayout::half ? 3 : 6, b = layout == RopeLayout::half ? 3 + d / 2 : 7;
    x[last + a] = 3e38f;
    x[last + b] = -3e38f;
    const std::vector<double> w(d / 2, std::numbers::pi / (4.0 * double(seq)));
    RopeApplyParams p{.seq = seq, .heads = 2, .head_dim = d, .layout = layout, .offset = 1};
    std::size_t bad = 12345;
    p.first_non_finite = &bad;
    auto y = x;
    posenc::Status s = posenc::rope_apply(y, p, w, 1.0, {});
    CHECK(std::string(s.param) == "x");
    CHECK(std::string(s.message).find("overflows float32") != std::string::npos);
    CHECK(bad == 12345);  // no input was at fault
    for (float v : y) CHECK(v == 0.0f);
    // A NaN later in the same row (pair 6, read after the huge pair): the input is named by its index.
    y = x;
    y[last + 14] = std::nanf("");
    s = posenc::rope_apply(y, p, w, 1.0, {});
    CHECK(std::string(s.param) == "x");
    CHECK(std::string(s.message) == "must be finite");
    CHECK(bad == last + 14);
  }
}

TEST_CASE("rope: longrope settings that give infinite frequencies or attention factors are refused (found by fuzzing)") {
  std::vector<double> inv(4);
  double af = 0;
  const std::vector<double> tiny(4, 1e-320), ones(4, 1.0);
  RopeConfig c{.head_dim = 8, .max_position_embeddings = 64, .rope_type = RopeType::longrope,
               .original_max_position_embeddings = 32, .short_factor = tiny, .long_factor = ones};
  CHECK(std::string(posenc::rope_frequencies(c, 16, inv, af).param) == "short_factor");  // 1 / (1e-320 * 1) = inf
  CHECK(posenc::rope_frequencies(c, 64, inv, af).ok());                                   // long factors: fine
  // original 1: the default factor sqrt(1 + ln(factor) / ln(1)) is infinite.
  c = {.head_dim = 8, .max_position_embeddings = 64, .rope_type = RopeType::longrope, .original_max_position_embeddings = 1,
       .short_factor = ones, .long_factor = ones};
  CHECK(std::string(posenc::rope_frequencies(c, 16, inv, af).param) == "original_max_position_embeddings");
}
