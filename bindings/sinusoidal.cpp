// SPDX-License-Identifier: MIT
// Embind: sinusoidal tables (src/posenc/sinusoidal.hpp).
#include <emscripten/bind.h>

#include "common.hpp"
#include "posenc/sinusoidal.hpp"

namespace {

using namespace posenc;
using namespace posenc::bind;

int sinusoidal(std::uintptr_t out, std::uint32_t out_count, std::uint32_t length, std::uint32_t dim, double base,
               std::int32_t layout, double offset) {
  SinusoidalParams p{.length = length, .dim = dim, .base = base, .layout = static_cast<SinusoidalLayout>(layout)};
  if (!to_position(offset, p.offset)) return report(Status::range("offset", "must be an integer position in [0, 2^24]"));
  return report(sinusoidal_table(p, buffer<float>(out, out_count)));
}

}  // namespace

EMSCRIPTEN_BINDINGS(posenc_sinusoidal) { emscripten::function("sinusoidal", &sinusoidal); }
