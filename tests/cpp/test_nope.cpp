// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "posenc/nope.hpp"
#include "posenc/simd.hpp"
#include "util.hpp"

using posenc::AttentionShape;
using posenc::Errc;
using posenc::NopeParams;
using posenc::test::same_bits;

namespace {

constexpr float inf = std::numeric_limits<float>::infinity();

std::vector<float> mask(const NopeParams& p) {
  std::vector<float> out(p.shape.heads * p.shape.queries * p.shape.keys, 7.0f);
  const posenc::Status s = posenc::nope_bias(p, out);
  REQUIRE_MESSAGE(s.ok(), s.param << ": " << s.message);
  return out;
}

}  // namespace

TEST_CASE("nope: the causal mask, written out") {
  const auto m = mask({.shape = {.queries = 3, .keys = 3}});
  const std::vector<float> expect = {0, -inf, -inf,  //
                                     0, 0,    -inf,  //
                                     0, 0,    0};
  CHECK(m == expect);
  for (float x : m) CHECK_FALSE((x == 0.0f && std::signbit(x)));  // zeros are +0
}

TEST_CASE("nope: queries are the last positions by default; queryOffset moves them") {
  // 2 queries over 5 keys: positions 3 and 4.
  const auto last = mask({.shape = {.queries = 2, .keys = 5}});
  CHECK(last == std::vector<float>{0, 0, 0, 0, -inf, 0, 0, 0, 0, 0});
  // Queries at positions 1 and 2.
  const auto early = mask({.shape = {.queries = 2, .keys = 5, .query_offset = 1}});
  CHECK(early == std::vector<float>{0, 0, -inf, -inf, -inf, 0, 0, 0, -inf, -inf});
  // Queries beyond the keys see every key.
  const auto beyond = mask({.shape = {.queries = 1, .keys = 3, .query_offset = 10}});
  CHECK(beyond == std::vector<float>{0, 0, 0});
}

TEST_CASE("nope: without the causal mask everything is +0; every head is the same") {
  const auto m = mask({.shape = {.heads = 3, .queries = 4, .keys = 6}, .causal = false});
  for (float x : m) {
    CHECK(x == 0.0f);
    CHECK_FALSE(std::signbit(x));
  }
  const auto c = mask({.shape = {.heads = 5, .queries = 7, .keys = 9}});
  for (std::size_t h = 1; h < 5; ++h) CHECK(std::memcmp(c.data(), c.data() + h * 63, 63 * sizeof(float)) == 0);
  // Row i has p_i + 1 zeros (p_i = 2 + i), then -inf.
  for (std::size_t i = 0; i < 7; ++i)
    for (std::size_t j = 0; j < 9; ++j) CHECK(c[i * 9 + j] == (j <= 2 + i ? 0.0f : -inf));
}

TEST_CASE("nope: the fast (xsimd) kernel equals the scalar reference at awkward sizes") {
  INFO("fast kernels: " << posenc::simd::arch_name());
  for (bool causal : {true, false})
    for (std::size_t heads : {1u, 3u, 5u})
      for (std::size_t queries : {1u, 2u, 3u, 5u, 17u})
        for (std::size_t keys : {1u, 2u, 3u, 4u, 5u, 7u, 9u, 31u, 33u, 130u})
          for (std::int64_t offset : {std::int64_t{-1}, std::int64_t{0}, std::int64_t{2}, std::int64_t{40}}) {
            NopeParams p{.shape = {.heads = heads, .queries = queries, .keys = keys}, .causal = causal};
            if (offset >= 0)
              p.shape.query_offset = offset;
            else if (keys < queries)
              continue;
            std::vector<float> ref(heads * queries * keys, 1.0f), fast(ref.size(), 2.0f);
            REQUIRE(posenc::attention_shape_check(p.shape, ref.size()).ok());
            posenc::nope_bias_reference(p, ref);
            posenc::nope_bias_fast(p, fast);
            CAPTURE(heads);
            CAPTURE(queries);
            CAPTURE(keys);
            CAPTURE(offset);
            CHECK(same_bits(ref, fast));
          }
}

TEST_CASE("nope: positions up to 2^24 are exact in the SIMD lanes") {
  // One query at the last position, keys up to it: every key is visible; one more query position
  // (2^24 - 1) hides exactly the last key.
  const std::size_t keys = (std::size_t{1} << 24) + 1;
  const auto a = mask({.shape = {.queries = 1, .keys = keys, .query_offset = posenc::max_position}});
  CHECK(a.back() == 0.0f);
  const auto b = mask({.shape = {.queries = 1, .keys = keys, .query_offset = posenc::max_position - 1}});
  CHECK(b[keys - 1] == -inf);
  CHECK(b[keys - 2] == 0.0f);
}

TEST_CASE("nope: bad shapes are refused, and nothing is written") {
  struct Case {
    AttentionShape s;
    std::size_t out;
    const char* param;
  };
  const Case cases[] = {
      {{.heads = 0, .queries = 2, .keys = 2}, 0, "heads"},
      {{.heads = 65537, .queries = 1, .keys = 1}, 65537, "heads"},
      {{.queries = 0, .keys = 2}, 0, "queries"},
      {{.queries = 2, .keys = 0}, 0, "keys"},
      {{.queries = 1, .keys = (std::size_t{1} << 24) + 2, .query_offset = 0}, 0, "keys"},
      {{.heads = 64, .queries = 1024, .keys = 1025}, 0, "queries"},  // 256 MiB + 256 KiB
      {{.queries = 5, .keys = 3}, 15, "queryOffset"},                // default keys - queries < 0
      {{.queries = 2, .keys = 3, .query_offset = -1}, 6, "queryOffset"},
      {{.queries = 2, .keys = 3, .query_offset = posenc::max_position}, 6, "queryOffset"},
      {{.queries = 2, .keys = 3}, 5, "out"},
  };
  for (const Case& c : cases) {
    std::vector<float> out(c.out, 5.0f);
    const posenc::Status s = posenc::nope_bias({.shape = c.s}, out);
    CAPTURE(c.param);
    CHECK(s.code == Errc::range_error);
    CHECK(std::string(s.param) == c.param);
    CHECK(std::string(s.message).size() > 5);
    for (float x : out) CHECK(x == 5.0f);
  }
  // The limits themselves are accepted.
  std::vector<float> out(65536);
  CHECK(posenc::nope_bias({.shape = {.heads = 65536, .queries = 1, .keys = 1}}, out).ok());
  std::vector<float> one(2);
  CHECK(posenc::nope_bias({.shape = {.queries = 2, .keys = 1, .query_offset = posenc::max_position - 1}}, one).ok());
}
