// SPDX-License-Identifier: MIT
// Embind: KERPLE biases (src/posenc/kerple.hpp).
#include "posenc/kerple.hpp"

#include <emscripten/bind.h>

#include "common.hpp"

namespace {

using namespace posenc;
using namespace posenc::bind;

int kerple_bias_binding(std::uintptr_t r1, std::uintptr_t r2, std::uint32_t r_count, std::uintptr_t out,
                        std::uint32_t out_count, std::uint32_t heads, std::uint32_t queries, std::uint32_t keys,
                        double query_offset, bool causal, std::int32_t variant) {
  KerpleBiasParams p{.shape = {.heads = heads, .queries = queries, .keys = keys},
                     .causal = causal,
                     .variant = static_cast<KerpleVariant>(variant)};
  std::int64_t offset = 0;
  if (!to_position(query_offset, offset))
    return report(Status::range("queryOffset", "must be an integer position in [0, 2^24]"));
  p.shape.query_offset = offset;
  return report(kerple_bias(p, buffer<const float>(r1, r_count), buffer<const float>(r2, r_count),
                            buffer<float>(out, out_count)));
}

}  // namespace

EMSCRIPTEN_BINDINGS(posenc_kerple) { emscripten::function("kerpleBias", &kerple_bias_binding); }
