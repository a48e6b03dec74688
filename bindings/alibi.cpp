// SPDX-License-Identifier: MIT
// Embind: ALiBi slopes and biases (src/posenc/alibi.hpp).
#include "posenc/alibi.hpp"

#include <emscripten/bind.h>

#include "common.hpp"

namespace {

using namespace posenc;
using namespace posenc::bind;

// The slopes in float64 (get_slopes' Python floats) and in float32 (what the model holds).
int alibi_slopes_f64(std::uintptr_t out, std::uint32_t heads) {
  return report(alibi_slopes(buffer<double>(out, heads)));
}
int alibi_slopes_f32(std::uintptr_t out, std::uint32_t heads) {
  return report(alibi_slopes(buffer<float>(out, heads)));
}

int alibi_bias_binding(std::uintptr_t out, std::uint32_t out_count, std::uint32_t heads, std::uint32_t queries,
                       std::uint32_t keys, double query_offset, bool causal, std::int32_t form) {
  AlibiBiasParams p{.shape = {.heads = heads, .queries = queries, .keys = keys},
                    .causal = causal,
                    .form = static_cast<AlibiForm>(form)};
  std::int64_t offset = 0;
  if (!to_position(query_offset, offset))
    return report(Status::range("queryOffset", "must be an integer position in [0, 2^24]"));
  p.shape.query_offset = offset;
  return report(alibi_bias(p, buffer<float>(out, out_count)));
}

}  // namespace

EMSCRIPTEN_BINDINGS(posenc_alibi) {
  emscripten::function("alibiSlopesFloat64", &alibi_slopes_f64);
  emscripten::function("alibiSlopesFloat32", &alibi_slopes_f32);
  emscripten::function("alibiBias", &alibi_bias_binding);
}
