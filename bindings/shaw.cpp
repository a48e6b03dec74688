// SPDX-License-Identifier: MIT
// Embind: Shaw et al. relative position representations (src/posenc/shaw.hpp).
#include "posenc/shaw.hpp"

#include <emscripten/bind.h>

#include "common.hpp"

namespace {

using namespace posenc;
using namespace posenc::bind;

// query_offset arrives as a JavaScript number; the core checks it against queries.
bool shaw_params(std::uint32_t queries, std::uint32_t keys, std::uint32_t dim, std::uint32_t max_distance, bool causal,
                 double query_offset, ShawParams& p) {
  p = {.queries = queries, .keys = keys, .dim = dim, .max_distance = max_distance, .causal = causal};
  return to_position(query_offset, p.query_offset);
}

int relative_indices(std::uintptr_t out, std::uint32_t out_count, std::uint32_t queries, std::uint32_t keys,
                     std::uint32_t max_distance, double query_offset) {
  ShawParams p;
  if (!shaw_params(queries, keys, 1, max_distance, false, query_offset, p))
    return report(Status::range("queryOffset", "must be an integer position in [0, 2^24]"));
  return report(shaw_indices(p, buffer<std::int32_t>(out, out_count)));
}

int attend(std::uintptr_t q, std::uint32_t q_count, std::uintptr_t k, std::uint32_t k_count, std::uintptr_t v,
           std::uint32_t v_count, std::uintptr_t table_k, std::uint32_t table_k_count, std::uintptr_t table_v,
           std::uint32_t table_v_count, std::uintptr_t logits, std::uint32_t logits_count, std::uintptr_t weights,
           std::uint32_t weights_count, std::uintptr_t output, std::uint32_t output_count, std::uint32_t queries,
           std::uint32_t keys, std::uint32_t dim, std::uint32_t max_distance, bool causal, double query_offset) {
  ShawParams p;
  if (!shaw_params(queries, keys, dim, max_distance, causal, query_offset, p))
    return report(Status::range("queryOffset", "must be an integer position in [0, 2^24]"));
  const ShawInputs in{.q = buffer<const float>(q, q_count),
                      .k = buffer<const float>(k, k_count),
                      .v = buffer<const float>(v, v_count),
                      .table_k = buffer<const float>(table_k, table_k_count),
                      .table_v = buffer<const float>(table_v, table_v_count)};
  const ShawOutputs out{.logits = buffer<float>(logits, logits_count),
                        .weights = buffer<float>(weights, weights_count),
                        .output = buffer<float>(output, output_count)};
  return report(shaw_attention(p, in, out));
}

}  // namespace

EMSCRIPTEN_BINDINGS(posenc_shaw) {
  emscripten::function("shawIndices", &relative_indices);
  emscripten::function("shawAttention", &attend);
}
