// SPDX-License-Identifier: MIT
// Embind: NoPE, the causal mask alone (src/posenc/nope.hpp).
#include "posenc/nope.hpp"

#include <emscripten/bind.h>

#include "common.hpp"

namespace {

using namespace posenc;
using namespace posenc::bind;

int nope_bias_binding(std::uintptr_t out, std::uint32_t out_count, std::uint32_t heads, std::uint32_t queries,
                      std::uint32_t keys, double query_offset, bool causal) {
  NopeParams p{.shape = {.heads = heads, .queries = queries, .keys = keys}, .causal = causal};
  std::int64_t offset = 0;
  if (!to_position(query_offset, offset))
    return report(Status::range("queryOffset", "must be an integer position in [0, 2^24]"));
  p.shape.query_offset = offset;
  return report(nope_bias(p, buffer<float>(out, out_count)));
}

}  // namespace

EMSCRIPTEN_BINDINGS(posenc_nope) { emscripten::function("nopeBias", &nope_bias_binding); }
