// SPDX-License-Identifier: MIT
// Embind: T5 relative position buckets and bias (src/posenc/t5.hpp).
#include "posenc/t5.hpp"

#include <emscripten/bind.h>

#include "common.hpp"

namespace {

using namespace posenc;
using namespace posenc::bind;

int t5_buckets_binding(std::uintptr_t positions, std::uint32_t count, std::uintptr_t out, bool bidirectional,
                       std::int32_t num_buckets, std::int32_t max_distance) {
  const T5BucketParams p{.bidirectional = bidirectional, .num_buckets = num_buckets, .max_distance = max_distance};
  return report(t5_buckets(buffer<const std::int32_t>(positions, count), p, buffer<std::int32_t>(out, count)));
}

int t5_bias_binding(std::uintptr_t table, std::uint32_t table_count, std::uintptr_t out, std::uint32_t out_count,
                    std::uint32_t heads, std::uint32_t queries, std::uint32_t keys, double query_offset,
                    bool bidirectional, std::int32_t num_buckets, std::int32_t max_distance) {
  T5BiasParams p{.shape = {.heads = heads, .queries = queries, .keys = keys},
                 .buckets = {.bidirectional = bidirectional, .num_buckets = num_buckets, .max_distance = max_distance}};
  std::int64_t offset = 0;
  if (!to_position(query_offset, offset))
    return report(Status::range("queryOffset", "must be an integer position in [0, 2^24]"));
  p.shape.query_offset = offset;
  return report(t5_bias(p, buffer<const float>(table, table_count), buffer<float>(out, out_count)));
}

}  // namespace

EMSCRIPTEN_BINDINGS(posenc_t5) {
  emscripten::function("t5Buckets", &t5_buckets_binding);
  emscripten::function("t5Bias", &t5_bias_binding);
}
