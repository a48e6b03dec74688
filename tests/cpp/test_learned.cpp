// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "posenc/learned.hpp"

using posenc::Errc;
using posenc::LearnedInit;
using posenc::LearnedParams;

namespace {

std::vector<float> make_table(const LearnedParams& p, const LearnedInit& init) {
  std::vector<float> t(p.max_positions * p.dim, -7.0f);
  const posenc::Status s = posenc::learned_init(p, init, t);
  REQUIRE_MESSAGE(s.ok(), s.param << ": " << s.message);
  return t;
}

// FNV-1a (32 bit) over the little-endian bytes of the floats.
std::uint32_t fnv1a(const std::vector<float>& t) {
  std::uint32_t h = 2166136261u;
  for (float x : t) {
    std::uint32_t bits;
    std::memcpy(&bits, &x, 4);
    for (int b = 0; b < 4; ++b) h = (h ^ ((bits >> (8 * b)) & 0xFFu)) * 16777619u;
  }
  return h;
}

struct Moments {
  double mean, sd, skew, kurt;  // kurt: excess kurtosis
};

Moments moments(const std::vector<float>& x) {
  const double n = double(x.size());
  double m = 0.0;
  for (float v : x) m += v;
  m /= n;
  double m2 = 0.0, m3 = 0.0, m4 = 0.0;
  for (float v : x) {
    const double d = v - m;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= n, m3 /= n, m4 /= n;
  return {m, std::sqrt(m2), m3 / std::pow(m2, 1.5), m4 / (m2 * m2) - 3.0};
}

// Kolmogorov-Smirnov distance between the sample and normal(0, sd).
double ks_distance(std::vector<float> x, double sd) {
  std::sort(x.begin(), x.end());
  const double n = double(x.size());
  double d = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double cdf = 0.5 * std::erfc(-double(x[i]) / (sd * std::sqrt(2.0)));
    d = std::max({d, std::abs(double(i + 1) / n - cdf), std::abs(cdf - double(i) / n)});
  }
  return d;
}

// ln x in long double, for a double x > 0: x = m 2^e, ln m = 2 atanh((m-1)/(m+1)) summed until the
// terms vanish. (Emscripten's logl is its double log, so std::log(long double) is no yardstick there.)
long double log_ld(double x) {
  int e = 0;
  long double m = std::frexp(x, &e);
  if (m < 0.7071067811865475244L) m *= 2, e -= 1;  // m in [0.707, 1.414): ln 1 = 0 exactly
  const long double s = (m - 1) / (m + 1), s2 = s * s;
  long double sum = 0, term = s;
  for (int k = 0; term != 0; ++k, term *= s2) sum += term / (2 * k + 1);
  return e * 0.693147180559945309417232121458176568L + 2 * sum;
}

}  // namespace

TEST_CASE("learned: SplitMix64 matches published outputs") {
  // splitmix64.c from seed 0 (the values other ports test against).
  posenc::SplitMix64 a{0};
  CHECK(a.next() == 0xE220A8397B1DCDAFu);
  CHECK(a.next() == 0x6E789E6AA1B965F4u);
  CHECK(a.next() == 0x06C45D188009454Fu);
  // rand_xoshiro's SplitMix64 reference test, seed 1234567.
  posenc::SplitMix64 b{1234567};
  CHECK(b.next() == 6457827717110365317u);
  CHECK(b.next() == 3203168211198807973u);
  CHECK(b.next() == 9817491932198370423u);
  // uniform(): the top 53 bits of the next output, times 2^-53.
  posenc::SplitMix64 c{0};
  CHECK(c.uniform() == double(0xE220A8397B1DCDAFu >> 11) / 9007199254740992.0);
}

TEST_CASE("learned: portable_log is within 1 ulp of the logarithm") {
  std::vector<double> xs = {
      1.0,    0.5,    2.0,   0.75, 1.0 - 0x1p-53, 1.0 + 0x1p-52, 0.70710678118654746, 0.70710678118654757,
      1e-300, 5e-324, 1e300, 3.0,  10.0};
  posenc::SplitMix64 rng{99};
  for (int i = 0; i < 5000; ++i) xs.push_back(rng.uniform() + 0x1p-60);  // (0, 1): the polar method's s
  for (int i = 0; i < 1000; ++i) xs.push_back(std::ldexp(1.0 + rng.uniform(), 2 * i - 1000));
  double worst = 0.0;
  for (double x : xs) {
    const long double exact = log_ld(x);
    const double got = posenc::portable_log(x);
    const double ulp = std::nextafter(std::abs(double(exact)), INFINITY) - std::abs(double(exact));
    if (exact == 0.0L) {
      CHECK(got == 0.0);
      continue;
    }
    worst = std::max(worst, double(std::abs(static_cast<long double>(got) - exact) / ulp));
  }
  INFO("worst error in ulp: " << worst);
  CHECK(worst < 1.0);
}

TEST_CASE("learned: the first values equal an independent implementation of the generator") {
  // Python, float64 with math.log (glibc), same generator (SplitMix64 -> polar -> float32(std * z)):
  //   s = seed; each draw: s += 0x9E3779B97F4A7C15 (mod 2^64), z = s, z = (z ^ z>>30) * 0xBF58476D1CE4E5B9,
  //   z = (z ^ z>>27) * 0x94D049BB133111EB, x = z ^ z>>31; u = (x >> 11) * 2^-53
  //   u1, u2 = 2u - 1 until 0 < s < 1; f = sqrt(-2 log(s) / s); yield u1 f, u2 f
  const float seed0[] = {0x1.429c3p-6f,   -0x1.cd07e2p-9f, -0x1.d2a8ep-7f,  -0x1.996574p-8f,
                         -0x1.97e228p-7f, 0x1.539d6cp-7f,  -0x1.6f0a9ap-7f, 0x1.ceb59p-6f};
  const auto t = make_table({.max_positions = 2, .dim = 4}, {.seed = 0});
  for (int n = 0; n < 8; ++n) CHECK(t[n] == seed0[n]);
  const float seed42[] = {0.492950648f, -0.694005668f, -1.28107738f, -0.901557207f};
  const auto u = make_table({.max_positions = 1, .dim = 4}, {.seed = 42, .std = 1.0});
  for (int n = 0; n < 4; ++n) CHECK(u[n] == seed42[n]);
}

TEST_CASE("learned: tables are bit-identical across platforms (this suite runs natively and in WebAssembly)") {
  // FNV-1a of the little-endian bytes, from the independent Python implementation above.
  CHECK(fnv1a(make_table(posenc::learned_bert, {.seed = 0})) == 0x201A02B2u);
  CHECK(fnv1a(make_table(posenc::learned_bert, {.seed = 1})) == 0x6F8DD49Au);
  CHECK(fnv1a(make_table(posenc::learned_gpt2, {.seed = 0})) == 0x59537ED2u);
}

TEST_CASE("learned: the initialisation is normal(0, std)") {
  // n = 512 * 768 = 393216 values. Bounds are 5 standard errors of each statistic of a normal
  // sample: mean sd/sqrt(n) = 3.2e-5; sd (relative) 1/sqrt(2n) = 1.13e-3; skewness sqrt(6/n) =
  // 3.9e-3; excess kurtosis sqrt(24/n) = 7.8e-3. KS: the 0.1% critical value 1.95/sqrt(n) = 3.1e-3.
  const double n = 512.0 * 768.0;
  for (std::uint64_t seed : {0u, 1u, 2024u}) {
    const auto t = make_table(posenc::learned_bert, {.seed = seed});
    const Moments m = moments(t);
    CAPTURE(seed);
    CHECK(std::abs(m.mean) <= 5 * 0.02 / std::sqrt(n));
    CHECK(std::abs(m.sd / 0.02 - 1.0) <= 5 / std::sqrt(2 * n));
    CHECK(std::abs(m.skew) <= 5 * std::sqrt(6 / n));
    CHECK(std::abs(m.kurt) <= 5 * std::sqrt(24 / n));
    CHECK(ks_distance(t, 0.02) <= 1.95 / std::sqrt(n));
  }
  // Another std scales the same draws: float32(1.5 z) against float32(0.02 z) * 75.
  const auto a = make_table({.max_positions = 64, .dim = 48}, {.seed = 5, .std = 1.5});
  const auto b = make_table({.max_positions = 64, .dim = 48}, {.seed = 5});
  for (std::size_t i = 0; i < a.size(); ++i)
    CHECK(std::abs(a[i] - 75.0 * b[i]) <= 1.25e-7 * std::abs(a[i]));  // two float32 roundings
  for (float x : make_table({.max_positions = 3, .dim = 5}, {.seed = 5, .std = 0.0})) CHECK(x == 0.0f);
}

TEST_CASE("learned: determinism, different seeds, and prefix rows") {
  const auto a = make_table(posenc::learned_bert, {.seed = 7});
  const auto b = make_table(posenc::learned_bert, {.seed = 7});
  CHECK(std::memcmp(a.data(), b.data(), a.size() * 4) == 0);
  // Seeds 7 and 8: few equal elements and no correlation (|r| < 5 / sqrt(n)).
  const auto c = make_table(posenc::learned_bert, {.seed = 8});
  std::size_t equal = 0;
  double sab = 0.0, saa = 0.0, sbb = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    equal += a[i] == c[i];
    sab += double(a[i]) * c[i], saa += double(a[i]) * a[i], sbb += double(c[i]) * c[i];
  }
  CHECK(equal < a.size() / 1000);
  CHECK(std::abs(sab / std::sqrt(saa * sbb)) <= 5.0 / std::sqrt(double(a.size())));
  // GPT-2's 1024 rows begin with BERT's 512 (same dim, same seed): one stream in row-major order.
  const auto g = make_table(posenc::learned_gpt2, {.seed = 7});
  CHECK(std::memcmp(g.data(), a.data(), a.size() * 4) == 0);
}

TEST_CASE("learned: lookup copies the rows, and has no row beyond the table") {
  const LearnedParams p{.max_positions = 6, .dim = 3};
  std::vector<float> table(18);
  for (std::size_t i = 0; i < 18; ++i) table[i] = float(i) + 0.5f;  // row r = (3r+.5, 3r+1.5, 3r+2.5)
  const std::vector<std::int32_t> pos = {5, 0, 2, 2};
  std::vector<float> out(12, -1.0f);
  REQUIRE(posenc::learned_lookup(p, table, pos, out).ok());
  const std::vector<float> expect = {15.5f, 16.5f, 17.5f, 0.5f, 1.5f, 2.5f, 6.5f, 7.5f, 8.5f, 6.5f, 7.5f, 8.5f};
  CHECK(out == expect);
  std::vector<float> none;
  CHECK(posenc::learned_lookup(p, table, {}, none).ok());

  // BERT cannot read position 512; GPT-2 reads 1023 but not 1024.
  const auto bert = make_table(posenc::learned_bert, {.seed = 3});
  for (std::vector<std::int32_t> bad : {std::vector<std::int32_t>{0, 511, 512}, {-1}, {1, 2, 3, 1 << 30}}) {
    std::vector<float> o(bad.size() * 768, 9.0f);
    const posenc::Status s = posenc::learned_lookup(posenc::learned_bert, bert, bad, o);
    CHECK(s.code == Errc::range_error);
    CHECK(std::string(s.param) == "positions");
    CHECK(std::string(s.message).find("no row") != std::string::npos);
    CHECK(std::all_of(o.begin(), o.end(), [](float x) { return x == 9.0f; }));
  }
  const std::vector<std::int32_t> q = {0, 511, 512, 7};
  CHECK(posenc::learned_first_missing_row(posenc::learned_bert, q) == 2);
  CHECK(posenc::learned_first_missing_row(posenc::learned_gpt2, q) == 4);
  const auto gpt2 = make_table(posenc::learned_gpt2, {.seed = 3});
  std::vector<float> row(768);
  const std::vector<std::int32_t> last = {1023};
  REQUIRE(posenc::learned_lookup(posenc::learned_gpt2, gpt2, last, row).ok());
  CHECK(std::memcmp(row.data(), gpt2.data() + 1023 * 768, 768 * 4) == 0);
}

TEST_CASE("learned: bad parameters are refused, and nothing is written") {
  struct Case {
    LearnedParams p;
    LearnedInit init;
    std::size_t size;
    const char* param;
  };
  const Case cases[] = {
      {{.max_positions = 0, .dim = 4}, {}, 0, "maxPositions"},
      {{.max_positions = 4, .dim = 0}, {}, 0, "dim"},
      {{.max_positions = (1u << 24) + 2, .dim = 1}, {}, 0, "maxPositions"},
      {{.max_positions = 1u << 20, .dim = 65}, {}, 0, "maxPositions"},  // 260 MiB
      // fuzz_bias: maxPositions * dim wrapped 64 bits to 0, and an empty table was accepted.
      {{.max_positions = 2, .dim = std::size_t(1) << (sizeof(std::size_t) * 8 - 1)}, {}, 0, "maxPositions"},
      {{.max_positions = 4, .dim = 4}, {}, 15, "table"},
      {{.max_positions = 4, .dim = 4}, {.std = -0.1}, 16, "std"},
      {{.max_positions = 4, .dim = 4}, {.std = std::nan("")}, 16, "std"},
      {{.max_positions = 4, .dim = 4}, {.std = INFINITY}, 16, "std"},
      {{.max_positions = 4, .dim = 4}, {.std = 1e31}, 16, "std"},
  };
  for (const Case& c : cases) {
    std::vector<float> t(c.size, 5.0f);
    const posenc::Status s = posenc::learned_init(c.p, c.init, t);
    CAPTURE(c.param);
    CHECK(s.code == Errc::range_error);
    CHECK(std::string(s.param) == c.param);
    CHECK(std::all_of(t.begin(), t.end(), [](float x) { return x == 5.0f; }));
  }

  const LearnedParams p{.max_positions = 4, .dim = 2};
  std::vector<float> table(8, 1.0f), out(4, 5.0f);
  const std::vector<std::int32_t> pos = {1, 3};
  CHECK(std::string(posenc::learned_lookup(p, std::span(table).first(7), pos, out).param) == "table");
  std::vector<float> short_out(3);
  CHECK(std::string(posenc::learned_lookup(p, table, pos, short_out).param) == "out");
  table[7] = NAN;  // row 3 is looked up
  CHECK(std::string(posenc::learned_lookup(p, table, pos, out).param) == "table");
  CHECK(std::all_of(out.begin(), out.end(), [](float x) { return x == 5.0f; }));
  const std::vector<std::int32_t> other = {0, 1};  // rows without the NaN are fine
  CHECK(posenc::learned_lookup(p, table, other, out).ok());
}
