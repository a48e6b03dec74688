// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "posenc/t5.hpp"
#include "util.hpp"

using posenc::Errc;
using posenc::T5BiasParams;
using posenc::T5BucketParams;
using posenc::test::same_bits;

namespace {

// T5Attention._relative_position_bucket transcribed line by line, the tensor ops in float32.
std::int64_t hf_bucket(std::int64_t relative_position, bool bidirectional, std::int64_t num_buckets,
                       std::int64_t max_distance) {
  std::int64_t relative_buckets = 0;
  if (bidirectional) {
    num_buckets /= 2;
    relative_buckets += (relative_position > 0 ? 1 : 0) * num_buckets;
    relative_position = std::llabs(relative_position);
  } else {
    relative_position = -std::min<std::int64_t>(relative_position, 0);
  }
  const std::int64_t max_exact = num_buckets / 2;
  if (relative_position < max_exact) return relative_buckets + relative_position;
  float x = static_cast<float>(relative_position);                                 // .float()
  x = x / static_cast<float>(max_exact);                                           // / max_exact
  x = logf(x);                                                                     // torch.log
  x = x / static_cast<float>(std::log(double(max_distance) / double(max_exact)));  // / math.log(...)
  x = x * static_cast<float>(num_buckets - max_exact);                             // * (num_buckets - max_exact)
  if (x >= 1e9f) return relative_buckets + num_buckets - 1;                        // saturated (keeps the cast defined)
  const std::int64_t large = std::min<std::int64_t>(max_exact + static_cast<std::int64_t>(x), num_buckets - 1);
  return relative_buckets + large;
}

// The same in exact arithmetic (long double), or -1 where the value is within 1e-4 of an integer
// (there float32 rounding decides which side it falls).
std::int64_t exact_bucket(std::int64_t rp, bool bidirectional, std::int64_t nb, std::int64_t md) {
  std::int64_t base = 0;
  if (bidirectional) {
    nb /= 2;
    base = rp > 0 ? nb : 0;
    rp = std::llabs(rp);
  } else {
    rp = rp < 0 ? -rp : 0;
  }
  const std::int64_t e = nb / 2;
  if (rp < e) return base + rp;
  const long double v =
      std::log(static_cast<long double>(rp) / e) / std::log(static_cast<long double>(md) / e) * (nb - e);
  if (std::abs(v - std::round(v)) < 1e-4L) return -1;
  return base + std::min<std::int64_t>(e + static_cast<std::int64_t>(v), nb - 1);
}

const T5BucketParams parameter_sets[] = {
    {true, 32, 128},  {false, 32, 128}, {true, 64, 256},   {false, 64, 256},       {true, 8, 20},
    {false, 8, 20},   {true, 4, 2},     {false, 2, 2},     {true, 5, 9},           {false, 7, 40},
    {true, 32, 9},    {false, 32, 17},  {true, 256, 1000}, {true, 65536, 1 << 30}, {true, 20, 160},
    {false, 10, 160}, {false, 9, 128},  {true, 40, 320},   {false, 19, 288},
};

}  // namespace

TEST_CASE("t5: small relative positions, written out (32 buckets, 128)") {
  const T5BucketParams bi{};
  // |rp| < 8 is exact; keys after the query use the upper 16 buckets.
  CHECK(posenc::t5_bucket(0, bi) == 0);
  CHECK(posenc::t5_bucket(-1, bi) == 1);
  CHECK(posenc::t5_bucket(-7, bi) == 7);
  CHECK(posenc::t5_bucket(1, bi) == 17);
  CHECK(posenc::t5_bucket(7, bi) == 23);
  // 8 + trunc(log(r/8) / log(16) * 8): r = 16 gives exactly 2 (float32 keeps it: log 16 = 4 log 2).
  CHECK(posenc::t5_bucket(-16, bi) == 10);
  CHECK(posenc::t5_bucket(-15, bi) == 9);
  CHECK(posenc::t5_bucket(-128, bi) == 15);
  CHECK(posenc::t5_bucket(5000, bi) == 31);
  const T5BucketParams causal{.bidirectional = false};
  CHECK(posenc::t5_bucket(3, causal) == 0);
  CHECK(posenc::t5_bucket(-3, causal) == 3);
  CHECK(posenc::t5_bucket(-15, causal) == 15);
  CHECK(posenc::t5_bucket(-16, causal) == 16);
  CHECK(posenc::t5_bucket(-1000, causal) == 31);
}

TEST_CASE("t5: float32 decides exact ties, as the reference's float32 tensors do") {
  // numBuckets 20 bidirectional: 10 per side, max_exact 5; maxDistance 160 = 5 * 2^5. For r = 5 * 2^k
  // the log term is log(2^k) / log(2^5) * 5 = k exactly. float32 keeps k (float(ln 2^k) = k float(ln 2)
  // and the quotient rounds back), float64 gives k - 1e-16 and truncates to k - 1.
  const T5BucketParams p{.bidirectional = true, .num_buckets = 20, .max_distance = 160};
  CHECK(posenc::t5_bucket(-10, p) == 6);
  CHECK(posenc::t5_bucket(-20, p) == 7);
  CHECK(posenc::t5_bucket(-40, p) == 8);
  CHECK(posenc::t5_bucket(-80, p) == 9);
  CHECK(posenc::t5_bucket(80, p) == 19);
  CHECK(posenc::t5_bucket(-79, p) == 8);
}

TEST_CASE("t5: buckets equal an independent float32 evaluation, and exact math away from ties") {
  for (const auto& p : parameter_sets) {
    REQUIRE(posenc::t5_bucket_check(p).ok());
    std::vector<std::int32_t> rp;
    for (std::int32_t r = -3000; r <= 3000; ++r) rp.push_back(r);
    for (std::int32_t r :
         {std::numeric_limits<std::int32_t>::min(), -(1 << 24), 1 << 24, std::numeric_limits<std::int32_t>::max()})
      rp.push_back(r);
    std::vector<std::int32_t> out(rp.size(), -5);
    REQUIRE(posenc::t5_buckets(rp, p, out).ok());
    std::size_t exact_compared = 0;
    for (std::size_t k = 0; k < rp.size(); ++k) {
      CAPTURE(p.bidirectional);
      CAPTURE(p.num_buckets);
      CAPTURE(p.max_distance);
      CAPTURE(rp[k]);
      CHECK(out[k] == hf_bucket(rp[k], p.bidirectional, p.num_buckets, p.max_distance));
      const std::int64_t e = exact_bucket(rp[k], p.bidirectional, p.num_buckets, p.max_distance);
      if (e >= 0) {
        CHECK(out[k] == e);
        ++exact_compared;
      }
    }
    CHECK(exact_compared > rp.size() * 9 / 10);
  }
}

TEST_CASE("t5: properties: range, sign, exact region, monotone in distance, saturation at maxDistance") {
  for (const auto& p : parameter_sets) {
    CAPTURE(p.bidirectional);
    CAPTURE(p.num_buckets);
    CAPTURE(p.max_distance);
    const std::int64_t n = p.bidirectional ? p.num_buckets / 2 : p.num_buckets;  // buckets per direction
    const std::int64_t exact = n / 2;
    const std::int64_t far = std::min<std::int64_t>(p.max_distance + 2000, std::int64_t{1} << 31);
    std::int64_t prev_before = 0, prev_after = 0;
    for (std::int64_t r = 0; r <= std::min<std::int64_t>(far, 5000); ++r) {
      const std::int32_t before = posenc::t5_bucket(-r, p);  // key r positions before the query
      const std::int32_t after = posenc::t5_bucket(r, p);
      CHECK(before >= 0);
      CHECK(before < n);
      CHECK(before >= prev_before);
      if (r < exact) CHECK(before == r);
      if (r >= p.max_distance) CHECK(before == n - 1);
      if (p.bidirectional) {
        CHECK(after == (r == 0 ? 0 : before + n));  // the upper half mirrors the lower one
        CHECK(after >= prev_after);
      } else {
        CHECK(after == (r == 0 ? before : 0));  // causal: keys after the query share bucket 0
      }
      prev_before = before;
      prev_after = after;
    }
    CHECK(posenc::t5_bucket(-far, p) == n - 1);
    CHECK(posenc::t5_bucket(far, p) == (p.bidirectional ? 2 * n - 1 : 0));
  }
}

TEST_CASE("t5: bias from the [numBuckets][heads] table, written out") {
  // table[b][h] = 100 b + h, 32 buckets, 2 heads. Queries at positions 1..3 (default offset 4 - 3).
  std::vector<float> table(64);
  for (std::size_t b = 0; b < 32; ++b)
    for (std::size_t h = 0; h < 2; ++h) table[b * 2 + h] = float(100 * b + h);
  const T5BiasParams p{.shape = {.heads = 2, .queries = 3, .keys = 4}};
  std::vector<float> out(24);
  REQUIRE(posenc::t5_bias(p, table, out).ok());
  // rp = j - p_i. Row 0 (p = 1): -1, 0, 1, 2 -> buckets 1, 0, 17, 18.
  const std::vector<float> head0 = {100, 0, 1700, 1800, 200, 100, 0, 1700, 300, 200, 100, 0};
  for (std::size_t k = 0; k < 12; ++k) {
    CHECK(out[k] == head0[k]);
    CHECK(out[12 + k] == head0[k] + 1);
  }
  // A decoder (bidirectional = false) maps keys after the query to bucket 0.
  const T5BiasParams d{.shape = {.heads = 2, .queries = 3, .keys = 4}, .buckets = {.bidirectional = false}};
  REQUIRE(posenc::t5_bias(d, table, out).ok());
  const std::vector<float> dec0 = {100, 0, 0, 0, 200, 100, 0, 0, 300, 200, 100, 0};
  for (std::size_t k = 0; k < 12; ++k) CHECK(out[k] == dec0[k]);
}

TEST_CASE("t5: the row-shift kernel equals the per-element reference at awkward sizes") {
  for (const auto& b : {T5BucketParams{}, T5BucketParams{false, 32, 128}, T5BucketParams{true, 10, 12}})
    for (std::size_t heads : {1u, 3u, 5u})
      for (std::size_t queries : {1u, 2u, 3u, 5u, 17u})
        for (std::size_t keys : {1u, 2u, 3u, 7u, 9u, 33u, 300u})
          for (std::int64_t offset : {std::int64_t{-1}, std::int64_t{0}, std::int64_t{3}, std::int64_t{200}}) {
            T5BiasParams p{.shape = {.heads = heads, .queries = queries, .keys = keys}, .buckets = b};
            if (offset >= 0)
              p.shape.query_offset = offset;
            else if (keys < queries)
              continue;
            std::vector<float> table(std::size_t(b.num_buckets) * heads);
            for (std::size_t k = 0; k < table.size(); ++k) table[k] = std::sin(float(k) + 0.5f);
            std::vector<float> ref(heads * queries * keys, 1.0f), fast(ref.size(), 2.0f);
            REQUIRE(posenc::t5_bias_check(p, table, ref.size()).ok());
            posenc::t5_bias_reference(p, table, ref);
            posenc::t5_bias_fast(p, table, fast);
            CAPTURE(heads);
            CAPTURE(queries);
            CAPTURE(keys);
            CAPTURE(offset);
            CHECK(same_bits(ref, fast));
          }
}

TEST_CASE("t5: bad parameters are refused, and nothing is written") {
  struct Case {
    T5BucketParams b;
    const char* param;
  };
  const Case bucket_cases[] = {
      {{true, 3, 128}, "numBuckets"},   {{false, 1, 128}, "numBuckets"}, {{true, 65538, 1 << 20}, "numBuckets"},
      {{true, -32, 128}, "numBuckets"}, {{true, 32, 8}, "maxDistance"},  {{false, 32, 16}, "maxDistance"},
      {{true, 32, -5}, "maxDistance"},
  };
  for (const Case& c : bucket_cases) {
    std::vector<std::int32_t> rp = {1, 2}, out = {-5, -5};
    const posenc::Status s = posenc::t5_buckets(rp, c.b, out);
    CAPTURE(c.param);
    CAPTURE(c.b.num_buckets);
    CHECK(s.code == Errc::range_error);
    CHECK(std::string(s.param) == c.param);
    CHECK(out == std::vector<std::int32_t>{-5, -5});
  }
  std::vector<std::int32_t> rp = {1, 2}, short_out = {-5};
  CHECK(std::string(posenc::t5_buckets(rp, {}, short_out).param) == "out");
  CHECK(posenc::t5_buckets({}, {}, {}).ok());  // nothing in, nothing out

  const T5BiasParams p{.shape = {.heads = 2, .queries = 2, .keys = 2}};
  std::vector<float> table(64, 0.5f), out(8, 5.0f);
  std::vector<float> short_table(63, 0.5f), bad_table(64, 0.5f);
  bad_table[10] = std::numeric_limits<float>::quiet_NaN();
  CHECK(std::string(posenc::t5_bias(p, short_table, out).param) == "table");
  CHECK(std::string(posenc::t5_bias(p, bad_table, out).param) == "table");
  T5BiasParams q = p;
  q.buckets.max_distance = 4;
  CHECK(std::string(posenc::t5_bias(q, table, out).param) == "maxDistance");
  q = p;
  q.shape.query_offset = -2;
  CHECK(std::string(posenc::t5_bias(q, table, out).param) == "queryOffset");
  std::vector<float> out7(7, 5.0f);
  CHECK(std::string(posenc::t5_bias(p, table, out7).param) == "out");
  for (float x : out) CHECK(x == 5.0f);
}
