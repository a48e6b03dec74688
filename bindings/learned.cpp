// SPDX-License-Identifier: MIT
// Embind: learned absolute position tables (src/posenc/learned.hpp).
#include "posenc/learned.hpp"

#include <emscripten/bind.h>

#include <cmath>

#include "common.hpp"

namespace {

using namespace posenc;
using namespace posenc::bind;

int make_table(std::uintptr_t out, std::uint32_t out_count, std::uint32_t max_positions, std::uint32_t dim, double seed,
               double std_dev) {
  if (!is_seed(seed)) return report(Status::range("seed", "must be an integer in [0, 2^53 - 1]"));
  const LearnedParams p{.max_positions = max_positions, .dim = dim};
  const LearnedInit init{.seed = static_cast<std::uint64_t>(seed), .std = std_dev};
  return report(learned_init(p, init, buffer<float>(out, out_count)));
}

int lookup_rows(std::uintptr_t table, std::uint32_t table_count, std::uintptr_t positions,
                std::uint32_t positions_count, std::uintptr_t out, std::uint32_t out_count, std::uint32_t max_positions,
                std::uint32_t dim) {
  const LearnedParams p{.max_positions = max_positions, .dim = dim};
  return report(learned_lookup(p, buffer<const float>(table, table_count),
                               buffer<const std::int32_t>(positions, positions_count), buffer<float>(out, out_count)));
}

}  // namespace

EMSCRIPTEN_BINDINGS(posenc_learned) {
  emscripten::function("learnedTable", &make_table);
  emscripten::function("learnedLookup", &lookup_rows);
}
